/**
 * Bodies of the recordings routes (`/api/recordings`): a kept, named span of one or more
 * channels' samples with its figures, the create/patch bodies, comparison and battery life.
 * @module
 */
import { z } from "zod";
import { ChannelName, Metric } from "./common.ts";
import { SpanResponse } from "./span.ts";

/** Where a recording is in its life. */
export const RecordingState = z.enum(["armed", "recording", "saving", "stopped"]).meta({
  description: "`armed`: waiting for its start trigger; `recording`: taking samples as they " +
    "are stored; `saving`: being copied from history or imported; `stopped`: complete",
});
/** A recording's state. */
export type RecordingState = z.output<typeof RecordingState>;

/** How a recording came to be. */
export const RecordingSource = z.enum(["live", "history", "import"]);
/** `live`, `history` or `import`. */
export type RecordingSource = z.output<typeof RecordingSource>;

/** Why a recording stopped. */
export const StopReason = z.enum(["manual", "duration", "trigger", "budget", "shutdown"]);
/** Why a recording stopped. */
export type StopReason = z.output<typeof StopReason>;

/** A condition on one metric of a channel, held for `for_ms`. */
export const TriggerCondition = z.strictObject({
  metric: Metric.meta({ description: "v (V), a (A) or w (W)" }),
  op: z.enum([">", "<"]),
  value: z.number().meta({ description: "Threshold in the metric's unit", example: 0.1 }),
  for_ms: z.number().int().min(0).max(3_600_000).default(0).meta({
    description: "How long the condition must hold (ms)",
    example: 5,
  }),
  channel: ChannelName.optional().meta({
    description: "Channel watched (default: the recording's first)",
  }),
});
/** A trigger condition. */
export type TriggerCondition = z.output<typeof TriggerCondition>;

/** Trigger fields of a recording, as stored and shown. */
export const RecordingTriggers = z.object({
  start_trigger: TriggerCondition.nullable(),
  stop_trigger: TriggerCondition.nullable(),
  pre_trigger_ms: z.number().int().nullable(),
  duration_ms: z.number().int().nullable(),
});
/** Trigger fields of a recording. */
export type RecordingTriggers = z.output<typeof RecordingTriggers>;

const Name = z.string().trim().min(1, "must not be empty").max(200, "at most 200 characters");
const Notes = z.string().max(10_000, "at most 10000 characters");
const Tags = z.array(z.string().trim().min(1, "a tag must not be empty").max(64)).max(32)
  .refine((t) => new Set(t).size === t.length, "tags must not repeat");

/** `POST /api/recordings`. */
export const CreateRecordingBody = z.strictObject({
  name: Name.meta({ example: "boot, firmware 1.4" }),
  notes: Notes.default(""),
  tags: Tags.default([]),
  channels: z.array(ChannelName).min(1).max(16).optional().meta({
    description: "Channels recorded (default: the first); measured channels only",
  }),
  from_ms: z.number().int().min(0).optional().meta({
    description: "With `to_ms`: keep this past span from history (raw samples only)",
  }),
  to_ms: z.number().int().min(0).optional().meta({ description: "End (exclusive) of that span" }),
  start_trigger: TriggerCondition.optional().meta({
    description: "Arm the recording: it starts when this condition holds",
  }),
  stop_trigger: TriggerCondition.optional().meta({
    description: "Stop when this condition holds",
  }),
  pre_trigger_ms: z.number().int().min(0).max(10_000).optional().meta({
    description: "Samples kept from before the start trigger (ms, at most 10 s)",
  }),
  duration_ms: z.number().int().min(1).max(7 * 86_400_000).optional().meta({
    description: "Stop after this long",
  }),
}).refine((b) => (b.from_ms === undefined) === (b.to_ms === undefined), {
  message: "give both from_ms and to_ms (a past span), or neither (start now)",
  path: ["to_ms"],
}).refine((b) => b.from_ms === undefined || b.to_ms === undefined || b.from_ms < b.to_ms, {
  message: "from_ms must be before to_ms",
  path: ["from_ms"],
}).refine((b) => b.from_ms === undefined || !b.start_trigger, {
  message: "a span from history cannot have a start trigger",
  path: ["start_trigger"],
}).refine((b) => b.pre_trigger_ms === undefined || b.start_trigger !== undefined, {
  message: "pre_trigger_ms needs a start_trigger",
  path: ["pre_trigger_ms"],
});
/** A create body. */
export type CreateRecordingBody = z.output<typeof CreateRecordingBody>;

