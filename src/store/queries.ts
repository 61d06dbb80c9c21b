/**
 * Read side of the store: raw samples, downsampled history (from raw, per-second or
 * per-minute data, whichever is cheapest and still exact), per-minute statistics and
 * a paged iterator for CSV export that never holds a whole range in memory.
 * @module
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { HistoryBucket, HistorySource, MeasurementRow, Stat } from "../protocol/history.ts";
import { STATUS_NAMES } from "./db.ts";

/** Resolutions history can read from: raw rows, or a rollup table. */
export const RESOLUTIONS: readonly { name: HistorySource; table: string; widthMs: number }[] = [
  { name: "1m", table: "rollup_1m", widthMs: 60_000 },
  { name: "1s", table: "rollup_1s", widthMs: 1000 },
  { name: "100ms", table: "rollup_100ms", widthMs: 100 },
  { name: "raw", table: "samples", widthMs: 1 },
];

/**
 * The tables one series of samples and its rollups live in: the store's own, or
 * another set of the same shape (kept recordings, src/recordings), so every reader
 * here serves both.
 */
export interface SampleTables {
  /** Raw samples (the shape of `samples`). */
  samples: string;
  /** The rollup table of each width (the shape of `rollup_100ms`). */
  rollups: Record<Exclude<HistorySource, "raw">, string>;
}

/** The store's history tables. */
export const STORE_TABLES: SampleTables = Object.freeze({
  samples: "samples",
  rollups: Object.freeze({ "100ms": "rollup_100ms", "1s": "rollup_1s", "1m": "rollup_1m" }),
});

/** Which data a history query read and how wide its buckets are. */
export interface HistoryPlan {
  /** The raw samples or the rollup table the buckets are summed from. */
  source: HistorySource;
  /** Width of one answer bucket: a multiple of the source's width, so it stays exact. */
  bucketMs: number;
}

/**
 * Chooses the coarsest resolution no wider than the bucket width the window needs,
 * and a bucket width that is a multiple of it (so rollup buckets never straddle two
 * answer buckets: exact), such that at most `points` aligned buckets cover [from, to).
 * `minResolutionMs` forces a coarser source (the window reaches past the raw data).
 */
export function planHistory(
  fromMs: number,
  toMs: number,
  points: number,
  minResolutionMs = 1,
): HistoryPlan {
  const ideal = (toMs - fromMs) / points;
  // A source up to twice the ideal width is still taken (at least points/2 buckets):
  // raw rows are ~1000× more to read than per-second rollups at 1 kHz.
  const res = RESOLUTIONS.find((r) => r.widthMs <= Math.max(2 * ideal, minResolutionMs)) ??
    RESOLUTIONS[RESOLUTIONS.length - 1];
  let bucketMs = Math.max(res.widthMs, Math.ceil(ideal / res.widthMs) * res.widthMs);
  const buckets = (w: number) => Math.floor((toMs - 1) / w) - Math.floor(fromMs / w) + 1;
  while (buckets(bucketMs) > points) bucketMs += res.widthMs;
  return { source: res.name, bucketMs };
}

const stat = (min: number | null, max: number | null, sum: number | null, n: number): Stat => ({
  min,
  max,
  avg: n > 0 && sum !== null ? sum / n : null,
});

/** Min, max and sum of each metric over some rows, as the aggregating queries name them. */
export interface MetricSums {
  /** Smallest voltage. */
  v_min: number | null;
  /** Largest voltage. */
  v_max: number | null;
  /** Sum of the voltages. */
  v_sum: number | null;
  /** Smallest current. */
  a_min: number | null;
  /** Largest current. */
  a_max: number | null;
  /** Sum of the currents. */
  a_sum: number | null;
  /** Smallest power. */
  w_min: number | null;
  /** Largest power. */
  w_max: number | null;
  /** Sum of the powers. */
  w_sum: number | null;
}

interface AggRow extends MetricSums {
  b: number;
  count: number;
  errors: number;
}

function toBucket(r: AggRow): HistoryBucket {
  return {
    ts_ms: r.b,
    count: r.count,
    errors: r.errors,
    v: stat(r.v_min, r.v_max, r.v_sum, r.count),
    a: stat(r.a_min, r.a_max, r.a_sum, r.count),
    w: stat(r.w_min, r.w_max, r.w_sum, r.count),
  };
}

const rawAgg = (table: string) =>
  `SELECT (ts_ms / ?) * ? AS b,
    SUM(status != 1) AS count, SUM(status = 1) AS errors,
    MIN(CASE WHEN status != 1 THEN v END) AS v_min, MAX(CASE WHEN status != 1 THEN v END) AS v_max,
    SUM(CASE WHEN status != 1 THEN v END) AS v_sum,
    MIN(CASE WHEN status != 1 THEN a END) AS a_min, MAX(CASE WHEN status != 1 THEN a END) AS a_max,
    SUM(CASE WHEN status != 1 THEN a END) AS a_sum,
    MIN(CASE WHEN status != 1 THEN w END) AS w_min, MAX(CASE WHEN status != 1 THEN w END) AS w_max,
    SUM(CASE WHEN status != 1 THEN w END) AS w_sum
  FROM ${table} WHERE ts_ms >= ? AND ts_ms < ? AND channel_id = ?
  GROUP BY b ORDER BY b`;

