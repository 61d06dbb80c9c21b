/** Tests of src/protocol/figures.ts: computed figures reach the wire without float noise. */
import assert from "node:assert/strict";
import { RollingWindow } from "../../src/analysis/rolling.ts";
import { statisticsMessage } from "../../src/protocol/analysis.ts";
import {
  roundCounter,
  roundFigure,
  roundFigures,
  roundMetrics,
} from "../../src/protocol/figures.ts";

Deno.test("roundFigure() keeps 6 significant digits, whatever the scale", async (t) => {
  const cases: [number | null, number | null][] = [
    [0.19565000000000002, 0.19565],
    [(0.1 + 0.2) / 2, 0.15],
    [12.004000000000001, 12.004],
    [1 / 3, 0.333333],
    [1.23456789e-5, 1.23457e-5],
    [123456.789, 123457],
    [-0.30000000000000004, -0.3],
    [0, 0],
    [null, null],
  ];
  for (const [input, expected] of cases) {
    await t.step(`${input} → ${expected}`, () => assert.equal(roundFigure(input), expected));
  }
});

Deno.test("roundCounter() keeps 9 decimals, so a large counter keeps its small steps", () => {
  assert.equal(roundCounter(0.1 + 0.2), 0.3);
  assert.equal(roundCounter(123456.1 + 0.000000001), 123456.100000001);
  assert.equal(roundCounter(2.7777777777777776e-7), 2.78e-7);
});

Deno.test("roundFigures() and roundMetrics() keep min ≤ avg ≤ max", () => {
  const stat = { min: 0.1234564, max: 0.1234568, avg: 0.1234566 };
  const rounded = roundFigures(stat);
  assert.ok(rounded.min <= rounded.avg && rounded.avg <= rounded.max);
  const bucket = { ts_ms: 1, count: 2, v: stat, a: stat, w: { min: null, max: null, avg: null } };
  assert.deepEqual(roundMetrics(bucket), {
    ts_ms: 1,
    count: 2,
    v: { min: 0.123456, max: 0.123457, avg: 0.123457 },
    a: { min: 0.123456, max: 0.123457, avg: 0.123457 },
    w: { min: null, max: null, avg: null },
  });
});

Deno.test("statisticsMessage() carries a window's average of 0.1 and 0.2 as 0.15", () => {
  const window = new RollingWindow(60_000);
  window.push(1000, 0.1, 0.1, 0.1);
  window.push(2000, 0.2, 0.2, 0.2);
  const { min, max, avg } = window.stats("v");
  assert.equal(avg, 0.15000000000000002, "the noise this rounding is for");
  const figures = { min, max, avg, ma_1m: avg, ma_5m: avg, ma_15m: null };
  const message = statisticsMessage({
    window_s: 60,
    v: figures,
    a: figures,
    w: figures,
    energy_wh: 0.1 + 0.2,
    charge_ah: 0.1 + 0.2,
    energy_total_wh: 0.1 + 0.2,
    charge_total_ah: 0.1 + 0.2,
    energy_since_ms: 1000,
    samples: 2,
  }, 2000);
  const clean = { min: 0.1, max: 0.2, avg: 0.15, ma_1m: 0.15, ma_5m: 0.15, ma_15m: null };
  assert.deepEqual(message.data, {
    window_s: 60,
    v: clean,
    a: clean,
    w: clean,
    energy_wh: 0.3,
    charge_ah: 0.3,
    energy_total_wh: 0.3,
    charge_total_ah: 0.3,
    energy_since_ms: 1000,
    samples: 2,
  });
  assert.doesNotMatch(JSON.stringify(message), /0000000/);
});
