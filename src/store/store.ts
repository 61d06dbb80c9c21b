/**
 * The history store as one object: one database holding every channel, a
 * {@link ChannelStore} per configured channel, one flush timer whose transactions each
 * hold every channel's oldest queued rows, retention, and numbers for `/status`.
 * @module
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { ChannelDatabaseStats, DatabaseStats } from "../protocol/database.ts";
import type { Sample } from "../sample.ts";
import type { EnergyStep } from "../analysis/energy.ts";
import type { AlertLog } from "./alert_log.ts";
import { ChannelStore, type ChannelStoreHost } from "./channel_store.ts";
import { Checkpointer } from "./checkpointer.ts";
import { openDatabase, rollbackAfter } from "./db.ts";
import { type DatabaseLock, lockDatabase } from "./lock.ts";
import type { Queries } from "./queries.ts";
import { Retention, type RetentionResult } from "./retention.ts";
import type { SpanReader } from "./span.ts";
import type { SpanResponse } from "../protocol/span.ts";
import { CHUNK_ROWS, DEFAULT_MAX_PENDING, type SampleWriter } from "./writer.ts";

/** Rows a timer flush writes at most: 20 000 rows take 0.1–0.3 s on the 2-core test machine. */
const FLUSH_BUDGET_ROWS = 2 * CHUNK_ROWS;

/**
 * Rows a timer flush writes in one transaction before it lets the event loop run: a
 * second of three channels at 1 kHz (3000 rows and their rollups) held the main thread
 * for 10–22 ms in one go, and every wake-up and WebSocket send due meanwhile waited
 * behind it; in slices of this many none waits more than a couple of ms
 * (docs/benchmarks.md, "Channels").
 */
export const FLUSH_SLICE_ROWS = 400;

/** Options of {@link Store}. */
export interface StoreOptions {
  /** The SQLite file; created with its schema when missing. */
  path: string;
  /**
   * The configured channels' names, the first one the v1 channel (default `["main"]`).
   * Channels stored earlier but not listed keep their rows until retention removes them.
   */
  channels?: readonly string[];
  /** Raw samples and 100 ms / 1 s rollups older than this are deleted. */
  rawRetentionMs: number;
  /** 1 min rollups and alert history older than this are deleted. */
  rollupRetentionMs: number;
  /** How often queued samples are written (0: only on explicit flush). */
  flushIntervalMs: number;
  /** How often retention runs (0: never on its own). */
  retentionIntervalMs: number;
  /**
   * Samples queued in memory (all channels together) while writes fail; beyond it the
   * oldest of the channel with the longest queue are dropped.
   */
  maxQueue?: number;
  /** Called when writes start failing (and when the error changes), when queued samples
   * start being dropped, and once when writes work again. */
  onHealth?: (message: string) => void;
  /**
   * Run WAL checkpoints in a Worker of their own ({@link Checkpointer}) instead of in
   * the commits on this thread, from the first timed flush after samples came at this
   * rate (per second, every channel) or more (default: never; `:memory:` never). A Worker
   * costs about 11 MiB; at 1 Hz SQLite's own checkpoint comes once in hours and is
   * cheap, at 1 kHz every few seconds and 10–15 ms long.
   */
  checkpointWorkerFromRowsPerS?: number;
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

/** The part of {@link DatabaseStats} that `/status` shows ({@link Store.summary}). */
export type StoreSummary = Pick<
  DatabaseStats,
  | "path"
  | "rows"
  | "file_bytes"
  | "pending"
  | "dropped"
  | "last_flush_ms"
  | "last_error"
  | "checkpoints"
  | "last_checkpoint_ms"
>;

/** Raw samples, oldest and newest time of one channel id. */
interface ChannelRange {
  oldest: number | null;
  newest: number | null;
}

/** An open history store: every channel in one database. */
export class Store {
  /** The open database. */
  readonly db: DatabaseSync;
  /** The configured channels, the first one the v1 channel. */
  readonly channels: readonly ChannelStore[];
  /** Deletes what is older than the retention limits (every stored channel). */
  readonly retention: Retention;
  /** The database file. */
  readonly path: string;
  /** Samples queued in memory at most, all channels together. */
  readonly maxQueue: number;
  #byName: Map<string, ChannelStore>;
  #flushSettings = new Map<string, () => unknown>();
  #setSetting: StatementSync;
  #getSetting: StatementSync;
  #range: StatementSync;
  #timers: ReturnType<typeof setInterval>[] = [];
  #checkpointer: Checkpointer | undefined;
  /** Samples appended between two timed flushes that start the {@link Checkpointer} (Infinity: never). */
  #checkpointFromRows = Infinity;
  /** Samples appended (written, queued or dropped) at the last timed flush. */
  #appendedAtTimer = 0;
  #closed = false;
  /** The next slice of a timer flush, while one is under way. */
  #slice: ReturnType<typeof setTimeout> | undefined;
  /** Raw samples stored per channel id (every channel in the database). */
  #rows = new Map<number, number>();
  #lastFlushMs: number | null = null;
  #lastError: string | null = null;
  #droppedAtFailure = 0;
  #dropsAnnounced = false;
  #lock: DatabaseLock | undefined;
  #afterWrite = new Set<() => void>();
  #onHealth: (message: string) => void;
  #now: () => number;

