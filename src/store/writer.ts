/**
 * The batched writer: samples queue in memory and go to SQLite in transactions of at
 * most {@link CHUNK_ROWS} rows, each with the rollup deltas of exactly its rows and the
 * last `seq`, so a crash loses at most the last flush interval and rollups never
 * disagree with the raw rows. Also reserves `seq` numbers ahead, so a restart after a
 * crash never hands out a number a client may already have seen.
 * @module
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { EnergyStep } from "../analysis/energy.ts";
import { METRICS } from "../analysis/rolling.ts";
import type { Sample } from "../sample.ts";
import { internName, rollbackAfter, STATUS_CODES } from "./db.ts";
import { type Bucket, RollupAccumulator } from "./rollup.ts";
import { SampleQueue } from "./sample_queue.ts";

/** Widths of the rollup tables. */
export const ROLLUPS = [
  { table: "rollup_100ms", widthMs: 100 },
  { table: "rollup_1s", widthMs: 1000 },
  { table: "rollup_1m", widthMs: 60_000 },
] as const;

/** Rows per transaction: bounds the work a failing write wastes and each commit's size. */
export const CHUNK_ROWS = 10_000;

/** `seq` numbers reserved at a time (10 s at 1 kHz): one synchronous commit per block. */
export const SEQ_BLOCK = 10_000;

/**
 * Rows per `INSERT` statement, largest first: binding 100 rows in one statement costs
 * about 2–3 µs a row here, a statement per row 6–11 µs (docs/benchmarks.md, issue 12).
 */
const INSERT_GROUPS = [100, 10, 1] as const;

/** Bound columns of one `samples` row as the writer inserts it (the channel is in the SQL). */
const INSERT_COLUMNS = 9;

/** Default of {@link WriterOptions.maxPending}: five minutes at 1 kHz. */
export const DEFAULT_MAX_PENDING = 300_000;

/** Options of {@link SampleWriter}. */
export interface WriterOptions {
  /** The channel samples are written to (default `main`). */
  channel?: string;
  /**
   * Samples kept in memory while the database refuses writes; beyond it the oldest
   * queued samples are dropped (1 % of the bound at a time), with their rollups.
   */
  maxPending?: number;
}

function mergeSql(table: string): string {
  const keep = (m: string, fn: "min" | "max") =>
    `${m}_${fn} = CASE WHEN ${m}_${fn} IS NULL THEN excluded.${m}_${fn} ` +
    `WHEN excluded.${m}_${fn} IS NULL THEN ${m}_${fn} ELSE ${fn}(${m}_${fn}, excluded.${m}_${fn}) END`;
  const metrics = METRICS.flatMap((m) => [
    keep(m, "min"),
    keep(m, "max"),
    `${m}_sum = ${m}_sum + excluded.${m}_sum`,
    // NULL (a bucket begun before squares were kept) stays NULL: its squares are unknown.
    `${m}_sq = ${m}_sq + excluded.${m}_sq`,
  ]);
  return `INSERT INTO ${table} (channel_id, bucket_ms, count, errors,
      v_min, v_max, v_sum, a_min, a_max, a_sum, w_min, w_max, w_sum, energy_j, charge_c,
      v_sq, a_sq, w_sq)
    VALUES (?, CAST(? AS INTEGER), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (channel_id, bucket_ms) DO UPDATE SET
      count = count + excluded.count, errors = errors + excluded.errors,
      ${metrics.join(",\n      ")},
      energy_j = energy_j + excluded.energy_j, charge_c = charge_c + excluded.charge_c`;
}

/** Appends samples and flushes them in batches. */
export class SampleWriter {
  /** Row id of the channel in the `channels` table. */
  readonly channelId: number;
  /** Samples kept in memory while writes fail; beyond it the oldest are dropped. */
  readonly maxPending: number;
  #db: DatabaseSync;
  // The queue: samples with the energy and charge integrated up to each, in typed
  // columns. Rollups are computed from it at flush time, so a dropped or not-yet-written
  // sample is never in a rollup.
  #queue = new SampleQueue();
  /** Multi-row inserts of {@link INSERT_GROUPS} rows, with their reused parameter arrays. */
  #inserts: { rows: number; stmt: StatementSync; params: (number | string | null)[] }[];
  #merge: StatementSync[];
  #setMeta: StatementSync;
  #setSetting: StatementSync;
  #modeIds = new Map<string, number>();
  /** Mode ids interned inside a caller's transaction: cached only once it commits. */
  #modeIdsUncommitted = new Map<string, number>();
  #lastSeq: number;
  #reserved: number;
  #reserveRetrySeq = 0;
  /** Samples dropped because the database kept refusing writes. */
  dropped = 0;
  /** Rows written since start. */
  written = 0;
  /** Why the last `seq` reservation failed (null once one works again). */
  reserveError: string | null = null;

