// @ts-check
/// <reference lib="dom" />
/**
 * @module Markers on the charts and from the history chart: people's markers join the
 * alert transitions both charts draw (alert_marks.js's `marks`, state `marker`; an
 * alert's own marker is already drawn as its transition), and Alt+click (⌥+click on a
 * Mac) in the history chart's plot marks that instant instead of placing a cursor.
 */

import { marks } from "./alert_marks.js";

/** @typedef {import("../src/protocol/markers.ts").MarkerData} MarkerData */

/** The `state` of a person's marker among the chart marks. */
export const USER_MARK = "marker";

/**
 * Replaces the people's markers among `marks` with `markers` (time order kept); returns
 * how many the charts now draw.
 * @param {readonly MarkerData[]} markers
 * @returns {number}
 */
export function putUserMarks(markers) {
  for (let i = marks.length - 1; i >= 0; i--) if (marks[i].state === USER_MARK) marks.splice(i, 1);
  for (const m of markers) {
    if (m.source !== "user") continue;
    let i = marks.length;
    while (i > 0 && marks[i - 1].tsMs > m.ts_ms) i--;
    marks.splice(i, 0, { tsMs: m.ts_ms, severity: USER_MARK, state: USER_MARK, metric: m.label });
  }
  return marks.filter((m) => m.state === USER_MARK).length;
}

/**
 * Alt+click in the history chart's plot calls `mark(ms)` with the time under the pointer
 * (and places no cursor). Nothing to wire when the chart is not there (uPlot missing).
 * @param {HTMLElement | null} chartRoot the element the history chart draws in
 * @param {{ chart: { over: HTMLElement | null, timeAt(clientX: number): number } | null }} history
 * @param {(tsMs: number) => void} mark
 */
export function wireAltClick(chartRoot, history, mark) {
  if (!chartRoot || !history.chart) return;
  const host = chartRoot.parentElement ?? chartRoot;
  host.addEventListener("click", (event) => {
    if (!event.altKey) return;
    const over = history.chart?.over;
    const target = /** @type {Node | null} */ (event.target);
    if (!history.chart || !over || !over.contains(target)) return;
    // Before the chart hears it: an Alt+click marks, it does not move a cursor.
    event.stopPropagation();
    event.preventDefault();
    mark(Math.round(history.chart.timeAt(event.clientX)));
  }, { capture: true });
}
