// @ts-check
/**
 * @module The live chart's memory: samples folded into fine time buckets (min/max per
 * metric) in typed-array rings, and their decimation to about one min/max pair per pixel
 * column. Pure (no DOM), so it is unit-tested outside the browser.
 */

import { METRICS } from "./format.js";

/**
 * A point to draw: time, value (null breaks the line) and how many samples it stands for.
 * @typedef {{ x: number, y: number | null, n: number }} Point
 */
/** @typedef {import("./types.js").Metric} Metric */
/** @typedef {{ min: number, max: number }} Range */
/** Extremes of a bucket: null when it holds no sample. @typedef {{ min: number | null, max: number | null }} MaybeRange */
/**
 * A summarised bucket from `/api/history`, as {@link LiveBuffer.prepend} takes it.
 * @typedef {{ first: number, last: number, count: number, v: MaybeRange, a: MaybeRange,
 *   w: MaybeRange }} Summary
 */
/** Points per metric. @typedef {Record<Metric, Point[]>} Series */
/**
 * One pixel column being summed up by {@link LiveBuffer.decimate}.
 * @typedef {{ index: number, first: number, last: number, failed: boolean, count: number,
 *   v: [number, number], a: [number, number], w: [number, number] }} Column
 */

/** @typedef {"first" | "last" | "vMin" | "vMax" | "aMin" | "aMax" | "wMin" | "wMax"} Field */
/** @type {readonly Field[]} */
const FIELDS = ["first", "last", "vMin", "vMax", "aMin", "aMax", "wMin", "wMax"];

/** Buckets of samples for the last `keepMs`, at `resolutionMs`, at most `maxBuckets`. */
export class LiveBuffer {
  #resolutionMs;
  #keepMs;
  #maxBuckets;
  #cap = 0;
  #head = 0;
  /** Number of buckets held. */
  length = 0;
  // The ring's columns, each #cap long: bucket times, min/max per metric, sample count.
  first = new Float64Array(0);
  last = new Float64Array(0);
  vMin = new Float64Array(0);
  vMax = new Float64Array(0);
  aMin = new Float64Array(0);
  aMax = new Float64Array(0);
  wMin = new Float64Array(0);
  wMax = new Float64Array(0);
  count = new Uint32Array(0);

  /** @param {{ resolutionMs?: number, keepMs?: number, maxBuckets?: number }} [options] */
  constructor({ resolutionMs = 10, keepMs = 600_000, maxBuckets = 65_536 } = {}) {
    this.#resolutionMs = resolutionMs;
    this.#keepMs = keepMs;
    this.#maxBuckets = maxBuckets;
    this.#allocate(Math.min(1024, maxBuckets));
  }

  /** @param {number} cap */
  #allocate(cap) {
    const old = this.length > 0 ? FIELDS.map((f) => this.#ordered(this[f])) : null;
    const oldCount = this.#ordered(this.count);
    for (const f of FIELDS) this[f] = new Float64Array(cap);
    this.count = new Uint32Array(cap);
    if (old) {
      FIELDS.forEach((f, i) => this[f].set(old[i]));
      this.count.set(oldCount);
    }
    this.#cap = cap;
    this.#head = 0;
  }

