/**
 * The acquisition Worker's batches: how long the oldest reading waits, and what
 * posts at once.
 */
import assert from "node:assert/strict";
import { Batcher } from "../../src/acquisition/batcher.ts";

/** Readings `gapMs` apart for `spanMs`: each batch as the times of its readings. */
function batchesOf(gapMs: number, spanMs: number, maxSpanMs = 5): number[][] {
  const batches: number[][] = [];
  const batcher = new Batcher<number>(maxSpanMs, (events) => batches.push(events));
  for (let t = 0; t < spanMs; t += gapMs) batcher.add(t, t);
  return batches;
}

Deno.test("at the emulated bus's 100 kHz rate a batch is three readings, the oldest 4.3 ms old when posted", () => {
  const gapMs = 2.128; // 470 readings a second
  const batches = batchesOf(gapMs, 1000).slice(1); // the first reading goes alone
  assert.ok(batches.length > 100);
  for (const batch of batches.slice(0, -1)) {
    assert.equal(batch.length, 3, JSON.stringify(batch));
    // Posted when its last reading arrives: the oldest has waited two gaps.
    assert.ok(batch.at(-1)! - batch[0] <= 5, JSON.stringify(batch));
  }
});

Deno.test("at the conversion rate of 12-bit readings (1.064 ms) a batch is five readings", () => {
  const batches = batchesOf(1.064, 1000).slice(1);
  for (const batch of batches.slice(0, -1)) {
    assert.equal(batch.length, 5);
    assert.ok(batch.at(-1)! - batch[0] < 5);
  }
});

Deno.test("no reading waits past the span while readings keep coming, at any steady rate", () => {
  for (const gapMs of [0.25, 0.5, 1, 1.5, 2, 2.5, 3, 4.9]) {
    const batchesPosted: { events: number[]; atMs: number }[] = [];
    let nowMs = 0;
    const batcher = new Batcher<number>(5, (events) => batchesPosted.push({ events, atMs: nowMs }));
    for (nowMs = 0; nowMs < 500; nowMs += gapMs) batcher.add(nowMs, nowMs);
    for (const { events, atMs } of batchesPosted) {
      assert.ok(atMs - events[0] <= 5, `${gapMs} ms apart: ${events[0]} posted at ${atMs}`);
    }
    // Every reading was posted once, in order, except those still waiting.
    const posted = batchesPosted.flatMap((b) => b.events);
    assert.deepEqual(posted, [...posted].sort((a, b) => a - b));
    assert.ok(posted.length + batcher.length === Math.ceil(500 / gapMs));
  }
});

Deno.test("readings farther apart than the span go one by one; an urgent one (a failure) at once", () => {
  assert.deepEqual(batchesOf(10, 50), [[0], [10], [20], [30], [40]]);
  const batches: string[][] = [];
  const batcher = new Batcher<string>(5, (events) => batches.push(events));
  batcher.add("first", 0); // after a pause: alone
  batcher.add("a", 1);
  batcher.add("failed", 1.5, true);
  batcher.add("b", 2);
  assert.deepEqual(batches, [["first"], ["a", "failed"]]);
  assert.equal(batcher.length, 1);
  assert.equal(batcher.startMs, 2);
  batcher.flush();
  batcher.flush(); // nothing waits: nothing posted
  assert.deepEqual(batches, [["first"], ["a", "failed"], ["b"]]);
});
