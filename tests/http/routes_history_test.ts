/**
 * The history routes over a fake {@link HistoryStore}: validation, windows passed to
 * the queries, flush before every read, the CSV format and the database routes,
 * with no SQLite. The same routes on the real store: tests/integration/history_test.ts.
 */
import assert from "node:assert/strict";
import type { MeasurementRow } from "../../src/protocol/history.ts";
import { HistoryResponse, MeasurementsResponse } from "../../src/protocol/history.ts";
import { fakeApp } from "../fakes.ts";

const TOKEN = "secret-token-1";
const HOUR_MS = 3_600_000;

function row(tsMs: number, seq: number, over: Partial<MeasurementRow> = {}): MeasurementRow {
  return {
    ts_ms: tsMs,
    seq,
    v: 5,
    a: 0.2,
    w: 1,
    status: "ok",
    mode: "NORMAL",
    error: null,
    ...over,
  };
}

async function json(res: Response) {
  assert.match(res.headers.get("content-type") ?? "", /json/);
  return await res.json();
}

Deno.test("history parameters are validated: 400 JSON, nothing is read", async (t) => {
  const { app, fakes, nowMs } = fakeApp();
  const cases: [string, RegExp][] = [
    [`/api/history?from=${nowMs}&to=${nowMs - 1000}`, /before "to"/],
    [`/api/history?from=${nowMs}&to=${nowMs}`, /before "to"/],
    ["/api/history?points=0", /points/],
    ["/api/history?points=5001", /points/],
    ["/api/history?points=abc", /points/],
    ["/api/history?from=yesterday", /not a time/],
    ["/api/history?from=2026-13-45T99:00:00Z", /not a time/],
    ["/api/history?hours=-1", /hours/],
    ["/api/history?hours=800", /kept \(30 days/],
    ["/api/measurements?hours=49", /kept \(48 h/],
    ["/api/measurements?limit=0", /limit/],
    ["/api/measurements?limit=100001", /limit/],
    [`/api/export.csv?from=${nowMs - 50 * HOUR_MS}`, /kept/],
    ["/api/statistics?to=soon", /not a time/],
  ];
  for (const [path, pattern] of cases) {
    await t.step(path, async () => {
      const res = await app.request(path);
      assert.equal(res.status, 400);
      const body = await json(res);
      assert.equal(typeof body.error, "string");
      assert.ok(body.issues.length > 0);
      assert.match(
        body.issues.map((i: { path: string; message: string }) => `${i.path}: ${i.message}`).join(
          "; ",
        ),
        pattern,
      );
    });
  }
  assert.deepEqual(fakes.history.log, [], "no flush, no query");
});

Deno.test("GET /api/measurements flushes, then reads the window newest first", async () => {
  const { app, fakes, nowMs } = fakeApp();
  fakes.history.rows = [1, 2, 3].map((i) => row(nowMs - (4 - i) * 1000, i));
  const body = await json(await app.request("/api/measurements?limit=2"));
  MeasurementsResponse.parse(body);
  assert.deepEqual(fakes.history.log, ["flush", `measurements ${nowMs - HOUR_MS} ${nowMs} 2`]);
  assert.deepEqual(body.data.map((r: MeasurementRow) => r.seq), [3, 2]);
  assert.deepEqual(
    [body.count, body.from_ms, body.to_ms, body.limit, body.truncated],
    [2, nowMs - HOUR_MS, nowMs, 2, true],
  );
  const all = await json(await app.request("/api/measurements"));
  assert.equal(all.truncated, false);
});

Deno.test("GET /api/history reads per-minute rollups only for a window past the raw data", async () => {
  const { app, fakes, nowMs } = fakeApp();
  const recent = await json(await app.request("/api/history?hours=1&points=1000"));
  HistoryResponse.parse(recent);
  assert.equal(recent.source, "1s");
  const old = await json(
    await app.request(`/api/history?from=${nowMs - 50 * HOUR_MS}&to=${nowMs - 49 * HOUR_MS}`),
  );
  assert.equal(old.source, "1m", "raw data is kept 48 h: older windows read the minutes");
  assert.deepEqual(fakes.history.log, [
    "flush",
    `history ${nowMs - HOUR_MS} ${nowMs} 1s ${recent.bucket_ms}`,
    "flush",
    `history ${nowMs - 50 * HOUR_MS} ${nowMs - 49 * HOUR_MS} 1m ${old.bucket_ms}`,
  ]);
});

Deno.test("GET /api/export.csv streams every page and quotes what needs quoting", async () => {
  const { app, fakes, nowMs } = fakeApp();
  const t0 = nowMs - 10_000;
  fakes.history.rows = [
    row(t0, 1),
    row(t0 + 1000, 2, { mode: "A,B" }),
    row(t0 + 2000, 3, { status: "error", v: 0, a: 0, w: 0, error: 'said "no"\nthen quit' }),
  ];
  const res = await app.request("/api/export.csv");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /text\/csv/);
  assert.match(
    res.headers.get("content-disposition") ?? "",
    /^attachment; filename="ina219-.*\.csv"$/,
  );
  const iso = (ms: number) => new Date(ms).toISOString();
  assert.equal(
    await res.text(),
    "time,ts_ms,seq,v,a,w,status,mode,error\n" +
      `${iso(t0)},${t0},1,5,0.2,1,ok,NORMAL,\n` +
      `${iso(t0 + 1000)},${t0 + 1000},2,5,0.2,1,ok,"A,B",\n` +
      `${iso(t0 + 2000)},${t0 + 2000},3,0,0,0,error,NORMAL,"said ""no""\nthen quit"\n`,
  );
  assert.deepEqual(fakes.history.log, ["flush", `pages ${nowMs - HOUR_MS} ${nowMs}`]);
});

Deno.test("database routes: stats, cleanup (flush, then prune) and vacuum, behind the token", async () => {
  const { app, fakes } = fakeApp({
    security: { apiToken: TOKEN, readTokenRequired: false, allowedOrigins: [] },
  });
  for (
    const [method, path] of [
      ["GET", "/api/database/stats"],
      ["POST", "/api/database/cleanup"],
      ["POST", "/api/database/vacuum"],
    ]
  ) {
    const res = await app.request(path, { method });
    assert.equal(res.status, 401, path);
    await res.body?.cancel();
  }
  assert.deepEqual(fakes.history.log, []);
  const auth = { headers: { Authorization: `Bearer ${TOKEN}` } };
  const stats = await json(await app.request("/api/database/stats", auth));
  assert.equal(stats.path, "/data/fake.db");
  const cleanup = await json(
    await app.request("/api/database/cleanup", { method: "POST", ...auth }),
  );
  assert.deepEqual(cleanup, { status: "ok", deleted: fakes.history.pruned });
  const vacuum = await json(await app.request("/api/database/vacuum", { method: "POST", ...auth }));
  assert.deepEqual(vacuum, {
    status: "ok",
    pages_freed: 7,
    file_bytes_before: 4096,
    file_bytes_after: 4096,
  });
  assert.deepEqual(fakes.history.log, ["flush", "prune", "vacuum"]);
});
