/**
 * A derived channel's history, computed from its inputs' stored history (derived values
 * are never stored): buckets from the inputs' buckets (same plan, so the same grid), and
 * sample rows by replaying the inputs' rows through the live {@link DerivedChannel}.
 * @module
 */
import type { DerivedChannelConfig } from "../channels.ts";
import type { DerivedBucketFields, DerivedMeasurementFields } from "../protocol/derived.ts";
import type { HistoryBucket, MeasurementRow, Stat } from "../protocol/history.ts";
import type { Sample } from "../sample.ts";
import { DerivedChannel, type DerivedChannelOptions } from "./channel.ts";
import { derivedInputs, efficiencyOf } from "./combine.ts";

/**
 * One input's history bucket as the store's history query returns it, with the energy
 * integrated in it (J; the rollups' `energy_j`) when the query reads that too.
 */
export type InputBucket = HistoryBucket & { energy_j?: number | null };

/** One bucket of a derived channel's history. */
export type DerivedBucket = HistoryBucket & DerivedBucketFields;

/** One replayed sample of a derived channel, shaped as a stored row. */
export type DerivedRow = MeasurementRow & DerivedMeasurementFields;

const NO_STAT: Stat = Object.freeze({ min: null, max: null, avg: null });
const avgOnly = (avg: number | null): Stat => ({ min: null, max: null, avg });

const energyOf = (b: InputBucket) => typeof b.energy_j === "number" ? b.energy_j : null;

/**
 * The derived channel's buckets from each input's buckets (keyed by input name; the same
 * plan, so bucket starts line up), oldest first: one wherever any input has a bucket.
 *
 * - `count` is the smallest input count (the live channel emits at the slowest input's
 *   rate) and `errors` the largest; a bucket some input lacks, or where an input has only
 *   failed reads, has count 0 and null figures.
 * - efficiency: `v`/`a`/`w` are the output's, as live. `efficiency` is E_out / E_in when
 *   both energies are known and neither input failed in the bucket: the ratio of the
 *   energies is the bucket's true efficiency, while the mean of per-sample ratios
 *   over-weights moments of little power (1 W in at 10 % and 10 W in at 90 %, for equal
 *   times, average to 50 %, though 83 % of the energy came through). Otherwise mean P_out / mean P_in, which is
 *   the same for evenly spaced samples and does not depend on how much of the bucket a
 *   failing input covered. `loss_w` is mean P_in − mean P_out.
 * - sum: `w` and `a` are the sums of the inputs' means, `v` the mean of their mean
 *   voltages; min and max are null (the rollups bound them, Σ min ≤ min, but do not give them).
 */
export function deriveHistory(
  config: DerivedChannelConfig,
  buckets: Readonly<Record<string, readonly InputBucket[]>>,
): DerivedBucket[] {
  const inputs = derivedInputs(config);
  const byTs = new Map<number, Map<string, InputBucket>>();
  for (const input of inputs) {
    for (const b of buckets[input] ?? []) {
      let row = byTs.get(b.ts_ms);
      if (!row) byTs.set(b.ts_ms, row = new Map());
      row.set(input, b);
    }
  }
  return [...byTs.keys()].sort((x, y) => x - y).map((tsMs) => {
    const row = byTs.get(tsMs)!;
    const present = inputs.map((i) => row.get(i));
    const errors = Math.max(...present.map((b) => b?.errors ?? 0));
    if (present.some((b) => b === undefined || b.count === 0)) {
      return emptyBucket(config, tsMs, errors);
    }
    const all = present as InputBucket[];
    const count = Math.min(...all.map((b) => b.count));
    return config.derived === "efficiency"
      ? efficiencyBucket(tsMs, count, errors, all[0], all[1])
      : sumBucket(tsMs, count, errors, all);
  });
}

