/**
 * Unit tests of the dashboard's pure browser modules (static/live_buffer.js,
 * static/span_stats.js, static/format.js, static/auth.js), run by Deno without a browser.
 * @module
 */
import assert from "node:assert/strict";
import { LiveBuffer } from "../../static/live_buffer.js";
import { describeSpanSource } from "../../static/span_stats.js";
import { formatDuration, levelOf, timeTicks } from "../../static/format.js";
import { isAuthFailure, TOKEN_PATTERN } from "../../static/auth.js";
import { DEFAULT_RULES } from "../../src/analysis/alerts.ts";

const T0 = 1_700_000_000_000;

interface Point {
  x: number;
  y: number | null;
  n: number;
}

function ys(points: Point[]): (number | null)[] {
  return points.map((p) => p.y);
}

Deno.test("LiveBuffer.decimate() draws every sample when they are sparser than pixels", () => {
  const buffer = new LiveBuffer();
  for (let i = 0; i < 10; i++) buffer.add(T0 + i * 1000, 5 + i / 100, 0.2, 1 + i, true);
  const out = buffer.decimate(T0 - 50_000, T0 + 10_000, 600, 3000);
  assert.deepEqual(out.v.map((p: Point) => p.x), [...Array(10)].map((_, i) => T0 + i * 1000));
  assert.deepEqual(ys(out.w), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.equal(out.a.length, 10);
});

Deno.test("LiveBuffer.decimate() keeps each column's extremes at 1 kHz", () => {
  const buffer = new LiveBuffer({ resolutionMs: 10, keepMs: 120_000 });
  const values: number[] = [];
  for (let i = 0; i < 60_000; i++) {
    const v = i === 31_234 ? 9 : 5 + Math.sin(i / 500) * 0.1;
    values.push(v);
    buffer.add(T0 + i, v, 0.2, 1, true);
  }
  const columns = 500;
  const out = buffer.decimate(T0, T0 + 60_000, columns, 1500);
  assert.ok(out.v.length <= 2 * columns + 2, `${out.v.length} points for ${columns} pixels`);
  const drawn = out.v.map((p: Point) => p.y as number);
  assert.equal(Math.max(...drawn), 9, "a one-sample spike survives");
  assert.equal(Math.min(...drawn), Math.min(...values));
  for (let i = 1; i < out.v.length; i++) assert.ok(out.v[i].x >= out.v[i - 1].x);
  assert.deepEqual(out.a.map((p: Point) => p.x), out.v.map((p: Point) => p.x));
});

Deno.test("LiveBuffer.decimate() breaks the line at failed reads and at gaps", async (t) => {
  await t.step("failed read", () => {
    const buffer = new LiveBuffer();
    for (let i = 0; i < 5; i++) buffer.add(T0 + i * 100, 5, 0.2, 1, true);
    buffer.add(T0 + 500, 0, 0, 0, false);
    for (let i = 6; i < 10; i++) buffer.add(T0 + i * 100, 5, 0.2, 1, true);
    assert.deepEqual(ys(buffer.decimate(T0, T0 + 1000, 1000, 1500).v), [
      5,
      5,
      5,
      5,
      5,
      null,
      5,
      5,
      5,
      5,
    ]);
  });
  await t.step("pause longer than the gap and than the usual step", () => {
    const buffer = new LiveBuffer();
    for (let i = 0; i < 5; i++) buffer.add(T0 + i * 100, 5, 0.2, 1, true);
    for (let i = 0; i < 5; i++) buffer.add(T0 + 5_000 + i * 100, 5, 0.2, 1, true);
    const v = ys(buffer.decimate(T0, T0 + 6_000, 6000, 1500).v);
    assert.equal(v.filter((y) => y === null).length, 1);
    assert.equal(v.indexOf(null), 5);
  });
  await t.step("a slower but regular rate is still one line", () => {
    const buffer = new LiveBuffer();
    for (let i = 0; i < 10; i++) buffer.add(T0 + i * 5_000, 5, 0.2, 1, true);
    assert.ok(!ys(buffer.decimate(T0, T0 + 50_000, 500, 1500).v).includes(null));
  });
});

Deno.test("LiveBuffer keeps only the recent past and at most maxBuckets", () => {
  const buffer = new LiveBuffer({ resolutionMs: 10, keepMs: 1_000, maxBuckets: 50 });
  for (let i = 0; i < 5_000; i++) buffer.add(T0 + i * 10, 5, 0.2, 1, true);
  assert.ok(buffer.length <= 50);
  assert.equal(buffer.latestMs, T0 + 49_990);
  const wide = new LiveBuffer({ resolutionMs: 10, keepMs: 1_000 });
  for (let i = 0; i < 5_000; i++) wide.add(T0 + i * 10, 5, 0.2, 1, true);
  assert.ok((wide.oldestMs as number) >= T0 + 49_990 - 1_000);
});

Deno.test("LiveBuffer.prepend() fills the time before the live samples only", () => {
  const buffer = new LiveBuffer();
  buffer.add(T0 + 10_000, 5.1, 0.3, 1.5, true);
  const stat = (x: number) => ({ min: x, max: x + 0.1 });
  buffer.prepend([
    { first: T0, last: T0 + 999, count: 10, v: stat(4.9), a: stat(0.2), w: stat(1) },
    { first: T0 + 9_500, last: T0 + 10_499, count: 10, v: stat(4), a: stat(0.2), w: stat(1) },
  ]);
  assert.equal(buffer.length, 2, "the bucket overlapping live data is skipped");
  assert.equal(buffer.oldestMs, T0);
  const v = ys(buffer.decimate(T0, T0 + 11_000, 1100, 20_000).v);
  assert.deepEqual(v, [4.9, 5, 5.1]);
});

Deno.test("describeSpanSource() names what the server read and why a span is not exact", () => {
  const part = (source: "raw" | "100ms" | "1s" | "1m", from_ms: number, to_ms: number) => ({
    source,
    from_ms,
    to_ms,
  });
  const stat = { min: 1, max: 1, avg: 1 };
  const span = {
    from_ms: T0 + 7,
    to_ms: T0 + 1207,
    duration_ms: 1200,
    count: 1200,
    errors: 0,
    v: stat,
    a: stat,
    w: stat,
    energy_j: 1.2,
    energy_wh: 1.2 / 3600,
    charge_c: 1.2,
    charge_ah: 1.2 / 3600,
    source: {
      exact: true,
      from_ms: T0 + 7,
      to_ms: T0 + 1207,
      parts: [part("raw", T0 + 7, T0 + 100), part("100ms", T0 + 100, T0 + 1200)],
      steps_unknown: 0,
    },
  };
  assert.equal(
    describeSpanSource(span),
    "Exact to the sample, from raw samples, 100 ms rollups.",
  );
  const old = {
    ...span,
    source: {
      ...span.source,
      exact: false,
      from_ms: T0 + 60_000,
      parts: [part("1m", T0 + 60_000, T0 + 120_000)],
    },
  };
  assert.match(
    describeSpanSource(old, (ms) => String(ms - T0)),
    /^Not exact \(older than the raw data kept, so whole minutes: 60000 → 1207\), from per-minute/,
  );
  const unknown = { ...span, source: { ...span.source, exact: false, steps_unknown: 3 } };
  assert.match(describeSpanSource(unknown), /energy of 3 samples unknown/);
});

Deno.test("levelOf() colours by the rule's limits, ignoring hysteresis", () => {
  const [v, a] = DEFAULT_RULES;
  assert.equal(levelOf(v, 5.0), "normal");
  assert.equal(levelOf(v, 4.69), "warning");
  assert.equal(levelOf(v, 4.49), "danger");
  assert.equal(levelOf(v, 5.31), "warning");
  assert.equal(levelOf(a, 0.45), "warning");
  assert.equal(levelOf(a, 0.9), "danger");
  assert.equal(levelOf(a, null), "normal");
  assert.equal(levelOf({ ...a, enabled: false }, 0.9), "normal");
  assert.equal(levelOf(undefined, 0.9), "normal");
});

Deno.test("formatDuration() reads naturally at every scale", () => {
  assert.equal(formatDuration(850), "850 ms");
  assert.equal(formatDuration(2_500), "2.50 s");
  assert.equal(formatDuration(12_500), "12.5 s");
  assert.equal(formatDuration(185_000), "3 min 05 s");
  assert.equal(formatDuration(48 * 3_600_000), "48 h 00 min");
  assert.equal(formatDuration(4 * 86_400_000 + 2 * 3_600_000), "4 d 02 h");
});

Deno.test("timeTicks() gives round local times inside the range", () => {
  for (const [spanMs, maxTicks] of [[60_000, 8], [3_600_000, 10], [48 * 3_600_000, 8]]) {
    const min = T0 + 12_345;
    const { stepMs, values } = timeTicks(min, min + spanMs, maxTicks);
    assert.ok(values.length >= 2 && values.length <= maxTicks + 1, `${values.length} ticks`);
    const offset = -new Date(values[0]).getTimezoneOffset() * 60_000;
    for (const t of values) {
      assert.ok(t >= min && t <= min + spanMs);
      assert.equal((t + offset) % stepMs, 0, `${new Date(t).toISOString()} on a ${stepMs} ms step`);
    }
  }
});

Deno.test("isAuthFailure() asks again on a missing, malformed or wrong token, not a bad Origin", () => {
  assert.equal(isAuthFailure(401, 'Bearer realm=""'), true);
  assert.equal(isAuthFailure(401, null), true);
  assert.equal(isAuthFailure(400, 'Bearer error="invalid_request"'), true, "malformed header");
  assert.equal(isAuthFailure(403, 'Bearer error="insufficient_scope"'), true);
  assert.equal(isAuthFailure(403, null), false, "a refused Origin is not about the token");
  assert.equal(isAuthFailure(400, null), false, "a bad body is not about the token");
  assert.equal(isAuthFailure(200, null), false);
});

Deno.test("TOKEN_PATTERN matches what the server accepts as API_TOKEN", () => {
  for (const ok of ["0123456789", "a-b.c_d~e+f/g==", "Zm9vYmFy"]) assert.ok(TOKEN_PATTERN.test(ok));
  for (const bad of ["my secret!pass", "pässwort", "a=b"]) assert.ok(!TOKEN_PATTERN.test(bad));
});
