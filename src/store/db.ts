/**
 * Opens the SQLite database (node:sqlite, built into Deno: no addon) in WAL mode and
 * brings its schema up to date with forward-only migrations on `PRAGMA user_version`.
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import type { SampleStatus } from "../protocol/common.ts";
import { MARKERS_MIGRATION } from "./markers.ts";

/** Sample status as stored: small integers keep the rows short. Never renumber. */
export const STATUS_CODES: Readonly<Record<SampleStatus, number>> = Object.freeze({
  ok: 0,
  error: 1,
  overflow: 2,
});
/** The wire status of each stored code. */
export const STATUS_NAMES: readonly SampleStatus[] = Object.freeze(
  (Object.keys(STATUS_CODES) as SampleStatus[]).sort((x, y) => STATUS_CODES[x] - STATUS_CODES[y]),
);

/** A database problem meant for a person: what failed, then why. */
export class StoreError extends Error {
  /** Names the error in logs and stack traces. */
  override name = "StoreError";
}

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

/**
 * Forward migrations; `MIGRATIONS[i]` takes the schema from version i to i + 1.
 * Never edit a released one: add the next.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE channels (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
  CREATE TABLE modes (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
  CREATE TABLE samples (
    id INTEGER PRIMARY KEY,
    channel_id INTEGER NOT NULL,
    ts_ms INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    v REAL NOT NULL,
    a REAL NOT NULL,
    w REAL NOT NULL,
    status INTEGER NOT NULL,
    mode_id INTEGER NOT NULL,
    error TEXT
  );
  CREATE INDEX samples_by_time ON samples (channel_id, ts_ms);
  ${rollupTable("rollup_1s")}
  ${rollupTable("rollup_1m")}
  CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
  `,
  `
  CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    channel_id INTEGER NOT NULL,
    ts_ms INTEGER NOT NULL,
    metric TEXT NOT NULL,
    severity TEXT NOT NULL,
    state TEXT NOT NULL,
    value REAL NOT NULL,
    limit_value REAL NOT NULL,
    message TEXT NOT NULL
  );
  CREATE INDEX alerts_by_time ON alerts (ts_ms);
  CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
  `,
  // 100 ms rollups: a 10-minute chart at 1 kHz reads 6000 of them, not 600 000 samples.
  rollupTable("rollup_100ms"),
  // The interval each sample's energy step integrated (0: none; NULL: stored before this
  // column), so a span's raw edges recompute the very steps the rollups summed.
  "ALTER TABLE samples ADD COLUMN step_ms INTEGER",
  // Markers: labelled instants per channel, never pruned (src/store/markers.ts).
  MARKERS_MIGRATION,
  // Sums of squares per metric, for a span's RMS and standard deviation (NULL: a bucket
  // written, wholly or partly, before this column; its squares are unknown).
  ["rollup_100ms", "rollup_1s", "rollup_1m"].flatMap((t) =>
    ["v", "a", "w"].map((m) => `ALTER TABLE ${t} ADD COLUMN ${m}_sq REAL;`)
  ).join("\n"),
];

/** The schema version this code writes. */
export const SCHEMA_VERSION: number = MIGRATIONS.length;

/**
 * Opens (creating if needed) the database at `path` and migrates it.
 *
 * @throws {StoreError} when the file cannot be opened, WAL cannot be enabled, or the
 * file was written by a newer version of this program.
 */
export function openDatabase(path: string): DatabaseSync {
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path);
  } catch (error) {
    throw new StoreError(`Cannot open database "${path}": ${(error as Error).message}`);
  }
  try {
    // First: anything below may meet a lock another connection holds a moment (the
    // checkpoint Worker's, a previous run's), and should wait for it, not fail.
    db.exec("PRAGMA busy_timeout = 5000");
    // Incremental auto-vacuum only takes effect on a new file, before any table.
    db.exec("PRAGMA auto_vacuum = INCREMENTAL");
    const mode = db.prepare("PRAGMA journal_mode = WAL").get() as { journal_mode: string };
    if (path !== ":memory:" && mode.journal_mode.toLowerCase() !== "wal") {
      throw new StoreError(
        `Cannot enable WAL on "${path}": SQLite kept journal_mode=${mode.journal_mode}`,
      );
    }
    db.exec("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON");
    migrate(db, path);
    return db;
  } catch (error) {
    db.close();
    if (error instanceof StoreError) throw error;
    throw new StoreError(`Cannot prepare database "${path}": ${(error as Error).message}`);
  }
}

function migrate(db: DatabaseSync, path: string): void {
  const { user_version: version } = db.prepare("PRAGMA user_version").get() as {
    user_version: number;
  };
  if (version > SCHEMA_VERSION) {
    throw new StoreError(
      `Database "${path}" has schema version ${version}, newer than this program's ${SCHEMA_VERSION}: upgrade ina219-monitor`,
    );
  }
  for (let v = version; v < SCHEMA_VERSION; v++) {
    db.exec("BEGIN IMMEDIATE");
    try {
      db.exec(MIGRATIONS[v]);
      db.exec(`PRAGMA user_version = ${v + 1}`);
      db.exec("COMMIT");
    } catch (error) {
      db.exec("ROLLBACK");
      throw error;
    }
  }
}

/**
 * Rolls back what SQLite has not rolled back itself: after SQLITE_FULL, SQLITE_IOERR or
 * SQLITE_NOMEM it may already have ended the transaction, and a ROLLBACK then would
 * throw and hide `cause`, the real error.
 */
export function rollbackAfter(db: DatabaseSync, cause: Error): void {
  if (!db.isTransaction) return;
  try {
    db.exec("ROLLBACK");
  } catch (error) {
    throw new StoreError(
      `${cause.message} (and the rollback failed: ${(error as Error).message})`,
      { cause },
    );
  }
}

/** Looks up (or creates) the integer id of a name in a small dictionary table. */
export function internName(
  db: DatabaseSync,
  table: "channels" | "modes",
  name: string,
): number {
  db.prepare(`INSERT OR IGNORE INTO ${table} (name) VALUES (?)`).run(name);
  const row = db.prepare(`SELECT id FROM ${table} WHERE name = ?`).get(name) as { id: number };
  return row.id;
}
