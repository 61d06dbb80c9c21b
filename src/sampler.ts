/**
 * The ticker: reads the source on a fixed schedule (t0 + n·interval, no drift, no
 * overlapping reads), numbers every sample and hands it on. A failed read still
 * yields that tick's sample, marked `error`. A source that can back-fill (the mock)
 * is woken at most every {@link DEFAULT_BATCH_MS} ms and reads every tick that came due;
 * when a batch holds several ticks, by one repeating timer (cheaper per firing than a
 * one-shot timer armed anew each time), or, aligned, on the clock's fixed grid so the
 * samplers of several channels wake together.
 * @module
 */
import { type Clock, systemClock, type TimerId } from "./clock.ts";
import type { Sample } from "./sample.ts";
import type { Reading, Source } from "./sources/source.ts";

/**
 * Default of {@link SamplerOptions.batchMs}: at 1 kHz a wake-up every 10 ms instead of
 * every 1 ms, which delays a sample by at most 10 ms (plus the timer's lateness). A
 * wake-up is the dearest thing a tick does: on the test machine an idle Deno timer
 * costs about 120 µs of CPU per firing, so 5 ms batches alone would use 2–3 % of a
 * core (docs/benchmarks.md, issue 12).
 */
export const DEFAULT_BATCH_MS = 10;

/** Options of {@link Sampler}. */
export interface SamplerOptions {
  /** Time between reads in ms. */
  intervalMs: number;
  /** Receives every sample, in `seq` order. */
  onSample: (sample: Sample) => void;
  /** Receives status messages (source start-up, sensor failing or back, start/stop). */
  onStatus: (message: string) => void;
  /** Time and timers (default the system clock); tests pass a fake one. */
  clock?: Clock;
  /** The `seq` of the last sample ever emitted (continues from there). */
  lastSeq?: number;
  /**
   * How far behind schedule the sampler may fall before it gives up the missed
   * ticks and restarts the schedule from now (a suspended machine, a clock step).
   */
  maxCatchUpMs?: number;
  /**
   * For a source that can back-fill: wake up at most this often and read every tick
   * that came due since, each at its own instant (default {@link DEFAULT_BATCH_MS}).
   * An interval at least this long keeps one tick per wake-up; 0 wakes for every tick.
   */
  batchMs?: number;
  /**
   * For a back-filling source woken for several ticks at once: wake on the clock's
   * fixed grid `k·period` (Unix ms; period = the batch's length) by one-shot timers,
   * instead of by a repeating timer, which re-arms from when it ran and so drifts by
   * its lateness every period (about 0.35 ms per 10 ms firing in Deno here). Aligned
   * samplers with the same period wake in the same timer turn, so their batches reach
   * each client in one write; each wake-up still reads every tick due by then.
   * Default false (the repeating timer).
   */
  alignWakeUps?: boolean;
}

/** Drives one {@link Source}. */
export class Sampler {
  /** The source being read. */
  readonly source: Source;
  #clock: Clock;
  #onSample: (sample: Sample) => void;
  #onStatus: (message: string) => void;
  #intervalMs: number;
  #maxCatchUpMs: number;
  #batchMs: number;
  #aligned: boolean;
  #seq: number;
  #running = false;
  #busy = false;
  #generation = 0;
  #timer: TimerId | undefined;
  /** The repeating timer of batched back-filling, and its period. */
  #repeat: TimerId | undefined;
  #repeatMs = 0;
  #t0 = 0;
  #n = 0;
  #sensorOk: boolean | undefined;
  #skipped = 0;
  #lastError: string | undefined;

