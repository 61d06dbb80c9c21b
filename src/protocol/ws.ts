/**
 * The WebSocket messages of the v1 protocol that describe the device: `measurement`
 * (one per sample) and `status` (events and the periodic summary), with their builders.
 * Field names and meanings follow the v1 protocol; extra fields only add.
 * @module
 */
import { z } from "zod";
import type { Sample } from "../sample.ts";
import { ChannelName, SampleStatus } from "./common.ts";
import { DerivedMeasurementFields, DerivedMeasurementsFields } from "./derived.ts";
import { TriggerStatus } from "./trigger.ts";

/** Measurement payload: the v1 device line plus `ts_ms` (and `error`). */
export const MeasurementData = z.object({
  v: z.number().meta({ description: "Bus voltage (V)", example: 5.02 }),
  a: z.number().meta({ description: "Current (A)", example: 0.245 }),
  w: z.number().meta({ description: "Power (W)", example: 1.23 }),
  ts: z.number().int().meta({
    description: "Unix time of the sample, whole seconds",
    example: 1712345678,
  }),
  ts_ms: z.number().int().meta({
    description: "Unix time of the sample, milliseconds",
    example: 1712345678123,
  }),
  seq: z.number().int().meta({
    description: "+1 per sample, continuous across simulator stop/start",
    example: 123,
  }),
  status: SampleStatus.meta({
    description: "`error`: the read failed and v/a/w are 0 (not measurements)",
  }),
  mode: z.string().meta({ example: "NORMAL" }),
  error: z.string().optional().meta({
    description: "Why the read failed; only when status is `error`",
  }),
  channel: ChannelName.optional(),
}).extend(DerivedMeasurementFields.shape);
/** `data` of the `measurement` message. */
export type MeasurementData = z.output<typeof MeasurementData>;

/** `{"type":"measurement","data":{…},"timestamp":"…"}` */
export const MeasurementMessage = z.object({
  type: z.literal("measurement"),
  data: MeasurementData,
  timestamp: z.string().meta({
    description: "ISO-8601 UTC time of the sample, with milliseconds",
    example: "2025-08-13T10:30:45.123Z",
  }),
});
/** The `measurement` message. */
export type MeasurementMessage = z.output<typeof MeasurementMessage>;

/** Whether the sampler runs (`/status` and the status message). */
export const SimulatorState = z.enum(["connected", "disconnected"]);

/** `{"type":"status","message":"…","timestamp":"…"}` plus optional extras. */
export const StatusMessage = z.object({
  type: z.literal("status"),
  message: z.string(),
  timestamp: z.string(),
  websocket_connections: z.number().int().optional(),
  simulator: SimulatorState.optional(),
  mode: z.string().optional().meta({ description: "Device mode after the event" }),
  interval_ms: z.number().int().optional().meta({ description: "Sample interval after it" }),
  event: z.enum([
    "rules_updated",
    "energy_reset",
    "trigger_armed",
    "trigger_fired",
    "trigger_stopped",
  ]).optional().meta({
    description: "Set on changes that are not part of the device state",
  }),
  trigger: TriggerStatus.optional().meta({
    description: "On `trigger_*` events: the armed recording's state after the event",
  }),
  channel: ChannelName.optional().meta({
    description: "The channel the message is about; absent on messages about the monitor",
  }),
});
/** The `status` message. */
export type StatusMessage = z.output<typeof StatusMessage>;

/** A measurement message for one sample (of `channel`, when given). */
export function measurementMessage(s: Sample, channel?: string): MeasurementMessage {
  const data: MeasurementData = {
    v: s.v,
    a: s.a,
    w: s.w,
    ts: Math.floor(s.tsMs / 1000),
    ts_ms: s.tsMs,
    seq: s.seq,
    status: s.status,
    mode: s.mode,
  };
  if (s.error !== undefined) data.error = s.error;
  if (channel !== undefined) data.channel = channel;
  return {
    type: "measurement",
    data,
    timestamp: new Date(s.tsMs).toISOString(),
  };
}

/** A status message; `extra` adds fields such as connection counts. */
export function statusMessage(
  message: string,
  nowMs: number,
  extra: Partial<StatusMessage> = {},
): StatusMessage {
  return {
    type: "status",
    message,
    timestamp: new Date(nowMs).toISOString(),
    ...extra,
  };
}

