/**
 * What the recordings module and its callers share: its error, its options, what it
 * needs of the store, and the shapes of a new recording, an exported row and an import.
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import type { Recording, RecordingTriggers } from "../protocol/recordings.ts";
import type { Store } from "../store/store.ts";
import type { IngestRow } from "./ingest.ts";
import type { ImportedMarker } from "./recording_markers.ts";

/** Bytes a sample row takes on disk with its index entry and rollup share (measured, bench/recordings.ts). */
export const ROW_BYTES_ESTIMATE = 72;

/**
 * How long after a stop the samples stamped before it that were still on their way
 * are copied: another channel's batch (an acquisition Worker posts within 5 ms, the
 * mock every 10 ms) can reach the store after the stop's own channel has passed it.
 */
export const SETTLE_MS = 250;

/** `12.3 MB` (MiB, one decimal) for messages. */
export const mb = (bytes: number) => `${Math.round(bytes / 1048576 * 10) / 10} MB`;

/** A refused recordings request: the HTTP status and what was wrong. */
export class RecordingError extends Error {
  /** Names the error in logs and stack traces. */
  override name = "RecordingError";
  /** 400, 404, 409, 422, 501 or 507. */
  readonly status: 400 | 404 | 409 | 422 | 501 | 507;
  /** The field it concerns, if one. */
  readonly path: string;

  /** `status` is the HTTP status the routes answer with. */
  constructor(status: RecordingError["status"], message: string, path = "") {
    super(message);
    this.status = status;
    this.path = path;
  }
}

/** What the recordings need of the store. */
export interface RecordingsStore {
  /** The open database (the recordings' tables are created in it). */
  readonly db: DatabaseSync;
  /** How long raw samples are kept: older spans cannot be copied. */
  readonly rawRetentionMs: number;
  /** Writes every queued sample. */
  flush(): boolean;
  /** Calls `listener` after each flush that committed rows; returns the unsubscribe. */
  onWritten(listener: () => void): () => void;
  /** The store's id of a measured channel. */
  channelId(name: string): number;
}

/** The {@link RecordingsStore} view of a {@link Store}. */
export function recordingsStore(store: Store): RecordingsStore {
  return {
    db: store.db,
    rawRetentionMs: store.retention.rawRetentionMs,
    flush: () => store.flush(),
    onWritten: (listener) => store.onWritten(listener),
    channelId: (name) => store.channel(name).id,
  };
}

/** Options of the recordings ({@link ./recordings.ts}). */
export interface RecordingsOptions {
  /** Measured channels that can be recorded, the first the default. */
  channels: readonly string[];
  /** RECORDINGS_MAX_MB in bytes: new data beyond it is refused. */
  maxBytes: number;
  /** Status messages for everyone (start, stop, budget full). */
  notice?: (message: string) => void;
  /** The clock (default `Date.now`). */
  now?: () => number;
  /** Awaited between copy and delete chunks (default: a macrotask). */
  yieldFn?: () => Promise<void>;
  /** How long after a stop samples stamped before it are still copied (default {@link SETTLE_MS}). */
  settleMs?: number;
}

/** Name, notes, tags and channels of a new recording. */
export interface NewRecording {
  /** Its name. */
  name: string;
  /** Free text. */
  notes?: string;
  /** Labels. */
  tags?: readonly string[];
  /** Channels (default: the first). */
  channels?: readonly string[];
  /** Trigger settings to keep with it. */
  triggers?: Partial<RecordingTriggers>;
}

/** One row of a recording as the CSV export writes it. */
export interface ExportRow {
  /** Row id (paging). */
  id: number;
  /** Time (Unix ms). */
  ts_ms: number;
  /** Sequence number. */
  seq: number;
  /** Bus voltage (V). */
  v: number;
  /** Current (A). */
  a: number;
  /** Power (W). */
  w: number;
  /** Stored status code. */
  status: number;
  /** Device mode. */
  mode: string;
  /** Error text of a failed read. */
  error: string | null;
  /** Interval of the energy step ending here (null: unknown). */
  step_ms: number | null;
}

/** An import under way (`Recordings.beginImport`). */
export interface ImportSession {
  /** The recording's id. */
  readonly id: number;
  /** Adds rows of `channel`, oldest first, in one transaction (refused when the budget is full). */
  add(channel: string, rows: readonly IngestRow[]): void;
  /** Keeps the markers the file carried (those of channels it has rows of); returns how many. */
  addMarkers(markers: readonly ImportedMarker[]): number;
  /** Marks it complete, starting at `firstMs`, and returns it. */
  finish(firstMs: number): Recording;
  /** Removes what was added. */
  abort(): Promise<void>;
}
