/**
 * The WebSocket messages of the v1 protocol that describe the device: `measurement`
 * (one per sample) and `status` (events and the periodic summary), with their builders.
 * Field names and meanings follow the v1 protocol; extra fields only add.
 * @module
 */
import { z } from "zod";
import type { Sample } from "../sample.ts";
import { SampleStatus } from "./common.ts";

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
});
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
  event: z.enum(["rules_updated", "energy_reset"]).optional().meta({
    description: "Set on changes that are not part of the device state",
  }),
});
/** The `status` message. */
export type StatusMessage = z.output<typeof StatusMessage>;

/** A measurement message for one sample. */
export function measurementMessage(s: Sample): MeasurementMessage {
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
