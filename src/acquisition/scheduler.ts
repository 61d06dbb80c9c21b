/**
 * The cooperative scheduler of one acquisition thread: every task (a chip's read
 * loop) suspends only in {@link Scheduler.sleepUntil}, and the scheduler resumes one
 * task at a time, the one whose wake-up is earliest, and waits until it sleeps again
 * before resuming the next. So the transfers of the chips on one bus never
 * interleave, and one chip's conversion wait is another chip's turn on the bus.
 * @module
 */

/** How the scheduler waits for an instant and what "now" is (the Worker's, or a test's). */
export interface SchedulerClock {
  /** The clock the wake-ups are on, in ms (fractional). */
  now(): number;
  /**
   * Waits until `atMs`, or part of the way (the scheduler looks again after it
   * returns, so a command in between may bring an earlier wake-up).
   */
  waitUntil(atMs: number): Promise<void>;
  /** Called between tasks' turns (the Worker flushes batches and lets commands in). */
  between?(): void | Promise<void>;
}

interface Waiter {
  key: unknown;
  atMs: number;
  order: number;
  resume: () => void;
}

/** Runs tasks one at a time, earliest wake-up first. */
export class Scheduler {
  #clock: SchedulerClock;
  #queue: Waiter[] = [];
  #order = 0;
  #parked: (() => void) | undefined;
  #pushed: (() => void) | undefined;
  #draining = false;
  #running: Promise<void> | undefined;
  #stop = false;

  /** Turns given. */
  readonly counts = { turns: 0 };

  /** A scheduler on `clock`; {@link Scheduler.run} starts it. */
  constructor(clock: SchedulerClock) {
    this.#clock = clock;
  }

  /** The scheduler's clock reading. */
  now(): number {
    return this.#clock.now();
  }

  /**
   * Suspends the calling task until `atMs` and until it is its turn (an instant in
   * the past sorts it among the other overdue tasks by how overdue it is). After
   * {@link Scheduler.drain} it resolves at once. `key` lets {@link Scheduler.wake}
   * bring the wake-up forward.
   */
  sleepUntil(atMs: number, key?: unknown): Promise<void> {
    if (this.#draining) return Promise.resolve();
    return new Promise((resume) => {
      this.#queue.push({ key, atMs, order: this.#order++, resume });
      this.#park();
      this.#pushed?.();
    });
  }

  /** {@link Scheduler.sleepUntil} `ms` from now: what the drivers get as their `sleep`. */
  readonly sleep = (ms: number): Promise<void> => this.sleepUntil(this.#clock.now() + ms);

  /** A driver's sleep through a conversion, for the task with `key`. */
  sleepFor(key: unknown): (ms: number) => Promise<void> {
    return (ms) => this.sleepUntil(this.#clock.now() + ms, key);
  }

  /** Brings the wake-up of the task sleeping with `key` forward to now (a command for it). */
  wake(key: unknown): void {
    const nowMs = this.#clock.now();
    for (const waiter of this.#queue) {
      if (waiter.key === key && waiter.atMs > nowMs) waiter.atMs = nowMs;
    }
    this.#pushed?.();
  }

  /** A task ends: the next may run. */
  exit(): void {
    this.#park();
  }

  /** Starts giving turns; resolves when {@link Scheduler.drain} stopped it. */
  run(): Promise<void> {
    this.#running ??= this.#loop();
    return this.#running;
  }

  /**
   * Stops giving turns: every waiting task (and every later sleep) resumes at once,
   * so the tasks can see they are to end. Resolves once the turn in progress ended.
   */
  async drain(): Promise<void> {
    this.#stop = true;
    this.#pushed?.();
    await this.#running;
    this.#draining = true;
    for (const waiter of this.#queue.splice(0)) waiter.resume();
  }

  #earliest(): Waiter {
    let next = this.#queue[0];
    for (const waiter of this.#queue) {
      if (waiter.atMs < next.atMs || (waiter.atMs === next.atMs && waiter.order < next.order)) {
        next = waiter;
      }
    }
    return next;
  }

  #park(): void {
    const parked = this.#parked;
    this.#parked = undefined;
    parked?.();
  }

  async #loop(): Promise<void> {
    while (!this.#stop) {
      if (this.#queue.length === 0) {
        await new Promise<void>((resolve) => this.#pushed = resolve);
        this.#pushed = undefined;
        continue;
      }
      const next = this.#earliest();
      if (next.atMs > this.#clock.now()) {
        await this.#clock.waitUntil(next.atMs);
        continue; // look again: a command may have changed what is due
      }
      this.#queue.splice(this.#queue.indexOf(next), 1);
      this.counts.turns++;
      const parked = new Promise<void>((resolve) => this.#parked = resolve);
      next.resume();
      await parked;
      await this.#clock.between?.();
    }
  }
}
