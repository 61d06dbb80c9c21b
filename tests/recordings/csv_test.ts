/**
 * Tests of the recordings' CSV (src/recordings/csv.ts through the export and import
 * routes): export → import gives identical figures; `/api/export.csv` and nRF Connect
 * Power Profiler files import with their assumptions stated; bad files are refused and
 * leave nothing behind.
 * @module
 */
import assert from "node:assert/strict";
import { OpenAPIHono } from "@hono/zod-openapi";
import { validationHook } from "../../src/http/errors.ts";
import { recordingsRoutes } from "../../src/http/routes_recordings.ts";
import { ImportResponse, Recording } from "../../src/protocol/recordings.ts";
import { csvFormat, RECORDING_CSV_HEADER } from "../../src/recordings/csv.ts";
import { setup, T0 } from "./fixtures.ts";

function app(t: ReturnType<typeof setup>) {
  const a = new OpenAPIHono({ defaultHook: validationHook });
  recordingsRoutes(a, { recordings: t.recordings, now: () => t.clock.ms });
  return a;
}

const upload = (text: string) => ({
  method: "POST",
  headers: { "Content-Type": "text/csv" },
  body: text,
});

Deno.test("Recording CSV: export → import gives identical figures on every channel", async () => {
  const t = setup();
  try {
    t.feed("main", T0, 25_000);
    t.feed("aux", T0, 25_000, 5);
    t.clock.ms = T0 + 30_000;
    const a = app(t);
    const rec = await t.recordings.fromHistory(
      { name: "A", channels: ["main", "aux"] },
      T0 + 123,
      T0 + 24_432,
    );
    const res = await a.request(`/api/recordings/${rec.id}/export.csv`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-disposition")!, /recording-\d+-A\.csv/);
    const csv = await res.text();
    assert.equal(csv.split("\n")[0], RECORDING_CSV_HEADER);
    assert.equal(csv.trimEnd().split("\n").length, 1 + rec.samples);
    assert.match(csv, /"read, failed"/);
    const imported = await a.request("/api/recordings/import?name=again&tags=a,b", upload(csv));
    assert.equal(imported.status, 201, await imported.clone().text());
    const back = ImportResponse.parse(await imported.json());
    assert.equal(back.format, "recording");
    assert.equal(back.rows_read, rec.samples);
    assert.deepEqual(back.tags, ["a", "b"]);
    assert.deepEqual(back.channels, ["main", "aux"]);
    assert.equal(back.start_ms, rec.start_ms);
    // The figures as the API gives them (6 significant digits, counters to 9 decimals):
    // the same rows summed in other batches differ only in the last bits of a double.
    const figures = async (id: number) =>
      Recording.parse(await (await a.request(`/api/recordings/${id}`)).json()).figures;
    const before = await figures(rec.id);
    const after = await figures(back.id);
    for (const channel of ["main", "aux"]) {
      const x = before[channel];
      const y = after[channel];
      assert.deepEqual({ ...y, source: null, to_ms: 0, duration_ms: 0 }, {
        ...x,
        source: null,
        to_ms: 0,
        duration_ms: 0,
      });
      assert.equal(y.source.exact, true);
    }
    // And the re-export is the same file.
    const again = await (await a.request(`/api/recordings/${back.id}/export.csv`)).text();
    assert.equal(again, csv);
  } finally {
    t.close();
  }
});

Deno.test("Recording CSV import: a Power Profiler file becomes 1 ms rows at the given voltage", async () => {
  const t = setup();
  try {
    const a = app(t);
    // As the app writes it: ms with fractions (100 kHz), µA with 3 decimals, digital bits.
    const lines = ["Timestamp(ms),Current(uA),D0-D7"];
    for (let i = 0; i < 500; i++) {
      const uA = i < 250 ? 1000 : 3000; // 1 mA, then 3 mA
      lines.push(`${(i * 0.01).toFixed(2)},${uA.toFixed(3)},01000000`);
    }
    const start = T0 + 5_000;
    const noVolts = await a.request("/api/recordings/import?name=ppk", upload(lines.join("\n")));
    assert.equal(noVolts.status, 422);
    assert.match((await noVolts.json()).error, /voltage_v/);
    const res = await a.request(
      `/api/recordings/import?name=ppk&voltage_v=3&start_ms=${start}&channel=dut`,
      upload(lines.join("\r\n") + "\r\n"),
    );
    assert.equal(res.status, 201, await res.clone().text());
    const rec = ImportResponse.parse(await res.json());
    assert.equal(rec.format, "nordic");
    assert.equal(rec.rows_read, 500);
    assert.match(rec.note!, /averaged into 1 ms rows/);
    assert.deepEqual(rec.channels, ["dut"]);
    assert.equal(rec.samples, 5); // 0–4.99 ms
    assert.equal(rec.start_ms, start);
    const f = rec.figures.dut;
    assert.equal(f.count, 5);
    assert.deepEqual([f.v.min, f.v.max], [3, 3]);
    assert.ok(Math.abs(f.a.avg! - 0.002) < 1e-12);
    assert.deepEqual([f.a.min, f.a.max], [0.001, 0.003]);
    // Rows of 1, 1, 2 (half 1, half 3), 3 and 3 mA: four 1 ms trapezoids of 1, 1.5, 2.5, 3 mA.
    const q = (1 + 1.5 + 2.5 + 3) * 1e-3 * 1e-3;
    assert.ok(Math.abs(f.charge_c - q) < 1e-15, `${f.charge_c} vs ${q}`);
    assert.ok(Math.abs(f.energy_j - 3 * q) < 1e-15);
  } finally {
    t.close();
  }
});

Deno.test("Recording CSV import: /api/export.csv rows get their energy steps inferred", async () => {
  const t = setup();
  try {
    const a = app(t);
    const lines = ["time,ts_ms,seq,v,a,w,status,mode,error"];
    for (let i = 0; i < 2000; i++) {
      const ts = T0 + i * 10 + (i >= 1000 ? 1000 : 0); // one 1 s gap: no step across it
      const err = i === 500;
      lines.push(
        `${new Date(ts).toISOString()},${ts},${i + 1},${err ? 0 : 5},${err ? 0 : 0.2},${
          err ? 0 : 1
        },${err ? "error" : "ok"},NORMAL,${err ? "timeout" : ""}`,
      );
    }
    const res = await a.request("/api/recordings/import?name=x", upload(lines.join("\n")));
    assert.equal(res.status, 201, await res.clone().text());
    const rec = ImportResponse.parse(await res.json());
    assert.equal(rec.format, "export");
    assert.match(rec.note!, /inferred/);
    const f = rec.figures.main;
    assert.equal(f.count, 1999);
    assert.equal(f.errors, 1);
    // 1999 measured rows, steps of 10 ms except: the first, after the failed read, across the gap.
    assert.ok(Math.abs(f.energy_j - (1999 - 3) * 0.01) < 1e-9, String(f.energy_j));
  } finally {
    t.close();
  }
});

Deno.test("Recording CSV import refuses unknown headers and bad lines and keeps nothing", async () => {
  const t = setup();
  try {
    const a = app(t);
    const bad = [
      "a,b,c\n1,2,3\n",
      "",
      `${RECORDING_CSV_HEADER}\nmain,x,notanumber,1,5,0.2,1,ok,NORMAL,,1\n`,
      `${RECORDING_CSV_HEADER}\nmain,x,${T0},1,5,0.2,1,fine,NORMAL,,1\n`,
      `${RECORDING_CSV_HEADER}\n`,
    ];
    for (const body of bad) {
      const res = await a.request("/api/recordings/import?name=x", upload(body));
      assert.equal(res.status, 422, body);
      assert.ok(typeof (await res.json()).error === "string");
    }
    assert.equal((await a.request("/api/recordings/import", upload("x"))).status, 400);
    assert.equal(t.recordings.list().length, 0);
    const rows = t.store.db.prepare("SELECT COUNT(*) AS n FROM recording_samples").get() as {
      n: number;
    };
    assert.equal(rows.n, 0);
  } finally {
    t.close();
  }
});

Deno.test("csvFormat() tells the three formats by their header", () => {
  assert.equal(csvFormat(RECORDING_CSV_HEADER.split(",")), "recording");
  assert.equal(csvFormat("time,ts_ms,seq,v,a,w,status,mode,error".split(",")), "export");
  assert.equal(csvFormat(["Timestamp(ms)", "Current(uA)"]), "nordic");
  assert.equal(csvFormat(["Timestamp(ms)", "Current(uA)", "D0-D7", "D0", "D1"]), "nordic");
  assert.throws(() => csvFormat(["ts", "current"]), /Unknown CSV header/);
});

Deno.test("Recording CSV import past RECORDINGS_MAX_MB: 507, nothing kept, the others untouched", async () => {
  const t = setup({ maxBytes: 1024 * 1024 });
  try {
    t.feed("main", T0, 5_000);
    t.clock.ms = T0 + 10_000;
    const kept = await t.recordings.fromHistory({ name: "small" }, T0, T0 + 5_000);
    const a = app(t);
    const lines = [RECORDING_CSV_HEADER];
    for (let i = 0; i < 40_000; i++) lines.push(`main,x,${T0 + i},${i + 1},5,0.1,0.5,ok,NORMAL,,1`);
    const res = await a.request("/api/recordings/import?name=big", upload(lines.join("\n")));
    assert.equal(res.status, 507);
    assert.match((await res.json()).error, /RECORDINGS_MAX_MB/);
    assert.ok(t.notices.some((n) => /Import "big" refused/.test(n)));
    assert.deepEqual(t.recordings.list().map((r) => r.id), [kept.id]);
    assert.equal(t.recordings.get(kept.id)!.samples, 5_000);
  } finally {
    t.close();
  }
});