const rollupAgg = (table: string) =>
  `SELECT (bucket_ms / ?) * ? AS b, SUM(count) AS count, SUM(errors) AS errors,
    MIN(v_min) AS v_min, MAX(v_max) AS v_max, SUM(v_sum) AS v_sum,
    MIN(a_min) AS a_min, MAX(a_max) AS a_max, SUM(a_sum) AS a_sum,
    MIN(w_min) AS w_min, MAX(w_max) AS w_max, SUM(w_sum) AS w_sum
  FROM ${table} WHERE channel_id = ? AND bucket_ms >= ? AND bucket_ms < ?
  GROUP BY b ORDER BY b`;

const rowColumns = (table: string) =>
  `s.id, s.ts_ms, s.seq, s.v, s.a, s.w, s.status, m.name AS mode, s.error
  FROM ${table} s JOIN modes m ON m.id = s.mode_id`;

interface DbRow extends Omit<MeasurementRow, "status"> {
  id: number;
  status: number;
}

function toRow(r: DbRow): MeasurementRow {
  return {
    ts_ms: r.ts_ms,
    seq: r.seq,
    v: r.v,
    a: r.a,
    w: r.w,
    status: STATUS_NAMES[r.status] ?? "error",
    mode: r.mode,
    error: r.error,
  };
}

/** Read-only queries on one channel. */
export class Queries {
  #channelId: number;
  #latest: StatementSync;
  #page: StatementSync;
  #raw: StatementSync;
  #rollup: Record<string, StatementSync>;

  /**
   * Prepares every statement once, so each query only binds its range; `tables` are
   * the store's unless given.
   */
  constructor(db: DatabaseSync, channelId: number, tables: SampleTables = STORE_TABLES) {
    this.#channelId = channelId;
    const ROW_COLUMNS = rowColumns(tables.samples);
    this.#latest = db.prepare(
      `SELECT ${ROW_COLUMNS} WHERE s.ts_ms >= ? AND s.ts_ms < ? AND s.channel_id = ?
       ORDER BY s.ts_ms DESC, s.id DESC LIMIT ?`,
    );
    this.#page = db.prepare(
      `SELECT ${ROW_COLUMNS} WHERE s.ts_ms >= ? AND s.ts_ms < ? AND s.channel_id = ?
         AND (s.ts_ms > ? OR (s.ts_ms = ? AND s.id > ?))
       ORDER BY s.ts_ms, s.id LIMIT ?`,
    );
    this.#raw = db.prepare(rawAgg(tables.samples));
    this.#rollup = {
      "100ms": db.prepare(rollupAgg(tables.rollups["100ms"])),
      "1s": db.prepare(rollupAgg(tables.rollups["1s"])),
      "1m": db.prepare(rollupAgg(tables.rollups["1m"])),
    };
  }

  /** Samples in [from, to), newest first, at most `limit`. */
  measurements(fromMs: number, toMs: number, limit: number): MeasurementRow[] {
    return (this.#latest.all(
      BigInt(fromMs),
      BigInt(toMs),
      this.#channelId,
      BigInt(limit),
    ) as unknown as DbRow[]).map(toRow);
  }

  /** Aligned buckets over [from, to) following `plan`; buckets without data are absent. */
  history(fromMs: number, toMs: number, plan: HistoryPlan): HistoryBucket[] {
    const w = BigInt(plan.bucketMs);
    if (plan.source === "raw") {
      return (this.#raw.all(
        w,
        w,
        BigInt(fromMs),
        BigInt(toMs),
        this.#channelId,
      ) as unknown as AggRow[]).map(toBucket);
    }
    // A rollup bucket counts when it starts inside the window, so data stamped on whole
    // seconds (or minutes) is counted exactly as the raw rows in [from, to) would be.
    const res = RESOLUTIONS.find((r) => r.name === plan.source)!.widthMs;
    const start = BigInt(Math.ceil(fromMs / res) * res);
    return (this.#rollup[plan.source].all(
      w,
      w,
      this.#channelId,
      start,
      BigInt(toMs),
    ) as unknown as AggRow[]).map(toBucket);
  }

  /** Per-minute rows over [from, to), oldest first. */
  minutes(fromMs: number, toMs: number): HistoryBucket[] {
    return this.history(fromMs, toMs, { source: "1m", bucketMs: 60_000 });
  }

  /** All samples in [from, to), oldest first, read `pageRows` at a time. */
  *iterate(fromMs: number, toMs: number, pageRows = 2000): Generator<MeasurementRow[]> {
    let lastTs = fromMs - 1;
    let lastId = 0;
    for (;;) {
      // The lower bound moves with the page, so the index range starts where the last
      // page ended (the OR below alone cannot bound it: paging would be quadratic).
      const page = this.#page.all(
        BigInt(Math.max(fromMs, lastTs)),
        BigInt(toMs),
        this.#channelId,
        BigInt(lastTs),
        BigInt(lastTs),
        BigInt(lastId),
        BigInt(pageRows),
      ) as unknown as DbRow[];
      if (page.length === 0) return;
      yield page.map(toRow);
      const last = page[page.length - 1];
      lastTs = last.ts_ms;
      lastId = last.id;
      if (page.length < pageRows) return;
    }
  }
}
