/** Tests of src/analysis/analyzer.ts: what the live analysis does with failed reads. */
import assert from "node:assert/strict";
import { AlertEngine, DEFAULT_RULES } from "../../src/analysis/alerts.ts";
import { Analyzer } from "../../src/analysis/analyzer.ts";
import { EnergyTotals } from "../../src/analysis/energy.ts";
import type { Sample } from "../../src/sample.ts";

const T0 = 1_700_000_000_000;

Deno.test("Analyzer: failed reads never move any figure", () => {
  const analyzer = new Analyzer({ alerts: new AlertEngine(DEFAULT_RULES) });
  // The energy figures sit beside the window figures in the statistics message.
  const totals = new EnergyTotals(undefined, T0);
  const snapshot = (nowMs: number) => ({ ...analyzer.snapshot(nowMs), ...totals.figures() });
  const ok = (i: number, a: number): Sample => ({
    tsMs: T0 + i * 1000,
    seq: i,
    v: 5,
    a,
    w: 5 * a,
    status: "ok",
    mode: "NORMAL",
  });
  for (let i = 0; i < 30; i++) {
    totals.add({ energyJ: 1, chargeC: 0.2 });
    analyzer.add(ok(i, 0.2));
  }
  const before = snapshot(T0 + 30_000);
  const beforeOutliers = analyzer.outlierSummary(T0 + 30_000);
  for (let i = 30; i < 40; i++) {
    totals.add({ energyJ: 0, chargeC: 0 });
    const events = analyzer.add(
      {
        tsMs: T0 + i * 1000,
        seq: i,
        v: 0,
        a: 0,
        w: 0,
        status: "error",
        mode: "NORMAL",
        error: "x",
      },
    );
    assert.deepEqual(events, []);
  }
  const after = snapshot(T0 + 30_000);
  assert.deepEqual(after, before);
  assert.deepEqual(analyzer.outlierSummary(T0 + 30_000), beforeOutliers);
  assert.deepEqual(analyzer.alerts.active(), []);
  assert.equal(after.energy_wh, 30 / 3600);
  assert.equal(after.v.min, 5);
});

Deno.test("Analyzer.snapshot() says how much of each moving average's window is filled", () => {
  const analyzer = new Analyzer({ alerts: new AlertEngine(DEFAULT_RULES) });
  for (let i = 0; i < 13; i++) {
    analyzer.add({ tsMs: T0 + i * 1000, seq: i, v: 5, a: 0.2, w: 1, status: "ok", mode: "N" });
  }
  assert.deepEqual(analyzer.snapshot(T0 + 12_000).ma_covered_s, {
    ma_1m: 13,
    ma_5m: 13,
    ma_15m: 13,
  });
});
