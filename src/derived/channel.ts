/**
 * One live derived channel: lines its inputs' samples up by time and computes one derived
 * sample per sample of its slowest input, or an `error` sample naming the input that
 * failed or went stale. Pure and clock-free: time is the samples' own `tsMs`, so
 * replaying stored rows gives the series the live channel gave.
 * @module
 */
import type { DerivedChannelConfig } from "../channels.ts";
import type { Sample } from "../sample.ts";
import {
  combine,
  DERIVED_MODE,
  derivedError,
  derivedInputs,
  type DerivedSample,
} from "./combine.ts";

/** Options of {@link DerivedChannel}. */
export interface DerivedChannelOptions {
  /**
   * An input's sample interval in force (ms); read on every sample, so it follows
   * interval changes. Picks the pacing input and sets the staleness bound.
   */
  intervalMs: (input: string) => number;
  /** The staleness bound is this many of the slowest input's intervals (default 2). */
  staleIntervals?: number;
  /**
   * The smallest staleness bound (ms, default 100): how much later one input's samples
   * may arrive than another's (acquisition batches, a busy main thread) before the
   * derived channel stops waiting for them.
   */
  minStaleMs?: number;
  /** The `seq` of the last derived sample (default 0: the first is 1). */
  lastSeq?: number;
}

/** A sample queue: array plus head, compacted now and then (shift() is O(n)). */
class Queue {
  #items: Sample[] = [];
  #head = 0;

  get size(): number {
    return this.#items.length - this.#head;
  }

  at(i: number): Sample {
    return this.#items[this.#head + i];
  }

  push(s: Sample): void {
    this.#items.push(s);
  }

