/**
 * A span's figures, exact to the sample at any length: raw samples at the edges (the
 * partial 100 ms buckets), then 100 ms, 1 s and 1 min rollups inward, each only where
 * its buckets lie wholly inside the span. The one planner of span figures.
 * @module
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { trapezoid } from "../analysis/energy.ts";
import { METRICS } from "../analysis/rolling.ts";
import type { Metric } from "../protocol/common.ts";
import type { HistorySource } from "../protocol/history.ts";
import type { SpanPart, SpanResponse } from "../protocol/span.ts";
import { STATUS_CODES } from "./db.ts";
import { type MetricSums, type SampleTables, STORE_TABLES } from "./queries.ts";

/** Rollup tiers, finest first; each width is a multiple of the one before. */
const TIERS: readonly { source: Exclude<HistorySource, "raw">; widthMs: number }[] = [
  { source: "100ms", widthMs: 100 },
  { source: "1s", widthMs: 1000 },
  { source: "1m", widthMs: 60_000 },
];
const MINUTE = 60_000;

const floorTo = (t: number, w: number) => Math.floor(t / w) * w;
const ceilTo = (t: number, w: number) => Math.ceil(t / w) * w;

/** Which data covers which stretch of a span, and whether that is exact. */
export interface SpanPlan {
  /** The stretches in time order, each read from one source. */
  parts: SpanPart[];
  /** Whether the parts cover [from, to) to the sample; per-minute rollups round the edges. */
  exact: boolean;
  /** Start of what the parts cover: `from` itself when exact. */
  fromMs: number;
  /** End of what the parts cover: `to` itself when exact. */
  toMs: number;
}

/**
 * Splits [fromMs, toMs) into stretches read from raw samples (the edges) and from the
 * coarsest rollup whose buckets fit wholly inside (the middle), so every sample
 * stamped in the span is counted once and no other. Data older than `rawFromMs` (raw
 * samples, 100 ms and 1 s rollups are gone there) is read from per-minute rollups
 * that start in the span: the edges there round up to the minute (not exact, and said
 * so, unless they fall on whole minutes).
 */
export function planSpan(fromMs: number, toMs: number, rawFromMs: number): SpanPlan {
  const parts: SpanPart[] = [];
  const add = (source: HistorySource, from: number, to: number) => {
    if (from < to) parts.push({ source, from_ms: from, to_ms: to });
  };
  let lo = fromMs;
  let coveredFrom = fromMs;
  let coveredTo = toMs;
  const covered = () => ({ fromMs: coveredFrom, toMs: coveredTo });
  if (fromMs < rawFromMs) {
    coveredFrom = ceilTo(fromMs, MINUTE);
    const split = Math.max(coveredFrom, ceilTo(rawFromMs, MINUTE));
    if (split >= toMs) {
      // All of it before the raw data: the minutes that start in the span.
      coveredTo = Math.max(coveredFrom, ceilTo(toMs, MINUTE));
      add("1m", coveredFrom, coveredTo);
      return { parts, exact: coveredFrom === fromMs && coveredTo === toMs, ...covered() };
    }
    add("1m", coveredFrom, split);
    lo = split;
  }
  const head: SpanPart[] = [];
  const tail: SpanPart[] = [];
  let hi = toMs;
  let finer: HistorySource = "raw";
  for (const tier of TIERS) {
    const a = ceilTo(lo, tier.widthMs);
    const b = floorTo(hi, tier.widthMs);
    if (a >= b) break;
    if (lo < a) head.push({ source: finer, from_ms: lo, to_ms: a });
    if (b < hi) tail.unshift({ source: finer, from_ms: b, to_ms: hi });
    lo = a;
    hi = b;
    finer = tier.source;
  }
  parts.push(...head);
  add(finer, lo, hi);
  parts.push(...tail);
  return { parts, exact: coveredFrom === fromMs, ...covered() };
}

interface Agg {
  count: number;
  errors: number;
  min: Record<Metric, number | null>;
  max: Record<Metric, number | null>;
  sum: Record<Metric, number>;
  sq: Record<Metric, number>;
  /** Samples counted from rollup buckets without sums of squares (older rows). */
  sqUnknown: number;
  energyJ: number;
  chargeC: number;
  stepsUnknown: number;
}

