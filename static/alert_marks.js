// @ts-check
/**
 * @module Alert transitions as chart markers: the last 24 hours from `/api/alerts`,
 * then each `alert` message from the stream; at most {@link MAX_MARKS}, oldest dropped.
 */

import { getJson } from "./api.js";
import { withChannel } from "./channels.js";

/** @typedef {import("./types.js").AlertData} AlertData */
/** @typedef {import("./scope_chart.js").Marker} Marker */

/** Markers kept at most. */
export const MAX_MARKS = 2000;

/** The markers both charts draw (the same array). */
export const marks = /** @type {Marker[]} */ ([]);

/**
 * Adds one transition (kept in time order; a repeat of the same one is ignored).
 * @param {AlertData} alert
 */
export function addMark(alert) {
  const mark = {
    tsMs: alert.ts_ms,
    severity: alert.severity,
    state: alert.state,
    metric: alert.metric,
  };
  const last = marks.at(-1);
  if (last && last.tsMs === mark.tsMs && last.metric === mark.metric && last.state === mark.state) {
    return;
  }
  let i = marks.length;
  while (i > 0 && marks[i - 1].tsMs > mark.tsMs) i--;
  marks.splice(i, 0, mark);
  if (marks.length > MAX_MARKS) marks.splice(0, marks.length - MAX_MARKS);
}

/**
 * Replaces the markers with the last 24 hours of transitions of the channel shown.
 * @returns {Promise<void>}
 */
export async function loadMarks() {
  /** @type {{ data: AlertData[] }} */
  const body = await getJson("/api/alerts", withChannel({ hours: "24", limit: "1000" }));
  marks.length = 0;
  for (const alert of [...body.data].reverse()) addMark(alert);
}
