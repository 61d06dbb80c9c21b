/**
 * The conversion engine of an emulated power monitor: results complete every
 * `periodMs` on an injected clock from the moment the configuration was written
 * (after an optional start delay), once for a triggered mode, and the chip catches
 * up lazily whenever a register is touched. Chip-independent, so every emulated
 * INA2xx can run on it.
 * @module
 */

/** How one run of conversions goes. */
export interface ConversionRun {
  /** Time of one full result in ms (0: nothing converts). */
  periodMs: number;
  /** True for a triggered (single-shot) mode: one result, then idle. */
  triggered: boolean;
  /** Delay before the first conversion starts (INA228 CONVDLY), ms. */
  delayMs?: number;
}

/**
 * Receives completed conversions in order: `tMs` is when the result completed,
 * `count` how many conversions it stands for (more than 1 only when a reader was
 * away so long that the engine summarised the oldest ones).
 */
export type OnConversion = (tMs: number, count: number) => void;

/** Conversions summarised into one call beyond this many missed in a row. */
export const MAX_CATCH_UP = 10_000;

/** When results complete, and how many have. */
export class ConversionClock {
  #now: () => number;
  #run: ConversionRun = { periodMs: 0, triggered: false };
  #startMs = 0;
  #latched = 0;
  #total = 0;

  /** An engine on `now` (ms, fractional), idle until {@link ConversionClock.restart}. */
  constructor(now: () => number) {
    this.#now = now;
  }

  /** Conversions completed in total. */
  get total(): number {
    return this.#total;
  }

  /** The current run's period in ms. */
  get periodMs(): number {
    return this.#run.periodMs;
  }

  /** Starts a new run now: a configuration write restarts the ADC. */
  restart(run: ConversionRun): void {
    this.#run = run;
    this.#startMs = this.#now();
    this.#latched = 0;
  }

  /**
   * Reports the conversions that completed since the last call. With `each`
   * (accumulators), every one is reported (the oldest summarised beyond
   * {@link MAX_CATCH_UP}); otherwise only the newest, counting the rest.
   */
  catchUp(onConversion: OnConversion, each = false): void {
    const { periodMs, triggered, delayMs = 0 } = this.#run;
    if (periodMs <= 0) return;
    const firstMs = this.#startMs + delayMs;
    let done = Math.floor((this.#now() - firstMs) / periodMs + 1e-9);
    if (triggered) done = Math.min(done, 1);
    if (done <= this.#latched) return;
    const from = this.#latched;
    this.#total += done - from;
    this.#latched = done;
    const at = (n: number) => firstMs + n * periodMs;
    if (!each) return onConversion(at(done), done - from);
    let n = from + 1;
    if (done - from > MAX_CATCH_UP) {
      const skip = done - from - MAX_CATCH_UP;
      onConversion(at(from + skip), skip);
      n = from + skip + 1;
    }
    for (; n <= done; n++) onConversion(at(n), 1);
  }
}