/**
 * `data` of the `measurements` message (the batched stream): the samples of one
 * period in columns, index `i` being the sample numbered `seq0 + i`. A batch holds
 * one mode: a mode change inside a period starts a new message.
 */
export const MeasurementsData = z.object({
  seq0: z.number().int().meta({
    description: "`seq` of the first sample; sample `i` has `seq0 + i` (contiguous)",
    example: 1200,
  }),
  ts_ms: z.array(z.number().int()).meta({
    description: "Unix time of each sample, milliseconds",
    example: [1712345678123, 1712345678124],
  }),
  v: z.array(z.number()).meta({ description: "Bus voltage (V); 0 for an error sample" }),
  a: z.array(z.number()).meta({ description: "Current (A); 0 for an error sample" }),
  w: z.array(z.number()).meta({ description: "Power (W); 0 for an error sample" }),
  status: z.array(SampleStatus).meta({
    description: "Each sample's status; `error`: the read failed and v/a/w are 0",
  }),
  mode: z.string().meta({
    description: "The mode of every sample in the batch",
    example: "NORMAL",
  }),
  errors: z.record(z.string(), z.string()).optional().meta({
    description: "Why each failed read failed, by index in the batch; only when one failed",
    example: { "3": "I2C read failed" },
  }),
  channel: ChannelName.optional(),
}).extend(DerivedMeasurementsFields.shape);
/** `data` of the `measurements` message. */
export type MeasurementsData = z.output<typeof MeasurementsData>;

/** `{"type":"measurements","data":{…},"timestamp":"…"}`: one batch of samples. */
export const MeasurementsMessage = z.object({
  type: z.literal("measurements"),
  data: MeasurementsData,
  timestamp: z.string().meta({
    description: "ISO-8601 UTC time of the batch's last sample, with milliseconds",
    example: "2025-08-13T10:30:45.173Z",
  }),
});
/** The `measurements` message. */
export type MeasurementsMessage = z.output<typeof MeasurementsMessage>;

/**
 * The `measurements` messages for consecutive samples: one per run of the same mode,
 * none for no samples; each carries `channel`, when given.
 */
export function measurementsMessages(
  samples: readonly Sample[],
  channel?: string,
): MeasurementsMessage[] {
  const messages: MeasurementsMessage[] = [];
  let data: MeasurementsData | undefined;
  let lastTsMs = 0;
  const push = () => {
    if (data) {
      messages.push({ type: "measurements", data, timestamp: new Date(lastTsMs).toISOString() });
    }
  };
  for (const s of samples) {
    if (!data || s.mode !== data.mode) {
      push();
      data = { seq0: s.seq, ts_ms: [], v: [], a: [], w: [], status: [], mode: s.mode };
      if (channel !== undefined) data.channel = channel;
    }
    const i = data.ts_ms.length;
    data.ts_ms.push(s.tsMs);
    data.v.push(s.v);
    data.a.push(s.a);
    data.w.push(s.w);
    data.status.push(s.status);
    if (s.error !== undefined) (data.errors ??= {})[String(i)] = s.error;
    lastTsMs = s.tsMs;
  }
  push();
  return messages;
}

/** Shortest and longest batch period of the batched stream (ms). */
export const BATCH_MS_RANGE = { min: 10, max: 1000, default: 50 } as const;

/** The query of `GET /ws`: the plain v1 stream, or batches of `batch_ms`; one channel or all. */
export const StreamQuery = z.object({
  channel: z.string().optional().meta({
    description: "The channel to stream (default: the first, as the v1 protocol's stream), " +
      "or `*` for every channel, measured and derived; an unknown name gets 400",
    example: "*",
  }),
  format: z.enum(["single", "batch"]).default("single").meta({
    description: "`single`: one `measurement` message per sample (the v1 stream); " +
      "`batch`: one `measurements` message per `batch_ms`",
  }),
  batch_ms: z.coerce.number().int().min(BATCH_MS_RANGE.min).max(BATCH_MS_RANGE.max).optional()
    .meta({
      description: `Batch period in ms (${BATCH_MS_RANGE.min}–${BATCH_MS_RANGE.max}, default ` +
        `${BATCH_MS_RANGE.default}); only with format=batch`,
      example: 50,
    }),
}).refine((q) => q.format === "batch" || q.batch_ms === undefined, {
  message: "batch_ms needs format=batch",
  path: ["batch_ms"],
});
/** The query of `GET /ws`. */
export type StreamQuery = z.output<typeof StreamQuery>;
