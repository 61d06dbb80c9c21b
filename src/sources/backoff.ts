/**
 * Retry pacing for a device that stopped answering: 1 s, 2 s, 4 s … up to 30 s,
 * so a broken bus or an unplugged cable is not hammered.
 * @module
 */

/** Options of {@link Backoff}. */
export interface BackoffOptions {
  /** First delay (default 1000 ms). */
  baseMs?: number;
  /** Longest delay (default 30 000 ms). */
  maxMs?: number;
}

/** Doubling delays between attempts; {@link Backoff.succeed} starts over. */
export class Backoff {
  /** First delay after a failure, in ms. */
  readonly baseMs: number;
  /** Longest delay, in ms. */
  readonly maxMs: number;
  #failures = 0;
  #retryAtMs = 0;

  /** Starts with no failures (base 1 s, max 30 s unless `options` says otherwise). */
  constructor(options: BackoffOptions = {}) {
    this.baseMs = options.baseMs ?? 1000;
    this.maxMs = options.maxMs ?? 30_000;
  }

  /** Failures since the last success. */
  get failures(): number {
    return this.#failures;
  }

  /** Records a failure at `nowMs`; returns the delay before the next attempt. */
  fail(nowMs: number): number {
    this.#failures++;
    const delayMs = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(this.#failures - 1, 30));
    this.#retryAtMs = nowMs + delayMs;
    return delayMs;
  }

  /** Resets the delay: the next failure waits `baseMs` again. */
  succeed(): void {
    this.#failures = 0;
    this.#retryAtMs = 0;
  }

  /** Whether an attempt may be made at `nowMs`. */
  due(nowMs: number): boolean {
    return nowMs >= this.#retryAtMs;
  }

  /** Time left until the next attempt. */
  waitMs(nowMs: number): number {
    return Math.max(0, this.#retryAtMs - nowMs);
  }
}

/** `1 s`, `1.5 s`, `30 s` (rounded up to a tenth), or `20 ms` when shorter: for messages. */
export function secondsText(ms: number): string {
  return ms < 100 ? `${Math.ceil(ms)} ms` : `${Math.ceil(ms / 100) / 10} s`;
}
