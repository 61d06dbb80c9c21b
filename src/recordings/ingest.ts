/**
 * Writes a recording series' rows and their rollups: rows copied from the store's raw
 * samples (`INSERT … SELECT`, no JavaScript per row) or inserted from an import, then
 * the 100 ms, 1 s and 1 min rollups of exactly those rows merged in SQL. Each sample's
 * energy step is recomputed from the row before it, as the store's span reader does.
 * The caller holds the transaction.
 * @module
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { STATUS_CODES } from "../store/db.ts";
import { RECORDING_TABLES } from "./schema.ts";

/** One row as an import inserts it (the columns of `recording_samples`). */
export interface IngestRow {
  /** Time (Unix ms). */
  tsMs: number;
  /** Sequence number as recorded. */
  seq: number;
  /** Bus voltage (V). */
  v: number;
  /** Current (A). */
  a: number;
  /** Power (W). */
  w: number;
  /** Stored status code (`STATUS_CODES`). */
  status: number;
  /** Row id of the mode name in `modes`. */
  modeId: number;
  /** The read's error text, if it failed. */
  error: string | null;
  /** Interval of the energy step that ends at this sample (0: none; null: unknown). */
  stepMs: number | null;
}

/** Where a series stands: kept by its owner and updated by every write. */
export interface SeriesState {
  /** Row id in `recording_series` (the `channel_id` of its rows). */
  id: number;
  /** Id of its newest row (0: none yet). */
  lastRowId: number;
  /** Rows it holds. */
  rows: number;
}

const COLUMNS = "channel_id, ts_ms, seq, v, a, w, status, mode_id, error, step_ms";
const ERR = STATUS_CODES.error;
const INSERT_GROUP = 100;

/** The per-row step of each new row, computed once per batch into a temporary table. */
const BATCH = "temp.recording_batch";

/**
 * Each row of one series with id > the bound, with its energy and charge: the
 * trapezoid from the row before it (`LAG` in id order) when that row is where its
 * step started, exactly `trapezoid()`'s arithmetic; failed reads carry nothing.
 */
function batchSql(): string {
  const stepped = `step_ms > 0 AND p_ts = ts_ms - step_ms AND p_status != ${ERR}`;
  return `
    INSERT INTO ${BATCH} (ts_ms, status, v, a, w, e, q)
    WITH r AS (
      SELECT id, ts_ms, status, v, a, w, step_ms,
        LAG(ts_ms) OVER win AS p_ts, LAG(status) OVER win AS p_status,
        LAG(w) OVER win AS p_w, LAG(a) OVER win AS p_a
      -- "+": along the row ids from the bound, never the whole series by its index.
      FROM ${RECORDING_TABLES.samples} WHERE +channel_id = ?1 AND id >= ?2
      WINDOW win AS (ORDER BY id)
    )
    SELECT ts_ms, status, v, a, w,
      CASE WHEN ${stepped} THEN (p_w + w) / 2.0 * (step_ms / 1000.0) ELSE 0.0 END,
      CASE WHEN ${stepped} THEN (p_a + a) / 2.0 * (step_ms / 1000.0) ELSE 0.0 END
    FROM r WHERE id > ?3 AND status != ${ERR}
    UNION ALL
    SELECT ts_ms, status, 0, 0, 0, 0, 0 FROM ${RECORDING_TABLES.samples}
      WHERE +channel_id = ?1 AND id > ?3 AND status = ${ERR}`;
}

/** Merges the batch's rows into the rollups of one width. */
function rollupSql(table: string, widthMs: number): string {
  const keep = (m: string, fn: "min" | "max") =>
    `${m}_${fn} = CASE WHEN ${m}_${fn} IS NULL THEN excluded.${m}_${fn} ` +
    `WHEN excluded.${m}_${fn} IS NULL THEN ${m}_${fn} ELSE ${fn}(${m}_${fn}, excluded.${m}_${fn}) END`;
  const merge = ["v", "a", "w"].flatMap((m) => [
    keep(m, "min"),
    keep(m, "max"),
    `${m}_sum = ${m}_sum + excluded.${m}_sum`,
    `${m}_sq = ${m}_sq + excluded.${m}_sq`,
  ]);
  const ok = (col: string) => `CASE WHEN status != ${ERR} THEN ${col} END`;
  return `
    INSERT INTO ${table} (channel_id, bucket_ms, count, errors,
      v_min, v_max, v_sum, a_min, a_max, a_sum, w_min, w_max, w_sum, energy_j, charge_c,
      v_sq, a_sq, w_sq)
    SELECT ?, (ts_ms / ${widthMs}) * ${widthMs} AS b,
      SUM(status != ${ERR}), SUM(status = ${ERR}),
      MIN(${ok("v")}), MAX(${ok("v")}), TOTAL(${ok("v")}),
      MIN(${ok("a")}), MAX(${ok("a")}), TOTAL(${ok("a")}),
      MIN(${ok("w")}), MAX(${ok("w")}), TOTAL(${ok("w")}),
      TOTAL(e), TOTAL(q),
      TOTAL(${ok("v * v")}), TOTAL(${ok("a * a")}), TOTAL(${ok("w * w")})
    FROM ${BATCH} WHERE true GROUP BY b
    ON CONFLICT (channel_id, bucket_ms) DO UPDATE SET
      count = count + excluded.count, errors = errors + excluded.errors,
      ${merge.join(",\n      ")},
      energy_j = energy_j + excluded.energy_j, charge_c = charge_c + excluded.charge_c`;
}

