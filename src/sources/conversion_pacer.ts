/**
 * Paces a driver's reads to a chip's conversions: tracks a lower bound of when the
 * next unread conversion completes, sleeps until just before it, then polls the
 * chip's conversion-ready flag, and counts what happened (`samples`, `polls`,
 * `early_polls`, `polls_per_sample`, `torn_reads`, `resyncs`). Shared by the
 * INA219, INA2xx (INA226/INA260/INA228) and INA3221 drivers.
 * @module
 */

/**
 * How long before a conversion's earliest possible end the driver stops sleeping
 * and polls the flag, in ms: a sub-millisecond sleep overshoots by about 0.1 ms
 * (Atomics.wait in the Worker, p50, measured) and the bound is itself early by up to
 * one poll, so the first poll comes about when the conversion ends. Waking late
 * loses nothing but the bound's precision, as long as it is by less than the
 * conversion time minus a sample's reads.
 */
export const WAKE_EARLY_MS = 0.1;

/** What one poll of the flag found: a conversion, none yet, or something ending the wait (a reset). */
export type PollOutcome = "ready" | "busy" | "final";

/** How {@link ConversionPacer.await} polls one chip. */
export interface AwaitOptions<T> {
  /** The time of one conversion (one full result), ms. */
  conversionMs: number;
  /**
   * How long after a conversion completes its data registers all still hold it, ms
   * (default `conversionMs`): the INA3221 latches each chip channel's result as it
   * completes, so its first register changes one shunt conversion into the next cycle.
   */
  holdMs?: number;
  /** Reads the flag register. */
  poll(): Promise<T>;
  /** What a poll's value means. */
  outcome(value: T): PollOutcome;
  /**
   * Clears the flag so the next conversion sets it afresh, when a poll does not
   * (the INA219's CNVR clears on a power read); omitted: the poll cleared it.
   */
  clear?(): Promise<unknown>;
  /** Whether a resync is allowed now (not during set-up). */
  mayResync: boolean;
  /** The error for a chip that finished no conversion within `limitMs`. */
  timeout(limitMs: number): Error;
}

/** What {@link ConversionPacer.await} found. */
export interface ConversionFound<T> {
  /** The last poll's value. */
  value: T;
  /** A lower bound of when the conversion read completed (clock ms). */
  notBeforeMs: number;
  /** When the poll that found it started (clock ms). */
  readyPollMs: number;
}

/** The pacing counters a driver reports in `details()`. */
export interface PacingCounts {
  /** Samples read. */
  samples: number;
  /** Flag polls, all told. */
  polls: number;
  /** Polls that found the conversion still running. */
  early_polls: number;
  /** Samples whose reads may have ended after the next conversion latched. */
  torn_reads: number;
  /** Waits restarted because a ready conversion's latch time was unknown. */
  resyncs: number;
}

/** One chip's conversion pacing: a lower bound for the next conversion end, and the counters. */
export class ConversionPacer {
  /** The counters (see {@link ConversionPacer.details}). */
  readonly counts: PacingCounts = {
    samples: 0,
    polls: 0,
    early_polls: 0,
    torn_reads: 0,
    resyncs: 0,
  };
  /**
   * How often the caller reads, in ms (the acquisition Worker sets its interval):
   * at two conversions or more the pacer may resync (see {@link ConversionPacer.await}).
   * Default 0: never.
   */
  readIntervalMs = 0;
  #now: () => number;
  #sleep: (ms: number) => Promise<void>;
  /**
   * A lower bound of when the newest unread conversion completed or completes (clock
   * ms): the last sample's bound + one conversion, or a configuration write + one
   * conversion.
   */
  #nextNotBeforeMs = -Infinity;
  /** How long the last sample's reads took, from its ready poll to its last read, ms. */
  #readSpanMs = 0;

  /** Paces by the clock `now`, sleeping with `sleep`. */
  constructor(now: () => number, sleep: (ms: number) => Promise<void>) {
    this.#now = now;
    this.#sleep = sleep;
  }

  /** A configuration write started at `startMs` restarted the conversion (and cleared the flag). */
  restarted(startMs: number, conversionMs: number): void {
    this.#nextNotBeforeMs = startMs + conversionMs;
  }

  /**
   * Set-up consumed the conversion `found` without reading its data. Where the flag
   * stays set until the data is read (the INA219), the first sample takes that one:
   * no `clearedMs`; where the poll cleared it, pass the conversion time.
   */
  consumed(found: ConversionFound<unknown>, clearedMs = 0): void {
    this.#nextNotBeforeMs = found.notBeforeMs + clearedMs;
  }

