/**
 * Bodies of the database routes: size and contents, retention and vacuum results.
 * @module
 */
import { z } from "zod";

/** One channel's part of {@link DatabaseStats}. */
export const ChannelDatabaseStats = z.object({
  name: z.string(),
  configured: z.boolean().meta({
    description:
      "false: rows of a channel no longer in the configuration, kept until retention removes them",
  }),
  rows: z.number().int().meta({ description: "Raw samples stored for this channel" }),
  oldest_ts_ms: z.number().int().nullable(),
  newest_ts_ms: z.number().int().nullable(),
  pending: z.number().int(),
  written: z.number().int(),
  dropped: z.number().int(),
  last_seq: z.number().int().meta({ description: "The last seq handed out on this channel" }),
});
/** Facts of one channel's history. */
export type ChannelDatabaseStats = z.output<typeof ChannelDatabaseStats>;

/**
 * `GET /api/database/stats` (and the `database` section of `/status`): the whole
 * database (every channel's rows, queue and drops summed), and per channel in `channels`.
 */
export const DatabaseStats = z.object({
  path: z.string(),
  rows: z.number().int().meta({ description: "Raw samples stored" }),
  oldest_ts_ms: z.number().int().nullable(),
  newest_ts_ms: z.number().int().nullable(),
  file_bytes: z.number().int(),
  wal_bytes: z.number().int(),
  pending: z.number().int().meta({ description: "Samples waiting for the next flush" }),
  written: z.number().int().meta({ description: "Samples written since start" }),
  dropped: z.number().int().meta({
    description:
      "Queued samples dropped (oldest first) while the database refused writes past DB_MAX_QUEUE",
  }),
  last_flush_ms: z.number().int().nullable(),
  last_error: z.string().nullable(),
  checkpoints: z.enum(["worker", "main"]).meta({
    description:
      "Where WAL checkpoints run: `worker` (a thread of their own) or `main` (SQLite's automatic ones, in the commits)",
  }),
  last_checkpoint_ms: z.number().int().nullable().meta({
    description: "When the checkpoint thread last ran one (Unix ms); null before that or on `main`",
  }),
  channels: z.array(ChannelDatabaseStats).optional().meta({
    description: "Per channel: the configured ones in order, then any others still stored",
  }),
});
/** Facts of the store for `/status` and `/api/database/stats`. */
export type DatabaseStats = z.output<typeof DatabaseStats>;

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
});
/** The cleanup answer. */
export type CleanupResponse = z.output<typeof CleanupResponse>;

/** `POST /api/database/vacuum`. */
export const VacuumResponse = z.object({
  status: z.literal("ok"),
  pages_freed: z.number().int(),
  file_bytes_before: z.number().int(),
  file_bytes_after: z.number().int(),
});
