/**
 * The history store as one object: the database, its batched writer, its queries and
 * its retention, plus the timers that flush and prune it, and numbers for `/status`.
 * @module
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { DatabaseStats } from "../protocol/database.ts";
import type { Sample } from "../sample.ts";
import type { EnergyStep } from "../analysis/energy.ts";
import { AlertLog } from "./alert_log.ts";
import { openDatabase } from "./db.ts";
import { type DatabaseLock, lockDatabase } from "./lock.ts";
import { Queries } from "./queries.ts";
import { Retention, type RetentionResult } from "./retention.ts";
import { SpanReader } from "./span.ts";
import type { SpanResponse } from "../protocol/span.ts";
import { CHUNK_ROWS, SampleWriter } from "./writer.ts";

/** Rows a timer flush writes at most: 20 000 rows take 0.1–0.3 s on the 2-core test machine. */
const FLUSH_BUDGET_ROWS = 2 * CHUNK_ROWS;

/** Options of {@link openStore}. */
export interface StoreOptions {
  /** The SQLite file; created with its schema when missing. */
  path: string;
  /** The channel this monitor writes and reads (default `main`). */
  channel?: string;
  /** Raw samples and 100 ms / 1 s rollups older than this are deleted. */
  rawRetentionMs: number;
  /** 1 min rollups and alert history older than this are deleted. */
  rollupRetentionMs: number;
  /** How often queued samples are written (0: only on explicit flush). */
  flushIntervalMs: number;
  /** How often retention runs (0: never on its own). */
  retentionIntervalMs: number;
  /** Samples queued in memory while writes fail; beyond it the oldest are dropped. */
  maxQueue?: number;
  /** Called when writes start failing (and when the error changes), when queued samples
   * start being dropped, and once when writes work again. */
  onHealth?: (message: string) => void;
  /** Clock for retention ages and flush timing (default `Date.now`). */
  now?: () => number;
}

function fileSize(path: string): number {
  try {
    return Deno.statSync(path).size;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return 0;
    throw error;
  }
}

/** An open history store. */
export class Store {
  /** The open database. */
  readonly db: DatabaseSync;
  /** Queues samples and writes them in batches. */
  readonly writer: SampleWriter;
  /** Reads history, rollups and statistics. */
  readonly queries: Queries;
  /** Plans and reads span figures, exact to the sample. */
  readonly spans: SpanReader;
  /** Deletes what is older than the retention limits. */
  readonly retention: Retention;
  /** Writes and reads the alert history. */
  readonly alerts: AlertLog;
  /** The database file. */
  readonly path: string;
  #flushSettings = new Map<string, () => unknown>();
  #range: StatementSync;
  #timers: ReturnType<typeof setInterval>[] = [];
  #rows: number;
  #lastFlushMs: number | null = null;
  #lastError: string | null = null;
  #droppedAtFailure = 0;
  #dropsAnnounced = false;
  #lock: DatabaseLock | undefined;
  #onHealth: (message: string) => void;
  #now: () => number;

