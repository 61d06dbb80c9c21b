/**
 * When the acquisition Worker posts its readings: it collects them and posts a batch
 * before its oldest reading would wait longer than the batch span.
 * @module
 */

/** Collects readings and hands them on in batches no longer than `maxSpanMs`. */
export class Batcher<T> {
  /** The longest a batch may span, first reading to post, in ms. */
  readonly maxSpanMs: number;
  #post: (events: T[]) => void;
  #events: T[] = [];
  #startMs = 0;
  #lastMs = -Infinity;

  /** Batches of at most `maxSpanMs`, handed to `post`. */
  constructor(maxSpanMs: number, post: (events: T[]) => void) {
    this.maxSpanMs = maxSpanMs;
    this.#post = post;
  }

  /** Readings waiting to be posted. */
  get length(): number {
    return this.#events.length;
  }

  /** When the oldest waiting reading arrived (meaningless while none waits). */
  get startMs(): number {
    return this.#startMs;
  }

  /**
   * Adds a reading that arrived at `nowMs`; posts at once with `urgent` (a failure), or
   * when the next reading, as far off as this one was from the one before, would make
   * the batch span as long as allowed or longer. So at a steady rate the oldest
   * reading waits at most the span: at 470 readings a second a 5 ms batch is three
   * readings (posted when the oldest is 4.3 ms old), not four (6.4 ms); at 200 a second
   * and below, and after a pause, a reading goes alone. Where the gaps vary (several
   * channels on one bus) the guess can fall short; {@link flushIfOlder} at the
   * Worker's waits catches that.
   */
  add(event: T, nowMs: number, urgent = false): void {
    if (this.#events.length === 0) this.#startMs = nowMs;
    const gapMs = nowMs - this.#lastMs;
    this.#lastMs = nowMs;
    this.#events.push(event);
    if (urgent || nowMs - this.#startMs + gapMs >= this.maxSpanMs) this.flush();
  }

  /** Posts what waits if its oldest reading will be a span old or older at `atMs`. */
  flushIfOlder(atMs: number): void {
    if (this.#events.length > 0 && atMs - this.#startMs >= this.maxSpanMs) this.flush();
  }

  /** Posts what waits (nothing when nothing does). */
  flush(): void {
    if (this.#events.length === 0) return;
    const events = this.#events;
    this.#events = [];
    this.#post(events);
  }
}
