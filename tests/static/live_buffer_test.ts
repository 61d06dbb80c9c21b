/** Tests of static/live_buffer.js: bucketing on arrival, bounded memory, decimation. */
import assert from "node:assert/strict";
import { LiveBuffer, newColumns, resolutionFor } from "../../static/live_buffer.js";

const T0 = 1_767_225_600_000;

/** A buffer holding `n` samples 1 ms apart, each metric `f(i)`. */
function filled(
  n: number,
  f: (i: number) => number,
  options = { resolutionMs: 2, keepMs: 20_000 },
) {
  const buffer = new LiveBuffer(options);
  for (let i = 0; i < n; i++) buffer.add(T0 + i, f(i), f(i) / 10, f(i) * 2);
  return buffer;
}

Deno.test("resolutionFor() gives about 4000 buckets per window on a 1-2-5 step", () => {
  assert.equal(resolutionFor(10_000), 2);
  assert.equal(resolutionFor(60_000), 10);
  assert.equal(resolutionFor(600_000), 100);
  assert.equal(resolutionFor(1_000), 1, "never below 1 ms");
});

Deno.test("LiveBuffer.columns(): min, max and mean of each pixel column are the samples' own", () => {
  const values = Array.from({ length: 10_000 }, (_, i) => Math.sin(i / 37) + (i % 7) / 10);
  const buffer = filled(10_000, (i) => values[i]);
  const colMs = 10_000 / 1000; // 1000 columns of 10 ms
  const cols = buffer.columns(T0, T0 + 10_000, colMs, 1_500, newColumns());
  assert.equal(cols.length, 1000);
  for (let c = 0; c < cols.length; c += 97) {
    const start = Math.floor((T0 + c * colMs) / colMs) * colMs - T0;
    const xs = values.slice(start, start + colMs);
    assert.equal(cols.count[c], xs.length);
    assert.equal(cols.v.min[c], Math.min(...xs));
    assert.equal(cols.v.max[c], Math.max(...xs));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    assert.ok(Math.abs((cols.v.mean[c] as number) - mean) < 1e-12);
    assert.equal(cols.w.max[c], Math.max(...xs) * 2);
  }
});

Deno.test("LiveBuffer.columns() puts a lone sample at its own time", () => {
  const buffer = new LiveBuffer({ resolutionMs: 10, keepMs: 60_000 });
  for (let i = 0; i < 5; i++) buffer.add(T0 + 1000 * i + 3, 5, 1, 5);
  const cols = buffer.columns(T0, T0 + 5000, 10, 5_000, newColumns());
  assert.deepEqual(cols.x, [T0 + 3, T0 + 1003, T0 + 2003, T0 + 3003, T0 + 4003]);
  assert.deepEqual(cols.count, [1, 1, 1, 1, 1]);
});

Deno.test("LiveBuffer memory is bounded at any rate: a fixed ring of typed arrays", () => {
  const buffer = new LiveBuffer({ resolutionMs: 10, keepMs: 60_000 });
  const capacity = buffer.capacity;
  for (let i = 0; i < 300_000; i++) buffer.add(T0 + i, 5, 1, 5); // 5 min at 1 kHz
  assert.equal(buffer.capacity, capacity, "never grows");
  assert.ok(buffer.length <= capacity);
  assert.equal(buffer.vMin.length, capacity);
  assert.ok((buffer.latestMs as number) - (buffer.oldestMs as number) <= 60_010);
  assert.equal(buffer.added, 300_000);
});

Deno.test("LiveBuffer: failed reads mark their column and break the lines; gaps break them too", () => {
  const buffer = new LiveBuffer({ resolutionMs: 1, keepMs: 60_000 });
  for (let i = 0; i < 100; i++) buffer.add(T0 + i, 5, 1, 5, i < 40 || i >= 60);
  for (let i = 0; i < 100; i++) buffer.add(T0 + 10_000 + i, 5, 1, 5);
  const cols = buffer.columns(T0, T0 + 10_100, 10, 1_500, newColumns());
  const failed = cols.x.map((_, i) => i).filter((i) => cols.errors[i] > 0);
  assert.deepEqual(failed.map((i) => cols.count[i]), [0, 0]);
  assert.ok(failed.every((i) => cols.v.mean[i] === null), "no values where reads failed");
  const gap = cols.x.findIndex((x, i) => x > T0 + 100 && x < T0 + 10_000 && cols.count[i] === 0);
  assert.ok(gap > 0, "a null column between the two bursts");
  assert.equal(cols.v.mean[gap], null);
});

Deno.test("LiveBuffer.prepend() fills the time before the live samples; rebucket() keeps them", () => {
  const buffer = new LiveBuffer({ resolutionMs: 10, keepMs: 120_000 });
  for (let i = 0; i < 1000; i++) buffer.add(T0 + 60_000 + i, 5, 1, 5);
  const stat = (x: number) => ({ min: x, max: x + 0.2, avg: x + 0.1 });
  buffer.prepend([
    { first: T0, last: T0 + 999, count: 1000, errors: 0, v: stat(4), a: stat(1), w: stat(4) },
    // Overlaps what is held: skipped.
    { first: T0 + 60_500, last: T0 + 60_600, count: 3, v: stat(9), a: stat(9), w: stat(9) },
  ]);
  assert.equal(buffer.oldestMs, T0);
  const cols = buffer.columns(T0, T0 + 61_000, 1000, 100_000, newColumns());
  assert.equal(cols.v.min[0], 4);
  assert.ok(Math.abs((cols.v.mean[0] as number) - 4.1) < 1e-9);
  assert.equal(Math.max(...cols.v.max.filter((x) => x !== null) as number[]), 5);
  const wide = buffer.rebucket({ resolutionMs: 100, keepMs: 120_000 });
  const again = wide.columns(T0, T0 + 61_000, 1000, 100_000, newColumns());
  assert.deepEqual(again.count.reduce((s, n) => s + n, 0), 2000);
  assert.ok(wide.length < buffer.length);
});

Deno.test("LiveBuffer.addBatch() takes the measurements message's columns", () => {
  const buffer = new LiveBuffer({ resolutionMs: 1, keepMs: 10_000 });
  buffer.addBatch({
    ts_ms: [T0, T0 + 1, T0 + 2],
    v: [5, 0, 5.1],
    a: [1, 0, 1.1],
    w: [5, 0, 5.61],
    status: ["ok", "error", "ok"],
  });
  const cols = buffer.columns(T0, T0 + 3, 1, 100, newColumns());
  assert.deepEqual(cols.count, [1, 0, 1]);
  assert.deepEqual(cols.errors, [0, 1, 0]);
  assert.deepEqual(cols.a.max, [1, null, 1.1]);
});
