/**
 * A recording's markers: for a live or history recording, the live markers of its
 * channels stamped inside its span (they are never deleted by retention); for an
 * imported one, the markers its file carried, kept in `recording_markers`.
 * @module
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { MarkerData, MarkerSource } from "../protocol/markers.ts";
import type { Recording } from "../protocol/recordings.ts";

/** A marker read from a file, before it is kept. */
export interface ImportedMarker {
  /** Its channel (one of the recording's). */
  channel: string;
  /** The instant marked (epoch ms). */
  tsMs: number;
  /** Its label. */
  label: string;
  /** Who added it originally. */
  source: MarkerSource;
}

/** The markers imports brought, by recording. */
export class RecordingMarkers {
  #add: StatementSync;
  #of: StatementSync;
  #drop: StatementSync;

  /** Over the recordings' tables of `db` (migrated by src/recordings/schema.ts). */
  constructor(db: DatabaseSync) {
    this.#add = db.prepare(
      `INSERT INTO recording_markers (recording_id, channel, ts_ms, label, source, created_at_ms)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.#of = db.prepare(
      `SELECT id, ts_ms, channel, label, source, created_at_ms FROM recording_markers
       WHERE recording_id = ? ORDER BY ts_ms, id`,
    );
    this.#drop = db.prepare("DELETE FROM recording_markers WHERE recording_id = ?");
  }

  /** Keeps `markers` for recording `id` (the caller's transaction, if any). */
  add(id: number, markers: readonly ImportedMarker[], createdAtMs: number): void {
    for (const m of markers) {
      this.#add.run(id, m.channel, BigInt(m.tsMs), m.label, m.source, BigInt(createdAtMs));
    }
  }

  /** The markers kept for recording `id`, oldest first. */
  of(id: number): MarkerData[] {
    return (this.#of.all(id) as unknown as MarkerData[]).map((m) => ({ ...m }));
  }

  /** Forgets recording `id`'s markers. */
  drop(id: number): void {
    this.#drop.run(id);
  }
}

/**
 * The markers of recording `r`, oldest first: an import's own, else every live marker
 * of its channels in [start_ms, end_ms) (to now while it records; none while armed).
 */
export function markersOfRecording(
  r: Recording,
  sources: {
    imported: (id: number) => MarkerData[];
    live?: (channel: string, fromMs: number, toMs: number) => MarkerData[];
  },
  nowMs: number,
): MarkerData[] {
  if (r.source === "import") return sources.imported(r.id);
  if (r.start_ms === null || sources.live === undefined) return [];
  const endMs = r.end_ms ?? nowMs + 1;
  return r.channels.flatMap((c) => sources.live!(c, r.start_ms!, endMs))
    .sort((x, y) => x.ts_ms - y.ts_ms || x.id - y.id);
}
