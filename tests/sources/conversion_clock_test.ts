import assert from "node:assert/strict";
import { ConversionClock, MAX_CATCH_UP } from "../../src/sources/conversion_clock.ts";

function engine() {
  const clock = { ms: 100 };
  const calls: [number, number][] = [];
  const conversion = new ConversionClock(() => clock.ms);
  const poll = (each = false) => conversion.catchUp((t, n) => calls.push([t, n]), each);
  return { clock, calls, conversion, poll };
}

Deno.test("ConversionClock reports the newest result once, counting the ones nobody read", () => {
  const { clock, calls, conversion, poll } = engine();
  conversion.restart({ periodMs: 2, triggered: false });
  clock.ms += 1.999;
  poll();
  assert.deepEqual(calls, []);
  clock.ms += 0.001;
  poll();
  poll();
  assert.deepEqual(calls, [[102, 1]], "once, at its completion instant");
  clock.ms += 7;
  poll();
  assert.deepEqual(calls.at(-1), [108, 3]);
  assert.equal(conversion.total, 4);
});

Deno.test("ConversionClock with each: every conversion in order, the oldest summarised", () => {
  const { clock, calls, conversion, poll } = engine();
  conversion.restart({ periodMs: 1, triggered: false, delayMs: 4 });
  clock.ms += 4.5;
  poll(true);
  assert.deepEqual(calls, [], "CONVDLY: nothing before the delay and one period");
  clock.ms += 2.5;
  poll(true);
  assert.deepEqual(calls, [[105, 1], [106, 1], [107, 1]]);
  calls.length = 0;
  clock.ms += MAX_CATCH_UP + 5;
  poll(true);
  assert.equal(calls.length, MAX_CATCH_UP + 1);
  assert.deepEqual(calls[0], [112, 5], "5 summarised at the last of them");
  const summed = (calls as [number, number][]).reduce((sum, [, n]) => sum + n, 0);
  assert.equal(summed, MAX_CATCH_UP + 5);
});

Deno.test("ConversionClock: a triggered run converts once; period 0 never", () => {
  const { clock, calls, conversion, poll } = engine();
  conversion.restart({ periodMs: 1, triggered: true });
  clock.ms += 50;
  poll();
  assert.deepEqual(calls, [[101, 1]]);
  conversion.restart({ periodMs: 0, triggered: false });
  clock.ms += 50;
  poll();
  assert.equal(calls.length, 1);
});
