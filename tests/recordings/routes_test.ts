/**
 * Tests of src/http/routes_recordings.ts and routes_recordings_data.ts through
 * `app.request()` over a real store: create, list, get, patch, stop, delete, compare
 * deltas, history and span (with battery life), trigger fields without a trigger
 * module (501), and the 4xx answers.
 * @module
 */
import assert from "node:assert/strict";
import { OpenAPIHono } from "@hono/zod-openapi";
import { validationHook } from "../../src/http/errors.ts";
import { recordingsRoutes } from "../../src/http/routes_recordings.ts";
import { ErrorBody } from "../../src/protocol/common.ts";
import { HistoryResponse } from "../../src/protocol/history.ts";
import { CompareResponse, Recording, RecordingList } from "../../src/protocol/recordings.ts";
import { SpanResponse } from "../../src/protocol/span.ts";
import { planHistory } from "../../src/store/queries.ts";
import { roundCounter, roundFigure } from "../../src/protocol/figures.ts";
import { setup, T0 } from "./fixtures.ts";

function app(t: ReturnType<typeof setup>) {
  const a = new OpenAPIHono({ defaultHook: validationHook });
  recordingsRoutes(a, { recordings: t.recordings, now: () => t.clock.ms });
  return a;
}

const post = (body: unknown) => ({
  method: "POST",
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify(body),
});

Deno.test("POST /api/recordings keeps a past span; GET, PATCH, list and DELETE follow", async () => {
  const t = setup();
  try {
    t.feed("main", T0, 20_000);
    t.clock.ms = T0 + 30_000;
    const a = app(t);
    const res = await a.request(
      "/api/recordings",
      post({ name: "boot", tags: ["fw-1"], from_ms: T0 + 1000, to_ms: T0 + 11_000 }),
    );
    assert.equal(res.status, 201);
    const rec = Recording.parse(await res.json());
    assert.equal(rec.samples, 10_000);
    assert.equal(rec.figures.main.count + rec.figures.main.errors, 10_000);
    const got = Recording.parse(await (await a.request(`/api/recordings/${rec.id}`)).json());
    assert.deepEqual(got, rec);
    const patched = await a.request(`/api/recordings/${rec.id}`, {
      method: "PATCH",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: "boot 2", notes: "radio on at 4 s" }),
    });
    assert.equal(patched.status, 200);
    assert.equal(Recording.parse(await patched.json()).name, "boot 2");
    const list = RecordingList.parse(await (await a.request("/api/recordings")).json());
    assert.equal(list.count, 1);
    assert.ok(list.used_bytes > 0 && list.used_bytes === rec.size_bytes);
    assert.equal((await a.request(`/api/recordings/${rec.id}`, { method: "DELETE" })).status, 200);
    assert.equal((await a.request(`/api/recordings/${rec.id}`)).status, 404);
  } finally {
    t.close();
  }
});

Deno.test("POST /api/recordings starts now; POST /{id}/stop stops it; a second stop is 409", async () => {
  const t = setup();
  try {
    const a = app(t);
    const res = await a.request("/api/recordings", post({ name: "live", channels: ["aux"] }));
    assert.equal(res.status, 201);
    const rec = Recording.parse(await res.json());
    assert.equal(rec.state, "recording");
    t.feed("aux", T0, 2000);
    t.clock.ms = T0 + 2000;
    const stop = await a.request(`/api/recordings/${rec.id}/stop`, { method: "POST" });
    assert.equal(stop.status, 200);
    const stopped = Recording.parse(await stop.json());
    assert.equal(stopped.samples, 2000);
    assert.deepEqual(stopped.channels, ["aux"]);
    const again = await a.request(`/api/recordings/${rec.id}/stop`, { method: "POST" });
    assert.equal(again.status, 409);
    ErrorBody.parse(await again.json());
  } finally {
    t.close();
  }
});

Deno.test("POST /api/recordings with trigger fields: 400 when invalid, else 501 without a trigger module", async () => {
  const t = setup();
  try {
    const a = app(t);
    const bad = await a.request(
      "/api/recordings",
      post({ name: "x", start_trigger: { metric: "q", op: ">", value: 1 } }),
    );
    assert.equal(bad.status, 400);
    const tooLong = await a.request(
      "/api/recordings",
      post({
        name: "x",
        start_trigger: { metric: "a", op: ">", value: 0.1, for_ms: 5 },
        pre_trigger_ms: 10_001,
      }),
    );
    assert.equal(tooLong.status, 400);
    const res = await a.request(
      "/api/recordings",
      post({
        name: "x",
        start_trigger: { metric: "a", op: ">", value: 0.1, for_ms: 5 },
        pre_trigger_ms: 50,
        stop_trigger: { metric: "v", op: "<", value: 3.3, for_ms: 1000 },
      }),
    );
    assert.equal(res.status, 501);
    const body = ErrorBody.parse(await res.json());
    assert.match(body.error, /triggers not available in this build/i);
    assert.deepEqual(body.issues.map((i) => i.path), [
      "start_trigger",
      "stop_trigger",
      "pre_trigger_ms",
    ]);
    assert.equal(t.recordings.list().length, 0);
  } finally {
    t.close();
  }
});

