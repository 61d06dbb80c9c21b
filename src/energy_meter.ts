/**
 * The one owner of energy and charge: integrates every sample (pure math in
 * analysis/energy.ts), restores the counters at start, saves them with every store
 * flush, and resets them (saved at once and announced to the clients). Everything
 * else asks it: the store for each sample's step, the statistics message, /metrics,
 * MQTT and `POST /api/energy/reset`.
 * @module
 */
import {
  type EnergyCounters,
  type EnergyFigures,
  EnergyIntegrator,
  type EnergyStep,
  EnergyTotals,
} from "./analysis/energy.ts";
import { type StatusMessage, statusMessage } from "./protocol/ws.ts";
import type { Sample } from "./sample.ts";

/** The settings key the counters are saved under. */
export const ENERGY_KEY = "energy";

const NO_STEP: EnergyStep = Object.freeze({ energyJ: 0, chargeC: 0 });

/** Where the counters are kept (the store's settings). */
export interface EnergyStorage {
  /** A saved value, or undefined. */
  getSetting(key: string): unknown;
  /** Saves a value now. */
  setSetting(key: string, value: unknown): void;
  /** Writes `read()` under `key` in the transaction of every flush. */
  saveWithEveryFlush(key: string, read: () => unknown): void;
}

/** Collaborators of {@link EnergyMeter}. */
export interface EnergyMeterOptions {
  /** Where the counters are restored from and saved to. */
  storage: EnergyStorage;
  /** Longest gap energy is integrated across (a few sample intervals). */
  maxGapMs: () => number;
  /** Tells the clients (the hub's broadcast). */
  announce: (message: StatusMessage) => void;
  /** The clock (default `Date.now`). */
  now?: () => number;
  /**
   * A chip's own accumulators (the INA228's ENERGY and CHARGE registers): the step of
   * a sample they cover, or undefined to integrate it here. Unset: every step integrated.
   */
  accumulator?: (sample: Sample) => EnergyStep | undefined;
}

/** What a reset answers: the since-reset figures before it, and when it happened. */
export interface EnergyReset {
  /** The counters just before the reset. */
  previous: EnergyCounters;
  /** When the reset happened. */
  resetAtMs: number;
}

/** Energy and charge: integration, counters, persistence and reset. */
export class EnergyMeter {
  #integrator: EnergyIntegrator;
  #totals: EnergyTotals;
  #storage: EnergyStorage;
  #announce: (message: StatusMessage) => void;
  #now: () => number;
  #accumulator: ((sample: Sample) => EnergyStep | undefined) | undefined;

  /** Restores the saved counters and registers them to be saved with every flush. */
  constructor(options: EnergyMeterOptions) {
    this.#storage = options.storage;
    this.#announce = options.announce;
    this.#now = options.now ?? Date.now;
    this.#accumulator = options.accumulator;
    this.#integrator = new EnergyIntegrator(options.maxGapMs);
    this.#totals = new EnergyTotals(
      options.storage.getSetting(ENERGY_KEY) as EnergyCounters | undefined,
      this.#now(),
    );
    options.storage.saveWithEveryFlush(ENERGY_KEY, () => this.#totals.counters);
  }

  /** Integrates one sample; a failed read adds nothing and starts a new segment. */
  add(sample: Sample): EnergyStep {
    if (sample.status === "error") {
      this.#integrator.break();
      return NO_STEP;
    }
    // Integrated always, so a step the chip does not cover starts from the sample before.
    const integrated = this.#integrator.add(sample.tsMs, sample.w, sample.a);
    const step = this.#accumulator?.(sample) ?? integrated;
    this.#totals.add(step);
    return step;
  }

  /** A copy of the counters. */
  get counters(): EnergyCounters {
    return this.#totals.counters;
  }

  /** The energy fields of the `statistics` message. */
  figures(): EnergyFigures {
    return this.#totals.figures();
  }

  /** Zeroes the since-reset counters, saves them now and announces it. */
  reset(): EnergyReset {
    const previous = this.#totals.counters;
    const resetAtMs = this.#now();
    this.#totals.reset(resetAtMs);
    this.#storage.setSetting(ENERGY_KEY, this.#totals.counters);
    this.#announce(statusMessage("Energy counters reset", resetAtMs, { event: "energy_reset" }));
    return { previous, resetAtMs };
  }
}
