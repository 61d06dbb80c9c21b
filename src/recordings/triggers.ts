/**
 * Recording triggers, pure: a {@link TriggerArm} is fed one channel's samples in order
 * and says when its recording starts (a condition held, keeping a pre-trigger span) and
 * stops (a condition held, a duration, or by hand). Time comes from the samples only.
 * @module
 */
import type { z } from "zod";
import type { Sample } from "../sample.ts";
import {
  type StopReason,
  type TriggerCondition,
  TriggerSpec,
  type TriggerStatus,
} from "../protocol/trigger.ts";

/** What an arm reads of a sample; the pipeline's {@link Sample} is one. */
export type TriggerSample = Pick<Sample, "tsMs" | "v" | "a" | "w" | "status">;

/** An arm's state: waiting for its start, recording, or done. */
export type TriggerState = "armed" | "triggered" | "stopped";

/** The start: the recording is `[startMs, …)` and `samples` are its first samples. */
export interface TriggeredEvent<S> {
  /** Triggered. */
  state: "triggered";
  /** The trigger instant: the first sample of the held start condition. */
  triggerMs: number;
  /** The recording's start: `triggerMs − pre_trigger_ms`. */
  startMs: number;
  /**
   * The samples stamped from `startMs` up to and including the one that fired, in order
   * (the first is at `startMs` unless the arm was fed for less than the pre-trigger).
   */
  samples: S[];
}

/** The end: the recording is `[startMs, stopMs)`. */
export interface StoppedEvent {
  /** Stopped. */
  state: "stopped";
  /**
   * The end, exclusive: the sample that completed a stop condition + 1 ms (it is the
   * last one in), `triggerMs + duration_ms`, or the time of a stop by hand.
   */
  stopMs: number;
  /** Why: the stop condition held, the duration passed, or by hand. */
  reason: StopReason;
}

/** A transition {@link TriggerArm.feed} or {@link TriggerArm.stop} completed. */
export type TriggerEvent<S> = TriggeredEvent<S> | StoppedEvent;

/**
 * Whether one condition has held for its `for_ms`: true from the sample at which it has
 * been true, without a break, for that long. A failed read or a time step backwards breaks it.
 */
export class ConditionHold {
  /** When the current run of true samples began; undefined while not true. */
  sinceMs: number | undefined;
  #condition: TriggerCondition;

  /** Tracks `condition` (validated by the caller or by {@link TriggerSpec}). */
  constructor(condition: TriggerCondition) {
    this.#condition = condition;
  }

  /** Feeds one sample; true when the condition has now held for `for_ms`. */
  add(sample: TriggerSample): boolean {
    const { metric, op, value, for_ms } = this.#condition;
    const x = sample[metric];
    const met = sample.status !== "error" && (op === ">" ? x > value : x < value);
    if (!met) {
      this.sinceMs = undefined;
      return false;
    }
    this.sinceMs ??= sample.tsMs;
    return sample.tsMs - this.sinceMs >= for_ms;
  }

  /** Forgets a run in progress. */
  reset(): void {
    this.sinceMs = undefined;
  }
}

/** Compact the ring's array once this many samples before its head are dead. */
const COMPACT_AFTER = 4096;

/**
 * One armed recording of one channel: fed every sample of the channel in order, it keeps
 * the last `pre_trigger_ms` of them, fires when the start condition has held for its
 * `for_ms` (handing over the samples since `trigger − pre_trigger_ms`) and stops when
 * the stop condition has held, `duration_ms` after the trigger, or by hand.
 *
 * @example
 * ```ts
 * const arm = new TriggerArm({ start: { metric: "a", op: ">", value: 0.1, for_ms: 5 },
 *   pre_trigger_ms: 50 });
 * for (const sample of samples) {
 *   const event = arm.feed(sample);
 *   if (event?.state === "triggered") record(event.samples);
 *   else if (arm.state === "triggered") record([sample]);
 * }
 * ```
 */
export class TriggerArm<S extends TriggerSample = Sample> {
  #spec: TriggerSpec;
  #state: TriggerState = "armed";
  #start: ConditionHold | undefined;
  #stop: ConditionHold | undefined;
  /** Samples kept for the pre-trigger: `#ring[#head..]`, oldest first. */
  #ring: S[] = [];
  #head = 0;
  #lastTsMs = -Infinity;
  #triggerMs: number | undefined;
  #startMs: number | undefined;
  #stopMs: number | undefined;
  #reason: StopReason | undefined;

