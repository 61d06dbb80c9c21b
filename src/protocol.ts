/**
 * The wire contract: zod schemas and builders of every WebSocket message and REST
 * body. Field names and meanings follow the seed (SEED.md); extra fields only add.
 * @module
 */
import { z } from "@hono/zod-openapi";
import type { Sample } from "./sampler.ts";

/** Measurement payload: the seed's device line plus `ts_ms` (and `error`). */
export const MeasurementData = z.object({
  v: z.number().openapi({ description: "Bus voltage (V)", example: 5.02 }),
  a: z.number().openapi({ description: "Current (A)", example: 0.245 }),
  w: z.number().openapi({ description: "Power (W)", example: 1.23 }),
  ts: z.number().int().openapi({
    description: "Unix time of the sample, whole seconds",
    example: 1712345678,
  }),
  ts_ms: z.number().int().openapi({
    description: "Unix time of the sample, milliseconds",
    example: 1712345678123,
  }),
  seq: z.number().int().openapi({
    description: "+1 per sample, continuous across simulator stop/start",
    example: 123,
  }),
  status: z.enum(["ok", "error", "overflow"]).openapi({
    description: "`error`: the read failed and v/a/w are 0 (not measurements)",
  }),
  mode: z.string().openapi({ example: "NORMAL" }),
  error: z.string().optional().openapi({
    description: "Why the read failed; only when status is `error`",
  }),
}).openapi("MeasurementData");

/** `{"type":"measurement","data":{…},"timestamp":"…"}` */
export const MeasurementMessage = z.object({
  type: z.literal("measurement"),
  data: MeasurementData,
  timestamp: z.string().openapi({
    description: "ISO-8601 UTC time of the sample, with milliseconds",
    example: "2025-08-13T10:30:45.123Z",
  }),
}).openapi("MeasurementMessage");

/** `{"type":"status","message":"…","timestamp":"…"}` plus optional extras. */
export const StatusMessage = z.object({
  type: z.literal("status"),
  message: z.string(),
  timestamp: z.string(),
  websocket_connections: z.number().int().optional(),
  simulator: z.enum(["connected", "disconnected"]).optional(),
  mode: z.string().optional().openapi({ description: "Device mode after the event" }),
  interval_ms: z.number().int().optional().openapi({ description: "Sample interval after it" }),
  event: z.enum(["rules_updated", "energy_reset"]).optional().openapi({
    description: "Set on changes that are not part of the device state",
  }),
}).openapi("StatusMessage");

