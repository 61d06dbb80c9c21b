/**
 * The recordings' tables, beside the store's in the same database: the recordings, one
 * series per recorded channel, and the series' samples and rollups in tables of the
 * store's own shape (so the store's history and span readers serve them). Versioned
 * on their own (`meta` key `recordings_schema`) so they migrate apart from the store's.
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import { migrateGroup } from "../store/meta_migrations.ts";
import type { SampleTables } from "../store/queries.ts";

/** The tables a recording's samples and rollups live in. */
export const RECORDING_TABLES: SampleTables = Object.freeze({
  samples: "recording_samples",
  rollups: Object.freeze({
    "100ms": "recording_rollup_100ms",
    "1s": "recording_rollup_1s",
    "1m": "recording_rollup_1m",
  }),
});

const rollupTable = (name: string) => `
  CREATE TABLE ${name} (
    channel_id INTEGER NOT NULL,
    bucket_ms INTEGER NOT NULL,
    count INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    v_min REAL, v_max REAL, v_sum REAL NOT NULL,
    a_min REAL, a_max REAL, a_sum REAL NOT NULL,
    w_min REAL, w_max REAL, w_sum REAL NOT NULL,
    energy_j REAL NOT NULL,
    charge_c REAL NOT NULL,
    PRIMARY KEY (channel_id, bucket_ms)
  ) WITHOUT ROWID;`;

/** Forward migrations of the recordings' tables; never edit a released one. */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE recordings (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    notes TEXT NOT NULL,
    tags TEXT NOT NULL,
    state TEXT NOT NULL,
    source TEXT NOT NULL,
    stop_reason TEXT,
    start_ms INTEGER,
    end_ms INTEGER,
    created_ms INTEGER NOT NULL,
    size_bytes INTEGER NOT NULL DEFAULT 0,
    triggers TEXT NOT NULL,
    figures TEXT,
    deleting INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE recording_series (
    id INTEGER PRIMARY KEY,
    recording_id INTEGER NOT NULL REFERENCES recordings (id) ON DELETE CASCADE,
    channel TEXT NOT NULL,
    position INTEGER NOT NULL,
    rows INTEGER NOT NULL DEFAULT 0,
    cursor_id INTEGER NOT NULL DEFAULT 0,
    UNIQUE (recording_id, channel)
  );
  CREATE TABLE recording_samples (
    id INTEGER PRIMARY KEY,
    channel_id INTEGER NOT NULL,
    ts_ms INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    v REAL NOT NULL,
    a REAL NOT NULL,
    w REAL NOT NULL,
    status INTEGER NOT NULL,
    mode_id INTEGER NOT NULL,
    error TEXT,
    step_ms INTEGER
  );
  CREATE INDEX recording_samples_by_time ON recording_samples (channel_id, ts_ms);
  ${rollupTable(RECORDING_TABLES.rollups["100ms"])}
  ${rollupTable(RECORDING_TABLES.rollups["1s"])}
  ${rollupTable(RECORDING_TABLES.rollups["1m"])}
  `,
  // Sums of squares, as the store's rollups keep them (span RMS and σ; NULL: unknown).
  Object.values(RECORDING_TABLES.rollups).flatMap((t) =>
    ["v", "a", "w"].map((m) => `ALTER TABLE ${t} ADD COLUMN ${m}_sq REAL;`)
  ).join("\n"),
  // Markers an import brought (a live or history recording shows the live markers of
  // its span instead).
  `
  CREATE TABLE recording_markers (
    id INTEGER PRIMARY KEY,
    recording_id INTEGER NOT NULL,
    channel TEXT NOT NULL,
    ts_ms INTEGER NOT NULL,
    label TEXT NOT NULL,
    source TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL
  );
  CREATE INDEX recording_markers_by_recording ON recording_markers (recording_id, ts_ms);
  `,
];

const VERSION_KEY = "recordings_schema";

/**
 * Creates or migrates the recordings' tables in `db` (a store's database).
 *
 * @throws {StoreError} when the tables were written by a newer version of this program.
 */
export function migrateRecordings(db: DatabaseSync): void {
  migrateGroup(db, { key: VERSION_KEY, name: "Recordings", migrations: MIGRATIONS });
}
