// @ts-check
/**
 * @module The live chart's memory: samples folded on arrival into time buckets of a
 * fixed width (count, failed reads, min/max/sum per metric) in a fixed-size typed-array
 * ring, so memory stays bounded at any sample rate; and their decimation into pixel
 * columns (min, max and mean per column) for drawing. Pure (no DOM): unit-tested.
 */

/** @typedef {import("./types.js").Metric} Metric */
/** @typedef {{ min: number | null, max: number | null, avg?: number | null }} MaybeStat */
/**
 * A summarised bucket (from `/api/history`, or a bucket of another buffer).
 * @typedef {{ first: number, last: number, count: number, errors?: number, v: MaybeStat,
 *   a: MaybeStat, w: MaybeStat }} Summary
 */
/**
 * One metric's columns: min, max and mean per column, null where it holds no sample.
 * @typedef {{ min: (number | null)[], max: (number | null)[], mean: (number | null)[] }} MetricColumns
 */
/**
 * Pixel columns ready to draw, index for index: time (ms, the column's middle, or the
 * sample's own time when it holds one), samples and failed reads per column.
 * @typedef {{ x: number[], count: number[], errors: number[], v: MetricColumns,
 *   a: MetricColumns, w: MetricColumns, length: number }} Columns
 */

/** @type {readonly Metric[]} */
const METRICS = ["v", "a", "w"];

/** Empty columns to fill with {@link LiveBuffer.columns} (reused frame after frame). */
export function newColumns() {
  const metric = () => ({ min: [], max: [], mean: [] });
  return /** @type {Columns} */ ({
    x: [],
    count: [],
    errors: [],
    v: metric(),
    a: metric(),
    w: metric(),
    length: 0,
  });
}

/**
 * Sets the length of every array of `cols` to `n`.
 * @param {Columns} cols
 * @param {number} n
 */
export function resizeColumns(cols, n) {
  cols.x.length = n;
  cols.count.length = n;
  cols.errors.length = n;
  for (const m of METRICS) {
    cols[m].min.length = n;
    cols[m].max.length = n;
    cols[m].mean.length = n;
  }
  cols.length = n;
}

/**
 * The bucket width for a live window: about 4000 buckets per window (two or more per
 * pixel column on any screen), on a 1-2-5 step, at least 1 ms.
 * @param {number} windowMs
 * @returns {number}
 */
export function resolutionFor(windowMs) {
  const ideal = windowMs / 4000;
  const steps = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];
  let pick = 1;
  for (const s of steps) if (s <= ideal) pick = s;
  return pick;
}

/** Buckets of samples over the last `keepMs`, `resolutionMs` wide, in a fixed ring. */
export class LiveBuffer {
  /** Bucket width in ms. */
  resolutionMs;
  /** How far back buckets are kept, from the newest sample. */
  keepMs;
  /** Buckets the ring holds at most. */
  capacity;
  #head = 0;
  /** Number of buckets held. */
  length = 0;
  /** Samples added since the start (for tests and the page's counters). */
  added = 0;

  /** @param {{ resolutionMs?: number, keepMs?: number }} [options] */
  constructor({ resolutionMs = 10, keepMs = 65_000 } = {}) {
    this.resolutionMs = resolutionMs;
    this.keepMs = keepMs;
    this.capacity = Math.ceil(keepMs / resolutionMs) + 2;
    const n = this.capacity;
    this.key = new Float64Array(n);
    this.first = new Float64Array(n);
    this.last = new Float64Array(n);
    this.count = new Uint32Array(n);
    this.errors = new Uint32Array(n);
    this.vMin = new Float64Array(n);
    this.vMax = new Float64Array(n);
    this.vSum = new Float64Array(n);
    this.aMin = new Float64Array(n);
    this.aMax = new Float64Array(n);
    this.aSum = new Float64Array(n);
    this.wMin = new Float64Array(n);
    this.wMax = new Float64Array(n);
    this.wSum = new Float64Array(n);
  }

  /** @param {number} i */
  #slot(i) {
    return (this.#head + i) % this.capacity;
  }