/** Prepared writes to the recordings' sample and rollup tables. */
export class SeriesWriter {
  #db: DatabaseSync;
  #copyRange: StatementSync;
  #copyNew: StatementSync;
  #maxId: StatementSync;
  #zeroStep: StatementSync;
  #batch: StatementSync;
  #clearBatch: StatementSync;
  #rollups: StatementSync[];
  #insert: StatementSync[];
  #params: (number | bigint | string | null)[][];

  /** Prepares every statement once. */
  constructor(db: DatabaseSync) {
    this.#db = db;
    const t = RECORDING_TABLES.samples;
    const src = "ts_ms, seq, v, a, w, status, mode_id, error, step_ms";
    this.#copyRange = db.prepare(
      `INSERT INTO ${t} (${COLUMNS}) SELECT ?, ${src} FROM samples
       WHERE channel_id = ? AND ts_ms >= ? AND ts_ms < ? ORDER BY id`,
    );
    this.#copyNew = db.prepare(
      `INSERT INTO ${t} (${COLUMNS}) SELECT ?, ${src} FROM samples
       WHERE id > ? AND id <= ? AND +channel_id = ? AND +ts_ms >= ? AND +ts_ms < ? ORDER BY id`,
    );
    this.#maxId = db.prepare(`SELECT MAX(id) AS id FROM ${t}`);
    this.#zeroStep = db.prepare(`UPDATE ${t} SET step_ms = 0 WHERE id = ? AND step_ms != 0`);
    db.exec(
      `CREATE TEMP TABLE IF NOT EXISTS recording_batch
         (ts_ms INTEGER, status INTEGER, v REAL, a REAL, w REAL, e REAL, q REAL)`,
    );
    this.#batch = db.prepare(batchSql());
    this.#clearBatch = db.prepare(`DELETE FROM ${BATCH}`);
    this.#rollups = [
      rollupSql(RECORDING_TABLES.rollups["100ms"], 100),
      rollupSql(RECORDING_TABLES.rollups["1s"], 1000),
      rollupSql(RECORDING_TABLES.rollups["1m"], 60_000),
    ].map((sql) => db.prepare(sql));
    this.#insert = [INSERT_GROUP, 1].map((n) =>
      db.prepare(
        `INSERT INTO ${t} (${COLUMNS}) VALUES ${Array(n).fill("(?,?,?,?,?,?,?,?,?,?)").join(",")}`,
      )
    );
    this.#params = [INSERT_GROUP, 1].map((n) => new Array(n * 10).fill(null));
  }

  /** The highest row id of the recordings' samples (0 when empty). */
  lastId(): number {
    return (this.#maxId.get() as { id: number | null }).id ?? 0;
  }

  /**
   * Copies the store's raw samples of channel id `channelId` stamped in [fromMs, toMs)
   * into series `seriesId` and merges their rollups; returns the rows copied.
   */
  copyRange(series: SeriesState, channelId: number, fromMs: number, toMs: number): number {
    const after = this.lastId();
    const { changes } = this.#copyRange.run(series.id, channelId, BigInt(fromMs), BigInt(toMs));
    this.#finish(series, after, Number(changes));
    return Number(changes);
  }

  /**
   * Copies the store's samples of `channelId` with row ids in (afterId, upToId] stamped
   * in [fromMs, toMs) (a live recording's new rows) and merges their rollups.
   */
  copyNew(
    series: SeriesState,
    channelId: number,
    ids: { afterId: number; upToId: number },
    fromMs: number,
    toMs: number,
  ): number {
    const after = this.lastId();
    const { changes } = this.#copyNew.run(
      series.id,
      BigInt(ids.afterId),
      BigInt(ids.upToId),
      channelId,
      BigInt(fromMs),
      BigInt(toMs),
    );
    this.#finish(series, after, Number(changes));
    return Number(changes);
  }

  /** Inserts imported rows into series `seriesId`, oldest first, and merges their rollups. */
  insert(series: SeriesState, rows: readonly IngestRow[]): number {
    const after = this.lastId();
    for (let i = 0; i < rows.length;) {
      const g = rows.length - i >= INSERT_GROUP ? 0 : 1;
      const params = this.#params[g];
      for (let k = 0; k < params.length; k += 10, i++) {
        const r = rows[i];
        params[k] = series.id;
        params[k + 1] = BigInt(r.tsMs);
        params[k + 2] = BigInt(r.seq);
        params[k + 3] = r.v;
        params[k + 4] = r.a;
        params[k + 5] = r.w;
        params[k + 6] = r.status;
        params[k + 7] = r.modeId;
        params[k + 8] = r.error;
        params[k + 9] = r.stepMs === null ? null : BigInt(r.stepMs);
      }
      this.#insert[g].run(...params);
    }
    this.#finish(series, after, rows.length);
    return rows.length;
  }

  /**
   * After rows with ids above `after` were added to a series: its first row's step
   * (which started before the recording) is dropped, then the new rows' rollups merged.
   */
  #finish(series: SeriesState, after: number, added: number): void {
    if (added === 0) return;
    // New rows take the highest ids: the first is after + 1 (no other writer between).
    if (series.lastRowId === 0) this.#zeroStep.run(after + 1);
    // The window starts one row early: the first new row's step starts at that row.
    const from = series.lastRowId === 0 ? after + 1 : series.lastRowId;
    this.#batch.run(series.id, from, after);
    for (const stmt of this.#rollups) stmt.run(series.id);
    this.#clearBatch.run();
    series.lastRowId = this.lastId();
    series.rows += added;
  }

  /** SQLite pages in use, in bytes (file pages less free ones): what a write took. */
  usedBytes(): number {
    const get = (pragma: string) =>
      Object.values(this.#db.prepare(`PRAGMA ${pragma}`).get() as Record<string, number>)[0];
    return (get("page_count") - get("freelist_count")) * get("page_size");
  }
}
