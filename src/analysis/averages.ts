/**
 * Moving averages over minutes at any sample rate: per-second sums and counts in a
 * ring, so a 15-minute average costs 900 buckets however many samples it covers.
 * Exact to the second: a window of N minutes covers the last N·60 whole seconds
 * plus the current one.
 * @module
 */
import { type Metric, METRICS } from "./rolling.ts";

/** Per-second buckets of v, a, w sums over the last `spanS` seconds. */
export class SecondBuckets {
  /** Seconds kept: the longest moving average this can answer. */
  readonly spanS: number;
  #second: Float64Array; // which second each slot holds (NaN = empty)
  #count: Float64Array;
  #sums: Float64Array[];

  /** Holds `spanS` seconds, all empty. */
  constructor(spanS: number) {
    this.spanS = spanS;
    this.#second = new Float64Array(spanS + 1).fill(NaN);
    this.#count = new Float64Array(spanS + 1);
    this.#sums = METRICS.map(() => new Float64Array(spanS + 1));
  }

  /** Adds a sample. */
  add(tsMs: number, v: number, a: number, w: number): void {
    const second = Math.floor(tsMs / 1000);
    const slot = second % this.#second.length;
    if (this.#second[slot] !== second) {
      this.#second[slot] = second;
      this.#count[slot] = 0;
      for (const s of this.#sums) s[slot] = 0;
    }
    this.#count[slot]++;
    this.#sums[0][slot] += v;
    this.#sums[1][slot] += a;
    this.#sums[2][slot] += w;
  }

  /** Average of `metric` over the last `windowS` seconds up to `nowMs`; null if no sample. */
  average(metric: Metric, windowS: number, nowMs: number): number | null {
    const sums = this.#sums[METRICS.indexOf(metric)];
    const nowS = Math.floor(nowMs / 1000);
    let sum = 0, count = 0;
    for (let i = 0; i < this.#second.length; i++) {
      const s = this.#second[i];
      if (s > nowS - windowS && s <= nowS) {
        sum += sums[i];
        count += this.#count[i];
      }
    }
    return count > 0 ? sum / count : null;
  }

  /**
   * How many of the last `windowS` seconds up to `nowMs` the buckets cover: from the
   * oldest second that holds a sample to now (0 when none does). Less than `windowS`
   * while the stream is younger than the window (after a start), so a moving average
   * can say it is partial.
   */
  coveredS(windowS: number, nowMs: number): number {
    const nowS = Math.floor(nowMs / 1000);
    let oldest = Infinity;
    for (let i = 0; i < this.#second.length; i++) {
      const s = this.#second[i];
      if (this.#count[i] > 0 && s > nowS - windowS && s <= nowS && s < oldest) oldest = s;
    }
    return oldest === Infinity ? 0 : Math.min(windowS, nowS - oldest + 1);
  }
}