  /**
   * Waits for a conversion completed since the flag was last cleared, so each sample
   * is one fresh conversion: none counted twice, none skipped while reads come at
   * least a conversion apart. Sleeps until just before the conversion's earliest end
   * ({@link WAKE_EARLY_MS}), then polls back to back; a quarter conversion past that
   * end it sleeps an eighth of one between polls. A poll that finds the flag clear
   * raises the bound to its start.
   *
   * A first poll that finds a conversion ready more than one conversion time after
   * the earliest end it could have had cannot tell when it latched. If the caller
   * reads every two conversions or slower ({@link ConversionPacer.readIntervalMs})
   * and a sample's reads fit in one conversion, the pacer clears the flag and waits
   * for the next one instead (`resyncs`), so the sample is not torn.
   * @throws {Error} `timeout(limit)` when none completes within twice the conversion
   * time + 10 ms, judged by when the failing poll started.
   */
  async await<T>(options: AwaitOptions<T>): Promise<ConversionFound<T>> {
    const { conversionMs, holdMs = conversionMs } = options;
    const limitMs = 2 * conversionMs + 10;
    const sleepMs = this.#nextNotBeforeMs - WAKE_EARLY_MS - this.#now();
    if (sleepMs > 0.05) await this.#sleep(sleepMs);
    // A bound on polls too, for clocks that do not move: a register read takes ≥ 0.1 ms.
    const maxPolls = Math.ceil(limitMs / 0.1);
    const start = this.#now();
    let notBeforeMs = this.#nextNotBeforeMs;
    let resynced = false;
    for (let polls = 1;; polls++) {
      const pollStartMs = this.#now();
      const value = await options.poll();
      this.counts.polls++;
      const outcome = options.outcome(value);
      if (outcome === "final") return { value, notBeforeMs, readyPollMs: pollStartMs };
      if (outcome === "ready") {
        // The registers hold the newest conversion, so it completed after pollStart − one
        // conversion; more than holdMs past the bound, the next may have begun to latch
        // already. When the caller reads every two conversions or slower, conversions go
        // unread anyway: waiting for the next costs no sample and pins down its latch.
        const unknown = pollStartMs - holdMs > notBeforeMs;
        if (
          polls === 1 && unknown && options.mayResync && !resynced &&
          this.readIntervalMs >= 2 * conversionMs &&
          this.#readSpanMs > 0 && this.#readSpanMs < holdMs
        ) {
          resynced = true;
          this.counts.resyncs++;
          // The flag is clear from here (or from the poll's start, if the poll cleared
          // it): the next conversion completes after that.
          if (options.clear) {
            notBeforeMs = this.#now();
            await options.clear();
          } else {
            notBeforeMs = pollStartMs;
          }
          continue;
        }
        return {
          value,
          notBeforeMs: Math.max(notBeforeMs, pollStartMs - conversionMs),
          readyPollMs: pollStartMs,
        };
      }
      // Not ready at pollStart: the conversion that comes completes after it.
      this.counts.early_polls++;
      notBeforeMs = Math.max(notBeforeMs, pollStartMs);
      // Judged by when the poll started: a thread preempted after a poll must not turn
      // a conversion in progress into a sensor error.
      if (polls >= maxPolls || pollStartMs - start >= limitMs) throw options.timeout(limitMs);
      if (this.#now() > this.#nextNotBeforeMs + conversionMs / 4) {
        await this.#sleep(conversionMs / 8);
      }
    }
  }

  /**
   * Records a sample of conversion `found` whose reads ended now: counts it, and a
   * torn read when the next conversion may have latched before the last read ended
   * (`holdMs` after this one's end, see {@link AwaitOptions.holdMs}).
   */
  sampled(found: ConversionFound<unknown>, conversionMs: number, holdMs = conversionMs): void {
    const endMs = this.#now();
    this.counts.samples++;
    // The next conversion latches after notBeforeMs + holdMs: a read that ends later
    // may hold it while an earlier read holds this one.
    if (endMs - found.notBeforeMs > holdMs) this.counts.torn_reads++;
    this.#nextNotBeforeMs = found.notBeforeMs + conversionMs;
    this.#readSpanMs = endMs - found.readyPollMs;
  }

  /** The counters and `polls_per_sample` (null before the first sample), for `details()`. */
  details(): PacingCounts & { polls_per_sample: number | null } {
    const { samples, polls } = this.counts;
    return {
      ...this.counts,
      polls_per_sample: samples === 0 ? null : Math.round((polls / samples) * 100) / 100,
    };
  }
}
