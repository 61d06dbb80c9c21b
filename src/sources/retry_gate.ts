/**
 * The retry discipline every chip driver shares: after a failure, the sensor error
 * that says when the next attempt comes, and the refusal to touch the bus before it.
 * @module
 */
import { Backoff, type BackoffOptions, secondsText } from "./backoff.ts";
import { SensorError } from "./source.ts";

/** Failures, the last one's text, and the backoff between attempts. */
export class RetryGate {
  /** The text of the most recent failure. */
  lastError: string | undefined;
  #backoff: Backoff;

  /** Delays as {@link Backoff} (1 s, 2 s, … 30 s by default). */
  constructor(options?: BackoffOptions) {
    this.#backoff = new Backoff(options);
  }

  /** Records a failure at `nowMs`: the error to throw, saying when the next attempt comes. */
  fail(error: unknown, nowMs: number): SensorError {
    const delayMs = this.#backoff.fail(nowMs);
    this.lastError = error instanceof Error ? error.message : String(error);
    return new SensorError(`${this.lastError}; retrying in ${secondsText(delayMs)}`, {
      cause: error,
    });
  }

  /** The error to throw at `nowMs` while the backoff says wait; undefined once it may retry. */
  refusal(nowMs: number): SensorError | undefined {
    const waitMs = this.#backoff.waitMs(nowMs);
    if (waitMs <= 0) return undefined;
    return new SensorError(`${this.lastError}; retrying in ${secondsText(waitMs)}`);
  }

  /** How long until the next attempt may come, ms (0: now). */
  waitMs(nowMs: number): number {
    return this.#backoff.waitMs(nowMs);
  }

  /** A success: the next failure waits the shortest delay again. */
  succeed(): void {
    this.#backoff.succeed();
  }
}