  /** Locks, opens and migrates the database; a second monitor on the same file fails here. */
  constructor(options: StoreOptions) {
    this.path = options.path;
    // Before the database is touched: a second monitor on it would store every seq
    // twice and count every rollup and joule twice.
    this.#lock = options.path === ":memory:" ? undefined : lockDatabase(options.path);
    try {
      this.db = openDatabase(options.path);
      this.writer = new SampleWriter(this.db, {
        channel: options.channel,
        maxPending: options.maxQueue,
      });
    } catch (error) {
      this.#lock?.release();
      throw error;
    }
    this.queries = new Queries(this.db, this.writer.channelId);
    this.spans = new SpanReader(this.db, this.writer.channelId);
    this.alerts = new AlertLog(this.db, this.writer.channelId);
    this.#now = options.now ?? Date.now;
    this.retention = new Retention(this.db, {
      rawRetentionMs: options.rawRetentionMs,
      rollupRetentionMs: options.rollupRetentionMs,
      now: this.#now,
    });
    this.#onHealth = options.onHealth ?? (() => {});
    this.#rows = (this.db.prepare("SELECT COUNT(*) AS n FROM samples").get() as { n: number }).n;
    this.#range = this.db.prepare(
      `SELECT (SELECT MIN(ts_ms) FROM samples WHERE channel_id = ?) AS oldest,
              (SELECT MAX(ts_ms) FROM samples WHERE channel_id = ?) AS newest`,
    );
    // An interval of 0 leaves flushing or pruning to the caller (tests, tools).
    if (options.flushIntervalMs > 0) {
      // A backlog (after an outage) drains a few chunks per tick, not in one long stall.
      this.#timers.push(
        setInterval(() => this.flush(FLUSH_BUDGET_ROWS), options.flushIntervalMs),
      );
    }
    if (options.retentionIntervalMs > 0) {
      this.#timers.push(setInterval(() => {
        this.prune().catch((error) => this.#onHealth(`Retention failed: ${error.message}`));
      }, options.retentionIntervalMs));
    }
  }

  /** Queues a sample (with the energy integrated up to it) for the next flush. */
  append(sample: Sample, step: EnergyStep): void {
    this.writer.append(sample, step);
  }

  /**
   * Figures of the samples stamped in [fromMs, toMs), queued ones included (flushed
   * first); exact within the raw retention, from per-minute rollups before it.
   */
  span(fromMs: number, toMs: number): SpanResponse {
    this.flush();
    return this.spans.read(fromMs, toMs, this.#now() - this.retention.rawRetentionMs);
  }

  /** A stored setting (JSON), or undefined. */
  getSetting(key: string): unknown {
    const row = this.db.prepare("SELECT value FROM settings WHERE key = ?").get(key) as
      | { value: string }
      | undefined;
    return row === undefined ? undefined : JSON.parse(row.value);
  }

  /** Writes `read()` as setting `key` (JSON) in the transaction of every flush. */
  saveWithEveryFlush(key: string, read: () => unknown): void {
    this.#flushSettings.set(key, read);
  }

  /** Stores a setting (JSON) now. */
  setSetting(key: string, value: unknown): void {
    this.db.prepare(
      "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    ).run(key, JSON.stringify(value));
  }

  /**
   * Writes what is queued (all of it, or about `maxRows`). A failure is reported when
   * it starts or its reason changes (not at every retry), and the rows stay queued for
   * the next flush; returns whether the writes worked.
   */
  flush(maxRows = Infinity): boolean {
    const before = this.writer.written;
    try {
      const settings = Object.fromEntries(
        [...this.#flushSettings].map(([key, read]) => [key, read()]),
      );
      this.writer.flush(settings, maxRows);
    } catch (error) {
      const message = (error as Error).message;
      if (this.#lastError === null) this.#droppedAtFailure = this.writer.dropped;
      if (message !== this.#lastError) {
        this.#onHealth(
          `Database write failed: ${message} (${this.writer.pending} samples queued in memory and retried; beyond ${this.writer.maxPending} the oldest are dropped)`,
        );
      }
      this.#lastError = message;
      return false;
    } finally {
      // Chunks committed before a failure are stored all the same.
      this.#rows += this.writer.written - before;
      this.#reportDrops();
    }
    this.#lastFlushMs = this.#now();
    if (this.#lastError !== null) {
      const dropped = this.writer.dropped - this.#droppedAtFailure;
      this.#lastError = null;
      this.#dropsAnnounced = false;
      this.#onHealth(
        `Database writes recovered${
          dropped > 0 ? `: ${dropped} queued samples were dropped during the outage` : ""
        }`,
      );
    }
    return true;
  }

  /** Announces once per outage that the queue bound was reached. */
  #reportDrops(): void {
    if (this.#dropsAnnounced || this.writer.dropped === this.#droppedAtFailure) return;
    this.#dropsAnnounced = true;
    this.#onHealth(
      `Database queue full (${this.writer.maxPending} samples): dropping the oldest queued samples`,
    );
  }

  /** Runs one retention pass. */
  async prune(): Promise<RetentionResult> {
    const result = await this.retention.run();
    this.#rows -= result.samples;
    return result;
  }

  /** Raw samples stored (kept as a running count: no query). */
  get rows(): number {
    return this.#rows;
  }

  /** Database file plus write-ahead log, in bytes. */
  sizeBytes(): number {
    return fileSize(this.path) + fileSize(`${this.path}-wal`);
  }

  /** Row counts, time range and size of this channel's data, for `/api/database/stats`. */
  stats(): DatabaseStats {
    // Per-channel sub-selects: MIN/MAX over the (channel_id, ts_ms) index are O(log n);
    // without the channel SQLite walks the whole index.
    const range = this.#range.get(this.writer.channelId, this.writer.channelId) as {
      oldest: number | null;
      newest: number | null;
    };
    return {
      path: this.path,
      rows: this.#rows,
      oldest_ts_ms: range.oldest,
      newest_ts_ms: range.newest,
      file_bytes: fileSize(this.path),
      wal_bytes: fileSize(`${this.path}-wal`),
      pending: this.writer.pending,
      written: this.writer.written,
      dropped: this.writer.dropped,
      last_flush_ms: this.#lastFlushMs,
      last_error: this.#lastError,
    };
  }

  /** Stops the timers, writes what is queued, closes the database and unlocks it. */
  close(): void {
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    try {
      // Everything handed out is stored: the next start needs no gap in seq.
      if (this.flush()) this.writer.release();
      this.db.close();
    } finally {
      this.#lock?.release();
      this.#lock = undefined;
    }
  }
}
