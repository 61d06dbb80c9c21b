/**
 * The recordings module's contract with its callers: its error, its options, and the
 * shapes of a new recording, an exported row and an import under way.
 * @module
 */
import type { Recording, RecordingTriggers } from "../protocol/recordings.ts";
import type { IngestRow } from "./ingest.ts";
import type { ImportedMarker } from "./recording_markers.ts";

/** Bytes a sample row takes on disk with its index entry and rollup share (measured, bench/recordings.ts). */
export const ROW_BYTES_ESTIMATE = 72;

/** `12.3 MB` (MiB, one decimal) for messages. */
export const mb = (bytes: number): string => `${Math.round(bytes / 1048576 * 10) / 10} MB`;

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

/** Options of the recordings (`Recordings` in src/recordings/recordings.ts). */
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
  /** How long after a stop samples stamped before it are still copied (default 250 ms). */
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
