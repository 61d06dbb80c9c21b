/** Tests of static/time_ticks.js: tick steps from µs to days and their labels. */
import assert from "node:assert/strict";
import { fractionDigits, tickLabel, timeTicks } from "../../static/time_ticks.js";

// A UTC instant; the checks below hold in any time zone for sub-hour steps.
const T0 = Date.UTC(2026, 10, 30, 17, 0, 0, 0) + 123;

Deno.test("timeTicks() goes down to milliseconds and microseconds", () => {
  const ms72 = timeTicks(T0, T0 + 72, 8);
  assert.equal(ms72.stepMs, 10);
  assert.ok(ms72.values.length >= 7 && ms72.values.length <= 8, `${ms72.values.length} ticks`);
  assert.ok(ms72.values.every((v) => v % 10 === 0));
  const ms5 = timeTicks(T0, T0 + 5, 8);
  assert.equal(ms5.stepMs, 1);
  const us = timeTicks(T0, T0 + 0.05, 6);
  assert.equal(us.stepMs, 0.01);
  assert.ok(us.values.length >= 5, "microsecond ticks inside a 50 µs view");
  for (const v of us.values) assert.equal(Math.round(v * 1000) / 1000, v, "no float noise");
});

Deno.test("timeTicks() keeps within maxTicks and uses clock steps above a second", () => {
  for (const [span, max] of [[1440, 10], [60_000, 12], [3_600_000, 8], [2 * 86_400_000, 10]]) {
    const { stepMs, values } = timeTicks(T0, T0 + span, max);
    assert.ok(values.length <= max + 1, `${span}: ${values.length} ticks of ${stepMs}`);
    assert.ok(values.length >= 2, `${span}: at least two ticks`);
  }
  assert.equal(timeTicks(T0, T0 + 60_000, 12).stepMs, 5_000);
  assert.deepEqual(timeTicks(T0, T0, 5).values, [], "an empty range has no ticks");
});

Deno.test("tickLabel() shows as many fraction digits as the step needs", () => {
  assert.equal(fractionDigits(1000), 0);
  assert.equal(fractionDigits(100), 1);
  assert.equal(fractionDigits(10), 2);
  assert.equal(fractionDigits(1), 3);
  assert.equal(fractionDigits(0.01), 5);
  const at = (ms: number, step: number) => tickLabel(ms, step, ms - step);
  assert.match(at(T0 - 123 + 130, 10), /^\d\d:00:00\.13$/);
  assert.match(at(T0, 1), /^\d\d:00:00\.123$/);
  assert.match(at(T0 + 0.01, 0.01), /^\d\d:00:00\.12301$/);
  assert.match(at(T0 - 123 + 10_000, 5_000), /^\d\d:00:10$/);
  assert.match(at(T0 - 123 + 600_000, 300_000), /^\d\d:10$/, "minutes: no seconds");
});
