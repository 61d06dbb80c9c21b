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
import { Queries } from "./queries.ts";
import { Retention, type RetentionResult } from "./retention.ts";
import { SampleWriter } from "./writer.ts";

/** Options of {@link openStore}. */
export interface StoreOptions {
  path: string;
  channel?: string;
  rawRetentionMs: number;
  rollupRetentionMs: number;
  flushIntervalMs: number;
  retentionIntervalMs: number;
  /** Values written (as JSON settings) in every flush's transaction, e.g. energy counters. */
  flushSettings?: () => Record<string, unknown>;
  /** Called once when writes start failing and once when they work again. */
  onHealth?: (message: string) => void;
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
  readonly db: DatabaseSync;
  readonly writer: SampleWriter;
  readonly queries: Queries;
  readonly retention: Retention;
  readonly alerts: AlertLog;
  readonly path: string;
  #flushSettings: () => Record<string, unknown>;
  #range: StatementSync;
  #timers: ReturnType<typeof setInterval>[] = [];
  #rows: number;
  #lastFlushMs: number | null = null;
  #lastError: string | null = null;
  #onHealth: (message: string) => void;
  #now: () => number;

  constructor(options: StoreOptions) {
    this.path = options.path;
    this.db = openDatabase(options.path);
    this.writer = new SampleWriter(this.db, { channel: options.channel });
    this.queries = new Queries(this.db, this.writer.channelId);
    this.alerts = new AlertLog(this.db, this.writer.channelId);
    this.#flushSettings = options.flushSettings ?? (() => ({}));
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
      this.#timers.push(setInterval(() => this.flush(), options.flushIntervalMs));
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

  /** A stored setting (JSON), or undefined. */
  getSetting(key: string): unknown {
    const row = this.db.prepare("SELECT value FROM settings WHERE key = ?").get(key) as
      | { value: string }
      | undefined;
    return row === undefined ? undefined : JSON.parse(row.value);
  }

  /** Stores a setting (JSON) now. */
  setSetting(key: string, value: unknown): void {
    this.db.prepare(
      "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    ).run(key, JSON.stringify(value));
  }

  /** Writes what is queued; a failure is reported once and retried next time. */
  flush(): void {
    try {
      this.#rows += this.writer.flush(this.#flushSettings());
      this.#lastFlushMs = this.#now();
      if (this.#lastError !== null) {
        this.#lastError = null;
        this.#onHealth("Database writes recovered");
      }
    } catch (error) {
      const message = (error as Error).message;
      if (this.#lastError === null) {
        this.#onHealth(`Database write failed: ${message} (samples are kept and retried)`);
      }
      this.#lastError = message;
    }
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

  /** Stops the timers, writes what is queued and closes the database. */
  close(): void {
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    this.flush();
    this.db.close();
  }
}
