/**
 * Tests of static/format.js: alert levels, durations, time ticks, units and the 24-hour
 * time fields (Deno, no browser).
 */
import assert from "node:assert/strict";
import {
  chargeText,
  describeRule,
  energyText,
  formatDuration,
  fromLocalInput,
  levelOf,
  metricText,
  toLocalInput,
} from "../../static/format.js";
import { setLanguage } from "../../static/i18n.js";
import { DEFAULT_RULES } from "../../src/analysis/alerts.ts";

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

Deno.test("toLocalInput() and fromLocalInput() use 24-hour local time and round-trip", () => {
  setLanguage("en");
  const ms = new Date(2026, 10, 30, 21, 5, 3).getTime();
  assert.equal(toLocalInput(ms), "2026-11-30 21:05:03");
  assert.equal(fromLocalInput("2026-11-30 21:05:03"), ms);
  assert.equal(fromLocalInput("2026-11-30T21:05:03"), ms, "the ISO spelling too");
  assert.equal(fromLocalInput(" 2026-11-30 21:05 "), ms - 3_000, "seconds may be left out");
  for (const bad of ["", "2026-11-30 9:05 PM", "2026-02-31 10:00:00", "2026-11-30 24:00:00"]) {
    assert.ok(Number.isNaN(fromLocalInput(bad)), bad);
  }
});

Deno.test("metricText() and describeRule() show auto-ranged units to the resolution", () => {
  setLanguage("en");
  assert.equal(metricText("a", 0.00015, { v: 0.001, a: 0.001, w: 0.001 }), "150 µA");
  assert.equal(metricText("a", 0.00015), "150.0 µA");
  assert.equal(metricText("v", 5.012, { v: 0.004, a: 1e-4, w: 2e-3 }), "5.012 V");
  assert.equal(metricText("w", null), "— W");
  assert.equal(energyText(0.0000039), "3.900 µWh");
  assert.equal(chargeText(0.0556), "55.60 mAh");
  const [, a] = DEFAULT_RULES;
  assert.match(describeRule(a), /mA/);
  assert.equal(describeRule(undefined), "no alert rule");
});