  drop(n: number): void {
    this.#head += n;
    if (this.#head > 256 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Drops every sample before the last one stamped at or before `tsMs`. */
  keepFromLastBefore(tsMs: number): void {
    let n = 0;
    while (n + 1 < this.size && this.at(n + 1).tsMs <= tsMs) n++;
    this.drop(n);
  }

  clear(): void {
    this.#items = [];
    this.#head = 0;
  }
}

/** What {@link DerivedChannel} found for one input at one time. */
type Pick = Sample | string | "wait";
const WAIT = "wait";

/**
 * A derived channel fed its inputs' samples as they come (in any interleaving: each
 * input's own samples in time order). The slowest input (largest interval; on a tie the
 * first listed) paces it: each of its samples yields one derived sample stamped with its
 * time, combined with the sample of every other input nearest in time, once that input
 * has a sample at or after it. An input whose nearest sample is further away than the
 * staleness bound (2 × the slowest interval, at least `minStaleMs`), or is an `error`,
 * makes the derived sample an `error` naming it; a pacing input gone silent yields one
 * such error per bound. When every input has been silent longer than the bound (all
 * stopped), the next sample starts afresh, as at start-up.
 *
 * @example
 * ```ts
 * const reg = new DerivedChannel(config, { intervalMs: (name) => samplers[name].intervalMs });
 * for (const d of reg.add("out", sample)) hub.broadcast(derivedMeasurementMessage(d));
 * ```
 */
export class DerivedChannel {
  /** The channel computed. */
  readonly config: DerivedChannelConfig;
  /** Its inputs, in configuration order. */
  readonly inputs: readonly string[];
  #options: Required<Omit<DerivedChannelOptions, "lastSeq">>;
  #queues = new Map<string, Queue>();
  #watermarks = new Map<string, number>();
  #firstMs: number | undefined;
  #nowMs = -Infinity;
  #lastTsMs = -Infinity;
  #seq: number;

  /** Nothing is computed until every input has sent a sample. */
  constructor(config: DerivedChannelConfig, options: DerivedChannelOptions) {
    this.config = config;
    this.inputs = derivedInputs(config);
    this.#options = {
      intervalMs: options.intervalMs,
      staleIntervals: options.staleIntervals ?? 2,
      minStaleMs: options.minStaleMs ?? 100,
    };
    this.#seq = options.lastSeq ?? 0;
    for (const input of this.inputs) this.#queues.set(input, new Queue());
  }

  /** The `seq` of the last derived sample (0 before the first). */
  get lastSeq(): number {
    return this.#seq;
  }

  /** The input whose samples set the derived channel's times: the slowest one. */
  get pacer(): string {
    let pacer = this.inputs[0];
    for (const input of this.inputs) {
      if (this.#options.intervalMs(input) > this.#options.intervalMs(pacer)) pacer = input;
    }
    return pacer;
  }

  /** How far (ms) an input's sample may be from a derived sample's time and still count. */
  get staleMs(): number {
    const slowest = Math.max(...this.inputs.map((i) => this.#options.intervalMs(i)));
    return Math.max(this.#options.staleIntervals * slowest, this.#options.minStaleMs);
  }

  /**
   * Takes one sample of `input`; returns the derived samples it completes, oldest
   * first (none while an input is still to come, several when a late batch lands).
   * A sample older than the input's previous one is ignored.
   *
   * @throws {RangeError} when `input` is not one of this channel's inputs.
   */
  add(input: string, sample: Sample): DerivedSample[] {
    const queue = this.#queues.get(input);
    if (!queue) {
      throw new RangeError(
        `Channel "${this.config.name}" is not derived from "${input}": its inputs are ${
          this.inputs.join(", ")
        }`,
      );
    }
    const staleMs = this.staleMs;
    const last = this.#watermarks.get(input);
    if (last !== undefined && sample.tsMs < last) return [];
    if (sample.tsMs - this.#nowMs > staleMs) this.#restart();
    queue.push(sample);
    this.#watermarks.set(input, sample.tsMs);
    this.#firstMs ??= sample.tsMs;
    this.#nowMs = Math.max(this.#nowMs, sample.tsMs);
    return this.#drain(staleMs);
  }

  /** Every input silent past the bound: what is queued is too old to pair with anything new. */
  #restart(): void {
    for (const queue of this.#queues.values()) queue.clear();
    this.#watermarks.clear();
    this.#firstMs = undefined;
  }

  #drain(staleMs: number): DerivedSample[] {
    const out: DerivedSample[] = [];
    const pacer = this.pacer;
    const pacerQueue = this.#queues.get(pacer)!;
    for (;;) {
      while (pacerQueue.size > 0 && pacerQueue.at(0).tsMs <= this.#lastTsMs) pacerQueue.drop(1);
      if (pacerQueue.size === 0) {
        const since = this.#watermarks.get(pacer) ?? this.#firstMs!;
        if (this.#nowMs - since > staleMs && this.#nowMs - this.#lastTsMs >= staleMs) {
          const silent = this.#watermarks.has(pacer)
            ? `is stale: no sample for ${this.#nowMs - since} ms (limit ${staleMs} ms)`
            : "has sent no sample";
          out.push(
            this.#number(derivedError(this.config, this.#nowMs, `input "${pacer}" ${silent}`)),
          );
          this.#lastTsMs = this.#nowMs;
        }
        break;
      }
      const tsMs = pacerQueue.at(0).tsMs;
      const picks = this.inputs.map((input) =>
        input === pacer ? pacerQueue.at(0) : this.#pick(input, tsMs, staleMs)
      );
      if (picks.includes(WAIT)) break;
      pacerQueue.drop(1);
      out.push(this.#number(this.#compute(tsMs, picks as (Sample | string)[])));
      this.#lastTsMs = tsMs;
    }
    const keepFrom = Math.max(this.#lastTsMs, this.#watermarks.get(pacer) ?? -Infinity);
    for (const input of this.inputs) {
      if (input !== pacer) this.#queues.get(input)!.keepFromLastBefore(keepFrom);
    }
    return out;
  }

  /** The sample of `input` nearest to `tsMs`, an error text, or wait for one to come. */
  #pick(input: string, tsMs: number, staleMs: number): Pick {
    const queue = this.#queues.get(input)!;
    const watermark = this.#watermarks.get(input);
    if (watermark === undefined) {
      return this.#nowMs - this.#firstMs! > staleMs ? `input "${input}" has sent no sample` : WAIT;
    }
    if (watermark < tsMs && this.#nowMs - watermark <= staleMs) return WAIT;
    // The last sample at or before tsMs and the first after it: the nearer counts (a tie:
    // the earlier).
    let i = 0;
    while (i < queue.size && queue.at(i).tsMs <= tsMs) i++;
    const before = i > 0 ? queue.at(i - 1) : undefined;
    const after = i < queue.size ? queue.at(i) : undefined;
    const nearest = !before
      ? after!
      : !after || tsMs - before.tsMs <= after.tsMs - tsMs
      ? before
      : after;
    const awayMs = Math.abs(nearest.tsMs - tsMs);
    if (awayMs > staleMs) {
      return `input "${input}" is stale: its nearest sample is ${awayMs} ms away (limit ${staleMs} ms)`;
    }
    return nearest;
  }

  #compute(tsMs: number, picks: readonly (Sample | string)[]): Omit<DerivedSample, "seq"> {
    const errors: string[] = [];
    picks.forEach((pick, i) => {
      if (typeof pick === "string") errors.push(pick);
      else if (pick.status === "error") {
        errors.push(`input "${this.inputs[i]}": ${pick.error ?? "read failed"}`);
      }
    });
    if (errors.length > 0) return derivedError(this.config, tsMs, errors.join("; "));
    return {
      tsMs,
      mode: DERIVED_MODE,
      derived: this.config.derived,
      ...combine(this.config, picks as Sample[]),
    };
  }

  #number(sample: Omit<DerivedSample, "seq">): DerivedSample {
    return { ...sample, seq: ++this.#seq } as DerivedSample;
  }
}