interface RollupRow extends MetricSums {
  v_sq: number | null;
  a_sq: number | null;
  w_sq: number | null;
  sq_unknown: number | null;
  count: number | null;
  errors: number | null;
  energy_j: number | null;
  charge_c: number | null;
}

interface RawRow {
  id: number;
  ts_ms: number;
  v: number;
  a: number;
  w: number;
  status: number;
  step_ms: number | null;
}

const rollupSql = (table: string) =>
  `SELECT SUM(count) AS count, SUM(errors) AS errors,
     MIN(v_min) AS v_min, MAX(v_max) AS v_max, SUM(v_sum) AS v_sum,
     MIN(a_min) AS a_min, MAX(a_max) AS a_max, SUM(a_sum) AS a_sum,
     MIN(w_min) AS w_min, MAX(w_max) AS w_max, SUM(w_sum) AS w_sum,
     SUM(v_sq) AS v_sq, SUM(a_sq) AS a_sq, SUM(w_sq) AS w_sq,
     SUM(CASE WHEN v_sq IS NULL OR a_sq IS NULL OR w_sq IS NULL THEN count ELSE 0 END)
       AS sq_unknown,
     SUM(energy_j) AS energy_j, SUM(charge_c) AS charge_c
   FROM ${table} WHERE channel_id = ? AND bucket_ms >= ? AND bucket_ms < ?`;

const lower = (x: number | null, y: number | null) =>
  x === null ? y : y === null ? x : Math.min(x, y);
const higher = (x: number | null, y: number | null) =>
  x === null ? y : y === null ? x : Math.max(x, y);

/**
 * One metric's figures: min, max, mean, peak-to-peak, and the RMS and (population)
 * standard deviation from the sums of squares; those two are null when part of the span
 * was rolled up before squares were kept.
 */
function spanStat(agg: Agg, m: Metric) {
  const n = agg.count;
  const min = agg.min[m];
  const max = agg.max[m];
  const mean = n > 0 ? agg.sum[m] / n : null;
  const squares = n > 0 && agg.sqUnknown === 0;
  const meanSq = agg.sq[m] / n;
  return {
    min,
    max,
    avg: mean,
    p2p: min !== null && max !== null ? max - min : null,
    rms: squares ? Math.sqrt(meanSq) : null,
    // Rounding can leave a tiny negative variance for a constant signal: that is 0.
    sd: squares && mean !== null ? Math.sqrt(Math.max(0, meanSq - mean * mean)) : null,
  };
}

/** Reads span figures on one channel. */
export class SpanReader {
  #channelId: number;
  #raw: StatementSync;
  #prev: StatementSync;
  #rollup: Record<Exclude<HistorySource, "raw">, StatementSync>;

