// @ts-check
/**
 * @module The data of the recordings' overlay chart: each recording's history buckets
 * shifted so that they line up at its start or at a named marker, joined on one time
 * axis (milliseconds from the alignment point) with gaps where a recording has no
 * bucket, as uPlot's aligned data wants it. Pure: no DOM, so tests import it directly.
 */

/** @typedef {import("../src/protocol/history.ts").HistoryBucket} HistoryBucket */
/** @typedef {import("../src/protocol/markers.ts").MarkerData} MarkerData */

/**
 * The marker labels every one of the recordings has (alignment choices), in the first
 * recording's order.
 * @param {MarkerData[][]} markersOfEach
 * @returns {string[]}
 */
export function commonLabels(markersOfEach) {
  if (markersOfEach.length === 0) return [];
  const [first, ...rest] = markersOfEach;
  const labels = [...new Set(first.map((m) => m.label))];
  return labels.filter((label) => rest.every((ms) => ms.some((m) => m.label === label)));
}

/**
 * Where a recording's time 0 is: its start, or its first marker labelled `label`.
 * @param {{ start_ms: number | null }} recording
 * @param {MarkerData[]} markers
 * @param {string | null} label null: the start
 * @returns {number | null} null when it has no such point
 */
export function alignmentMs(recording, markers, label) {
  if (label === null) return recording.start_ms;
  return markers.find((m) => m.label === label)?.ts_ms ?? null;
}

/**
 * Joins the recordings' buckets of one metric on one axis of ms from each one's
 * alignment point (the centre of each bucket): `[x, y0, y1, …]`. Where a recording has
 * no bucket at another's x the value is `undefined` (uPlot draws the line across it);
 * a bucket whose average is unknown (only failed reads) is `null` (a gap in the line).
 * @param {{ buckets: HistoryBucket[], bucketMs: number, zeroMs: number }[]} series
 * @param {"v" | "a" | "w"} metric
 * @returns {(number | null | undefined)[][]}
 */
export function joinSeries(series, metric) {
  /** @type {Map<number, (number | null | undefined)[]>} */
  const rows = new Map();
  series.forEach((s, i) => {
    for (const b of s.buckets) {
      const x = b.ts_ms + s.bucketMs / 2 - s.zeroMs;
      let row = rows.get(x);
      if (!row) rows.set(x, row = Array(series.length).fill(undefined));
      row[i] = b.count > 0 ? b[metric].avg ?? null : null;
    }
  });
  const xs = [...rows.keys()].sort((p, q) => p - q);
  return [xs, ...series.map((_, i) => xs.map((x) => rows.get(x)?.[i]))];
}
