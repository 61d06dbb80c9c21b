/**
 * Every channel's armed recordings: {@link Triggers} feeds each channel's samples to
 * its arms and announces their transitions as status messages (formatted by
 * {@link triggerStatusMessage}); what a transition does to a recording is its owner's.
 * @module
 */
import type { z } from "zod";
import { describeCondition, TriggerSpec, type TriggerStatus } from "../protocol/trigger.ts";
import { type StatusMessage, statusMessage } from "../protocol/ws.ts";
import { TriggerArm, type TriggerEvent, type TriggerSample } from "./triggers.ts";

const EVENTS = {
  armed: "trigger_armed",
  triggered: "trigger_fired",
  stopped: "trigger_stopped",
} as const;

const REASONS = {
  condition: "the stop condition held",
  duration: "its duration passed",
  hand: "stopped by hand",
} as const;

/**
 * The status message of an arm's state (`event` `trigger_armed`, `trigger_fired` or
 * `trigger_stopped`, `trigger` the state, `channel` the channel), at `nowMs`.
 */
export function triggerStatusMessage(
  status: TriggerStatus,
  spec: TriggerSpec,
  options: { channel: string; nowMs: number; label?: string },
): StatusMessage {
  const { channel, nowMs } = options;
  const iso = (ms: number | undefined) => new Date(ms ?? nowMs).toISOString();
  const name = options.label === undefined ? status.id : `"${options.label}" (${status.id})`;
  let text: string;
  if (status.state === "armed") {
    const when = spec.start ? `when ${describeCondition(spec.start)}` : "at once";
    const pre = spec.pre_trigger_ms > 0 ? `, keeping ${spec.pre_trigger_ms} ms before` : "";
    text = `Recording ${name} armed on ${channel}: starts ${when}${pre}`;
  } else if (status.state === "triggered") {
    text = `Recording ${name} triggered on ${channel} at ${iso(status.trigger_ms)}` +
      ` (recording from ${iso(status.start_ms)})`;
  } else if (status.trigger_ms === undefined) {
    text = `Recording ${name} disarmed on ${channel} before its trigger`;
  } else {
    text = `Recording ${name} stopped on ${channel} at ${iso(status.stop_ms)}: ${
      REASONS[status.reason ?? "hand"]
    }`;
  }
  return statusMessage(text, nowMs, { event: EVENTS[status.state], trigger: status, channel });
}

/** Options of {@link Triggers}. */
export interface TriggersOptions {
  /** Sends a status message to the clients of `channel` (the hub's broadcast). */
  announce: (message: StatusMessage, channel: string) => void;
  /** The channels that can be armed. */
  channels: readonly string[];
  /** The clock of arming and of stops by hand (default `Date.now`). */
  now?: () => number;
}

/** One armed recording and who hears its transitions. */
interface Armed<S extends TriggerSample> {
  id: string;
  label: string | undefined;
  channel: string;
  arm: TriggerArm<S>;
  onEvent: (event: TriggerEvent<S>) => void;
  onSample: ((sample: S) => void) | undefined;
}

/** Every channel's armed recordings, fed by the channels' sample listeners. */
export class Triggers<S extends TriggerSample = TriggerSample> {
  #byChannel = new Map<string, Armed<S>[]>();
  #byId = new Map<string, Armed<S>>();
  #announce: TriggersOptions["announce"];
  #now: () => number;
  #next = 1;

  /** No arms yet; `options.channels` are the channels that can have them. */
  constructor(options: TriggersOptions) {
    this.#announce = options.announce;
    this.#now = options.now ?? Date.now;
    for (const name of options.channels) this.#byChannel.set(name, []);
  }

  /**
   * Arms a recording of `channel` on `spec` and announces it; `onEvent` hears its
   * start (with the samples up to the one that fired) and its stop, `onSample` each later
   * sample that belongs to the recording, before the stop. Returns its id (`options.id`,
   * e.g. the recording's, or `t1`, `t2`, …); `options.label` (the recording's name) is
   * quoted in the status texts.
   * @throws {RangeError} for an unknown channel, a used id or an invalid spec.
   */
  arm(
    channel: string,
    spec: z.input<typeof TriggerSpec>,
    options: {
      id?: string;
      label?: string;
      onEvent?: (event: TriggerEvent<S>) => void;
      onSample?: (sample: S) => void;
    } = {},
  ): string {
    const list = this.#byChannel.get(channel);
    if (list === undefined) {
      throw new RangeError(
        `Unknown channel "${channel}": expected one of ${[...this.#byChannel.keys()].join(", ")}`,
      );
    }
    const id = options.id ?? `t${this.#next++}`;
    if (this.#byId.has(id)) throw new RangeError(`Trigger "${id}" is already armed`);
    const armed: Armed<S> = {
      id,
      label: options.label,
      channel,
      arm: new TriggerArm<S>(spec),
      onEvent: options.onEvent ?? (() => {}),
      onSample: options.onSample,
    };
    list.push(armed);
    this.#byId.set(id, armed);
    this.#tell(armed, this.#now());
    return id;
  }

  /** The channels that can be armed. */
  get channels(): string[] {
    return [...this.#byChannel.keys()];
  }

  /** Feeds one sample of `channel` to its arms (nothing to do without arms). */
  feed(channel: string, sample: S): void {
    const list = this.#byChannel.get(channel);
    if (list === undefined || list.length === 0) return;
    for (const armed of [...list]) {
      const recording = armed.arm.state === "triggered";
      const event = armed.arm.feed(sample);
      if (recording && armed.onSample && sample.tsMs < (armed.arm.stopMs ?? Infinity)) {
        this.#call(armed, () => armed.onSample!(sample));
      }
      if (event) this.#after(armed, event, sample.tsMs);
    }
  }

  /** Stops (or disarms) `id` by hand; false when there is no such arm. */
  stop(id: string): boolean {
    const armed = this.#byId.get(id);
    if (armed === undefined) return false;
    const nowMs = this.#now();
    this.#after(armed, armed.arm.stop(nowMs)!, nowMs);
    return true;
  }

  /**
   * Removes `id` without a status message or an event (its recording ended another way:
   * the disk budget, shutdown, a delete, which announce themselves); false when unknown.
   */
  drop(id: string): boolean {
    const armed = this.#byId.get(id);
    if (armed === undefined) return false;
    this.#byId.delete(id);
    const list = this.#byChannel.get(armed.channel)!;
    list.splice(list.indexOf(armed), 1);
    return true;
  }

  /** Whether `id` is armed or recording. */
  has(id: string): boolean {
    return this.#byId.has(id);
  }

  /** Every arm still armed or recording, with its channel. */
  list(): (TriggerStatus & { channel: string })[] {
    return [...this.#byId.values()].map((a) => ({ ...a.arm.status(a.id), channel: a.channel }));
  }

  #after(armed: Armed<S>, event: TriggerEvent<S>, atMs: number): void {
    if (event.state === "stopped") this.drop(armed.id);
    this.#tell(armed, atMs);
    this.#call(armed, () => armed.onEvent(event));
  }

  #call(armed: Armed<S>, listener: () => void): void {
    try {
      listener();
    } catch (error) {
      // A failing recording must not stop the channel's other arms or its samples.
      console.error(`Trigger ${armed.id}: ${(error as Error).message}`);
    }
  }

  #tell(armed: Armed<S>, nowMs: number): void {
    const message = triggerStatusMessage(armed.arm.status(armed.id), armed.arm.spec, {
      channel: armed.channel,
      nowMs,
      label: armed.label,
    });
    this.#announce(message, armed.channel);
  }
}
