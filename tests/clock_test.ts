/**
 * `every()`: a repeating timer on a fixed grid, driven by a fake clock whose timers
 * fire late, early or after a stall.
 * @module
 */
import assert from "node:assert/strict";
import { type Clock, every, type TimerId } from "../src/clock.ts";
import { FakeClock } from "./fakes.ts";

const T0 = 1_700_000_000_000;

Deno.test("every() keeps its firings on the grid when each timer fires late", async () => {
  const clock = new FakeClock(T0);
  clock.lateMs = 2.5;
  const firedMs: number[] = [];
  const timer = every(clock, 50, () => firedMs.push(clock.now() - T0));
  await clock.advance(10_000);
  timer.stop();
  // A re-arm from the firing (setInterval) would give 52.5 ms periods: 190 in 10 s.
  assert.equal(firedMs.length, 199);
  firedMs.forEach((ms, k) => assert.equal(ms, 50 * (k + 1) + 2.5, `firing ${k}`));
});

Deno.test("every() counts an early firing as its boundary, skips boundaries missed in a stall, survives a clock step", () => {
  const armed: { fn: () => void; delayMs: number }[] = [];
  let nowMs = T0;
  const clock: Clock = {
    now: () => nowMs,
    setTimeout: (fn: () => void, delayMs: number) => {
      armed.push({ fn, delayMs });
      return armed.length as unknown as TimerId;
    },
    clearTimeout: () => {},
  };
  let fired = 0;
  every(clock, 10, () => fired++);
  assert.equal(armed.at(-1)!.delayMs, 10);
  nowMs = T0 + 9; // 1 ms early
  armed.at(-1)!.fn();
  assert.equal(armed.at(-1)!.delayMs, 11, "the next boundary is t0 + 20, not t0 + 10 again");
  nowMs = T0 + 55; // a stall over three boundaries
  armed.at(-1)!.fn();
  assert.equal(armed.at(-1)!.delayMs, 5, "one firing, then on to t0 + 60");
  assert.equal(fired, 2);
  nowMs = T0 - 3_600_000; // the wall clock stepped back an hour
  armed.at(-1)!.fn();
  assert.equal(armed.at(-1)!.delayMs, 10, "a new grid from now, not an hour's wait");
  nowMs += 10;
  armed.at(-1)!.fn();
  assert.equal(armed.at(-1)!.delayMs, 10);
  assert.equal(fired, 4);
});

Deno.test("every() fires no more after stop()", async () => {
  const clock = new FakeClock(T0);
  let fired = 0;
  const timer = every(clock, 20, () => fired++);
  await clock.advance(50);
  timer.stop();
  await clock.advance(100);
  assert.equal(fired, 2);
  assert.equal(clock.pending, 0);
});