  /** Interns the channel and prepares the statements. */
  constructor(db: DatabaseSync, options: WriterOptions = {}) {
    this.#db = db;
    this.channelId = internName(db, "channels", options.channel ?? "main");
    this.maxPending = options.maxPending ?? DEFAULT_MAX_PENDING;
    if (!Number.isInteger(this.maxPending) || this.maxPending < 1) {
      throw new RangeError(`Invalid queue bound ${this.maxPending}: must be a positive integer`);
    }
    // The channel id (an integer from the database) is written into the SQL: one bound
    // parameter less per row. Integral numbers bound as numbers are stored as INTEGER
    // (the columns' affinity), as BigInts were, without a BigInt per value.
    const row = `(${this.channelId}, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
    this.#inserts = INSERT_GROUPS.map((rows) => ({
      rows,
      stmt: db.prepare(
        `INSERT INTO samples (channel_id, ts_ms, seq, v, a, w, status, mode_id, error, step_ms)
         VALUES ${Array(rows).fill(row).join(", ")}`,
      ),
      params: new Array(rows * INSERT_COLUMNS).fill(null),
    }));
    this.#merge = ROLLUPS.map((r) => db.prepare(mergeSql(r.table)));
    this.#setMeta = db.prepare(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    );
    this.#setSetting = db.prepare(
      "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    );
    const meta = db.prepare("SELECT value FROM meta WHERE key = ?");
    const read = (key: string) => (meta.get(key) as { value: number } | undefined)?.value ?? 0;
    // After a crash the numbers up to the reservation may have reached clients: go on
    // after it, never after the last one stored.
    this.#reserved = Math.max(read(this.#seqKey()), read(this.#reservedKey()));
    this.#lastSeq = this.#reserved;
  }

  #seqKey(): string {
    return `last_seq:${this.channelId}`;
  }

  #reservedKey(): string {
    return `seq_reserved:${this.channelId}`;
  }

  /**
   * The last `seq` queued, or at start the last one that may have been handed out:
   * the sampler continues from here after a restart.
   */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  /** The highest `seq` reserved in the database. */
  get reservedSeq(): number {
    return this.#reserved;
  }

  /** Samples waiting for the next flush. */
  get pending(): number {
    return this.#queue.length;
  }

  /**
   * Queues a sample with the energy and charge integrated up to it. No I/O, except
   * a synchronous commit once every {@link SEQ_BLOCK} numbers to reserve the next
   * block before a number past the reservation is handed out.
   */
  append(sample: Sample, step: EnergyStep): void {
    if (sample.seq > this.#reserved && sample.seq >= this.#reserveRetrySeq) {
      this.#reserve(sample.seq);
    }
    if (this.#queue.length >= this.maxPending) {
      this.dropOldest(Math.max(1, Math.floor(this.maxPending / 100)));
    }
    // A zero step recomputes as 0 whatever its interval; a step without one cannot be
    // recomputed (NULL: a span's edges then say so).
    const zero = step.energyJ === 0 && step.chargeC === 0;
    this.#queue.push(sample, step.energyJ, step.chargeC, step.dtMs ?? (zero ? 0 : null));
    if (sample.seq > this.#lastSeq) this.#lastSeq = sample.seq;
  }

  /**
   * Drops the oldest `n` queued samples (a full queue while writes fail); they reach no
   * table, rollups included, and count in {@link dropped}.
   */
  dropOldest(n: number): void {
    n = Math.min(n, this.#queue.length);
    this.#queue.drop(n);
    this.dropped += n;
  }

  #reserve(seq: number): void {
    const upTo = seq + SEQ_BLOCK;
    try {
      // Durable even across a power cut: this commit is fsynced, the others are not.
      this.#db.exec("PRAGMA synchronous = FULL");
      try {
        this.#setMeta.run(this.#reservedKey(), BigInt(upTo));
      } finally {
        this.#db.exec("PRAGMA synchronous = NORMAL");
      }
      this.#reserved = upTo;
      this.reserveError = null;
    } catch (error) {
      // The sample is still handed out (measuring goes on); the next flush that works
      // writes the reservation, and until then attempts are spaced out.
      this.reserveError = (error as Error).message;
      this.#reserveRetrySeq = seq + 1000;
    }
  }

  /**
   * Gives back the unused part of the reservation: only when everything handed out
   * is stored (a clean shutdown), so the next start continues without a gap.
   */
  release(): void {
    if (this.#queue.length > 0 || this.#reserved === this.#lastSeq) return;
    this.#setMeta.run(this.#reservedKey(), BigInt(this.#lastSeq));
    this.#reserved = this.#lastSeq;
  }

  #modeId(mode: string): number {
    let id = this.#modeIds.get(mode) ?? this.#modeIdsUncommitted.get(mode);
    if (id !== undefined) return id;
    id = internName(this.#db, "modes", mode);
    // Interned inside a caller's transaction (writeInTransaction), the row may yet be
    // rolled back: it joins the cache when the rows that use it are committed.
    (this.#db.isTransaction ? this.#modeIdsUncommitted : this.#modeIds).set(mode, id);
    return id;
  }

  /**
   * Writes what is queued (all of it, or about `maxRows`), oldest first, one
   * transaction per {@link CHUNK_ROWS} rows; returns the rows written. On failure the
   * rows not committed stay queued and SQLite's own error is thrown for the caller.
   */
  flush(settings: Record<string, unknown> = {}, maxRows = Infinity): number {
    let total = 0;
    while (this.#queue.length > 0 && total < maxRows) {
      const n = Math.min(CHUNK_ROWS, this.#queue.length);
      this.#committed(n, this.#writeChunk(n, settings, true));
      total += n;
    }
    return total;
  }

  /**
   * For one transaction over several channels (the Store's flush): writes the oldest
   * `n` queued rows with their rollup deltas and last `seq` inside the transaction the
   * caller holds. They stay queued until the caller, after its COMMIT, calls the function
   * returned; after a ROLLBACK it calls nothing and they are written again next time.
   */
  writeInTransaction(n: number): () => void {
    n = Math.min(n, this.#queue.length);
    if (n === 0) return () => {};
    // Ids interned in an attempt that was rolled back may not exist.
    this.#modeIdsUncommitted.clear();
    const reserveTo = this.#writeChunk(n, {}, false);
    return () => this.#committed(n, reserveTo);
  }

  /** Takes `n` committed rows off the queue. */
  #committed(n: number, reserveTo: number | undefined): void {
    this.#queue.drop(n);
    this.written += n;
    for (const [mode, id] of this.#modeIdsUncommitted) this.#modeIds.set(mode, id);
    this.#modeIdsUncommitted.clear();
    if (reserveTo !== undefined) {
      this.#reserved = reserveTo;
      this.reserveError = null;
    }
  }

  /** Writes a chunk, in its own transaction when `own`; returns the new reservation, if any. */
  #writeChunk(n: number, settings: Record<string, unknown>, own: boolean): number | undefined {
    const q = this.#queue;
    // Mode names are interned in their own statements before the transaction, so a
    // rolled-back flush can never leave a cached id that the database does not hold.
    // Indexed by the queue's mode index.
    const modeIds: number[] = [];
    for (let i = 0; i < n; i++) {
      const m = q.modeIndex(i);
      if (modeIds[m] === undefined) modeIds[m] = this.#modeId(q.modeName(m));
    }
    const deltas = ROLLUPS.map((r) => {
      const acc = new RollupAccumulator(r.widthMs);
      for (let i = 0; i < n; i++) {
        if (q.status(i) === STATUS_CODES.error) acc.addError(q.tsMs(i));
        else acc.add(q.tsMs(i), q.v(i), q.a(i), q.w(i), q.energyJ(i), q.chargeC(i));
      }
      return acc.take();
    });
    const reserveTo = this.#lastSeq > this.#reserved ? this.#lastSeq + SEQ_BLOCK : undefined;
    if (own) this.#db.exec("BEGIN IMMEDIATE");
    try {
      for (let i = 0; i < n;) {
        const insert = this.#inserts.find((g) => g.rows <= n - i)!;
        const params = insert.params;
        for (let k = 0; k < params.length; k += INSERT_COLUMNS, i++) {
          params[k] = q.tsMs(i);
          params[k + 1] = q.seq(i);
          params[k + 2] = q.v(i);
          params[k + 3] = q.a(i);
          params[k + 4] = q.w(i);
          params[k + 5] = q.status(i);
          params[k + 6] = modeIds[q.modeIndex(i)];
          params[k + 7] = q.error(i) ?? null;
          params[k + 8] = q.stepMs(i);
        }
        insert.stmt.run(...params);
      }
      deltas.forEach((buckets, i) => {
        for (const b of buckets) this.#mergeBucket(this.#merge[i], b);
      });
      this.#setMeta.run(this.#seqKey(), BigInt(q.seq(n - 1)));
      // Numbers handed out while a reservation failed are reserved with the rows.
      if (reserveTo !== undefined) this.#setMeta.run(this.#reservedKey(), BigInt(reserveTo));
      // Counters derived from these samples (energy) commit with them.
      for (const [key, value] of Object.entries(settings)) {
        this.#setSetting.run(key, JSON.stringify(value));
      }
      if (own) this.#db.exec("COMMIT");
    } catch (error) {
      if (own) rollbackAfter(this.#db, error as Error);
      throw error;
    }
    return reserveTo;
  }

  #mergeBucket(stmt: StatementSync, b: Bucket): void {
    stmt.run(
      this.channelId,
      b.bucketMs,
      b.count,
      b.errors,
      b.v.min,
      b.v.max,
      b.v.sum,
      b.a.min,
      b.a.max,
      b.a.sum,
      b.w.min,
      b.w.max,
      b.w.sum,
      b.energyJ,
      b.chargeC,
      b.v.sq,
      b.a.sq,
      b.w.sq,
    );
  }
}
