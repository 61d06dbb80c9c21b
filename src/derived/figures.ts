/**
 * Live statistics of what only a derived channel has: an efficiency channel's efficiency
 * and loss over the statistics window (its v/a/w go through the analyzer like a measured
 * channel's). Pure: fed derived samples, asked for snapshots.
 * @module
 */
import { RollingWindow } from "../analysis/rolling.ts";
import type { DerivedKind, DerivedStat, DerivedStatisticsFields } from "../protocol/derived.ts";
import type { DerivedSample } from "./combine.ts";
import { efficiencyOf } from "./combine.ts";

/**
 * The `statistics` extras of one derived channel over a rolling window: for an efficiency
 * channel, min/max of the samples' efficiency, the window's efficiency as mean P_out /
 * mean P_in (the energy ratio for evenly spaced samples, as in history), and the loss.
 *
 * @example
 * ```ts
 * const figures = new DerivedFigures("efficiency");
 * figures.add(derivedSample);
 * statistics.data = { ...analyzerSnapshot, ...energy, ...figures.snapshot(nowMs) };
 * ```
 */
export class DerivedFigures {
  /** The kind of channel the figures are of. */
  readonly derived: DerivedKind;
  // v: P_in, a: loss, w: P_out.
  #powers: RollingWindow;
  // Only samples with an efficiency (P_in > 0): v = a = w = the efficiency.
  #ratios: RollingWindow;

  /** Starts empty; `windowMs` is the analyzer's window (default 60 s). */
  constructor(derived: DerivedKind, windowMs = 60_000) {
    this.derived = derived;
    this.#powers = new RollingWindow(windowMs, 64);
    this.#ratios = new RollingWindow(windowMs, 64);
  }

  /** Feeds one derived sample; error samples and sums add nothing. */
  add(sample: DerivedSample): void {
    if (sample.status === "error" || this.derived !== "efficiency") return;
    const pInW = sample.pInW ?? 0;
    this.#powers.push(sample.tsMs, pInW, sample.lossW ?? pInW - sample.w, sample.w);
    const e = sample.efficiency;
    if (e !== null && e !== undefined) this.#ratios.push(sample.tsMs, e, e, e);
  }

  /** The extras of the `statistics` data at `nowMs`. */
  snapshot(nowMs: number): DerivedStatisticsFields {
    if (this.derived !== "efficiency") return { derived: this.derived };
    this.#powers.evict(nowMs);
    this.#ratios.evict(nowMs);
    const pIn = this.#powers.stats("v").avg;
    const pOut = this.#powers.stats("w").avg;
    const ratios = this.#ratios.stats("v");
    const loss = this.#powers.stats("a");
    const efficiency: DerivedStat = {
      min: ratios.min,
      max: ratios.max,
      avg: pIn === null || pOut === null ? null : efficiencyOf(pIn, pOut),
    };
    return {
      derived: "efficiency",
      efficiency,
      loss_w: { min: loss.min, max: loss.max, avg: loss.avg },
    };
  }
}
