/**
 * Outlier flags per metric against the rolling window: z-score (distance from the
 * mean in standard deviations) and IQR (distance outside the quartiles). Quartiles
 * are recomputed at most once a second from at most 2048 evenly spread samples of the
 * window, which keeps IQR cheap at 1 kHz.
 * @module
 */
import type { OutlierData } from "../protocol/analysis.ts";
import type { Metric, RollingWindow } from "./rolling.ts";

/** Values the quartiles are computed from, evenly spread over the window. */
const QUARTILE_SAMPLES = 2048;

/** One flagged value; `score` is |z| for zscore, IQRs outside the quartile fence for iqr. */
export type Outlier = OutlierData;

/** Thresholds of {@link OutlierDetector}. */
export interface OutlierOptions {
  /** |z| at which a value is a warning / danger outlier. */
  zWarning?: number;
  /** |z| at which a value is a danger outlier (`zWarning` marks the warning one). */
  zDanger?: number;
  /** IQRs beyond the quartiles at which a value is a warning / danger outlier. */
  iqrWarning?: number;
  /** IQRs beyond the quartiles at which a value is a danger outlier. */
  iqrDanger?: number;
  /** No flags until the window holds this many samples. */
  minSamples?: number;
}

/** The q-th quantile (0..1) of sorted values, by linear interpolation. */
export function quantile(sorted: Float64Array, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** The answer of {@link OutlierDetector.check} for a value with no flag (shared, frozen). */
const NONE: Outlier[] = Object.freeze([]) as unknown as Outlier[];

/** Flags outliers of each metric against a {@link RollingWindow}. */
export class OutlierDetector {
  #window: RollingWindow;
  #o: Required<OutlierOptions>;
  #quartiles = new Map<Metric, { q1: number; q3: number; second: number }>();
  /** Reused for each once-a-second sort (no 16 KB array per metric per second). */
  #scratch = new Float64Array(QUARTILE_SAMPLES);

  /** Judges values against `window`, which the caller keeps filling. */
  constructor(window: RollingWindow, options: OutlierOptions = {}) {
    this.#window = window;
    this.#o = {
      zWarning: options.zWarning ?? 3,
      zDanger: options.zDanger ?? 5,
      iqrWarning: options.iqrWarning ?? 1.5,
      iqrDanger: options.iqrDanger ?? 3,
      minSamples: options.minSamples ?? 30,
    };
  }

  #quartilesOf(metric: Metric, tsMs: number): { q1: number; q3: number } {
    const second = Math.floor(tsMs / 1000);
    const cached = this.#quartiles.get(metric);
    if (cached && cached.second === second) return cached;
    const sorted = this.#window.values(metric, QUARTILE_SAMPLES, this.#scratch).sort();
    const fresh = { q1: quantile(sorted, 0.25), q3: quantile(sorted, 0.75), second };
    this.#quartiles.set(metric, fresh);
    return fresh;
  }

  /**
   * Checks `value` (already pushed into the window) against the window; returns the
   * flags it earns, at most one per method.
   */
  check(metric: Metric, value: number, tsMs: number, seq: number): Outlier[] {
    if (this.#window.count < this.#o.minSamples) return NONE;
    // Nothing is allocated for a value that earns no flag (almost every sample at 1 kHz).
    let out = NONE;
    const z = this.#window.zScore(metric, value);
    if (z >= this.#o.zWarning) {
      const severity = z >= this.#o.zDanger ? "danger" : "warning";
      out = [{ ts_ms: tsMs, seq, metric, value, method: "zscore", score: z, severity }];
    }
    const { q1, q3 } = this.#quartilesOf(metric, tsMs);
    const iqr = q3 - q1;
    if (iqr > 1e-12) {
      const beyond = value > q3 ? (value - q3) / iqr : value < q1 ? (q1 - value) / iqr : 0;
      if (beyond >= this.#o.iqrWarning) {
        const severity = beyond >= this.#o.iqrDanger ? "danger" : "warning";
        const flag: Outlier = {
          ts_ms: tsMs,
          seq,
          metric,
          value,
          method: "iqr",
          score: beyond,
          severity,
        };
        out = out === NONE ? [flag] : [...out, flag];
      }
    }
    return out;
  }
}
