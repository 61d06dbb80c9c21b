/**
 * Recordings started and stopped by triggers: a recording is armed on one channel's
 * {@link Triggers}, starts at trigger − pre_trigger_ms when its start condition holds
 * (the pre-trigger span copied exactly from history) and stops when its stop condition
 * holds, its duration passes, or by hand. The trigger module announces each state once.
 * @module
 */
import type {
  CreateRecordingBody,
  Recording,
  StopReason as RecordingStopReason,
  TriggerCondition as BodyCondition,
} from "../protocol/recordings.ts";
import { type StopReason, TriggerSpec } from "../protocol/trigger.ts";
import type { Recordings } from "./recordings.ts";
import { type NewRecording, RecordingError } from "./recordings_types.ts";
import type { Triggers } from "./trigger_manager.ts";
import type { TriggerEvent, TriggerSample } from "./triggers.ts";

/** A trigger's stop reason as the recording keeps it. */
const REASONS: Record<StopReason, RecordingStopReason> = {
  condition: "trigger",
  duration: "duration",
  hand: "manual",
};

/** What {@link TriggeredRecordings} needs. */
export interface TriggeredRecordingsDeps {
  /** The recordings (armed, fired and stopped here). */
  recordings: Pick<Recordings, "arm" | "fire" | "stop" | "get" | "onEnd" | "channels">;
  /** Every channel's arms, fed by the pipelines. */
  triggers: Pick<Triggers<TriggerSample>, "arm" | "stop" | "drop" | "channels">;
}

/**
 * The channel a recording's trigger watches: `start_trigger.channel`, else
 * `stop_trigger.channel`, else the recording's first channel. One arm watches one
 * channel, so start and stop conditions naming two channels are refused (400).
 */
export function triggerChannel(
  body: Pick<CreateRecordingBody, "start_trigger" | "stop_trigger">,
  channels: readonly string[],
): string {
  const start = body.start_trigger?.channel;
  const stop = body.stop_trigger?.channel;
  if (start !== undefined && stop !== undefined && start !== stop) {
    throw new RecordingError(
      400,
      `start_trigger watches "${start}" and stop_trigger "${stop}": one trigger watches one ` +
        "channel (leave stop_trigger.channel out to watch the start's)",
      "stop_trigger.channel",
    );
  }
  return start ?? stop ?? channels[0];
}

/**
 * The trigger spec of a create body.
 * @throws {RecordingError} 400 naming what the trigger module refuses (a value beyond
 * the physical range, a start condition held over 60 s).
 */
export function triggerSpecOf(body: CreateRecordingBody): TriggerSpec {
  const condition = (c: BodyCondition | undefined) =>
    c && { metric: c.metric, op: c.op, value: c.value, for_ms: c.for_ms };
  const parsed = TriggerSpec.safeParse({
    start: condition(body.start_trigger),
    pre_trigger_ms: body.pre_trigger_ms ?? 0,
    stop: condition(body.stop_trigger),
    duration_ms: body.duration_ms,
  });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const [head, ...rest] = issue.path.map(String);
  const field = head === "start" || head === "stop" ? `${head}_trigger` : head;
  const path = [field, ...rest].join(".");
  throw new RecordingError(400, `Invalid ${path}: ${issue.message}`, path);
}

/** Arms recordings on triggers and carries each transition to the recording. */
export class TriggeredRecordings {
  #recordings: TriggeredRecordingsDeps["recordings"];
  #triggers: TriggeredRecordingsDeps["triggers"];
  /** Recordings whose arm is in force (armed or recording). */
  #armed = new Set<number>();

  /** Follows the recordings' ends: one stopped another way (budget, delete) is disarmed. */
  constructor(deps: TriggeredRecordingsDeps) {
    this.#recordings = deps.recordings;
    this.#triggers = deps.triggers;
    this.#recordings.onEnd((id) => {
      // Its end was announced by the recordings (budget, shutdown) or needs no message (delete).
      if (this.#armed.delete(id)) this.#triggers.drop(String(id));
    });
  }

  /**
   * Creates an armed recording from `spec` with the trigger fields of `body`, watching
   * {@link triggerChannel}; the trigger module announces it.
   * @throws {RecordingError} 400 for a trigger the module refuses or an unknown channel.
   */
  arm(spec: NewRecording, body: CreateRecordingBody): Recording {
    const channel = triggerChannel(body, spec.channels ?? [this.#recordings.channels[0]]);
    if (!this.#triggers.channels.includes(channel)) {
      throw new RecordingError(
        400,
        `Unknown trigger channel "${channel}": expected one of ${
          this.#triggers.channels.join(", ")
        }`,
        body.start_trigger?.channel !== undefined
          ? "start_trigger.channel"
          : "stop_trigger.channel",
      );
    }
    const triggerSpec = triggerSpecOf(body);
    const recording = this.#recordings.arm({
      ...spec,
      triggers: {
        start_trigger: body.start_trigger ?? null,
        stop_trigger: body.stop_trigger ?? null,
        pre_trigger_ms: body.pre_trigger_ms ?? null,
        duration_ms: body.duration_ms ?? null,
      },
    });
    const id = recording.id;
    this.#armed.add(id);
    this.#triggers.arm(channel, triggerSpec, {
      id: String(id),
      label: recording.name,
      onEvent: (event) => this.#transition(id, event),
    });
    return this.#recordings.get(id)!;
  }

  /** Whether recording `id` is armed or recording on a trigger. */
  has(id: number): boolean {
    return this.#armed.has(id);
  }

  /**
   * Stops recording `id` by hand (an armed one is disarmed: it never starts); undefined
   * when it has no trigger in force.
   */
  stop(id: number): Recording | undefined {
    if (!this.#armed.has(id)) return undefined;
    // The trigger announces the stop and hands it to #transition.
    this.#triggers.stop(String(id));
    return this.#recordings.get(id);
  }

  #transition(id: number, event: TriggerEvent<TriggerSample>): void {
    if (event.state === "triggered") {
      this.#recordings.fire(id, event.startMs);
      return;
    }
    this.#armed.delete(id);
    this.#recordings.stop(id, REASONS[event.reason], event.stopMs, { announce: false });
  }
}
