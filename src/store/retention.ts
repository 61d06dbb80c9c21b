/**
 * Retention: deletes raw samples and per-second rollups older than RETENTION_HOURS and
 * per-minute rollups older than ROLLUP_RETENTION_DAYS, in small chunks with a turn of
 * the event loop between them, so sampling never stalls behind a big delete.
 * @module
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";

/** Options of {@link Retention}. */
export interface RetentionOptions {
  /** Raw samples and 100 ms / 1 s rollups older than this are deleted. */
  rawRetentionMs: number;
  /** 1 min rollups and alert history older than this are deleted. */
  rollupRetentionMs: number;
  /** Rows deleted per transaction. */
  chunkRows?: number;
  /** Clock the ages are measured against (default `Date.now`). */
  now?: () => number;
  /** Awaited between chunks; the default lets timers and I/O run. */
  yieldFn?: () => Promise<void>;
  /** Told after each chunk how many raw samples of which channel id it deleted. */
  onSamplesDeleted?: (channelId: number, samples: number) => void;
}

/** Rows removed by one pass. */
export interface RetentionResult {
  /** Raw sample rows deleted. */
  samples: number;
  /** 100 ms rollup rows deleted. */
  rollup_100ms: number;
  /** 1 s rollup rows deleted. */
  rollup_1s: number;
  /** 1 min rollup rows deleted. */
  rollup_1m: number;
  /** Alert history rows deleted. */
  alerts: number;
}

const macrotask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Removes what is older than the retention limits. */
export class Retention {
  /** Age in ms beyond which raw samples and 100 ms / 1 s rollups are deleted. */
  readonly rawRetentionMs: number;
  /** Age in ms beyond which 1 min rollups and alerts are deleted. */
  readonly rollupRetentionMs: number;
  #db: DatabaseSync;
  #chunkRows: number;
  #now: () => number;
  #yield: () => Promise<void>;
  #onSamplesDeleted: (channelId: number, samples: number) => void;
  #samples: StatementSync;
  #channels: StatementSync;
  #rollups: Record<"rollup_100ms" | "rollup_1s" | "rollup_1m", StatementSync>;
  #alerts: StatementSync;
  #running: Promise<RetentionResult> | undefined;

  /** Prepares the delete statements; nothing is deleted until a pass runs. */
  constructor(db: DatabaseSync, options: RetentionOptions) {
    this.#db = db;
    this.rawRetentionMs = options.rawRetentionMs;
    this.rollupRetentionMs = options.rollupRetentionMs;
    this.#chunkRows = options.chunkRows ?? 5000;
    this.#now = options.now ?? Date.now;
    this.#yield = options.yieldFn ?? macrotask;
    this.#onSamplesDeleted = options.onSamplesDeleted ?? (() => {});
    // Channel by channel, so the (channel_id, ts_ms) index bounds every chunk: without
    // the channel, SQLite scans the whole index per chunk (seconds at 48 h of 1 kHz).
    this.#samples = db.prepare(
      `DELETE FROM samples WHERE id IN
         (SELECT id FROM samples WHERE channel_id = ? AND ts_ms < ? ORDER BY ts_ms LIMIT ?)`,
    );
    this.#channels = db.prepare("SELECT id FROM channels ORDER BY id");
    const rollup = (table: string) =>
      db.prepare(
        `DELETE FROM ${table} WHERE (channel_id, bucket_ms) IN
           (SELECT channel_id, bucket_ms FROM ${table}
            WHERE channel_id IN (SELECT id FROM channels) AND bucket_ms < ? LIMIT ?)`,
      );
    this.#rollups = {
      rollup_100ms: rollup("rollup_100ms"),
      rollup_1s: rollup("rollup_1s"),
      rollup_1m: rollup("rollup_1m"),
    };
    // Alert history is kept as long as the per-minute rollups it explains.
    this.#alerts = db.prepare(
      `DELETE FROM alerts WHERE id IN
         (SELECT id FROM alerts WHERE ts_ms < ? ORDER BY ts_ms LIMIT ?)`,
    );
  }

  /** One pass over every table; concurrent calls share the pass under way. */
  run(): Promise<RetentionResult> {
    return this.#running ??= this.#pass().finally(() => this.#running = undefined);
  }

  async #pass(): Promise<RetentionResult> {
    const nowMs = this.#now();
    const rawCutoff = BigInt(nowMs - this.rawRetentionMs);
    const rollupCutoff = BigInt(nowMs - this.rollupRetentionMs);
    let samples = 0;
    for (const { id } of this.#channels.all() as { id: number }[]) {
      samples += await this.#drain(this.#samples, rawCutoff, id);
    }
    return {
      samples,
      rollup_100ms: await this.#drain(this.#rollups.rollup_100ms, rawCutoff),
      rollup_1s: await this.#drain(this.#rollups.rollup_1s, rawCutoff),
      rollup_1m: await this.#drain(this.#rollups.rollup_1m, rollupCutoff),
      alerts: await this.#drain(this.#alerts, rollupCutoff),
    };
  }

  async #drain(stmt: StatementSync, cutoff: bigint, channelId?: number): Promise<number> {
    let total = 0;
    for (;;) {
      const { changes } = channelId === undefined
        ? stmt.run(cutoff, BigInt(this.#chunkRows))
        : stmt.run(channelId, cutoff, BigInt(this.#chunkRows));
      total += Number(changes);
      if (channelId !== undefined) this.#onSamplesDeleted(channelId, Number(changes));
      if (Number(changes) < this.#chunkRows) return total;
      await this.#yield();
    }
  }

  /**
   * Returns free pages to the file system a chunk at a time (the database uses
   * incremental auto-vacuum, so no whole-file VACUUM that would block sampling), then
   * truncates the WAL. Returns the pages freed.
   */
  async vacuum(chunkPages = 2000): Promise<number> {
    if (!Number.isInteger(chunkPages) || chunkPages < 1) {
      throw new RangeError(`Invalid vacuum chunk ${chunkPages}: must be a positive integer`);
    }
    let freed = 0;
    for (;;) {
      const { freelist_count: before } = this.#db.prepare("PRAGMA freelist_count").get() as {
        freelist_count: number;
      };
      if (before === 0) break;
      // PRAGMA arguments cannot be bound; chunkPages is a checked integer.
      this.#db.exec(`PRAGMA incremental_vacuum(${chunkPages})`);
      const { freelist_count: after } = this.#db.prepare("PRAGMA freelist_count").get() as {
        freelist_count: number;
      };
      freed += before - after;
      if (after === before) break;
      await this.#yield();
    }
    this.#db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    return freed;
  }
}