  /** Time of the newest sample, or null. */
  get latestMs() {
    return this.length > 0 ? this.last[this.#slot(this.length - 1)] : null;
  }

  /** Time of the oldest sample held, or null. */
  get oldestMs() {
    return this.length > 0 ? this.first[this.#head] : null;
  }

  /** Forgets every bucket. */
  clear() {
    this.length = 0;
    this.#head = 0;
  }

  /**
   * The slot of the bucket holding `tsMs`, appending a new one when it is past the
   * newest; -1 for a time older than the newest bucket (late samples are dropped).
   * @param {number} tsMs
   * @param {number} [lastMs] the last time the bucket covers (summaries)
   * @returns {number}
   */
  #bucketFor(tsMs, lastMs = tsMs) {
    const key = Math.floor(tsMs / this.resolutionMs);
    if (this.length > 0) {
      const s = this.#slot(this.length - 1);
      if (key === this.key[s]) {
        if (lastMs > this.last[s]) this.last[s] = lastMs;
        return s;
      }
      if (key < this.key[s]) return -1;
    }
    if (this.length === this.capacity) {
      this.#head = (this.#head + 1) % this.capacity;
      this.length--;
    }
    const s = this.#slot(this.length++);
    this.key[s] = key;
    this.first[s] = tsMs;
    this.last[s] = lastMs;
    this.count[s] = 0;
    this.errors[s] = 0;
    this.#trim(lastMs);
    return s;
  }

  /** @param {number} newestMs */
  #trim(newestMs) {
    const cutoff = newestMs - this.keepMs;
    while (this.length > 1 && this.last[this.#head] < cutoff) {
      this.#head = (this.#head + 1) % this.capacity;
      this.length--;
    }
  }

  /**
   * Adds one sample; `ok` false (a failed read) is counted but holds no values.
   * @param {number} tsMs
   * @param {number} v
   * @param {number} a
   * @param {number} w
   * @param {boolean} [ok]
   */
  add(tsMs, v, a, w, ok = true) {
    const s = this.#bucketFor(tsMs);
    if (s < 0) return;
    this.added++;
    if (!ok) {
      this.errors[s]++;
      return;
    }
    this.#merge(s, v, v, v, a, a, a, w, w, w, 1);
  }

  /**
   * Adds a batch of the `measurements` message (columns of samples).
   * @param {{ ts_ms: number[], v: number[], a: number[], w: number[], status: string[] }} batch
   */
  addBatch(batch) {
    const { ts_ms: ts, v, a, w, status } = batch;
    for (let i = 0; i < ts.length; i++) this.add(ts[i], v[i], a[i], w[i], status[i] !== "error");
  }

  /**
   * Adds summarised buckets (oldest first) older than everything held, e.g. from
   * `/api/history` after the page opens or reconnects; those that overlap what is held
   * are skipped.
   * @param {Summary[]} summaries
   */
  prepend(summaries) {
    const oldest = this.oldestMs ?? Infinity;
    const older = summaries.filter((b) => b.last < oldest);
    if (older.length === 0) return;
    const held = this.#snapshot();
    this.clear();
    for (const b of older) this.addSummary(b);
    for (const b of held) this.addSummary(b);
  }

  /**
   * Adds one summarised bucket after everything held.
   * @param {Summary} b
   */
  addSummary(b) {
    const s = this.#bucketFor(b.first, b.last);
    if (s < 0) return;
    this.added += b.count + (b.errors ?? 0);
    this.errors[s] += b.errors ?? 0;
    if (b.count === 0) return;
    const { v, a, w } = b;
    const avg = (/** @type {MaybeStat} */ x) => (x.avg ?? ((x.min ?? 0) + (x.max ?? 0)) / 2);
    this.#merge(
      s,
      v.min ?? 0,
      v.max ?? 0,
      avg(v) * b.count,
      a.min ?? 0,
      a.max ?? 0,
      avg(a) * b.count,
      w.min ?? 0,
      w.max ?? 0,
      avg(w) * b.count,
      b.count,
    );
  }

