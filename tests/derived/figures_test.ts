/** Tests of src/derived/figures.ts: live efficiency and loss statistics. */
import assert from "node:assert/strict";
import { DerivedChannel } from "../../src/derived/channel.ts";
import type { DerivedSample } from "../../src/derived/combine.ts";
import { DerivedFigures } from "../../src/derived/figures.ts";
import { StatisticsData } from "../../src/protocol/analysis.ts";
import type { Sample } from "../../src/sample.ts";
import { close } from "../assertions.ts";
import { REG } from "./fixtures.ts";

const T0 = 1_700_000_000_000;

function s(tsMs: number, w: number): Sample {
  return { tsMs, seq: 0, v: 10, a: w / 10, w, status: "ok", mode: "NORMAL" };
}

/** 1 W in at 10 % and 10 W in at 90 %, alternately, one pair every 100 ms, one failed output. */
function samples(): DerivedSample[] {
  const reg = new DerivedChannel(REG, { intervalMs: () => 100 });
  const out: DerivedSample[] = [];
  for (let i = 0; i < 10; i++) {
    const t = T0 + 100 * i;
    const pIn = i % 2 === 0 ? 1 : 10;
    out.push(...reg.add("in", s(t, pIn)));
    out.push(
      ...reg.add(
        "out",
        i === 5
          ? { ...s(t, 0), status: "error", error: "I2C read failed" }
          : s(t, pIn * (i % 2 === 0 ? 0.1 : 0.9)),
      ),
    );
  }
  return out;
}

Deno.test("DerivedFigures: efficiency min/max per sample, avg by energy; the loss; errors left out", () => {
  const figures = new DerivedFigures("efficiency", 60_000);
  for (const d of samples()) figures.add(d);
  const snap = figures.snapshot(T0 + 1000);
  assert.equal(snap.derived, "efficiency");
  close(snap.efficiency!.min!, 0.1, "min");
  close(snap.efficiency!.max!, 0.9, "max");
  // 5 samples at 1 W → 0.1 W, 4 at 10 W → 9 W (the 10 W sample at i = 5 failed).
  close(snap.efficiency!.avg!, (5 * 0.1 + 4 * 9) / (5 * 1 + 4 * 10), "mean P_out / mean P_in");
  close(snap.loss_w!.min!, 0.9, "least loss");
  close(snap.loss_w!.max!, 1, "most loss");
  close(snap.loss_w!.avg!, (5 * 0.9 + 4 * 1) / 9, "mean loss");
  const parsed = StatisticsData.parse({
    window_s: 60,
    v: figuresOf(),
    a: figuresOf(),
    w: figuresOf(),
    energy_wh: 0,
    charge_ah: 0,
    energy_total_wh: 0,
    charge_total_ah: 0,
    energy_since_ms: T0,
    samples: 9,
    ...snap,
  });
  assert.deepEqual(parsed.efficiency, snap.efficiency, "the statistics schema keeps them");
});

Deno.test("DerivedFigures: the window empties; a sum has only its kind", () => {
  const figures = new DerivedFigures("efficiency", 500);
  for (const d of samples()) figures.add(d);
  const late = figures.snapshot(T0 + 10_000);
  assert.deepEqual(late, {
    derived: "efficiency",
    efficiency: { min: null, max: null, avg: null },
    loss_w: { min: null, max: null, avg: null },
  });
  const sum = new DerivedFigures("sum");
  assert.deepEqual(sum.snapshot(T0), { derived: "sum" });
});

function figuresOf() {
  return { min: null, max: null, avg: null, ma_1m: null, ma_5m: null, ma_15m: null };
}