  /**
   * Locks, opens and migrates the database and interns the channels; a second monitor
   * on the same file fails here.
   */
  constructor(options: StoreOptions) {
    const names = options.channels ?? ["main"];
    if (names.length === 0) throw new RangeError("Invalid store channels: none given");
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice !== undefined) {
      throw new RangeError(`Invalid store channels: "${twice}" is given twice`);
    }
    this.maxQueue = options.maxQueue ?? DEFAULT_MAX_PENDING;
    if (!Number.isInteger(this.maxQueue) || this.maxQueue < 1) {
      throw new RangeError(`Invalid queue bound ${this.maxQueue}: must be a positive integer`);
    }
    this.path = options.path;
    this.#now = options.now ?? Date.now;
    this.#onHealth = options.onHealth ?? (() => {});
    // Before the database is touched: a second monitor on it would store every seq
    // twice and count every rollup and joule twice.
    this.#lock = options.path === ":memory:" ? undefined : lockDatabase(options.path);
    let db: DatabaseSync | undefined;
    try {
      this.db = db = openDatabase(options.path);
      const host: ChannelStoreHost = {
        db: this.db,
        rawRetentionMs: options.rawRetentionMs,
        now: this.#now,
        flush: () => this.flush(),
        makeRoom: () => this.#makeRoom(),
        getSetting: (key) => this.#readSetting(key),
        setSetting: (key, value) => this.#setSetting.run(key, JSON.stringify(value)),
        saveWithEveryFlush: (key, read) => this.#flushSettings.set(key, read),
        rows: (id) => this.#rows.get(id) ?? 0,
        range: (id) => this.#rangeOf(id),
      };
      this.#setSetting = this.db.prepare(
        "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      );
      this.#getSetting = this.db.prepare("SELECT value FROM settings WHERE key = ?");
      // Each writer may hold the whole bound; #makeRoom keeps the sum within it.
      this.channels = Object.freeze(names.map((n) => new ChannelStore(host, n, this.maxQueue)));
    } catch (error) {
      db?.close();
      this.#lock?.release();
      throw error;
    }
    this.#byName = new Map(this.channels.map((c) => [c.name, c]));
    this.retention = new Retention(this.db, {
      rawRetentionMs: options.rawRetentionMs,
      rollupRetentionMs: options.rollupRetentionMs,
      now: this.#now,
      onSamplesDeleted: (id, n) => this.#rows.set(id, (this.#rows.get(id) ?? 0) - n),
    });
    // One pass over the (channel_id, ts_ms) index, as the single COUNT(*) before it.
    const counts = this.db.prepare(
      "SELECT channel_id AS id, COUNT(*) AS n FROM samples GROUP BY channel_id",
    ).all() as { id: number; n: number }[];
    for (const { id, n } of counts) this.#rows.set(id, n);
    this.#range = this.db.prepare(
      `SELECT (SELECT MIN(ts_ms) FROM samples WHERE channel_id = ?) AS oldest,
              (SELECT MAX(ts_ms) FROM samples WHERE channel_id = ?) AS newest`,
    );
    // An interval of 0 leaves flushing or pruning to the caller (tests, tools).
    const fromRowsPerS = options.checkpointWorkerFromRowsPerS;
    if (fromRowsPerS !== undefined && options.path !== ":memory:") {
      this.#checkpointFromRows = (fromRowsPerS * options.flushIntervalMs) / 1000;
    }
    if (options.flushIntervalMs > 0) {
      // A backlog (after an outage) drains a few chunks per tick, not in one long stall.
      this.#timers.push(setInterval(() => this.#flushInSlices(), options.flushIntervalMs));
    }
    if (options.retentionIntervalMs > 0) {
      this.#timers.push(setInterval(() => {
        this.prune().catch((error) => this.#onHealth(`Retention failed: ${error.message}`));
      }, options.retentionIntervalMs));
    }
  }

  /**
   * The configured channel `name`.
   *
   * @throws {RangeError} when no channel of that name is configured.
   */
  channel(name: string): ChannelStore {
    const channel = this.#byName.get(name);
    if (channel === undefined) {
      throw new RangeError(
        `Unknown store channel "${name}": expected one of ${[...this.#byName.keys()].join(", ")}`,
      );
    }
    return channel;
  }

  /** The first channel: what the single-channel API below delegates to. */
  get first(): ChannelStore {
    return this.channels[0];
  }

  /** The first channel's writer. */
  get writer(): SampleWriter {
    return this.first.writer;
  }

  /** The first channel's queries. */
  get queries(): Queries {
    return this.first.queries;
  }

  /** The first channel's span figures. */
  get spans(): SpanReader {
    return this.first.spans;
  }

  /** The first channel's alert history. */
  get alerts(): AlertLog {
    return this.first.alerts;
  }

  /** Queues a sample of the first channel ({@link ChannelStore.append}). */
  append(sample: Sample, step: EnergyStep): void {
    this.first.append(sample, step);
  }

  /** Span figures of the first channel ({@link ChannelStore.span}). */
  span(fromMs: number, toMs: number): SpanResponse {
    return this.first.span(fromMs, toMs);
  }

  /** The first channel's setting `key` ({@link ChannelStore.getSetting}). */
  getSetting(key: string): unknown {
    return this.first.getSetting(key);
  }

  /** Saves the first channel's setting `key` with every flush. */
  saveWithEveryFlush(key: string, read: () => unknown): void {
    this.first.saveWithEveryFlush(key, read);
  }

  /** Stores the first channel's setting `key` now. */
  setSetting(key: string, value: unknown): void {
    this.first.setSetting(key, value);
  }

  #readSetting(key: string): unknown {
    const row = this.#getSetting.get(key) as { value: string } | undefined;
    return row === undefined ? undefined : JSON.parse(row.value);
  }

  /** Samples queued, all channels. */
  get pending(): number {
    // Asked at every append (the queue's bound): an index loop, no iterator.
    let n = 0;
    const channels = this.channels;
    for (let i = 0; i < channels.length; i++) n += channels[i].writer.pending;
    return n;
  }

  /** Queued samples dropped since start, all channels. */
  get dropped(): number {
    let n = 0;
    for (const c of this.channels) n += c.writer.dropped;
    return n;
  }

  #written(): number {
    let n = 0;
    for (const c of this.channels) n += c.writer.written;
    return n;
  }

  /** Keeps the shared queue within `maxQueue`: the longest channel queue gives up its oldest 1 %. */
  #makeRoom(): void {
    if (this.pending < this.maxQueue) return;
    let longest = this.channels[0].writer;
    for (const c of this.channels) if (c.writer.pending > longest.pending) longest = c.writer;
    longest.dropOldest(Math.max(1, Math.floor(this.maxQueue / 100)));
  }

  /**
   * Rows of each channel for the next transaction: up to {@link CHUNK_ROWS} in all,
   * shared evenly, a short queue's unused share going to the longer ones.
   */
  #chunk(budget: number): [ChannelStore, number][] {
    const queued = this.channels.filter((c) => c.writer.pending > 0)
      .sort((x, y) => x.writer.pending - y.writer.pending);
    let left = Math.min(CHUNK_ROWS, budget);
    return queued.map((c, i) => {
      const n = Math.min(c.writer.pending, Math.max(1, Math.floor(left / (queued.length - i))));
      left -= n;
      return [c, n];
    });
  }

  /** Writes one chunk of every channel's queue and the flush settings in one transaction. */
  #writeChunk(chunk: [ChannelStore, number][], settings: [string, unknown][]): number {
    this.db.exec("BEGIN IMMEDIATE");
    let done: (() => void)[];
    try {
      done = chunk.map(([c, n]) => c.writer.writeInTransaction(n));
      // Counters derived from these samples (energy) commit with them.
      for (const [key, value] of settings) this.#setSetting.run(key, JSON.stringify(value));
      this.db.exec("COMMIT");
    } catch (error) {
      rollbackAfter(this.db, error as Error);
      throw error;
    }
    let rows = 0;
    for (const [i, [c, n]] of chunk.entries()) {
      done[i]();
      this.#rows.set(c.id, (this.#rows.get(c.id) ?? 0) + n);
      rows += n;
    }
    return rows;
  }

  /**
   * At each timer flush: starts the {@link Checkpointer} once the samples appended since
   * the last timer (not a backlog left by an outage) reach its rate, and has a running
   * one check that its Worker still reports.
   */
  #checkpoints(): void {
    const appended = this.#written() + this.pending + this.dropped;
    const sinceLast = appended - this.#appendedAtTimer;
    this.#appendedAtTimer = appended;
    if (this.#checkpointer) this.#checkpointer.check();
    else if (sinceLast >= this.#checkpointFromRows) {
      this.#checkpointer = new Checkpointer(this.db, this.path, { onHealth: this.#onHealth });
    }
  }

  /**
   * A timer flush: what is queued now (at most {@link FLUSH_BUDGET_ROWS}), in
   * transactions of {@link FLUSH_SLICE_ROWS} rows with a turn of the event loop between
   * them; rows queued meanwhile wait for the next timer. A failed slice ends it (the
   * rows stay queued, as with any failed flush).
   */
  #flushInSlices(): void {
    if (this.#slice !== undefined) return;
    this.#checkpoints();
    let left = Math.min(FLUSH_BUDGET_ROWS, this.pending);
    const step = () => {
      this.#slice = undefined;
      const before = this.#written();
      const ok = this.flush(Math.min(FLUSH_SLICE_ROWS, left));
      left -= this.#written() - before;
      // A listener of the slice may have closed the store.
      if (ok && left > 0 && this.pending > 0 && !this.#closed) this.#slice = setTimeout(step, 0);
    };
    step();
  }

  /**
   * Writes what is queued on every channel (all of it, or about `maxRows`), in
   * transactions of up to {@link CHUNK_ROWS} rows that each hold every channel's
   * oldest queued rows: a crash never keeps one channel's rows and loses another's
   * from the same flush. A failure is reported when it starts or its reason changes
   * (not at every retry), and the rows stay queued for the next flush; returns
   * whether the writes worked.
   */
  flush(maxRows = Infinity): boolean {
    let total = 0;
    try {
      const settings = [...this.#flushSettings].map(([key, read]) =>
        [key, read()] as [
          string,
          unknown,
        ]
      );
      while (total < maxRows) {
        const chunk = this.#chunk(maxRows - total);
        if (chunk.length === 0) break;
        total += this.#writeChunk(chunk, settings);
      }
    } catch (error) {
      const message = (error as Error).message;
      if (this.#lastError === null) this.#droppedAtFailure = this.dropped;
      if (message !== this.#lastError) {
        this.#onHealth(
          `Database write failed: ${message} (${this.pending} samples queued in memory and retried; beyond ${this.maxQueue} the oldest are dropped)`,
        );
      }
      this.#lastError = message;
      return false;
    } finally {
      this.#reportDrops();
    }
    this.#lastFlushMs = this.#now();
    if (total > 0) this.#tellWritten();
    if (this.#lastError !== null) {
      const dropped = this.dropped - this.#droppedAtFailure;
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

  /**
   * Calls `listener` after every flush that committed rows, outside its transaction
   * (kept recordings copy what they follow from here); returns the unsubscribe.
   */
  onWritten(listener: () => void): () => void {
    this.#afterWrite.add(listener);
    return () => this.#afterWrite.delete(listener);
  }

  #tellWritten(): void {
    for (const listener of this.#afterWrite) {
      try {
        listener();
      } catch (error) {
        this.#onHealth(`After a database write: ${(error as Error).message}`);
      }
    }
  }

  /** Announces once per outage that the queue bound was reached. */
  #reportDrops(): void {
    if (this.#dropsAnnounced || this.dropped === this.#droppedAtFailure) return;
    this.#dropsAnnounced = true;
    this.#onHealth(
      `Database queue full (${this.maxQueue} samples): dropping the oldest queued samples`,
    );
  }

  /** Runs one retention pass over every channel stored, configured or not. */
  prune(): Promise<RetentionResult> {
    return this.retention.run();
  }

  /** Raw samples stored, all channels (kept as a running count: no query). */
  get rows(): number {
    let n = 0;
    for (const rows of this.#rows.values()) n += rows;
    return n;
  }

  /** Database file plus write-ahead log, in bytes. */
  sizeBytes(): number {
    return fileSize(this.path) + fileSize(`${this.path}-wal`);
  }

  #rangeOf(id: number): ChannelRange {
    // Per-channel sub-selects: MIN/MAX over the (channel_id, ts_ms) index are O(log n);
    // without the channel SQLite walks the whole index.
    return this.#range.get(id, id) as unknown as ChannelRange;
  }

  /**
   * The figures `/status` shows: running counts and one `stat` of the file, no query
   * (a `GET /status` should not pay for the per-channel ranges of {@link stats}).
   */
  summary(): StoreSummary {
    return {
      path: this.path,
      rows: this.rows,
      file_bytes: fileSize(this.path),
      pending: this.pending,
      dropped: this.dropped,
      last_flush_ms: this.#lastFlushMs,
      last_error: this.#lastError,
      ...this.#checkpointStats(),
    };
  }

  #checkpointStats(): Pick<DatabaseStats, "checkpoints" | "last_checkpoint_ms"> {
    return this.#checkpointer?.stats ?? { checkpoints: "main", last_checkpoint_ms: null };
  }

  /**
   * Figures of the whole database for `/api/database/stats`, and in `channels` of each
   * configured channel, then of each channel still stored but no longer configured.
   */
  stats(): DatabaseStats {
    const channels: ChannelDatabaseStats[] = this.channels.map((c) => c.stats());
    const stored = this.db.prepare("SELECT id, name FROM channels ORDER BY id").all() as {
      id: number;
      name: string;
    }[];
    for (const { id, name } of stored) {
      if (this.#byName.has(name) || (this.#rows.get(id) ?? 0) === 0) continue;
      const range = this.#rangeOf(id);
      const lastSeq = this.db.prepare("SELECT value FROM meta WHERE key = ?")
        .get(`last_seq:${id}`) as { value: number } | undefined;
      channels.push({
        name,
        configured: false,
        rows: this.#rows.get(id) ?? 0,
        oldest_ts_ms: range.oldest,
        newest_ts_ms: range.newest,
        pending: 0,
        written: 0,
        dropped: 0,
        last_seq: lastSeq?.value ?? 0,
      });
    }
    const times = (pick: (c: ChannelDatabaseStats) => number | null) =>
      channels.map(pick).filter((t): t is number => t !== null);
    const oldest = times((c) => c.oldest_ts_ms);
    const newest = times((c) => c.newest_ts_ms);
    return {
      path: this.path,
      rows: this.rows,
      oldest_ts_ms: oldest.length > 0 ? Math.min(...oldest) : null,
      newest_ts_ms: newest.length > 0 ? Math.max(...newest) : null,
      file_bytes: fileSize(this.path),
      wal_bytes: fileSize(`${this.path}-wal`),
      pending: this.pending,
      written: this.#written(),
      dropped: this.dropped,
      last_flush_ms: this.#lastFlushMs,
      last_error: this.#lastError,
      ...this.#checkpointStats(),
      channels,
    };
  }

  /** Stops the timers, writes what is queued, closes the database and unlocks it. */
  close(): void {
    this.#closed = true;
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    clearTimeout(this.#slice);
    this.#slice = undefined;
    // Before the main connection closes, so that it is most likely the last and checkpoints
    // the WAL away (a checkpoint under way finishes on its own; nothing is lost either way).
    this.#checkpointer?.close();
    try {
      // Everything handed out is stored: the next start needs no gap in seq.
      if (this.flush()) { for (const c of this.channels) c.writer.release(); }
      this.db.close();
    } finally {
      this.#lock?.release();
      this.#lock = undefined;
    }
  }
}