  /**
   * Every bucket held as summaries, oldest first (to move them to a buffer of another
   * width when the window changes).
   * @returns {Summary[]}
   */
  #snapshot() {
    /** @type {Summary[]} */
    const out = [];
    for (let i = 0; i < this.length; i++) {
      const s = this.#slot(i);
      const n = this.count[s];
      const stat = (
        /** @type {number} */ lo,
        /** @type {number} */ hi,
        /** @type {number} */ sum,
      ) => n > 0 ? { min: lo, max: hi, avg: sum / n } : { min: null, max: null, avg: null };
      out.push({
        first: this.first[s],
        last: this.last[s],
        count: n,
        errors: this.errors[s],
        v: stat(this.vMin[s], this.vMax[s], this.vSum[s]),
        a: stat(this.aMin[s], this.aMax[s], this.aSum[s]),
        w: stat(this.wMin[s], this.wMax[s], this.wSum[s]),
      });
    }
    return out;
  }

  /**
   * A buffer of another width and reach holding what this one holds (merged into wider
   * buckets; narrower ones keep this one's detail).
   * @param {{ resolutionMs: number, keepMs: number }} options
   * @returns {LiveBuffer}
   */
  rebucket(options) {
    const next = new LiveBuffer(options);
    for (const b of this.#snapshot()) next.addSummary(b);
    return next;
  }

  /**
   * @param {number} s
   * @param {number} vMin
   * @param {number} vMax
   * @param {number} vSum
   * @param {number} aMin
   * @param {number} aMax
   * @param {number} aSum
   * @param {number} wMin
   * @param {number} wMax
   * @param {number} wSum
   * @param {number} count
   */
  #merge(s, vMin, vMax, vSum, aMin, aMax, aSum, wMin, wMax, wSum, count) {
    if (this.count[s] === 0) {
      this.vMin[s] = vMin, this.vMax[s] = vMax, this.vSum[s] = vSum;
      this.aMin[s] = aMin, this.aMax[s] = aMax, this.aSum[s] = aSum;
      this.wMin[s] = wMin, this.wMax[s] = wMax, this.wSum[s] = wSum;
    } else {
      if (vMin < this.vMin[s]) this.vMin[s] = vMin;
      if (vMax > this.vMax[s]) this.vMax[s] = vMax;
      if (aMin < this.aMin[s]) this.aMin[s] = aMin;
      if (aMax > this.aMax[s]) this.aMax[s] = aMax;
      if (wMin < this.wMin[s]) this.wMin[s] = wMin;
      if (wMax > this.wMax[s]) this.wMax[s] = wMax;
      this.vSum[s] += vSum, this.aSum[s] += aSum, this.wSum[s] += wSum;
    }
    this.count[s] += count;
  }

  /**
   * Index of the first bucket whose last sample is at or after `tsMs`.
   * @param {number} tsMs
   */
  #lowerBound(tsMs) {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.last[this.#slot(mid)] < tsMs) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Decimates [fromMs, toMs] into pixel columns `colMs` wide, aligned to multiples of
   * `colMs` (so a column's content does not change as the window scrolls), into `out`
   * (its arrays reused). Per column: min, max and mean of each metric, samples and
   * failed reads; a column holding one sample sits at that sample's time. Between
   * buckets further apart than `gapMs` (and than 2.5 times the step before) a null
   * column breaks the lines, as does a column with failed reads only.
   * @param {number} fromMs
   * @param {number} toMs
   * @param {number} colMs
   * @param {number} gapMs
   * @param {Columns} out
   * @returns {Columns}
   */
  columns(fromMs, toMs, colMs, gapMs, out) {
    let n = 0;
    let colKey = NaN;
    let prevLast = NaN;
    let prevStep = Infinity;
    let count = 0;
    let errors = 0;
    let firstMs = 0;
    let vMin = 0, vMax = 0, vSum = 0, aMin = 0, aMax = 0, aSum = 0, wMin = 0, wMax = 0, wSum = 0;
    const { x, v, a, w } = out;
    const emit = () => {
      x[n] = count === 1 ? firstMs : (colKey + 0.5) * colMs;
      out.count[n] = count;
      out.errors[n] = errors;
      if (count > 0) {
        v.min[n] = vMin, v.max[n] = vMax, v.mean[n] = vSum / count;
        a.min[n] = aMin, a.max[n] = aMax, a.mean[n] = aSum / count;
        w.min[n] = wMin, w.max[n] = wMax, w.mean[n] = wSum / count;
      } else {
        v.min[n] = v.max[n] = v.mean[n] = null;
        a.min[n] = a.max[n] = a.mean[n] = null;
        w.min[n] = w.max[n] = w.mean[n] = null;
      }
      n++;
    };
    const gap = (/** @type {number} */ atMs) => {
      x[n] = atMs;
      out.count[n] = 0;
      out.errors[n] = 0;
      v.min[n] = v.max[n] = v.mean[n] = null;
      a.min[n] = a.max[n] = a.mean[n] = null;
      w.min[n] = w.max[n] = w.mean[n] = null;
      n++;
    };
    for (let i = this.#lowerBound(fromMs); i < this.length; i++) {
      const s = this.#slot(i);
      const first = this.first[s];
      if (first > toMs) break;
      const key = Math.floor(first / colMs);
      if (key !== colKey) {
        if (!Number.isNaN(colKey)) emit();
        if (!Number.isNaN(prevLast)) {
          const step = first - prevLast;
          if (step > gapMs && step > 2.5 * prevStep) gap(prevLast + step / 2);
          prevStep = step;
        }
        colKey = key;
        count = 0;
        errors = 0;
        firstMs = first;
      }
      prevLast = this.last[s];
      errors += this.errors[s];
      const c = this.count[s];
      if (c === 0) continue;
      if (count === 0) {
        vMin = this.vMin[s], vMax = this.vMax[s], vSum = this.vSum[s];
        aMin = this.aMin[s], aMax = this.aMax[s], aSum = this.aSum[s];
        wMin = this.wMin[s], wMax = this.wMax[s], wSum = this.wSum[s];
      } else {
        if (this.vMin[s] < vMin) vMin = this.vMin[s];
        if (this.vMax[s] > vMax) vMax = this.vMax[s];
        if (this.aMin[s] < aMin) aMin = this.aMin[s];
        if (this.aMax[s] > aMax) aMax = this.aMax[s];
        if (this.wMin[s] < wMin) wMin = this.wMin[s];
        if (this.wMax[s] > wMax) wMax = this.wMax[s];
        vSum += this.vSum[s], aSum += this.aSum[s], wSum += this.wSum[s];
      }
      count += c;
    }
    if (!Number.isNaN(colKey)) emit();
    resizeColumns(out, n);
    return out;
  }
}
