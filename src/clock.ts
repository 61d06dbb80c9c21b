/**
 * The clock and timers the sampler and hub run on, injected so tests never sleep.
 * @module
 */

/** An opaque timer handle. */
export type TimerId = ReturnType<typeof setTimeout>;

/** Time and one-shot timers. */
export interface Clock {
  /** Unix time in ms. */
  now(): number;
  /** Runs `fn` once after `delayMs`. */
  setTimeout(fn: () => void, delayMs: number): TimerId;
  /** Cancels a timer from {@link Clock.setTimeout}. */
  clearTimeout(id: TimerId): void;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, delayMs) => setTimeout(fn, delayMs),
  clearTimeout: (id) => clearTimeout(id),
};