  /**
   * A column's values, oldest first, as a new array.
   * @template {Float64Array | Uint32Array} A
   * @param {A} arr
   * @returns {A}
   */
  #ordered(arr) {
    const out = /** @type {A} */ (arr.slice(0, this.length));
    for (let i = 0; i < this.length; i++) out[i] = arr[(this.#head + i) % this.#cap];
    return out;
  }

  /** @param {number} i */
  #slot(i) {
    return (this.#head + i) % this.#cap;
  }

  /** Time of the newest sample, or null. */
  get latestMs() {
    return this.length > 0 ? this.last[this.#slot(this.length - 1)] : null;
  }

  /** Time of the oldest sample held, or null. */
  get oldestMs() {
    return this.length > 0 ? this.first[this.#head] : null;
  }

  clear() {
    this.length = 0;
    this.#head = 0;
  }

  /**
   * Adds one sample. `ok` false (a failed read) makes a bucket without values, which
   * breaks the line. Samples older than the newest one are ignored.
   * @param {number} tsMs
   * @param {number} v
   * @param {number} a
   * @param {number} w
   * @param {boolean} [ok]
   */
  add(tsMs, v, a, w, ok = true) {
    const n = this.length;
    if (n > 0) {
      const s = this.#slot(n - 1);
      if (tsMs < this.last[s]) return;
      if (tsMs - this.first[s] < this.#resolutionMs) {
        this.last[s] = tsMs;
        if (ok) this.#merge(s, v, v, a, a, w, w, 1);
        return;
      }
    }
    const s = this.#push(tsMs, tsMs);
    if (ok) this.#merge(s, v, v, a, a, w, w, 1);
    this.#trim(tsMs);
  }

  /**
   * Adds summarised buckets older than everything held (from `/api/history`), so a
   * page opened or reconnected shows the recent past at once.
   * Each is `{ first, last, count, v: {min, max}, a: {...}, w: {...} }`.
   * @param {Summary[]} buckets
   */
  prepend(buckets) {
    const oldest = this.oldestMs ?? Infinity;
    const older = buckets.filter((b) => b.last < oldest);
    if (older.length === 0) return;
    const keep = Math.max(0, Math.min(this.length, this.#maxBuckets - older.length));
    const held = FIELDS.map((f) => this.#ordered(this[f]).subarray(this.length - keep));
    const heldCount = this.#ordered(this.count).subarray(this.length - keep);
    const skip = Math.max(0, older.length - this.#maxBuckets);
    const total = older.length - skip + keep;
    let cap = this.#cap;
    while (cap < total && cap < this.#maxBuckets) cap *= 2;
    this.length = 0;
    this.#allocate(Math.min(cap, this.#maxBuckets));
    for (const b of older.slice(skip)) {
      const s = this.#push(b.first, b.last);
      if (b.count > 0) {
        // A bucket with samples has every extreme (they are null only when it is empty).
        const [v, a, w] = /** @type {Range[]} */ ([b.v, b.a, b.w]);
        this.#merge(s, v.min, v.max, a.min, a.max, w.min, w.max, b.count);
      }
    }
    const at = this.length;
    FIELDS.forEach((f, i) => this[f].set(held[i], at));
    this.count.set(heldCount, at);
    this.length += keep;
  }

  /**
   * @param {number} first
   * @param {number} last
   * @returns {number} the slot of the new bucket
   */
  #push(first, last) {
    if (this.length === this.#cap) {
      if (this.#cap < this.#maxBuckets) this.#allocate(Math.min(this.#cap * 2, this.#maxBuckets));
      else {
        this.#head = (this.#head + 1) % this.#cap;
        this.length--;
      }
    }
    const s = this.#slot(this.length);
    this.length++;
    this.first[s] = first;
    this.last[s] = last;
    this.count[s] = 0;
    return s;
  }

  /**
   * @param {number} s
   * @param {number} vMin
   * @param {number} vMax
   * @param {number} aMin
   * @param {number} aMax
   * @param {number} wMin
   * @param {number} wMax
   * @param {number} count
   */
  #merge(s, vMin, vMax, aMin, aMax, wMin, wMax, count) {
    if (this.count[s] === 0) {
      this.vMin[s] = vMin, this.vMax[s] = vMax;
      this.aMin[s] = aMin, this.aMax[s] = aMax;
      this.wMin[s] = wMin, this.wMax[s] = wMax;
    } else {
      this.vMin[s] = Math.min(this.vMin[s], vMin), this.vMax[s] = Math.max(this.vMax[s], vMax);
      this.aMin[s] = Math.min(this.aMin[s], aMin), this.aMax[s] = Math.max(this.aMax[s], aMax);
      this.wMin[s] = Math.min(this.wMin[s], wMin), this.wMax[s] = Math.max(this.wMax[s], wMax);
    }
    this.count[s] += count;
  }

  /** @param {number} newestMs */
  #trim(newestMs) {
    const cutoff = newestMs - this.#keepMs;
    while (this.length > 1 && this.last[this.#head] < cutoff) {
      this.#head = (this.#head + 1) % this.#cap;
      this.length--;
    }
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
   * Points for the window [fromMs, toMs] drawn `columns` pixels wide: per column one
   * point when it holds one sample, else its min and max (in the order that continues
   * the line), and a null point across failed reads and gaps (longer than `gapMs` and
   * than 2.5 times the step before).
   * Returns `{ v, a, w }`, arrays of `{x, y, n}` sharing the same x values.
   * @param {number} fromMs
   * @param {number} toMs
   * @param {number} columns
   * @param {number} gapMs
   * @returns {Series}
   */
  decimate(fromMs, toMs, columns, gapMs) {
    /** @type {Series} */
    const out = { v: [], a: [], w: [] };
    const colMs = (toMs - fromMs) / Math.max(1, columns);
    /** @type {Column | null} */
    let col = null;
    /** @type {number | null} */
    let prevLast = null;
    let prevStep = Infinity; // the first step has nothing to compare with: never a gap
    /** @param {Column} col */
    const emit = (col) => {
      if (prevLast !== null) {
        // A gap is a step longer than gapMs and much longer than the one before, so data
        // recorded at a slower rate (backfilled from history) still draws as a line.
        const step = col.first - prevLast;
        if (step > gapMs && step > 2.5 * prevStep) pushAll(out, prevLast + 1, null);
        prevStep = step;
      }
      if (col.failed) pushAll(out, col.first, null);
      else pushColumn(out, col);
      prevLast = col.last;
    };
    for (let i = this.#lowerBound(fromMs); i < this.length; i++) {
      const s = this.#slot(i);
      const first = this.first[s];
      if (first > toMs) break;
      const index = Math.floor((first - fromMs) / colMs);
      const failed = this.count[s] === 0;
      // A failed read ends the column it falls in, so the break in the line shows.
      if (col === null || index !== col.index || failed !== col.failed) {
        if (col !== null) emit(col);
        col = newColumn(index, first, failed);
      }
      col.last = this.last[s];
      if (failed) continue;
      col.count += this.count[s];
      // Written out: this loop runs once per bucket in the window (60,000 at 1 kHz, 10 min).
      const { v, a, w } = col;
      if (this.vMin[s] < v[0]) v[0] = this.vMin[s];
      if (this.vMax[s] > v[1]) v[1] = this.vMax[s];
      if (this.aMin[s] < a[0]) a[0] = this.aMin[s];
      if (this.aMax[s] > a[1]) a[1] = this.aMax[s];
      if (this.wMin[s] < w[0]) w[0] = this.wMin[s];
      if (this.wMax[s] > w[1]) w[1] = this.wMax[s];
    }
    if (col !== null) emit(col);
    return out;
  }
}

/**
 * @param {number} index
 * @param {number} first
 * @param {boolean} failed
 * @returns {Column}
 */
function newColumn(index, first, failed) {
  return {
    index,
    first,
    last: first,
    failed,
    count: 0,
    v: [Infinity, -Infinity],
    a: [Infinity, -Infinity],
    w: [Infinity, -Infinity],
  };
}

/**
 * @param {Series} out
 * @param {number} x
 * @param {number | null} y
 */
function pushAll(out, x, y) {
  out.v.push({ x, y, n: 0 });
  out.a.push({ x, y, n: 0 });
  out.w.push({ x, y, n: 0 });
}

/**
 * One point per metric for a single sample; otherwise two (at the column's first and
 * last time), starting with the extreme nearer the previous point so the line does not
 * cross the column twice.
 * @param {Series} out
 * @param {Column} col
 */
function pushColumn(out, col) {
  for (const m of METRICS) {
    const [lo, hi] = col[m];
    const series = out[m];
    if (col.count === 1) {
      series.push({ x: col.first, y: lo, n: 1 });
      continue;
    }
    const prev = series.at(-1)?.y;
    const highFirst = typeof prev === "number" && prev > (lo + hi) / 2;
    series.push({ x: col.first, y: highFirst ? hi : lo, n: col.count });
    series.push({ x: col.last, y: highFirst ? lo : hi, n: col.count });
  }
}
