/** Tests of static/live_buffer.js: the live chart's buffer and its decimation (Deno, no browser). */
import assert from "node:assert/strict";
import { LiveBuffer } from "../../static/live_buffer.js";

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
