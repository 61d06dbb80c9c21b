/**
 * `GET /status`: the v1 protocol's `server`, `simulator` and `websocket_connections`
 * plus the source, sampling, database, MQTT and retention state.
 * @module
 */
import { z } from "zod";
import { SimulatorState } from "./ws.ts";
import { ChannelSummary } from "./channels.ts";
import { DatabaseStats } from "./database.ts";
import { NotificationsStatus } from "./notifications.ts";

/** `GET /status`. */
export const StatusResponse = z.object({
  server: z.literal("running"),
  channels: z.array(ChannelSummary).optional().meta({
    description: "Every channel, in configuration order (`GET /api/channels` has their " +
      "settings); the fields above describe the first",
  }),
  simulator: SimulatorState,
  websocket_connections: z.number().int(),
  type: z.string().meta({ description: "Source type", example: "Mock" }),
  source: z.string().meta({ description: "SENSOR setting", example: "mock" }),
  mode: z.string(),
  modes: z.array(z.string()),
  auto_rotate: z.boolean().meta({
    description: "Whether the mock rotates its modes (a manual mode change stops it)",
  }),
  interval_ms: z.number().int(),
  last_seq: z.number().int(),
  samples_total: z.number().int().meta({
    description: "Samples produced since the server started",
  }),
  sample_rate_hz: z.number().meta({
    description: "Samples produced per second over the last 10 whole seconds (for every source)",
    example: 940.2,
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
    path: z.string().optional().meta({
      description: "The SQLite file; with API_TOKEN set, only for a request that carries the token",
    }),
    rows: z.number().int(),
    file_bytes: z.number().int(),
    pending: z.number().int(),
    dropped: z.number().int().meta({ description: "Queued samples dropped past DB_MAX_QUEUE" }),
    last_flush_ms: z.number().int().nullable(),
    last_error: z.string().nullable(),
    checkpoints: DatabaseStats.shape.checkpoints,
    last_checkpoint_ms: DatabaseStats.shape.last_checkpoint_ms,
  }).meta({ description: "Short database summary; more at /api/database/stats" }),
  mqtt: z.union([
    z.object({ enabled: z.literal(false) }),
    z.object({
      enabled: z.literal(true),
      url: z.string().meta({ description: "Broker, password hidden" }),
      connected: z.boolean(),
      state_topic: z.string(),
      published: z.number().int(),
      last_error: z.string().nullable(),
    }),
  ]).meta({ description: "MQTT publisher state" }),
  notifications: NotificationsStatus.optional(),
  retention: z.object({
    raw_hours: z.number().int().meta({ description: "Raw samples and per-second rollups" }),
    rollup_days: z.number().int().meta({ description: "Per-minute rollups and alerts" }),
  }),
  rejected_requests: z.object({
    bad_host: z.number().int().meta({ description: "Malformed Host header (400)" }),
    wrong_host: z.number().int().meta({ description: "Host not in the allowlist (421)" }),
    cross_origin: z.number().int().meta({
      description: "State-changing request from a foreign browser origin (403)",
    }),
  }).meta({ description: "Requests refused before reaching a route, since start-up" }),
  connections: z.object({
    open: z.number().int().meta({ description: "TCP connections open now" }),
    accepted: z.number().int().meta({ description: "Connections accepted since start-up" }),
    refused: z.number().int().meta({
      description:
        "Connections refused at once (HTTP_MAX_CONNS, HTTP_MAX_CONNS_PER_ADDRESS, HTTP_CONNECT_RATE_PER_ADDRESS)",
    }),
    header_timeouts: z.number().int().meta({
      description: "First request head not complete within HTTP_HEADER_TIMEOUT_MS (408)",
    }),
    bad_requests: z.number().int().meta({
      description: "First request head over 16 KiB (431) or not HTTP/1.x (400)",
    }),
    idle_closes: z.number().int().meta({
      description: "Keep-alive connections closed after HTTP_IDLE_TIMEOUT_MS without traffic",
    }),
    oversize_frames: z.number().int().meta({
      description: "WebSockets cut when a frame header announced a message over 64 KiB",
    }),
    stalled_closes: z.number().int().meta({
      description: "Connections dropped when a client did not read for HTTP_SEND_TIMEOUT_MS",
    }),
  }).meta({ description: "The TCP front's connection counters, since start-up" }),
});
/** The `/status` body. */
export type StatusResponse = z.output<typeof StatusResponse>;