/** `PATCH /api/recordings/{id}`. */
export const PatchRecordingBody = z.strictObject({
  name: Name.optional(),
  notes: Notes.optional(),
  tags: Tags.optional(),
}).refine((b) => Object.keys(b).length > 0, "give at least one of name, notes, tags");
/** A patch body. */
export type PatchRecordingBody = z.output<typeof PatchRecordingBody>;

/** One kept recording. */
export const Recording = z.object({
  id: z.number().int(),
  name: z.string(),
  notes: z.string(),
  tags: z.array(z.string()),
  channels: z.array(ChannelName),
  state: RecordingState,
  source: RecordingSource,
  stop_reason: StopReason.nullable(),
  start_ms: z.number().int().nullable().meta({
    description: "First instant covered (inclusive, Unix ms); null while armed",
  }),
  end_ms: z.number().int().nullable().meta({
    description: "End (exclusive); null while recording",
  }),
  created_ms: z.number().int(),
  samples: z.number().int().meta({ description: "Rows kept, all channels (failed reads too)" }),
  size_bytes: z.number().int().meta({
    description: "Database pages its rows and rollups took when written (SQLite pages in use " +
      "before and after each write); counted against RECORDINGS_MAX_MB",
  }),
  triggers: RecordingTriggers,
  figures: z.record(z.string(), SpanResponse).meta({
    description: "Per channel: the span figures of the whole recording, exact to the sample",
  }),
});
/** One recording. */
export type Recording = z.output<typeof Recording>;

/** `GET /api/recordings`. */
export const RecordingList = z.object({
  data: z.array(Recording).meta({ description: "Newest first" }),
  count: z.number().int(),
  used_bytes: z.number().int().meta({ description: "All recordings' size_bytes" }),
  max_bytes: z.number().int().meta({ description: "RECORDINGS_MAX_MB in bytes" }),
});

/** What an import did. */
export const ImportResponse = Recording.extend({
  format: z.enum(["recording", "export", "nordic"]).meta({
    description: "`recording`: this server's recording CSV; `export`: /api/export.csv; " +
      "`nordic`: the nRF Connect Power Profiler app's CSV export",
  }),
  rows_read: z.number().int().meta({ description: "Sample lines read from the file" }),
  markers_read: z.number().int().meta({
    description: "`#marker` lines kept (a recording's export carries its markers)",
  }),
  note: z.string().nullable().meta({ description: "What the import assumed, if anything" }),
});

/** The figures `compare` puts side by side. */
export const CompareFields = z.object({
  duration_ms: z.number().nullable(),
  count: z.number().nullable(),
  v_min: z.number().nullable(),
  v_avg: z.number().nullable(),
  v_max: z.number().nullable(),
  a_min: z.number().nullable(),
  a_avg: z.number().nullable(),
  a_max: z.number().nullable(),
  w_min: z.number().nullable(),
  w_avg: z.number().nullable(),
  w_max: z.number().nullable(),
  energy_j: z.number().nullable(),
  charge_c: z.number().nullable(),
});
/** The compared figures. */
export type CompareFields = z.output<typeof CompareFields>;

/** One figure's difference from the first recording's. */
export const Delta = z.object({
  abs: z.number().nullable().meta({ description: "This − the first's" }),
  pct: z.number().nullable().meta({
    description: "abs / |the first's| × 100; null when the first's is 0 or missing",
  }),
});

/** `GET /api/recordings/compare`. */
export const CompareResponse = z.object({
  base_id: z.number().int().meta({ description: "The first id: deltas are against it" }),
  items: z.array(z.object({
    id: z.number().int(),
    name: z.string(),
    channel: ChannelName,
    figures: CompareFields,
    deltas: z.record(z.string(), Delta).meta({ description: "Per field of `figures`" }),
  })),
});
/** A comparison. */
export type CompareResponse = z.output<typeof CompareResponse>;
