/**
 * Markers in SQLite: the `markers` table's migration and {@link MarkerLog}, which adds,
 * lists and deletes them. Retention never touches them: they are a few bytes each and
 * mark what people want to keep finding, recordings included.
 * @module
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { MarkerData, MarkerSource } from "../protocol/markers.ts";

/** The migration that adds the `markers` table (registered in db.ts's list). */
export const MARKERS_MIGRATION = `
  CREATE TABLE markers (
    id INTEGER PRIMARY KEY,
    channel_id INTEGER NOT NULL REFERENCES channels (id),
    ts_ms INTEGER NOT NULL,
    label TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('user', 'alert')),
    created_at_ms INTEGER NOT NULL
  );
  CREATE INDEX markers_by_time ON markers (channel_id, ts_ms);
`;

/** A marker to store. */
export interface NewMarker {
  /** The channel's name: one the store has interned. */
  channel: string;
  /** The instant marked (epoch ms, an integer). */
  tsMs: number;
  /** Its label (validated by the caller). */
  label: string;
  /** Who made it. */
  source: MarkerSource;
  /** When it was made (epoch ms). */
  createdAtMs: number;
}

const COLUMNS = `m.id, m.ts_ms, c.name AS channel, m.label, m.source, m.created_at_ms FROM markers m
   JOIN channels c ON c.id = m.channel_id`;

/** Every channel's markers, in one table. */
export class MarkerLog {
  #channelId: StatementSync;
  #insert: StatementSync;
  #get: StatementSync;
  #delete: StatementSync;
  #ofChannel: StatementSync;
  #ofAll: StatementSync;

  /** Prepares the statements on `db` (migrated to a schema with `markers`). */
  constructor(db: DatabaseSync) {
    this.#channelId = db.prepare("SELECT id FROM channels WHERE name = ?");
    this.#insert = db.prepare(
      "INSERT INTO markers (channel_id, ts_ms, label, source, created_at_ms) VALUES (?, ?, ?, ?, ?)",
    );
    this.#get = db.prepare(`SELECT ${COLUMNS} WHERE m.id = ?`);
    this.#delete = db.prepare("DELETE FROM markers WHERE id = ?");
    this.#ofChannel = db.prepare(
      `SELECT ${COLUMNS} WHERE c.name = ? AND m.ts_ms >= ? AND m.ts_ms < ?
       ORDER BY m.ts_ms, m.id LIMIT ?`,
    );
    this.#ofAll = db.prepare(
      `SELECT ${COLUMNS} WHERE m.ts_ms >= ? AND m.ts_ms < ? ORDER BY m.ts_ms, m.id LIMIT ?`,
    );
  }

  /**
   * Stores one marker; returns it with its id.
   * @throws {RangeError} when the store has no channel of that name.
   */
  add(marker: NewMarker): MarkerData {
    const row = this.#channelId.get(marker.channel) as { id: number } | undefined;
    if (row === undefined) {
      throw new RangeError(`Cannot add a marker to channel "${marker.channel}": no such channel`);
    }
    const { lastInsertRowid } = this.#insert.run(
      row.id,
      BigInt(marker.tsMs),
      marker.label,
      marker.source,
      BigInt(marker.createdAtMs),
    );
    return {
      id: Number(lastInsertRowid),
      ts_ms: marker.tsMs,
      channel: marker.channel,
      label: marker.label,
      source: marker.source,
      created_at_ms: marker.createdAtMs,
    };
  }

  /** The marker `id`, if there is one. */
  get(id: number): MarkerData | undefined {
    const row = this.#get.get(id);
    return row === undefined ? undefined : { ...row } as unknown as MarkerData;
  }

  /** Deletes the marker `id`; returns it, or undefined when there was none. */
  delete(id: number): MarkerData | undefined {
    const marker = this.get(id);
    if (marker !== undefined) this.#delete.run(id);
    return marker;
  }

  /**
   * Markers stamped in [fromMs, toMs), oldest first, of `channel` (undefined: every
   * channel), at most `limit`.
   */
  list(channel: string | undefined, fromMs: number, toMs: number, limit: number): MarkerData[] {
    const rows = channel === undefined
      ? this.#ofAll.all(bound(fromMs), bound(toMs), limit)
      : this.#ofChannel.all(channel, bound(fromMs), bound(toMs), limit);
    return rows.map((r) => ({ ...r })) as unknown as MarkerData[];
  }

  /** Every marker of `channel` in [fromMs, toMs), oldest first: what an export includes. */
  markersIn(channel: string, fromMs: number, toMs: number): MarkerData[] {
    return this.list(channel, fromMs, toMs, -1);
  }
}

/** An edge as SQLite compares it: whole ms, and ±Infinity as the widest integers. */
function bound(ms: number): bigint {
  if (ms === Infinity) return BigInt(Number.MAX_SAFE_INTEGER);
  if (ms === -Infinity) return BigInt(Number.MIN_SAFE_INTEGER);
  return BigInt(Math.ceil(ms));
}
