/**
 * The messages between the main thread and an acquisition Worker
 * ({@link ./worker.ts}, {@link ./client.ts}): commands with a request id, each
 * answered by one acknowledgement, batches of timestamped readings of the group's
 * channels, and a heartbeat every {@link HEARTBEAT_MS} ms, so a hung Worker shows.
 * @module
 */
import type { Accumulators } from "../sources/ina228.ts";
import type { Reading } from "../sources/source.ts";
import type { GroupSettings } from "./group.ts";

/** A command to the Worker; `id` pairs it with its {@link Ack}. Per-channel ones name it. */
export type Command =
  | { id: number; cmd: "start"; settings: GroupSettings }
  | { id: number; cmd: "stop" }
  | { id: number; cmd: "setMode"; channel: string; mode: string }
  | { id: number; cmd: "setInterval"; channel: string; intervalMs: number }
  | { id: number; cmd: "setAdc"; channel: string; samples: number };

/**
 * One reading (or failure) of `channel` taken in the Worker at `tsMs`, with the mode
 * then; an INA228's readings carry its hardware accumulators as of that reading.
 */
export type WireEvent =
  | {
    channel: string;
    tsMs: number;
    mode: string;
    reading: Reading;
    error?: undefined;
    accumulators?: Accumulators;
  }
  | { channel: string; tsMs: number; mode: string; error: string; reading?: undefined };

/** Each channel's `/status` facts, by channel name. */
export type GroupDetails = Record<string, Record<string, unknown>>;

/** What the Worker posts. */
export type WorkerMessage =
  | { type: "ack"; id: number; ok: true; value?: unknown; details: GroupDetails }
  | { type: "ack"; id: number; ok: false; name: string; message: string }
  | { type: "batch"; events: WireEvent[]; details?: GroupDetails }
  | { type: "notice"; channel: string; message: string }
  | { type: "heartbeat" };

/** How often the Worker posts a heartbeat, whatever else it does, in ms. */
export const HEARTBEAT_MS = 1000;
