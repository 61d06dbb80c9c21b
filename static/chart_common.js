// @ts-check
/// <reference lib="dom" />
/**
 * @module What both charts share: loading uPlot (its ES module build, mapped by
 * index.html's import map; dynamic, so the page still shows numbers without it), the
 * metric colours and names, pixel columns from `/api/history` answers, y-axis values
 * in auto-ranged units, and the metric toggles.
 */

import { formatNumber, t } from "./i18n.js";
import { newColumns, resizeColumns } from "./live_buffer.js";
import { prefixFor } from "./units.js";

/** @typedef {import("./types.js").Metric} Metric */
/** @typedef {import("./types.js").HistoryResponse} HistoryResponse */
/** @typedef {import("./live_buffer.js").Columns} Columns */
/** @typedef {typeof import("uplot")} UPlotClass */

/** Metrics in drawing order. */
export const METRICS = /** @type {readonly Metric[]} */ (["v", "a", "w"]);
/** Base unit of each metric (units.js picks the prefix). */
export const BASE_UNITS = /** @type {const} */ ({ v: "V", a: "A", w: "W" });
/** Each metric's colour (as style.css's readouts). */
export const COLORS = { v: "#fbbf24", a: "#38bdf8", w: "#f472b6" };

/**
 * The uPlot class, or null when it did not load (the page shows numbers only).
 * @type {UPlotClass | null}
 */
export let UPlot = null;
try {
  UPlot = (await import("uplot")).default;
} catch (error) {
  console.warn(`uPlot did not load, the page shows numbers only: ${error}`);
}

/**
 * Puts a note in `box` when uPlot is missing; returns whether charts can be drawn.
 * @param {HTMLElement} box
 * @returns {boolean}
 */
export function requireChart(box) {
  if (UPlot) return true;
  box.replaceWith(Object.assign(document.createElement("p"), {
    className: "muted chart-missing",
    textContent: t("chart.unavailable"),
  }));
  return false;
}

/**
 * A metric's name in the page's language.
 * @param {Metric} metric
 * @returns {string}
 */
export function metricName(metric) {
  return t(`chart.metric.${metric}`);
}

/**
 * Tick labels of a y-axis in one auto-ranged unit (the one its largest tick needs),
 * and that unit, so "0.15 A" ticks read "150 mA".
 * @param {Metric} metric
 * @param {number[]} splits
 * @returns {{ unit: string, labels: string[] }}
 */
export function axisValues(metric, splits) {
  const base = BASE_UNITS[metric];
  let top = 0;
  for (const s of splits) if (s !== null && Math.abs(s) > top) top = Math.abs(s);
  const { prefix, factor } = prefixFor(top, base);
  let step = Infinity;
  for (let i = 1; i < splits.length; i++) {
    step = Math.min(step, Math.abs(splits[i] - splits[i - 1]));
  }
  const scaledStep = step / factor;
  const decimals = Number.isFinite(scaledStep) && scaledStep > 0
    ? Math.max(0, Math.min(6, Math.ceil(-Math.log10(scaledStep) - 1e-9)))
    : 0;
  return {
    unit: prefix + base,
    labels: splits.map((s) => (s === null ? "" : formatNumber(s / factor, decimals))),
  };
}

/**
 * Pixel columns of a `/api/history` answer: one per bucket (a one-sample bucket at its
 * sample's time when buckets are 1 ms or finer, else mid-bucket), a null column where
 * buckets are missing, so lines break there.
 * @param {HistoryResponse} body
 * @param {Columns} [out]
 * @returns {Columns}
 */
export function historyColumns(body, out = newColumns()) {
  const width = body.bucket_ms;
  let n = 0;
  /** @type {number | null} */
  let prevEnd = null;
  const put = (
    /** @type {number} */ x,
    /** @type {import("./types.js").HistoryBucket | null} */ b,
  ) => {
    out.x[n] = x;
    out.count[n] = b ? b.count : 0;
    out.errors[n] = b ? b.errors : 0;
    for (const m of METRICS) {
      const ok = b !== null && b.count > 0;
      out[m].min[n] = ok ? b[m].min : null;
      out[m].max[n] = ok ? b[m].max : null;
      out[m].mean[n] = ok ? b[m].avg : null;
    }
    n++;
  };
  for (const b of body.data) {
    if (prevEnd !== null && b.ts_ms > prevEnd) put((prevEnd + b.ts_ms) / 2, null);
    put(b.ts_ms + (width <= 1 ? 0 : width / 2), b);
    prevEnd = b.ts_ms + width;
  }
  resizeColumns(out, n);
  return out;
}

/**
 * Wires a group of metric checkboxes (`input[data-metric]` inside `container`) to
 * `onChange(metric, visible)`.
 * @param {HTMLElement} container
 * @param {(metric: Metric, visible: boolean) => void} onChange
 */
export function wireMetricToggles(container, onChange) {
  for (const input of container.querySelectorAll("input[data-metric]")) {
    if (!(input instanceof HTMLInputElement)) continue;
    const metric = /** @type {Metric} */ (input.dataset.metric);
    input.addEventListener("change", () => onChange(metric, input.checked));
  }
}