Deno.test("POST /api/recordings refuses bad bodies with 400/409/422 and keeps nothing", async () => {
  const t = setup();
  try {
    t.feed("main", T0, 1000);
    t.clock.ms = T0 + 49 * 3_600_000;
    const a = app(t);
    const cases: [unknown, number][] = [
      [{}, 400],
      [{ name: "" }, 400],
      [{ name: "x", from_ms: T0 }, 400],
      [{ name: "x", from_ms: T0 + 10, to_ms: T0 }, 400],
      [{ name: "x", extra: 1 }, 400],
      [{ name: "x", from_ms: T0, to_ms: T0 + 1000 }, 409],
      [{ name: "x", channels: ["nope"] }, 422],
      [{ name: "x", channels: ["main", "main"] }, 422],
    ];
    for (const [body, status] of cases) {
      const res = await a.request("/api/recordings", post(body));
      assert.equal(res.status, status, JSON.stringify(body));
      ErrorBody.parse(await res.json());
    }
    assert.equal(t.recordings.list().length, 0);
    assert.equal((await a.request("/api/recordings/abc")).status, 400);
    assert.equal((await a.request("/api/recordings/99")).status, 404);
  } finally {
    t.close();
  }
});

Deno.test("GET /api/recordings/compare gives figures side by side with absolute and % deltas", async () => {
  const t = setup();
  try {
    t.feed("main", T0, 30_000);
    t.clock.ms = T0 + 40_000;
    const a = app(t);
    const one = await t.recordings.fromHistory({ name: "A" }, T0, T0 + 10_000);
    const two = await t.recordings.fromHistory({ name: "B" }, T0 + 10_000, T0 + 25_000);
    const res = await a.request(`/api/recordings/compare?ids=${one.id},${two.id}`);
    assert.equal(res.status, 200);
    const body = CompareResponse.parse(await res.json());
    assert.equal(body.base_id, one.id);
    const [x, y] = body.items;
    assert.equal(x.deltas.energy_j.abs, 0);
    assert.equal(x.deltas.energy_j.pct, 0);
    const fa = one.figures.main;
    const fb = two.figures.main;
    assert.equal(y.figures.duration_ms, 15_000);
    assert.equal(y.deltas.duration_ms.abs, 5_000);
    assert.equal(y.deltas.duration_ms.pct, 50);
    // As the API writes figures: counters to 9 decimals, the rest to 6 significant digits.
    assert.equal(y.deltas.energy_j.abs, roundCounter(fb.energy_j - fa.energy_j));
    assert.equal(
      y.deltas.energy_j.pct,
      roundFigure((fb.energy_j - fa.energy_j) / fa.energy_j * 100),
    );
    assert.equal(y.deltas.a_avg.abs, roundFigure(fb.a.avg! - fa.a.avg!));
    assert.equal(y.figures.a_avg, roundFigure(fb.a.avg!));
    assert.equal((await a.request(`/api/recordings/compare?ids=${one.id}`)).status, 400);
    assert.equal((await a.request(`/api/recordings/compare?ids=${one.id},77`)).status, 404);
    assert.equal(
      (await a.request(`/api/recordings/compare?ids=${one.id},${two.id}&channel=aux`)).status,
      422,
    );
  } finally {
    t.close();
  }
});

Deno.test("GET /api/recordings/{id}/history and /span answer exactly, with battery life", async () => {
  const t = setup();
  try {
    t.feed("main", T0, 70_000);
    t.clock.ms = T0 + 80_000;
    const a = app(t);
    const rec = await t.recordings.fromHistory({ name: "A" }, T0 + 500, T0 + 65_500);
    const h = await a.request(`/api/recordings/${rec.id}/history?points=100`);
    assert.equal(h.status, 200);
    const hist = HistoryResponse.parse(await h.json());
    assert.equal(hist.from_ms, T0 + 500);
    // As /api/history: the same plan and buckets as the store's over the same samples.
    const plan = planHistory(T0 + 500, T0 + 65_500, 100);
    assert.deepEqual([hist.source, hist.bucket_ms], [plan.source, plan.bucketMs]);
    const live = t.store.channel("main").queries.history(T0 + 500, T0 + 65_500, plan);
    // (The store's last bucket also holds samples after the recording's end.)
    const pairs = (bs: { ts_ms: number; count: number }[]) =>
      bs.slice(0, -1).map((b) => [b.ts_ms, b.count]);
    assert.deepEqual(pairs(hist.data), pairs(live));
    assert.equal(hist.data.length, live.length);
    const s = await a.request(
      `/api/recordings/${rec.id}/span?from=${T0 + 1000}&to=${
        T0 + 2000
      }&capacity_mah=2000&nominal_v=3.7`,
    );
    assert.equal(s.status, 200);
    const span = SpanResponse.parse(await s.json());
    assert.equal(span.count + span.errors, 1000);
    const raw = t.recordings.span(rec.id, "main", T0 + 1000, T0 + 2000);
    assert.equal(span.battery!.runtime_h_from_current, 2 / raw.a.avg!);
    assert.equal(span.battery!.runtime_h_from_energy, 2 * 3.7 / raw.w.avg!);
    assert.match(span.battery!.assumption, /No chemistry model/);
    const outside = await a.request(`/api/recordings/${rec.id}/span?from=${T0}`);
    assert.equal(outside.status, 422);
    const noCap = await a.request(`/api/recordings/${rec.id}/span?nominal_v=3.7`);
    assert.equal(noCap.status, 400);
  } finally {
    t.close();
  }
});
