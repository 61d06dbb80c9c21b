/**
 * Recording triggers on the wire: a condition on one metric held for a time, the spec
 * of an armed recording (start condition, pre-trigger, stop condition, duration) and
 * the trigger state that status messages carry.
 * @module
 */
import { z } from "zod";
import { METRIC_RANGE } from "./alerts.ts";
import { Metric, METRIC_NAMES, METRIC_UNITS } from "./common.ts";

/** Longest pre-trigger span (ms): the samples an armed trigger keeps before it fires. */
export const MAX_PRE_TRIGGER_MS = 10_000;
/** Longest time a condition may be required to hold (ms), as alert rules' `for_ms`. */
export const MAX_FOR_MS = 3_600_000;
/**
 * Longest hold of a *start* condition (ms): until it fires, an arm keeps every sample
 * from `trigger − pre_trigger_ms` on (at 1 kHz about 9 MB a minute), so the hold is
 * bounded where a stop condition's is not.
 */
export const MAX_START_FOR_MS = 60_000;
/** Longest recording duration a trigger can set (ms): 30 days. */
export const MAX_DURATION_MS = 30 * 86_400_000;

const WHOLE_MS = "must be whole milliseconds (an integer)";

/** `metric op value` held for `for_ms`, e.g. current above 0.1 A for 5 ms. */
export const TriggerCondition = z.object({
  metric: Metric,
  op: z.enum([">", "<"]).meta({ description: "`>`: above `value`; `<`: below it" }),
  value: z.number().meta({
    description: "The threshold, in the metric's unit (V, A, W)",
    example: 0.1,
  }),
  for_ms: z.number().int({ error: WHOLE_MS }).min(0).max(MAX_FOR_MS).meta({
    description: "How long the condition must hold without a break (0: the first sample " +
      "that satisfies it); a failed read breaks it",
    example: 5,
  }),
}).strict().superRefine((c, ctx) => {
  const { min, max } = METRIC_RANGE[c.metric];
  if (Number.isFinite(c.value) && c.value >= min && c.value <= max) return;
  const unit = METRIC_UNITS[c.metric];
  ctx.addIssue({
    code: "custom",
    path: ["value"],
    message: `value ${c.value} ${unit} is not a physical ${
      METRIC_NAMES[c.metric].toLowerCase()
    }: must be within ${min}…${max} ${unit}`,
  });
});
/** A trigger condition. */
export type TriggerCondition = z.output<typeof TriggerCondition>;

/**
 * When an armed recording starts and stops: on `start` (absent: at the first sample
 * after arming) keeping `pre_trigger_ms` before it, until `stop` holds, `duration_ms`
 * after the trigger, or by hand, whichever comes first.
 */
export const TriggerSpec = z.object({
  start: TriggerCondition.optional().meta({
    description: "Start when this holds (absent: start at once, with the next sample)",
  }),
  pre_trigger_ms: z.number().int({ error: WHOLE_MS }).min(0).max(MAX_PRE_TRIGGER_MS).default(0)
    .meta({
      description: "Samples kept before the trigger instant (ms, at most 10 000); the " +
        "recording starts at trigger − pre_trigger_ms, exact to the sample",
      example: 50,
    }),
  stop: TriggerCondition.optional().meta({
    description: "Stop when this holds (e.g. voltage below 3.3 V for 1000 ms)",
  }),
  duration_ms: z.number().int({ error: WHOLE_MS }).min(1).max(MAX_DURATION_MS).optional().meta({
    description: "Stop this long after the trigger instant (ms)",
  }),
}).strict().superRefine((s, ctx) => {
  if (s.start === undefined && s.pre_trigger_ms > 0) {
    ctx.addIssue({
      code: "custom",
      path: ["pre_trigger_ms"],
      message: "pre_trigger_ms needs a start condition (a recording started at once has no " +
        "samples before it to keep)",
    });
  }
  if (s.start !== undefined && s.start.for_ms > MAX_START_FOR_MS) {
    ctx.addIssue({
      code: "custom",
      path: ["start", "for_ms"],
      message: `a start condition may hold at most ${MAX_START_FOR_MS} ms (the samples since ` +
        "trigger − pre_trigger_ms are kept in memory until it fires)",
    });
  }
});
/** A trigger spec, defaults applied. */
export type TriggerSpec = z.output<typeof TriggerSpec>;

/** Why a triggered recording stopped. */
export const StopReason = z.enum(["condition", "duration", "hand"]);
/** `condition`, `duration` or `hand`. */
export type StopReason = z.output<typeof StopReason>;

/** An arm's state as status messages carry it (`trigger` of a `status` message). */
export const TriggerStatus = z.object({
  id: z.string().meta({ description: "The arm (the recording it starts, once wired)" }),
  state: z.enum(["armed", "triggered", "stopped"]),
  trigger_ms: z.number().int().optional().meta({
    description: "The trigger instant: the first sample of the held condition (epoch ms)",
  }),
  start_ms: z.number().int().optional().meta({
    description: "The recording's start: trigger_ms − pre_trigger_ms (epoch ms)",
  }),
  stop_ms: z.number().int().optional().meta({ description: "When it stopped (epoch ms)" }),
  reason: StopReason.optional().meta({ description: "Why it stopped" }),
});
/** The `trigger` of a status message. */
export type TriggerStatus = z.output<typeof TriggerStatus>;

/** `current > 0.1 A for 5 ms`: a condition as people read it. */
export function describeCondition(c: TriggerCondition): string {
  const hold = c.for_ms > 0 ? ` for ${c.for_ms} ms` : "";
  return `${METRIC_NAMES[c.metric].toLowerCase()} ${c.op} ${c.value} ${
    METRIC_UNITS[c.metric]
  }${hold}`;
}
