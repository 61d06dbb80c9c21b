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
  /**
   * Runs `fn` every `periodMs` until cleared, each period counted from when the last
   * firing ran. Optional: the sampler re-arms one-shot timers on a clock without it. In
   * Deno a repeating timer costs less per firing than arming a new one-shot timer each
   * time (about 190 against 240–300 µs of CPU on the test machine; docs/benchmarks.md).
   */
  setInterval?(fn: () => void, periodMs: number): TimerId;
  /** Cancels a timer from {@link Clock.setInterval}. */
  clearInterval?(id: TimerId): void;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, delayMs) => setTimeout(fn, delayMs),
  clearTimeout: (id) => clearTimeout(id),
  setInterval: (fn, periodMs) => setInterval(fn, periodMs),
  clearInterval: (id) => clearInterval(id),
};

/** A repeating timer from {@link every}. */
export interface Periodic {
  /** Stops it; `fn` is not called again. */
  stop(): void;
}

/**
 * Runs `fn` every `periodMs` on a fixed grid, `t0 + k·periodMs` from now: each firing
 * arms the next at the next boundary ahead, so a late firing shortens the period after
 * it instead of pushing every later one back (a plain `setInterval` re-arms from when it
 * ran and drifts by its lateness each period). Boundaries missed in a stall are skipped;
 * a wall clock stepped back starts the grid afresh.
 */
export function every(clock: Clock, periodMs: number, fn: () => void): Periodic {
  let t0Ms = clock.now();
  let k = 0;
  let stopped = false;
  let timer: TimerId;
  const arm = () => {
    const nowMs = clock.now();
    // The firing just made counts as boundary k even if the timer ran a little early.
    k = Math.max(k + 1, Math.floor((nowMs - t0Ms) / periodMs) + 1);
    let delayMs = t0Ms + k * periodMs - nowMs;
    if (delayMs > 2 * periodMs) {
      // The wall clock stepped back: start the grid afresh rather than wait for it.
      t0Ms = nowMs;
      k = 1;
      delayMs = periodMs;
    }
    timer = clock.setTimeout(fire, delayMs);
  };
  const fire = () => {
    if (stopped) return;
    arm();
    fn();
  };
  arm();
  return {
    stop: () => {
      stopped = true;
      clock.clearTimeout(timer);
    },
  };
}