  /**
   * Prepares every statement once, so each span only binds its range; `tables` are the
   * store's unless given.
   */
  constructor(db: DatabaseSync, channelId: number, tables: SampleTables = STORE_TABLES) {
    this.#channelId = channelId;
    this.#raw = db.prepare(
      `SELECT id, ts_ms, v, a, w, status, step_ms FROM ${tables.samples}
       WHERE channel_id = ? AND ts_ms >= ? AND ts_ms < ? ORDER BY ts_ms, id`,
    );
    // The sample a step started from: stamped `step_ms` earlier, stored before it.
    this.#prev = db.prepare(
      `SELECT v, a, w, status FROM ${tables.samples}
       WHERE channel_id = ? AND ts_ms = ? AND id < ? ORDER BY id DESC LIMIT 1`,
    );
    this.#rollup = {
      "100ms": db.prepare(rollupSql(tables.rollups["100ms"])),
      "1s": db.prepare(rollupSql(tables.rollups["1s"])),
      "1m": db.prepare(rollupSql(tables.rollups["1m"])),
    };
  }

  /** Figures of [fromMs, toMs); raw samples and fine rollups exist from `rawFromMs`. */
  read(fromMs: number, toMs: number, rawFromMs: number): SpanResponse {
    const plan = planSpan(fromMs, toMs, rawFromMs);
    const agg: Agg = {
      count: 0,
      errors: 0,
      min: { v: null, a: null, w: null },
      max: { v: null, a: null, w: null },
      sum: { v: 0, a: 0, w: 0 },
      sq: { v: 0, a: 0, w: 0 },
      sqUnknown: 0,
      energyJ: 0,
      chargeC: 0,
      stepsUnknown: 0,
    };
    for (const part of plan.parts) {
      if (part.source === "raw") this.#addRaw(agg, part.from_ms, part.to_ms);
      else this.#addRollup(agg, part);
    }
    const stat = (m: Metric) => spanStat(agg, m);
    return {
      from_ms: fromMs,
      to_ms: toMs,
      duration_ms: toMs - fromMs,
      count: agg.count,
      errors: agg.errors,
      v: stat("v"),
      a: stat("a"),
      w: stat("w"),
      energy_j: agg.energyJ,
      energy_wh: agg.energyJ / 3600,
      charge_c: agg.chargeC,
      charge_ah: agg.chargeC / 3600,
      source: {
        exact: plan.exact && agg.stepsUnknown === 0,
        from_ms: plan.fromMs,
        to_ms: plan.toMs,
        parts: plan.parts,
        steps_unknown: agg.stepsUnknown,
      },
    };
  }

  #addRollup(agg: Agg, part: SpanPart): void {
    const r = this.#rollup[part.source as Exclude<HistorySource, "raw">].get(
      this.#channelId,
      BigInt(part.from_ms),
      BigInt(part.to_ms),
    ) as unknown as RollupRow;
    agg.count += r.count ?? 0;
    agg.errors += r.errors ?? 0;
    agg.energyJ += r.energy_j ?? 0;
    agg.chargeC += r.charge_c ?? 0;
    agg.sqUnknown += r.sq_unknown ?? 0;
    for (const m of METRICS) {
      agg.min[m] = lower(agg.min[m], r[`${m}_min`]);
      agg.max[m] = higher(agg.max[m], r[`${m}_max`]);
      agg.sum[m] += r[`${m}_sum`] ?? 0;
      agg.sq[m] += r[`${m}_sq`] ?? 0;
    }
  }

  /**
   * Adds the samples stamped in [fromMs, toMs), each with the energy step it carried
   * in the rollups: recomputed with {@link trapezoid} from the sample it started at.
   */
  #addRaw(agg: Agg, fromMs: number, toMs: number): void {
    const rows = this.#raw.all(
      this.#channelId,
      BigInt(fromMs),
      BigInt(toMs),
    ) as unknown as RawRow[];
    // Read along the time index, then taken in the order they were stored: a step's
    // start is the newest row before it with the start's stamp.
    rows.sort((x, y) => x.id - y.id);
    const latest = new Map<number, RawRow>();
    for (const r of rows) {
      if (r.status === STATUS_CODES.error) {
        agg.errors++;
      } else {
        agg.count++;
        for (const m of METRICS) {
          agg.min[m] = lower(agg.min[m], r[m]);
          agg.max[m] = higher(agg.max[m], r[m]);
          agg.sum[m] += r[m];
          agg.sq[m] += r[m] * r[m];
        }
        this.#addStep(agg, r, latest);
      }
      latest.set(r.ts_ms, r);
    }
  }

  #addStep(agg: Agg, r: RawRow, latest: Map<number, RawRow>): void {
    if (r.step_ms === 0) return;
    if (r.step_ms === null) {
      agg.stepsUnknown++;
      return;
    }
    const startMs = r.ts_ms - r.step_ms;
    const prev = latest.get(startMs) ??
      this.#prev.get(this.#channelId, BigInt(startMs), r.id) as RawRow | undefined;
    if (!prev || prev.status === STATUS_CODES.error) {
      agg.stepsUnknown++;
      return;
    }
    const step = trapezoid(prev, r, r.step_ms);
    agg.energyJ += step.energyJ;
    agg.chargeC += step.chargeC;
  }
}
