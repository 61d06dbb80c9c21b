/**
 * @module Pure arithmetic of the history view: merging `/api/history` buckets into one
 * span's min/avg/max (weighted by sample count), choosing how finely to ask for a span,
 * and naming the resolution the server answered from.
 */

import { METRICS } from "./format.js";

const SECOND = 1_000;
const HOUR = 3_600_000;
/** `/api/power-efficiency` reads per-second rollups up to this span, per-minute beyond. */
export const FINE_SPAN_MS = 6 * HOUR;

/**
 * Merges history buckets into `{ count, errors, v: {min, avg, max}, a, w }`: min of the
 * minima, max of the maxima, and the average of the averages weighted by each bucket's
 * count of measured samples. Metrics without a measured sample are all null.
 * @typedef {{ min: number | null, avg: number | null, max: number | null }} Figures
 * @returns {{ count: number, errors: number, v: Figures, a: Figures, w: Figures }}
 */
export function mergeBuckets(buckets) {
  const result = { count: 0, errors: 0 };
  const acc = Object.fromEntries(
    METRICS.map((m) => [m, { min: Infinity, max: -Infinity, sum: 0 }]),
  );
  for (const b of buckets) {
    result.errors += b.errors ?? 0;
    if (!(b.count > 0)) continue;
    result.count += b.count;
    for (const m of METRICS) {
      const s = b[m];
      if (s?.avg === null || s?.avg === undefined) continue;
      acc[m].min = Math.min(acc[m].min, s.min);
      acc[m].max = Math.max(acc[m].max, s.max);
      acc[m].sum += s.avg * b.count;
    }
  }
  for (const m of METRICS) {
    const a = acc[m];
    result[m] = result.count > 0 && a.min <= a.max
      ? { min: a.min, avg: a.sum / result.count, max: a.max }
      : { min: null, avg: null, max: null };
  }
  return result;
}

/**
 * The `points` to ask `/api/history` for when summarising [fromMs, toMs): few buckets,
 * each at least a second (per-second rollups) up to {@link FINE_SPAN_MS} and at least a
 * minute (per-minute rollups) beyond, the same resolutions `/api/power-efficiency`
 * uses, so the figures and the energy cover the same samples. Under a second: raw.
 */
export function summaryPoints(spanMs) {
  // Under a second, buckets under 50 ms keep the server on raw samples (exact edges).
  if (spanMs <= SECOND) return Math.max(1, Math.ceil(spanMs / 40));
  // planHistory takes the coarsest source up to twice the ideal bucket width (span /
  // points): keep that width under 30 s for per-second rollups, at or above 1 min beyond.
  const widthMs = spanMs <= FINE_SPAN_MS ? 25 * SECOND : 50 * 60 * SECOND;
  const floorWidth = spanMs <= FINE_SPAN_MS ? SECOND : 60 * SECOND;
  return Math.max(1, Math.min(Math.ceil(spanMs / widthMs), Math.floor(spanMs / floorWidth)));
}

/** Words for a history `source`. */
export function describeSource(source) {
  return source === "raw"
    ? "raw samples"
    : source === "100ms"
    ? "100 ms rollups"
    : source === "1s"
    ? "per-second rollups"
    : source === "1m"
    ? "per-minute rollups"
    : String(source ?? "unknown");
}

/** The `points` for drawing a range `pixels` wide: about one bucket per pixel. */
export function chartPoints(pixels) {
  return Math.max(60, Math.min(1500, Math.round(pixels)));
}