  /**
   * Arms on `spec` (validated here: bad input throws before anything is kept).
   * @throws {RangeError} naming the first thing wrong with `spec`.
   */
  constructor(spec: z.input<typeof TriggerSpec>) {
    const parsed = TriggerSpec.safeParse(spec);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new RangeError(
        `Invalid trigger ${issue.path.join(".") || "spec"}: ${issue.message}`,
      );
    }
    this.#spec = parsed.data;
    this.#start = parsed.data.start && new ConditionHold(parsed.data.start);
    this.#stop = parsed.data.stop && new ConditionHold(parsed.data.stop);
  }

  /** The spec, defaults applied. */
  get spec(): TriggerSpec {
    return this.#spec;
  }

  /** Armed, triggered or stopped. */
  get state(): TriggerState {
    return this.#state;
  }

  /** The trigger instant, once triggered. */
  get triggerMs(): number | undefined {
    return this.#triggerMs;
  }

  /** The recording's start (`triggerMs − pre_trigger_ms`), once triggered. */
  get startMs(): number | undefined {
    return this.#startMs;
  }

  /** The recording's end (exclusive), once stopped. */
  get stopMs(): number | undefined {
    return this.#stopMs;
  }

  /** Samples held for the pre-trigger (and the start condition's hold) now. */
  get held(): number {
    return this.#ring.length - this.#head;
  }

  /**
   * Feeds the channel's next sample; returns the transition it completes. While
   * triggered, a sample belongs to the recording unless this call stopped it with a
   * `stopMs` at or before the sample's time. Samples after the stop are ignored.
   */
  feed(sample: S): TriggerEvent<S> | undefined {
    if (this.#state === "stopped") return undefined;
    const stepBack = sample.tsMs < this.#lastTsMs;
    this.#lastTsMs = sample.tsMs;
    if (this.#state === "armed") return this.#whileArmed(sample, stepBack);
    return this.#whileTriggered(sample, stepBack);
  }

  #whileArmed(sample: S, stepBack: boolean): TriggeredEvent<S> | undefined {
    if (stepBack) {
      // The wall clock stepped back: spans before and after it do not line up.
      this.#ring = [];
      this.#head = 0;
      this.#start?.reset();
    }
    this.#ring.push(sample);
    const fired = this.#start === undefined || this.#start.add(sample);
    const triggerMs = this.#start?.sinceMs ?? sample.tsMs;
    if (fired) return this.#trigger(triggerMs);
    this.#trim(triggerMs - this.#spec.pre_trigger_ms);
    return undefined;
  }

  #trigger(triggerMs: number): TriggeredEvent<S> {
    const startMs = triggerMs - this.#spec.pre_trigger_ms;
    this.#trim(startMs);
    const samples = this.#ring.slice(this.#head);
    this.#ring = [];
    this.#head = 0;
    this.#state = "triggered";
    this.#triggerMs = triggerMs;
    this.#startMs = startMs;
    return { state: "triggered", triggerMs, startMs, samples };
  }

  /** Drops the samples stamped before `fromMs`. */
  #trim(fromMs: number): void {
    const ring = this.#ring;
    while (this.#head < ring.length && ring[this.#head].tsMs < fromMs) this.#head++;
    if (this.#head >= COMPACT_AFTER && this.#head * 2 >= ring.length) {
      this.#ring = ring.slice(this.#head);
      this.#head = 0;
    }
  }

  #whileTriggered(sample: S, stepBack: boolean): StoppedEvent | undefined {
    const { duration_ms } = this.#spec;
    const endMs = duration_ms === undefined ? Infinity : this.#triggerMs! + duration_ms;
    if (sample.tsMs >= endMs) return this.#end(endMs, "duration");
    if (stepBack) this.#stop?.reset();
    if (this.#stop?.add(sample)) return this.#end(sample.tsMs + 1, "condition");
    return undefined;
  }

  #end(stopMs: number, reason: StopReason): StoppedEvent {
    this.#state = "stopped";
    this.#stopMs = stopMs;
    this.#reason = reason;
    this.#ring = [];
    this.#head = 0;
    return { state: "stopped", stopMs, reason };
  }

  /**
   * Stops by hand at `nowMs` (an armed trigger is disarmed: it never fires); undefined
   * when already stopped.
   */
  stop(nowMs: number): StoppedEvent | undefined {
    if (this.#state === "stopped") return undefined;
    return this.#end(nowMs, "hand");
  }

  /** The arm as a status message's `trigger` carries it, named `id`. */
  status(id: string): TriggerStatus {
    const status: TriggerStatus = { id, state: this.#state };
    if (this.#triggerMs !== undefined) {
      status.trigger_ms = this.#triggerMs;
      status.start_ms = this.#startMs;
    }
    if (this.#stopMs !== undefined) {
      status.stop_ms = this.#stopMs;
      status.reason = this.#reason;
    }
    return status;
  }
}
