/**
 * Rollup buckets: count, errors, min/max/sum/sum of squares of v, a, w, energy and charge per fixed
 * time bucket. Kept as sums (not averages) so partial buckets merge exactly.
 * @module
 */

/** One metric's aggregate; min/max are null when the bucket has no `ok` sample. */
export interface MetricAgg {
  /** Smallest value. */
  min: number | null;
  /** Largest value. */
  max: number | null;
  /** Sum of the values, for the mean. */
  sum: number;
  /** Sum of the squared values, for the RMS and the standard deviation. */
  sq: number;
}

/** One rollup bucket (or the delta of one, before it is merged into the table). */
export interface Bucket {
  /** Start of the bucket in Unix ms, a multiple of its width. */
  bucketMs: number;
  /** `ok`/`overflow` samples in the bucket (the ones in min/max/sum). */
  count: number;
  /** Failed reads in the bucket: counted, never in the figures. */
  errors: number;
  /** Bus voltage (V) aggregate. */
  v: MetricAgg;
  /** Current (A) aggregate. */
  a: MetricAgg;
  /** Power (W) aggregate. */
  w: MetricAgg;
  /** Energy integrated over the bucket, in J. */
  energyJ: number;
  /** Charge integrated over the bucket, in C. */
  chargeC: number;
}

/** Start of the bucket of width `widthMs` holding `tsMs`. */
function bucketStart(tsMs: number, widthMs: number): number {
  return Math.floor(tsMs / widthMs) * widthMs;
}

function emptyBucket(bucketMs: number): Bucket {
  const agg = () => ({ min: null, max: null, sum: 0, sq: 0 });
  return { bucketMs, count: 0, errors: 0, v: agg(), a: agg(), w: agg(), energyJ: 0, chargeC: 0 };
}

function addTo(agg: MetricAgg, x: number): void {
  agg.min = agg.min === null || x < agg.min ? x : agg.min;
  agg.max = agg.max === null || x > agg.max ? x : agg.max;
  agg.sum += x;
  agg.sq += x * x;
}

/** Collects bucket deltas for one width until {@link RollupAccumulator.take}. */
export class RollupAccumulator {
  /** Bucket width in ms. */
  readonly widthMs: number;
  #buckets = new Map<number, Bucket>();

  /** Collects buckets `widthMs` wide. */
  constructor(widthMs: number) {
    this.widthMs = widthMs;
  }

  #bucket(tsMs: number): Bucket {
    const start = bucketStart(tsMs, this.widthMs);
    let b = this.#buckets.get(start);
    if (!b) this.#buckets.set(start, b = emptyBucket(start));
    return b;
  }

  /** Adds a measured sample and the energy/charge integrated up to it. */
  add(tsMs: number, v: number, a: number, w: number, energyJ: number, chargeC: number): void {
    const b = this.#bucket(tsMs);
    b.count++;
    addTo(b.v, v);
    addTo(b.a, a);
    addTo(b.w, w);
    b.energyJ += energyJ;
    b.chargeC += chargeC;
  }

  /** Counts a failed read. */
  addError(tsMs: number): void {
    this.#bucket(tsMs).errors++;
  }

  /** Returns the deltas collected so far and starts afresh. */
  take(): Bucket[] {
    const out = [...this.#buckets.values()];
    this.#buckets.clear();
    return out;
  }
}
