/**
 * Exact rolling statistics over a time window: min and max by monotonic deques, sum
 * and sum of squares by running totals, so each sample costs amortised O(1) even at
 * 1 kHz. Samples live in growable typed-array rings (no object per sample).
 * @module
 */

import { Metric } from "../protocol/common.ts";

/** The three metrics of a sample, in storage order. */
export const METRICS: readonly Metric[] = Metric.options;
export type { Metric };

/** Statistics of one metric over the window; all null when it is empty. */
export interface WindowStats {
  /** Samples in the window. */
  count: number;
  /** Smallest value. */
  min: number | null;
  /** Largest value. */
  max: number | null;
  /** Mean value. */
  avg: number | null;
  /** Population standard deviation. */
  std: number | null;
}

/**
 * A deque of sample numbers whose values are monotonic (for min or max), in a typed-array
 * ring whose size is a power of two: no allocation per sample, only when it doubles.
 */
class MonoDeque {
  #items = new Float64Array(64);
  #head = 0;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  front(): number {
    return this.#items[this.#head];
  }

  back(): number {
    return this.#items[(this.#head + this.#size - 1) & (this.#items.length - 1)];
  }

  popBack(): void {
    this.#size--;
  }

  pushBack(n: number): void {
    if (this.#size === this.#items.length) this.#grow();
    this.#items[(this.#head + this.#size) & (this.#items.length - 1)] = n;
    this.#size++;
  }

  popFront(): void {
    this.#head = (this.#head + 1) & (this.#items.length - 1);
    this.#size--;
  }

  #grow(): void {
    const old = this.#items;
    const grown = new Float64Array(old.length * 2);
    for (let i = 0; i < this.#size; i++) grown[i] = old[(this.#head + i) & (old.length - 1)];
    this.#items = grown;
    this.#head = 0;
  }
}

/** Rolling window of (ts, v, a, w) samples no older than `windowMs` before the newest. */
export class RollingWindow {
  /** How far back from the newest sample the window reaches. */
  readonly windowMs: number;
  #ts: Float64Array;
  #vals: Float64Array[]; // one ring per metric
  /** Sample number of the oldest sample still in the window, and one past the newest. */
  #first = 0;
  #next = 0;
  // Sums of (x − shift) and its square: with the shift near the mean, the variance
  // does not drown in cancellation when values are large and spread is small.
  #shift = [0, 0, 0];
  #sum = [0, 0, 0];
  #sumSq = [0, 0, 0];
  #evictedSinceResum = 0;
  #mins = METRICS.map(() => new MonoDeque());
  #maxs = METRICS.map(() => new MonoDeque());

  /**
   * Starts empty; `initialCapacity` is the starting ring size, and the rings grow as needed.
   * @throws {RangeError} when `windowMs` is not positive.
   */
  constructor(windowMs: number, initialCapacity = 1024) {
    if (!(windowMs > 0)) throw new RangeError(`Invalid window ${windowMs} ms: must be positive`);
    this.windowMs = windowMs;
    this.#ts = new Float64Array(initialCapacity);
    this.#vals = METRICS.map(() => new Float64Array(initialCapacity));
  }

  /** Samples in the window. */
  get count(): number {
    return this.#next - this.#first;
  }

