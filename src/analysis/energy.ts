/**
 * Energy (J) and charge (C), pure: the trapezoid-rule integrator over real sample
 * times (never across a gap longer than the caller's limit or across failed reads),
 * and the counters it feeds (since the database began, since the last reset).
 * Persistence, reset and announcements are {@link ../energy_meter.ts}'s job.
 * @module
 */
import type { StatisticsData } from "../protocol/analysis.ts";

/** What one step of integration added. */
export interface EnergyStep {
  /** Energy (J). */
  energyJ: number;
  /** Charge (C). */
  chargeC: number;
  /** The interval integrated (ms), when the step integrated one: the store keeps it so a
   * span's edges can recompute exactly this step ({@link trapezoid}). */
  dtMs?: number;
}

/** Energy and charge counters; persisted so a restart does not zero them. */
export interface EnergyCounters {
  /** Energy (J) since the first start of this database. */
  totalJ: number;
  /** Charge (C) since the first start. */
  totalC: number;
  /** Energy (J) since the last reset (or the first start). */
  sinceResetJ: number;
  /** Charge (C) since the last reset. */
  sinceResetC: number;
  /** When the since-reset counters were last zeroed. */
  resetAtMs: number;
}

/** The energy fields of the `statistics` message. */
export type EnergyFigures = Pick<
  StatisticsData,
  "energy_wh" | "charge_ah" | "energy_total_wh" | "charge_total_ah" | "energy_since_ms"
>;

const NOTHING: EnergyStep = Object.freeze({ energyJ: 0, chargeC: 0 });

/**
 * The trapezoid step from `prev` to `cur` over `dtMs`: the one formula the live
 * integrator and the store's span figures share, so both give the same double.
 */
export function trapezoid(
  prev: { w: number; a: number },
  cur: { w: number; a: number },
  dtMs: number,
): EnergyStep {
  return trapezoidStep(prev.w, prev.a, cur.w, cur.a, dtMs);
}

/** {@link trapezoid} from plain numbers (the live integrator's path: no object per sample). */
function trapezoidStep(w0: number, a0: number, w1: number, a1: number, dtMs: number): EnergyStep {
  const dtS = dtMs / 1000;
  return { energyJ: (w0 + w1) / 2 * dtS, chargeC: (a0 + a1) / 2 * dtS, dtMs };
}

/**
 * Integrates power and current sample by sample.
 *
 * @example
 * ```ts
 * const e = new EnergyIntegrator(() => 5000);
 * e.add(0, 1, 0.2); e.add(1000, 1, 0.2); // 1 W for 1 s: { energyJ: 1, chargeC: 0.2, dtMs: 1000 }
 * ```
 */
export class EnergyIntegrator {
  #maxGapMs: () => number;
  // The previous sample, as numbers (an object per sample was garbage at 1 kHz).
  #hasPrev = false;
  #prevTsMs = 0;
  #prevW = 0;
  #prevA = 0;

  /** `maxGapMs` is read on every step, so it can follow a changing sample interval. */
  constructor(maxGapMs: () => number) {
    this.#maxGapMs = maxGapMs;
  }

  /** Adds an `ok` sample; returns the energy and charge since the previous one. */
  add(tsMs: number, w: number, a: number): EnergyStep {
    const hadPrev = this.#hasPrev;
    const prevTsMs = this.#prevTsMs;
    const prevW = this.#prevW;
    const prevA = this.#prevA;
    this.#hasPrev = true;
    this.#prevTsMs = tsMs;
    this.#prevW = w;
    this.#prevA = a;
    if (!hadPrev) return NOTHING;
    const dtMs = tsMs - prevTsMs;
    if (dtMs <= 0 || dtMs > this.#maxGapMs()) return NOTHING;
    return trapezoidStep(prevW, prevA, w, a, dtMs);
  }

  /** Forgets the previous sample: the next one starts a new segment (after a failed read). */
  break(): void {
    this.#hasPrev = false;
  }
}

/**
 * The running totals: since the database began, and since the last reset.
 *
 * @example
 * ```ts
 * const t = new EnergyTotals(undefined, 0);
 * t.add({ energyJ: 3600, chargeC: 720 }); // t.figures().energy_wh === 1
 * ```
 */
export class EnergyTotals {
  #c: EnergyCounters;

  /** Starts from `saved` counters, or from zero as of `startedAtMs`. */
  constructor(saved: EnergyCounters | undefined, startedAtMs: number) {
    this.#c = saved
      ? { ...saved }
      : { totalJ: 0, totalC: 0, sinceResetJ: 0, sinceResetC: 0, resetAtMs: startedAtMs };
  }

  /** Adds one integration step to both counters. */
  add(step: EnergyStep): void {
    this.#c.totalJ += step.energyJ;
    this.#c.totalC += step.chargeC;
    this.#c.sinceResetJ += step.energyJ;
    this.#c.sinceResetC += step.chargeC;
  }

  /** Zeroes the since-reset counters as of `nowMs`; the totals keep counting. */
  reset(nowMs: number): void {
    this.#c.sinceResetJ = 0;
    this.#c.sinceResetC = 0;
    this.#c.resetAtMs = nowMs;
  }

  /** A copy of the counters (for persistence). */
  get counters(): EnergyCounters {
    return { ...this.#c };
  }

  /** The counters in the `statistics` message's units (Wh, Ah). */
  figures(): EnergyFigures {
    return {
      energy_wh: this.#c.sinceResetJ / 3600,
      charge_ah: this.#c.sinceResetC / 3600,
      energy_total_wh: this.#c.totalJ / 3600,
      charge_total_ah: this.#c.totalC / 3600,
      energy_since_ms: this.#c.resetAtMs,
    };
  }
}
