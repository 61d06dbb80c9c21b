/**
 * The batched writer: samples queue in memory and go to SQLite in one transaction
 * per flush, together with the rollup deltas and the last `seq`, so a crash loses at
 * most the last flush interval and never leaves rollups out of step with samples.
 * @module
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { EnergyStep } from "../analysis/energy.ts";
import { METRICS } from "../analysis/rolling.ts";
import type { Sample } from "../sample.ts";
import { internName, STATUS_CODES } from "./db.ts";
import { type Bucket, RollupAccumulator } from "./rollup.ts";

/** Widths of the rollup tables. */
export const ROLLUPS = [
  { table: "rollup_100ms", widthMs: 100 },
  { table: "rollup_1s", widthMs: 1000 },
  { table: "rollup_1m", widthMs: 60_000 },
] as const;

/** Options of {@link SampleWriter}. */
export interface WriterOptions {
  channel?: string;
  /** Samples kept in memory while the database refuses writes; older ones are dropped. */
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
  ]);
  return `INSERT INTO ${table} (channel_id, bucket_ms, count, errors,
      v_min, v_max, v_sum, a_min, a_max, a_sum, w_min, w_max, w_sum, energy_j, charge_c)
    VALUES (?, CAST(? AS INTEGER), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (channel_id, bucket_ms) DO UPDATE SET
      count = count + excluded.count, errors = errors + excluded.errors,
      ${metrics.join(",\n      ")},
      energy_j = energy_j + excluded.energy_j, charge_c = charge_c + excluded.charge_c`;
}

/** Appends samples and flushes them in batches. */
export class SampleWriter {
  readonly channelId: number;
  #db: DatabaseSync;
  #pending: Sample[] = [];
  #maxPending: number;
  #rollups = ROLLUPS.map((r) => ({ ...r, acc: new RollupAccumulator(r.widthMs) }));
  #insert: StatementSync;
  #merge: StatementSync[];
  #setSeq: StatementSync;
  #setSetting: StatementSync;
  #modeIds = new Map<string, number>();
  #lastSeq: number;
  /** Samples dropped because the database kept refusing writes. */
  dropped = 0;
  /** Rows written since start. */
  written = 0;

  constructor(db: DatabaseSync, options: WriterOptions = {}) {
    this.#db = db;
    this.channelId = internName(db, "channels", options.channel ?? "main");
    this.#maxPending = options.maxPending ?? 1_000_000;
    this.#insert = db.prepare(
      `INSERT INTO samples (channel_id, ts_ms, seq, v, a, w, status, mode_id, error)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#merge = ROLLUPS.map((r) => db.prepare(mergeSql(r.table)));
    this.#setSeq = db.prepare(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    );
    this.#setSetting = db.prepare(
      "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    );
    const row = db.prepare("SELECT value FROM meta WHERE key = ?").get(this.#seqKey()) as
      | { value: number }
      | undefined;
    this.#lastSeq = row?.value ?? 0;
  }

  #seqKey(): string {
    return `last_seq:${this.channelId}`;
  }

  /** The last `seq` stored (or queued): the sampler continues from here after a restart. */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  /** Samples waiting for the next flush. */
  get pending(): number {
    return this.#pending.length;
  }

  /**
   * Queues a sample and adds it, with the energy and charge integrated up to it, to
   * the rollups. Cheap: no I/O.
   */
  append(sample: Sample, step: EnergyStep): void {
    if (this.#pending.length >= this.#maxPending) {
      this.#pending.shift();
      this.dropped++;
    }
    this.#pending.push(sample);
    this.#lastSeq = sample.seq;
    if (sample.status === "error") {
      for (const r of this.#rollups) r.acc.addError(sample.tsMs);
      return;
    }
    const { energyJ, chargeC } = step;
    for (const r of this.#rollups) {
      r.acc.add(sample.tsMs, sample.v, sample.a, sample.w, energyJ, chargeC);
    }
  }

  #modeId(mode: string): number {
    let id = this.#modeIds.get(mode);
    if (id === undefined) this.#modeIds.set(mode, id = internName(this.#db, "modes", mode));
    return id;
  }

  /**
   * Writes everything queued in one transaction; returns the rows written. On failure
   * nothing is lost from the queue and the error is thrown for the caller to report.
   */
  flush(settings: Record<string, unknown> = {}): number {
    if (this.#pending.length === 0) return 0;
    const batch = this.#pending;
    const channel = this.channelId;
    // Mode names are interned in their own statements before the transaction, so a
    // rolled-back flush can never leave a cached id that the database does not hold.
    const modeIds = new Map<string, number>();
    for (const s of batch) if (!modeIds.has(s.mode)) modeIds.set(s.mode, this.#modeId(s.mode));
    // BEGIN may fail (another process holds the lock): the deltas are taken only after it.
    this.#db.exec("BEGIN IMMEDIATE");
    const deltas = this.#rollups.map((r) => r.acc.take());
    try {
      for (const s of batch) {
        this.#insert.run(
          channel,
          BigInt(s.tsMs),
          BigInt(s.seq),
          s.v,
          s.a,
          s.w,
          STATUS_CODES[s.status],
          modeIds.get(s.mode)!,
          s.error ?? null,
        );
      }
      deltas.forEach((buckets, i) => {
        for (const b of buckets) this.#mergeBucket(this.#merge[i], b);
      });
      this.#setSeq.run(this.#seqKey(), BigInt(batch[batch.length - 1].seq));
      // Counters derived from these samples (energy) commit with them.
      for (const [key, value] of Object.entries(settings)) {
        this.#setSetting.run(key, JSON.stringify(value));
      }
      this.#db.exec("COMMIT");
    } catch (error) {
      this.#db.exec("ROLLBACK");
      // Put the rollup deltas back so the next flush writes them with their samples.
      deltas.forEach((buckets, i) => this.#restore(i, buckets));
      throw error;
    }
    this.#pending = [];
    this.written += batch.length;
    return batch.length;
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
    );
  }

  #restore(i: number, buckets: Bucket[]): void {
    const acc = this.#rollups[i].acc;
    const current = acc.take();
    acc.restore([...buckets, ...current]);
  }
}
