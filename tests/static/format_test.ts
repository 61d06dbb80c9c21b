/** Tests of static/format.js: alert levels, durations and time ticks (Deno, no browser). */
import assert from "node:assert/strict";
import { formatDuration, levelOf, timeTicks } from "../../static/format.js";
import { DEFAULT_RULES } from "../../src/analysis/alerts.ts";

const T0 = 1_700_000_000_000;

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