  /**
   * Nothing is read until {@link Sampler.start}.
   * @throws {RangeError} for an interval outside 1–10000 ms or a batch period outside 0–1000 ms.
   */
  constructor(source: Source, options: SamplerOptions) {
    this.source = source;
    this.#clock = options.clock ?? systemClock;
    this.#onSample = options.onSample;
    this.#onStatus = options.onStatus;
    this.#intervalMs = checkInterval(options.intervalMs);
    this.#maxCatchUpMs = options.maxCatchUpMs ?? 2000;
    this.#batchMs = options.batchMs ?? DEFAULT_BATCH_MS;
    if (!(this.#batchMs >= 0 && this.#batchMs <= 1000)) {
      throw new RangeError(`Invalid batch period ${this.#batchMs} ms: must be from 0 to 1000`);
    }
    this.#aligned = options.alignWakeUps ?? false;
    this.#seq = options.lastSeq ?? 0;
  }

  /** Whether ticks are being produced. */
  get running(): boolean {
    return this.#running;
  }

  /** The sample interval in force: for a device that keeps its own, the one it confirmed. */
  get intervalMs(): number {
    return this.source.intervalMs ?? this.#intervalMs;
  }

  /** The `seq` of the last sample emitted (0 before the first). */
  get lastSeq(): number {
    return this.#seq;
  }

  /** `ok` or `error` after the last read; `undefined` before any. */
  get sensorStatus(): "ok" | "error" | undefined {
    return this.#sensorOk === undefined ? undefined : this.#sensorOk ? "ok" : "error";
  }

  /**
   * Ticks that produced no sample: missed while a hardware read ran over its
   * interval, or given up after a stall (seq itself never skips).
   */
  get skippedTicks(): number {
    return this.#skipped;
  }

  /** The text of the most recent read failure. */
  get lastError(): string | undefined {
    return this.#lastError;
  }

  /** Opens the source and starts ticking; false when it was already running. */
  async start(): Promise<boolean> {
    if (this.#running) return false;
    this.#running = true;
    const generation = ++this.#generation;
    let messages: string[];
    try {
      messages = await this.source.open();
    } catch (error) {
      this.#running = false;
      throw error;
    }
    if (generation !== this.#generation) return true;
    for (const message of messages) this.#onStatus(message);
    if (this.source.listen) {
      // A device with its own clock: number whatever it pushes, no ticking.
      this.source.listen((event) => {
        if (generation === this.#generation) this.#emit(event.tsMs, event.reading, event.error);
      });
      return true;
    }
    this.#t0 = this.#clock.now();
    this.#n = 0;
    this.#schedule(0);
    return true;
  }

  /** Stops ticking and closes the source; false when it was not running. */
  async stop(): Promise<boolean> {
    if (!this.#running) return false;
    this.#running = false;
    this.#generation++;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#stopRepeat();
    await this.source.close();
    this.#onStatus("Measurements stopped");
    return true;
  }

  /**
   * Changes the interval; the next tick comes one new interval from now. A device
   * that keeps its own interval gets the command instead, and its answer decides:
   * until it acknowledges, the interval stays what it was, and a refusal, a timeout
   * or a missing device rejects with the source's `DeviceCommandError`.
   * @throws {RangeError} (as a rejection) for an interval outside 1–10000 ms.
   */
  async setIntervalMs(intervalMs: number): Promise<void> {
    checkInterval(intervalMs);
    if (this.source.setIntervalMs) {
      try {
        await this.source.setIntervalMs(intervalMs);
      } catch (error) {
        this.#onStatus(`Sample interval not changed: ${(error as Error).message}`);
        throw error;
      }
      this.#intervalMs = intervalMs;
      this.#onStatus(`Sample interval set to ${intervalMs} ms`);
      return;
    }
    this.#intervalMs = intervalMs;
    this.#t0 = this.#clock.now();
    this.#n = 1;
    this.#onStatus(`Sample interval set to ${intervalMs} ms`);
    // A batch period follows the interval: the next tick arms the right one.
    this.#stopRepeat();
    if (!this.#running || this.#busy) return;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#schedule(this.#wakeMs() - this.#clock.now());
  }

  /**
   * When to wake next: when tick n is due, or for a source that back-fills, when the
   * last tick of the next batch is due (ticks n … n+k−1, k·interval ≤ batchMs), so the
   * schedule stays t0 + n·interval however the ticks are grouped. Aligned, the next
   * instant of the grid `j·period` after now.
   */
  #wakeMs(): number {
    const perWake = this.#perWake();
    if (this.#aligned && perWake > 1) {
      const periodMs = perWake * this.#intervalMs;
      return (Math.floor(this.#clock.now() / periodMs) + 1) * periodMs;
    }
    return this.#t0 + (this.#n + perWake - 1) * this.#intervalMs;
  }

  /** Ticks per wake-up: several for a back-filling source at a short interval, else 1. */
  #perWake(): number {
    return this.source.backfill ? Math.max(1, Math.floor(this.#batchMs / this.#intervalMs)) : 1;
  }

  /**
   * Wakes for the following batches by one repeating timer of the batch's length, when
   * a batch holds several ticks and the clock has one. Each firing reads every tick that
   * came due (as a one-shot wake-up does), so the schedule and the numbering are the
   * same; only the phase of the wake-ups against the ticks wanders. Returns false when
   * one-shot timers go on instead (one tick per wake-up: each must be read at its time;
   * or aligned: the grid is kept by one-shot timers).
   */
  #repeatBatches(generation: number): boolean {
    const perWake = this.#perWake();
    const clock = this.#clock;
    if (perWake <= 1 || this.#aligned) return false;
    if (!clock.setInterval || !clock.clearInterval) return false;
    const periodMs = perWake * this.#intervalMs;
    if (this.#repeat !== undefined && this.#repeatMs === periodMs) return true;
    this.#stopRepeat();
    this.#repeatMs = periodMs;
    this.#repeat = clock.setInterval(() => {
      // A tick still waiting for a slow read reads what came due when it is done.
      if (generation === this.#generation && !this.#busy) void this.#tick(generation);
    }, periodMs);
    return true;
  }

  #stopRepeat(): void {
    if (this.#repeat !== undefined) this.#clock.clearInterval?.(this.#repeat);
    this.#repeat = undefined;
  }

  #schedule(delayMs: number): void {
    const generation = this.#generation;
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      if (generation === this.#generation) void this.#tick(generation);
    }, Math.max(0, delayMs));
  }

  async #tick(generation: number): Promise<void> {
    this.#busy = true;
    try {
      const nowMs = this.#clock.now();
      let dueMs = this.#t0 + this.#n * this.#intervalMs;
      if (nowMs - dueMs > this.#maxCatchUpMs || nowMs < dueMs - this.#intervalMs) {
        if (nowMs > dueMs) this.#skipped += Math.floor((nowMs - dueMs) / this.#intervalMs);
        this.#t0 = nowMs;
        this.#n = 0;
        dueMs = nowMs;
      }
      if (this.source.backfill) {
        // Every tick that came due while the timer slept, each at its own instant;
        // the newest is stamped with the real time of the read, so a late timer shows
        // as a small offset of that sample rather than as delivery latency.
        while (dueMs <= nowMs) {
          const nextDueMs = this.#t0 + (this.#n + 1) * this.#intervalMs;
          const pending = this.#readOne(nextDueMs > nowMs ? nowMs : dueMs);
          if (pending) await pending;
          if (generation !== this.#generation) return;
          this.#n++;
          dueMs = this.#t0 + this.#n * this.#intervalMs;
        }
      } else {
        // Hardware can only be read now: one reading, then skip missed ticks.
        await this.#readOne(nowMs);
        if (generation !== this.#generation) return;
        const next = Math.floor((nowMs - this.#t0) / this.#intervalMs) + 1;
        this.#skipped += Math.max(0, next - this.#n - 1);
        this.#n = next;
      }
    } finally {
      this.#busy = false;
    }
    if (generation !== this.#generation || this.#repeatBatches(generation)) return;
    this.#schedule(this.#wakeMs() - this.#clock.now());
  }

  /**
   * Reads one tick and emits its sample; a source that answers at once (the mock) is
   * handled without a promise, which at 1 kHz is most of what a tick would allocate.
   */
  #readOne(tsMs: number): Promise<void> | undefined {
    let result: Reading | Promise<Reading>;
    try {
      result = this.source.read(tsMs);
    } catch (e) {
      this.#emit(tsMs, undefined, errorText(e));
      return undefined;
    }
    if (typeof (result as Promise<Reading>).then !== "function") {
      this.#emit(tsMs, result as Reading, undefined);
      return undefined;
    }
    return (result as Promise<Reading>).then(
      (reading) => this.#emit(tsMs, reading, undefined),
      (e) => this.#emit(tsMs, undefined, errorText(e)),
    );
  }

  /** Numbers one reading (or failure) and hands it on. */
  #emit(tsMs: number, r: Reading | undefined, error: string | undefined): void {
    const sample: Sample = r
      ? { tsMs, seq: 0, v: r.v, a: r.a, w: r.w, status: r.status, mode: "" }
      : { tsMs, seq: 0, v: 0, a: 0, w: 0, status: "error", mode: "", error };
    // Read the mode after the read: the mock's auto-rotation happens inside it.
    sample.mode = this.source.mode;
    sample.seq = ++this.#seq;
    this.#noteHealth(sample);
    this.#onSample(sample);
  }

  #noteHealth(sample: Sample): void {
    const ok = sample.status !== "error";
    if (!ok) this.#lastError = sample.error;
    if (ok === this.#sensorOk) return;
    const before = this.#sensorOk;
    this.#sensorOk = ok;
    if (!ok) this.#onStatus(`Sensor error: ${sample.error}`);
    else if (before === false) this.#onStatus("Sensor recovered");
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function checkInterval(intervalMs: number): number {
  if (!Number.isInteger(intervalMs) || intervalMs < 1 || intervalMs > 10_000) {
    throw new RangeError(
      `Invalid sample interval ${intervalMs} ms: must be an integer from 1 to 10000`,
    );
  }
  return intervalMs;
}