  #slot(n: number): number {
    return n % this.#ts.length;
  }

  #grow(): void {
    const old = this.#ts.length;
    const copy = (src: Float64Array) => {
      const dst = new Float64Array(old * 2);
      for (let n = this.#first; n < this.#next; n++) dst[n % (old * 2)] = src[n % old];
      return dst;
    };
    this.#ts = copy(this.#ts);
    this.#vals = this.#vals.map(copy);
  }

  /** Adds a sample (timestamps must not go backwards) and drops what fell out. */
  push(tsMs: number, v: number, a: number, w: number): void {
    // Evict first, so a sample that follows a long gap starts an empty window afresh.
    this.evict(tsMs);
    if (this.count === this.#ts.length) this.#grow();
    const n = this.#next++;
    const slot = this.#slot(n);
    this.#ts[slot] = tsMs;
    this.#add(0, n, slot, v);
    this.#add(1, n, slot, a);
    this.#add(2, n, slot, w);
  }

  #add(m: number, n: number, slot: number, x: number): void {
    const ring = this.#vals[m];
    const size = this.#ts.length;
    ring[slot] = x;
    if (this.count === 1) {
      // The window was empty: start the sums afresh, with no residue from rounding.
      this.#shift[m] = x;
      this.#sum[m] = 0;
      this.#sumSq[m] = 0;
    }
    const d = x - this.#shift[m];
    this.#sum[m] += d;
    this.#sumSq[m] += d * d;
    const mins = this.#mins[m];
    while (mins.size > 0 && ring[mins.back() % size] >= x) mins.popBack();
    mins.pushBack(n);
    const maxs = this.#maxs[m];
    while (maxs.size > 0 && ring[maxs.back() % size] <= x) maxs.popBack();
    maxs.pushBack(n);
  }

  /**
   * Recomputes the running sums from the ring: subtracting evicted values leaves
   * rounding error behind, so this runs once per window's worth of evictions
   * (amortised O(1)).
   */
  #resum(): void {
    for (let m = 0; m < 3; m++) {
      const ring = this.#vals[m];
      const shift = this.count > 0 ? this.#sum[m] / this.count + this.#shift[m] : 0;
      let sum = 0, sumSq = 0;
      for (let n = this.#first; n < this.#next; n++) {
        const d = ring[this.#slot(n)] - shift;
        sum += d;
        sumSq += d * d;
      }
      this.#shift[m] = shift;
      this.#sum[m] = sum;
      this.#sumSq[m] = sumSq;
    }
    this.#evictedSinceResum = 0;
  }

  /** Drops samples older than `nowMs − windowMs`. */
  evict(nowMs: number): void {
    const cutoff = nowMs - this.windowMs;
    const before = this.#first;
    while (this.#first < this.#next && this.#ts[this.#slot(this.#first)] <= cutoff) {
      const n = this.#first++;
      const slot = this.#slot(n);
      for (let m = 0; m < 3; m++) {
        const d = this.#vals[m][slot] - this.#shift[m];
        this.#sum[m] -= d;
        this.#sumSq[m] -= d * d;
        if (this.#mins[m].size > 0 && this.#mins[m].front() === n) this.#mins[m].popFront();
        if (this.#maxs[m].size > 0 && this.#maxs[m].front() === n) this.#maxs[m].popFront();
      }
    }
    this.#evictedSinceResum += this.#first - before;
    if (this.#evictedSinceResum > Math.max(1024, this.count)) this.#resum();
  }

  /** Statistics of `metric` over the window. */
  stats(metric: Metric): WindowStats {
    const n = this.count;
    if (n === 0) return { count: 0, min: null, max: null, avg: null, std: null };
    const m = METRICS.indexOf(metric);
    const ring = this.#vals[m];
    const meanShifted = this.#sum[m] / n;
    const avg = this.#shift[m] + meanShifted;
    const variance = Math.max(0, this.#sumSq[m] / n - meanShifted * meanShifted);
    return {
      count: n,
      min: ring[this.#slot(this.#mins[m].front())],
      max: ring[this.#slot(this.#maxs[m].front())],
      avg,
      std: Math.sqrt(variance),
    };
  }

  /**
   * `|value − mean| / std` of `metric` over the window without building its
   * {@link stats}: what the z-score check needs per sample. NaN when the window is
   * empty or its spread is 1e-12 or less (no score then).
   */
  zScore(metric: Metric, value: number): number {
    const n = this.count;
    if (n === 0) return NaN;
    const m = METRICS.indexOf(metric);
    const meanShifted = this.#sum[m] / n;
    const std = Math.sqrt(Math.max(0, this.#sumSq[m] / n - meanShifted * meanShifted));
    if (!(std > 1e-12)) return NaN;
    return Math.abs(value - (this.#shift[m] + meanShifted)) / std;
  }

  /**
   * The window's values of `metric`, oldest first; at most `maxCount`, taken evenly
   * across the window when it holds more (quartiles of 60 000 samples do not need all);
   * written into `into` when it is large enough (a view of it is returned, overwritten by
   * the next call with the same `into`: read it, do not keep it), else into a new array.
   */
  values(metric: Metric, maxCount = Infinity, into?: Float64Array): Float64Array {
    const ring = this.#vals[METRICS.indexOf(metric)];
    const stride = Math.max(1, Math.ceil(this.count / maxCount));
    const length = Math.ceil(this.count / stride);
    const out = into && into.length >= length ? into.subarray(0, length) : new Float64Array(length);
    for (let n = this.#first, i = 0; n < this.#next; n += stride, i++) out[i] = ring[this.#slot(n)];
    return out;
  }
}
