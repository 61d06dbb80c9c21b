/** Tests of src/store/queries.ts: history planning, windows and paging. */
import assert from "node:assert/strict";
import { openDatabase } from "../../src/store/db.ts";
import { planHistory, Queries, RESOLUTIONS } from "../../src/store/queries.ts";
import { SampleWriter } from "../../src/store/writer.ts";
import { feeder, sample, T0 } from "./fixtures.ts";

Deno.test("planHistory() picks the cheapest exact source and never exceeds points", async (t) => {
  const cases: [string, number, number, number, string][] = [
    ["48 h, 1000 points", 48 * 3_600_000, 1000, 1, "1m"],
    ["1 h, 1000 points", 3_600_000, 1000, 1, "1s"],
    ["10 min, 1500 points (a live chart at 1 kHz)", 600_000, 1500, 1, "100ms"],
    ["10 s, 500 points", 10_000, 500, 1, "raw"],
    ["30 days, 5000 points", 30 * 86_400_000, 5000, 1, "1m"],
    ["old 2 h, forced minutes", 2 * 3_600_000, 5000, 60_000, "1m"],
  ];
  for (const [name, spanMs, points, minRes, source] of cases) {
    await t.step(name, () => {
      for (const fromMs of [T0, T0 + 123_457, T0 + 59_999]) {
        const plan = planHistory(fromMs, fromMs + spanMs, points, minRes);
        assert.equal(plan.source, source);
        const res = RESOLUTIONS.find((r) => r.name === plan.source)!.widthMs;
        assert.equal(plan.bucketMs % res, 0, "bucket width is a multiple of the source resolution");
        const n = Math.floor((fromMs + spanMs - 1) / plan.bucketMs) -
          Math.floor(fromMs / plan.bucketMs) + 1;
        assert.ok(n <= points, `${n} buckets for ${points} points`);
        assert.ok(n >= points / 3 || plan.bucketMs === res, `not far fewer than asked: ${n}`);
      }
    });
  }
});

Deno.test("history from a mid-second start counts what the raw rows in the window hold", () => {
  const db = openDatabase(":memory:");
  const writer = new SampleWriter(db);
  const append = feeder(writer);
  // Whole-second samples, as a 1 Hz sampler on time writes them.
  for (let i = 0; i < 600; i++) append(sample(i + 1, T0 + i * 1000, 5, i === 10 ? 9 : 0.2));
  writer.flush();
  const queries = new Queries(db, writer.channelId);
  const from = T0 + 10_300; // just after the 9 A sample at T0 + 10 s
  const to = T0 + 500_700;
  const raw = queries.measurements(from, to, 100_000);
  for (const source of ["raw", "1s"] as const) {
    const buckets = queries.history(from, to, { source, bucketMs: 10_000 });
    assert.equal(buckets.reduce((n, b) => n + b.count, 0), raw.length, source);
    assert.equal(Math.max(...buckets.map((b) => b.a.max!)), 0.2, `${source}: 9 A is outside`);
  }
  db.close();
});

Deno.test("Queries.iterate() pages through equal timestamps without loss or repeats", () => {
  const db = openDatabase(":memory:");
  const writer = new SampleWriter(db);
  const append = feeder(writer);
  for (let i = 1; i <= 1000; i++) append(sample(i, T0 + Math.floor(i / 7)));
  writer.flush();
  const queries = new Queries(db, writer.channelId);
  const pages = [...queries.iterate(T0, T0 + 1000, 64)];
  const seqs = pages.flat().map((r) => r.seq);
  assert.deepEqual(seqs, Array.from({ length: 1000 }, (_, i) => i + 1));
  assert.ok(pages.every((p) => p.length <= 64));
  db.close();
});