/** A measurement message for one sample. */
export function measurementMessage(
  s: Sample,
): z.infer<typeof MeasurementMessage> {
  const data: z.infer<typeof MeasurementData> = {
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
  extra: Partial<z.infer<typeof StatusMessage>> = {},
): z.infer<typeof StatusMessage> {
  return {
    type: "status",
    message,
    timestamp: new Date(nowMs).toISOString(),
    ...extra,
  };
}

/** Every 4xx/5xx body. */
export const ErrorBody = z.object({
  error: z.string().openapi({ example: "Invalid request body" }),
  issues: z.array(z.object({
    path: z.string(),
    message: z.string(),
  })).openapi({ description: "What was wrong, field by field" }),
}).openapi("Error");

/** `GET /status`. */
export const StatusResponse = z.object({
  server: z.literal("running"),
  simulator: z.enum(["connected", "disconnected"]),
  websocket_connections: z.number().int(),
  type: z.string().openapi({ description: "Source type", example: "Mock" }),
  source: z.string().openapi({ description: "SENSOR setting", example: "mock" }),
  mode: z.string(),
  modes: z.array(z.string()),
  auto_rotate: z.boolean().openapi({
    description: "Whether the mock rotates its modes (a manual mode change stops it)",
  }),
  interval_ms: z.number().int(),
  last_seq: z.number().int(),
  samples_total: z.number().int().openapi({
    description: "Samples produced since the server started",
  }),
  sensor_status: z.enum(["ok", "error", "unknown"]),
  last_error: z.string().nullable(),
  uptime_s: z.number(),
  slow_client_skips: z.number().int(),
  slow_client_closes: z.number().int(),
  auth_required: z.boolean(),
  version: z.string(),
  source_details: z.record(z.string(), z.unknown()),
  database: z.object({
    path: z.string(),
    rows: z.number().int(),
    file_bytes: z.number().int(),
    pending: z.number().int(),
    dropped: z.number().int(),
    last_flush_ms: z.number().int().nullable(),
    last_error: z.string().nullable(),
  }).openapi({ description: "Short database summary; more at /api/database/stats" }),
  mqtt: z.union([
    z.object({ enabled: z.literal(false) }),
    z.object({
      enabled: z.literal(true),
      url: z.string().openapi({ description: "Broker, password hidden" }),
      connected: z.boolean(),
      state_topic: z.string(),
      published: z.number().int(),
      last_error: z.string().nullable(),
    }),
  ]).openapi({ description: "MQTT publisher state" }),
  retention: z.object({
    raw_hours: z.number().int().openapi({ description: "Raw samples and per-second rollups" }),
    rollup_days: z.number().int().openapi({ description: "Per-minute rollups and alerts" }),
  }),
  rejected_requests: z.object({
    bad_host: z.number().int().openapi({ description: "Malformed Host header (400)" }),
    wrong_host: z.number().int().openapi({ description: "Host not in the allowlist (421)" }),
    cross_origin: z.number().int().openapi({
      description: "State-changing request from a foreign browser origin (403)",
    }),
  }).openapi({ description: "Requests refused before reaching a route, since start-up" }),
}).openapi("Status");

/** `POST /simulator/start`. */
export const StartResponse = z.object({
  status: z.literal("started"),
  type: z.string().openapi({ example: "Mock" }),
  already_running: z.boolean(),
}).openapi("StartResult");

/** `POST /simulator/stop`. */
export const StopResponse = z.object({
  status: z.literal("stopped"),
  type: z.string().openapi({ example: "Mock" }),
  was_running: z.boolean(),
}).openapi("StopResult");

/** Body of `POST /simulator/mode`. */
export const ModeRequest = z.object({
  mode: z.string().openapi({ example: "LOAD_SPIKE" }),
}).strict().openapi("ModeRequest");

/** `POST /simulator/mode`. */
export const ModeResponse = z.object({
  status: z.literal("ok"),
  mode: z.string(),
  auto_rotate: z.boolean(),
}).openapi("ModeResult");

/** Body of `POST /simulator/interval`. */
export const IntervalRequest = z.object({
  interval_ms: z.number().int().min(1).max(10_000).openapi({ example: 500 }),
}).strict().openapi("IntervalRequest");

/** `POST /simulator/interval`. */
export const IntervalResponse = z.object({
  status: z.literal("ok"),
  interval_ms: z.number().int(),
}).openapi("IntervalResult");

/**
 * A device command (mode, interval) the device did not carry out: the error body
 * plus the state the device is in, which is unchanged.
 */
export const DeviceCommandErrorBody = ErrorBody.extend({
  failure: z.enum(["refused", "timeout", "garbled", "gone"]).openapi({
    description:
      "refused (422): the device said no; timeout (504): no answer in time; garbled (502): an answer we cannot read; gone (502): no device to ask",
  }),
  mode: z.string().openapi({ description: "The device's mode, unchanged" }),
  interval_ms: z.number().int().openapi({ description: "The device's interval, unchanged" }),
}).openapi("DeviceCommandError");

// ---- History API (SQLite) ----

const Stat = z.object({
  min: z.number().nullable(),
  max: z.number().nullable(),
  avg: z.number().nullable(),
}).openapi("Stat", { description: "null when the bucket has no measured sample" });

/** One stored sample. */
export const MeasurementRow = z.object({
  ts_ms: z.number().int(),
  seq: z.number().int(),
  v: z.number(),
  a: z.number(),
  w: z.number(),
  status: z.enum(["ok", "error", "overflow"]),
  mode: z.string(),
  error: z.string().nullable(),
}).openapi("MeasurementRow");

/** One downsampled bucket: min/max survive downsampling, so peaks stay visible. */
export const HistoryBucket = z.object({
  ts_ms: z.number().int().openapi({ description: "Start of the bucket (Unix ms)" }),
  count: z.number().int().openapi({ description: "Measured samples in the bucket" }),
  errors: z.number().int().openapi({ description: "Failed reads in the bucket (not in v/a/w)" }),
  v: Stat,
  a: Stat,
  w: Stat,
}).openapi("HistoryBucket");

/** `GET /api/measurements`. */
export const MeasurementsResponse = z.object({
  data: z.array(MeasurementRow).openapi({ description: "Newest first" }),
  count: z.number().int(),
  from_ms: z.number().int(),
  to_ms: z.number().int(),
  limit: z.number().int(),
  truncated: z.boolean().openapi({ description: "More rows matched than `limit`" }),
}).openapi("Measurements");

/** `GET /api/history`. */
export const HistoryResponse = z.object({
  data: z.array(HistoryBucket),
  count: z.number().int(),
  from_ms: z.number().int(),
  to_ms: z.number().int(),
  bucket_ms: z.number().int().openapi({ description: "Width of every bucket" }),
  source: z.enum(["raw", "100ms", "1s", "1m"]).openapi({
    description:
      "What the buckets were computed from: raw samples, or per-second/per-minute rollups",
  }),
}).openapi("History");

/** `GET /api/statistics`. */
export const StatisticsResponse = z.object({
  data: z.array(HistoryBucket).openapi({ description: "One row per minute, oldest first" }),
  count: z.number().int(),
  from_ms: z.number().int(),
  to_ms: z.number().int(),
}).openapi("MinuteStatistics");

/** `GET /api/database/stats` (and the `database` section of `/status`). */
export const DatabaseStats = z.object({
  path: z.string(),
  rows: z.number().int().openapi({ description: "Raw samples stored" }),
  oldest_ts_ms: z.number().int().nullable(),
  newest_ts_ms: z.number().int().nullable(),
  file_bytes: z.number().int(),
  wal_bytes: z.number().int(),
  pending: z.number().int().openapi({ description: "Samples waiting for the next flush" }),
  written: z.number().int().openapi({ description: "Samples written since start" }),
  dropped: z.number().int().openapi({
    description: "Samples dropped because the database refused writes for too long",
  }),
  last_flush_ms: z.number().int().nullable(),
  last_error: z.string().nullable(),
}).openapi("DatabaseStats");

/** `POST /api/database/cleanup`. */
export const CleanupResponse = z.object({
  status: z.literal("ok"),
  deleted: z.object({
    samples: z.number().int(),
    rollup_100ms: z.number().int(),
    rollup_1s: z.number().int(),
    rollup_1m: z.number().int(),
    alerts: z.number().int(),
  }),
}).openapi("CleanupResult");

/** `POST /api/database/vacuum`. */
export const VacuumResponse = z.object({
  status: z.literal("ok"),
  pages_freed: z.number().int(),
  file_bytes_before: z.number().int(),
  file_bytes_after: z.number().int(),
}).openapi("VacuumResult");
