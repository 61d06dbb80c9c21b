// @ts-check
/**
 * @module The live chart's memory: samples folded into fine time buckets (min/max per
 * metric) in typed-array rings, and their decimation to about one min/max pair per pixel
 * column. Pure (no DOM), so it is unit-tested outside the browser.
 */

/**
 * A point to draw: time, value (null breaks the line) and how many samples it stands for.
 * @typedef {{ x: number, y: number | null, n: number }} Point
 */

const FIELDS = ["first", "last", "vMin", "vMax", "aMin", "aMax", "wMin", "wMax"];
const PAIRS = [["v", "vMin", "vMax"], ["a", "aMin", "aMax"], ["w", "wMin", "wMax"]];

/** Buckets of samples for the last `keepMs`, at `resolutionMs`, at most `maxBuckets`. */
export class LiveBuffer {
  #resolutionMs;
  #keepMs;
  #maxBuckets;
  #cap = 0;
  #head = 0;
  /** Number of buckets held. */
  length = 0;

  constructor({ resolutionMs = 10, keepMs = 600_000, maxBuckets = 65_536 } = {}) {
    this.#resolutionMs = resolutionMs;
    this.#keepMs = keepMs;
    this.#maxBuckets = maxBuckets;
    this.#allocate(Math.min(1024, maxBuckets));
  }

  #allocate(cap) {
    const old = this.length > 0 ? FIELDS.map((f) => this.#ordered(f)) : null;
    const oldCount = this.count ? this.#ordered("count") : null;
    for (const f of FIELDS) this[f] = new Float64Array(cap);
    this.count = new Uint32Array(cap);
    if (old) {
      FIELDS.forEach((f, i) => this[f].set(old[i]));
      this.count.set(oldCount);
    }
    this.#cap = cap;
    this.#head = 0;
  }

  /** A field's values, oldest first, as a new array. */
  #ordered(field) {
    const arr = this[field];
    const out = new arr.constructor(this.length);
    for (let i = 0; i < this.length; i++) out[i] = arr[(this.#head + i) % this.#cap];
    return out;
  }

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
   */
  prepend(buckets) {
    const oldest = this.oldestMs ?? Infinity;
    const older = buckets.filter((b) => b.last < oldest);
    if (older.length === 0) return;
    const keep = Math.max(0, Math.min(this.length, this.#maxBuckets - older.length));
    const held = FIELDS.map((f) => this.#ordered(f).subarray(this.length - keep));
    const heldCount = this.#ordered("count").subarray(this.length - keep);
    const skip = Math.max(0, older.length - this.#maxBuckets);
    const total = older.length - skip + keep;
    let cap = this.#cap;
    while (cap < total && cap < this.#maxBuckets) cap *= 2;
    this.length = 0;
    this.#allocate(Math.min(cap, this.#maxBuckets));
    for (const b of older.slice(skip)) {
      const s = this.#push(b.first, b.last);
      if (b.count > 0) {
        this.#merge(s, b.v.min, b.v.max, b.a.min, b.a.max, b.w.min, b.w.max, b.count);
      }
    }
    const at = this.length;
    FIELDS.forEach((f, i) => this[f].set(held[i], at));
    this.count.set(heldCount, at);
    this.length += keep;
  }

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

  #trim(newestMs) {
    const cutoff = newestMs - this.#keepMs;
    while (this.length > 1 && this.last[this.#head] < cutoff) {
      this.#head = (this.#head + 1) % this.#cap;
      this.length--;
    }
  }

  /** Index of the first bucket whose last sample is at or after `tsMs`. */
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
   * @returns {{ v: Point[], a: Point[], w: Point[] }}
   */
  decimate(fromMs, toMs, columns, gapMs) {
    /** @type {{ v: Point[], a: Point[], w: Point[] }} */
    const out = { v: [], a: [], w: [] };
    const colMs = (toMs - fromMs) / Math.max(1, columns);
    let col = null;
    let prevLast = null;
    let prevStep = Infinity; // the first step has nothing to compare with: never a gap
    const emit = () => {
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
        if (col !== null) emit();
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
    if (col !== null) emit();
    return out;
  }
}

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

function pushAll(out, x, y) {
  out.v.push({ x, y, n: 0 });
  out.a.push({ x, y, n: 0 });
  out.w.push({ x, y, n: 0 });
}

/**
 * One point per metric for a single sample; otherwise two (at the column's first and
 * last time), starting with the extreme nearer the previous point so the line does not
 * cross the column twice.
 */
function pushColumn(out, col) {
  for (const [m] of PAIRS) {
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
