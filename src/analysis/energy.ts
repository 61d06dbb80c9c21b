/**
 * Energy (J) and charge (C) by the trapezoid rule over real sample times, never
 * integrated across a gap longer than the caller's limit or across failed reads.
 * @module
 */

/** What one step of integration added. */
export interface EnergyStep {
  energyJ: number;
  chargeC: number;
}

const NOTHING: EnergyStep = Object.freeze({ energyJ: 0, chargeC: 0 });

/**
 * Integrates power and current sample by sample.
 *
 * @example
 * ```ts
 * const e = new EnergyIntegrator(() => 5000);
 * e.add(0, 1, 0.2); e.add(1000, 1, 0.2); // 1 W for 1 s: { energyJ: 1, chargeC: 0.2 }
 * ```
 */
export class EnergyIntegrator {
  #maxGapMs: () => number;
  #prev: { tsMs: number; w: number; a: number } | undefined;

  /** `maxGapMs` is read on every step, so it can follow a changing sample interval. */
  constructor(maxGapMs: () => number) {
    this.#maxGapMs = maxGapMs;
  }

  /** Adds an `ok` sample; returns the energy and charge since the previous one. */
  add(tsMs: number, w: number, a: number): EnergyStep {
    const prev = this.#prev;
    this.#prev = { tsMs, w, a };
    if (!prev) return NOTHING;
    const dtMs = tsMs - prev.tsMs;
    if (dtMs <= 0 || dtMs > this.#maxGapMs()) return NOTHING;
    const dtS = dtMs / 1000;
    return { energyJ: (prev.w + w) / 2 * dtS, chargeC: (prev.a + a) / 2 * dtS };
  }

  /** Forgets the previous sample: the next one starts a new segment (after a failed read). */
  break(): void {
    this.#prev = undefined;
  }
}
