/**
 * The acquisition Worker's batches (src/acquisition/batcher.ts): how long the oldest
 * reading waits, and what posts at once.
 */
import assert from "node:assert/strict";
import { Batcher } from "../../src/acquisition/batcher.ts";

/** A posted batch: the arrival times of its readings, and when it was posted. */
interface Posted {
  events: number[];
  atMs: number;
}

/** Readings `gapMs` apart from 0 to `untilMs`, each added as it arrives: the batches posted. */
function run(gapMs: number, untilMs: number, maxSpanMs = 5): { posted: Posted[]; left: number } {
  const posted: Posted[] = [];
  let nowMs = 0;
  const batcher = new Batcher<number>(maxSpanMs, (events) => posted.push({ events, atMs: nowMs }));
  for (let i = 0; (nowMs = i * gapMs) < untilMs; i++) batcher.add(nowMs, nowMs);
  return { posted, left: batcher.length };
}

Deno.test("at the emulated bus's 100 kHz rate a batch is three readings, posted when the oldest is 4.3 ms old", () => {
  const { posted } = run(2.128, 1000); // 470 readings a second
  const steady = posted.slice(1); // the very first reading goes alone
  assert.ok(steady.length > 100);
  for (const { events, atMs } of steady) {
    assert.equal(events.length, 3, JSON.stringify(events));
    assert.ok(Math.abs(atMs - events[0] - 2 * 2.128) < 1e-9, `${events[0]} posted at ${atMs}`);
  }
});

Deno.test("at the conversion rate of 12-bit readings (1.064 ms) a batch is five readings", () => {
  for (const { events, atMs } of run(1.064, 1000).posted.slice(1)) {
    assert.equal(events.length, 5);
    assert.ok(atMs - events[0] < 5);
  }
});

Deno.test("no reading waits past the span, at eight steady rates; each is posted once, in order", () => {
  for (const gapMs of [0.25, 0.5, 1, 1.5, 2, 2.5, 3, 4.9]) {
    const { posted, left } = run(gapMs, 500);
    for (const { events, atMs } of posted) {
      assert.ok(atMs - events[0] <= 5, `${gapMs} ms apart: ${events[0]} posted at ${atMs}`);
    }
    const times = posted.flatMap((b) => b.events);
    assert.deepEqual(times, [...times].sort((a, b) => a - b));
    assert.equal(times.length + left, Math.ceil(500 / gapMs));
  }
});

Deno.test("at 200 readings a second and below, and after a pause, a reading goes alone", () => {
  for (const gapMs of [5, 10, 1000]) {
    const { posted, left } = run(gapMs, 10 * gapMs);
    assert.equal(left, 0);
    assert.deepEqual(posted.map((b) => b.events.length), Array(10).fill(1));
  }
});

Deno.test("a failure (urgent) posts at once with what waits; flushIfOlder posts a batch a span old", () => {
  const batches: string[][] = [];
  const batcher = new Batcher<string>(5, (events) => batches.push(events));
  batcher.add("first", 0); // nothing before it: alone
  batcher.add("a", 1);
  batcher.add("failed", 1.5, true);
  batcher.add("b", 2);
  assert.deepEqual(batches, [["first"], ["a", "failed"]]);
  assert.equal(batcher.length, 1);
  assert.equal(batcher.startMs, 2);
  batcher.flushIfOlder(6.9); // "b" would be 4.9 ms old: it waits
  assert.equal(batcher.length, 1);
  batcher.flushIfOlder(7); // 5 ms old
  assert.deepEqual(batches, [["first"], ["a", "failed"], ["b"]]);
  batcher.flush(); // nothing waits: nothing posted
  batcher.flushIfOlder(100);
  assert.equal(batches.length, 3);
});
