/**
 * Energy (J) and charge (C) by the trapezoid rule over real sample times, never
 * integrated across a gap longer than the caller's limit or across failed reads.
 * @module
 */

/** What one step of integration added. */
export interface EnergyStep {
  energyJ: number;
  chargeC: number;
  /** The interval integrated (ms), when the step integrated one: the store keeps it so a
   * span's edges can recompute exactly this step ({@link trapezoid}). */
  dtMs?: number;
}

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
  const dtS = dtMs / 1000;
  return { energyJ: (prev.w + cur.w) / 2 * dtS, chargeC: (prev.a + cur.a) / 2 * dtS, dtMs };
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
    return trapezoid(prev, { w, a }, dtMs);
  }

  /** Forgets the previous sample: the next one starts a new segment (after a failed read). */
  break(): void {
    this.#prev = undefined;
  }
}
