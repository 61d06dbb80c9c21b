// @ts-check
/**
 * @module Words for what the server read: the `source` of `/api/history` and of
 * `/api/span` (the selection's figures), and how many buckets to ask for a chart. The
 * server plans what to read; nothing here chooses it.
 */

/** @typedef {import("../src/protocol/history.ts").HistorySource} HistorySource */
/** @typedef {import("../src/protocol/span.ts").SpanResponse} SpanResponse */

/** @type {Record<HistorySource, string>} */
const SOURCE_WORDS = {
  raw: "raw samples",
  "100ms": "100 ms rollups",
  "1s": "per-second rollups",
  "1m": "per-minute rollups",
};

/**
 * Words for a history `source`.
 * @param {string | undefined} source
 * @returns {string}
 */
export function describeSource(source) {
  return source !== undefined && Object.hasOwn(SOURCE_WORDS, source)
    ? SOURCE_WORDS[/** @type {HistorySource} */ (source)]
    : String(source ?? "unknown");
}

/**
 * One sentence on what a span's figures were read from and whether they are exact.
 * @param {SpanResponse} span a `/api/span` answer
 * @param {(ms: number) => string} [formatTime] how to print a time (the covered edges)
 * @returns {string}
 */
export function describeSpanSource(span, formatTime = (ms) => new Date(ms).toISOString()) {
  const { source } = span;
  /** @type {HistorySource[]} */
  const order = ["raw", "100ms", "1s", "1m"];
  const used = order.filter((s) => source.parts.some((p) => p.source === s));
  const from = used.length ? used.map(describeSource).join(", ") : "no data";
  if (source.exact) return `Exact to the sample, from ${from}.`;
  const notes = [];
  if (source.from_ms !== span.from_ms || source.to_ms !== span.to_ms) {
    notes.push(
      "older than the raw data kept, so whole minutes: " +
        `${formatTime(source.from_ms)} → ${formatTime(source.to_ms)}`,
    );
  }
  if (source.steps_unknown > 0) {
    notes.push(`energy of ${source.steps_unknown} samples unknown`);
  }
  return `Not exact (${notes.join("; ")}), from ${from}.`;
}

/**
 * The `points` for drawing a range `pixels` wide: about one bucket per pixel.
 * @param {number} pixels
 * @returns {number}
 */
export function chartPoints(pixels) {
  return Math.max(60, Math.min(1500, Math.round(pixels)));
}