function emptyBucket(config: DerivedChannelConfig, tsMs: number, errors: number): DerivedBucket {
  const b: DerivedBucket = {
    ts_ms: tsMs,
    count: 0,
    errors,
    v: NO_STAT,
    a: NO_STAT,
    w: NO_STAT,
    derived: config.derived,
    energy_j: null,
  };
  if (config.derived === "efficiency") {
    Object.assign(b, {
      efficiency: null,
      efficiency_basis: null,
      loss_w: null,
      p_in_w: null,
      loss_j: null,
    });
  }
  return b;
}

function efficiencyBucket(
  tsMs: number,
  count: number,
  errors: number,
  input: InputBucket,
  output: InputBucket,
): DerivedBucket {
  const pIn = input.w.avg, pOut = output.w.avg;
  const eIn = energyOf(input), eOut = energyOf(output);
  const byEnergy = eIn !== null && eOut !== null && input.errors === 0 && output.errors === 0;
  const efficiency = byEnergy
    ? efficiencyOf(eIn, eOut)
    : pIn !== null && pOut !== null
    ? efficiencyOf(pIn, pOut)
    : null;
  return {
    ts_ms: tsMs,
    count,
    errors,
    v: output.v,
    a: output.a,
    w: output.w,
    derived: "efficiency",
    efficiency,
    efficiency_basis: byEnergy ? "energy" : "mean_power",
    loss_w: pIn !== null && pOut !== null ? pIn - pOut : null,
    p_in_w: pIn,
    energy_j: eOut,
    loss_j: eIn !== null && eOut !== null ? eIn - eOut : null,
  };
}

function sumBucket(
  tsMs: number,
  count: number,
  errors: number,
  all: readonly InputBucket[],
): DerivedBucket {
  const total = (pick: (b: InputBucket) => number | null) => {
    let sum = 0;
    for (const b of all) {
      const x = pick(b);
      if (x === null) return null;
      sum += x;
    }
    return sum;
  };
  const v = total((b) => b.v.avg);
  return {
    ts_ms: tsMs,
    count,
    errors,
    v: avgOnly(v === null ? null : v / all.length),
    a: avgOnly(total((b) => b.a.avg)),
    w: avgOnly(total((b) => b.w.avg)),
    derived: "sum",
    energy_j: total(energyOf),
  };
}

/**
 * The derived channel's samples over a window, replayed from its inputs' stored rows
 * (keyed by input name, in any order) through the live {@link DerivedChannel}, so they
 * are the samples the live channel gave (its `seq` aside: numbered from 1 here), oldest
 * first. A pacing sample whose partner lies past the rows' end is left out: widen the
 * window by {@link DerivedChannel.staleMs} to answer up to its edge.
 */
export function deriveRows(
  config: DerivedChannelConfig,
  rows: Readonly<Record<string, readonly MeasurementRow[]>>,
  options: Omit<DerivedChannelOptions, "lastSeq">,
): DerivedRow[] {
  const channel = new DerivedChannel(config, options);
  const merged: { input: string; row: MeasurementRow }[] = [];
  for (const input of channel.inputs) {
    for (const row of rows[input] ?? []) merged.push({ input, row });
  }
  // Stable: rows stamped alike stay in input order, then in the order given.
  merged.sort((x, y) => x.row.ts_ms - y.row.ts_ms);
  const out: DerivedRow[] = [];
  for (const { input, row } of merged) {
    for (const d of channel.add(input, toSample(row))) {
      const r: DerivedRow = {
        ts_ms: d.tsMs,
        seq: d.seq,
        v: d.v,
        a: d.a,
        w: d.w,
        status: d.status,
        mode: d.mode,
        error: d.error ?? null,
        derived: d.derived,
      };
      if (d.derived === "efficiency") {
        r.efficiency = d.efficiency ?? null;
        r.loss_w = d.lossW;
        r.p_in_w = d.pInW;
      }
      out.push(r);
    }
  }
  return out;
}

function toSample(row: MeasurementRow): Sample {
  const s: Sample = {
    tsMs: row.ts_ms,
    seq: row.seq,
    v: row.v,
    a: row.a,
    w: row.w,
    status: row.status,
    mode: row.mode,
  };
  if (row.error !== null) s.error = row.error;
  return s;
}
