// @ts-check
/// <reference lib="dom" />
/**
 * @module The recordings' overlay chart on uPlot: one line per recording (the mean of
 * each history bucket), on one axis of time from the alignment point (their start or a
 * marker), the metric's auto-ranged unit on the y-axis, a crosshair cursor whose legend
 * reads every recording at that time, and A/B cursors: a drag marks a span of offsets,
 * whose exact figures per recording the compare panel asks the server for.
 */

import { axisValues, requireChart, UPlot } from "./chart_common.js";
import { formatDuration } from "./format.js";
import { t } from "./i18n.js";
import { formatUnit } from "./units.js";

/** @typedef {import("./types.js").Metric} Metric */
/** @typedef {import("uplot")} UPlotChart */

/** Line colours of the recordings, in order (distinct from the metric colours' meaning). */
const PALETTE = ["#38bdf8", "#f472b6", "#4ade80", "#fbbf24", "#a78bfa", "#fb923c", "#2dd4bf"];
const HEIGHT_PX = 260;

/**
 * An offset from the alignment point: "+1.25 s", "−200 ms", "0 ms".
 * @param {number | null | undefined} ms
 * @returns {string}
 */
export function offsetText(ms) {
  if (typeof ms !== "number" || !Number.isFinite(ms)) return "—";
  const sign = ms > 0 ? "+" : ms < 0 ? "−" : "";
  return `${sign}${formatDuration(Math.abs(ms))}`;
}

/** The overlay chart in its box. */
export class OverlayChart {
  /**
   * The colour of recording `i`'s line.
   * @param {number} i
   * @returns {string}
   */
  static color(i) {
    return PALETTE[i % PALETTE.length];
  }

  #box;
  /** @type {UPlotChart | null} */
  #plot = null;
  #usable;
  #onSpan;

  /**
   * @param {HTMLElement} box
   * @param {(fromOffsetMs: number, toOffsetMs: number) => void} [onSpan] called with the
   *   span a drag marks (ms from the alignment point), as the history chart's cursors
   */
  constructor(box, onSpan) {
    this.#box = box;
    this.#onSpan = onSpan;
    this.#usable = requireChart(box);
    if (!this.#usable) return;
    new ResizeObserver(() => {
      if (this.#plot) this.#plot.setSize({ width: this.#width(), height: HEIGHT_PX });
    }).observe(box);
  }

  #width() {
    return Math.max(200, this.#box.clientWidth);
  }

  /**
   * Draws `data` (`[x, y0, y1, …]`, x in ms from the alignment point) with one line per
   * name, in `metric`'s unit; uPlot's legend under it names each line and reads them all
   * at the cursor.
   * @param {(number | null | undefined)[][]} data
   * @param {string[]} names
   * @param {Metric} metric
   */
  draw(data, names, metric) {
    if (!this.#usable || !UPlot) return;
    this.#plot?.destroy();
    const style = getComputedStyle(this.#box);
    const muted = style.getPropertyValue("--muted").trim() || "#94a3b8";
    const grid = style.getPropertyValue("--card-edge").trim() || "#24314a";
    const unit = /** @type {"V" | "A" | "W"} */ ({ v: "V", a: "A", w: "W" }[metric]);
    /** @type {import("uplot").Options} */
    const options = {
      width: this.#width(),
      height: HEIGHT_PX,
      scales: { x: { time: false } },
      // A drag marks the A/B span (it stays drawn) instead of zooming.
      cursor: { drag: { x: true, y: false, setScale: false } },
      hooks: {
        setSelect: [(u) => {
          if (u.select.width <= 0) return;
          const a = Math.round(u.posToVal(u.select.left, "x"));
          const b = Math.round(u.posToVal(u.select.left + u.select.width, "x"));
          this.#box.dataset.span = `${a},${b}`;
          this.#onSpan?.(a, b);
        }],
      },
      legend: { show: true, live: true },
      series: [
        { label: t("rec.overlay.x"), value: (_u, v) => offsetText(v) },
        ...names.map((name, i) => ({
          label: name,
          stroke: OverlayChart.color(i),
          width: 1.5,
          spanGaps: false,
          value: (/** @type {unknown} */ _u, /** @type {number | null} */ v) =>
            v === null || v === undefined ? "—" : formatUnit(v, unit),
        })),
      ],
      axes: [
        {
          stroke: muted,
          grid: { stroke: grid, width: 1 },
          ticks: { stroke: grid },
          values: (_u, splits) => splits.map(offsetText),
          size: 34,
        },
        {
          stroke: muted,
          grid: { stroke: grid, width: 1 },
          ticks: { stroke: grid },
          size: 64,
          values: (_u, splits) => {
            const { unit: shown, labels } = axisValues(metric, splits);
            return labels.map((l) => (l === "" ? "" : `${l} ${shown}`));
          },
        },
      ],
    };
    this.#plot = new UPlot(options, /** @type {import("uplot").AlignedData} */ (data), this.#box);
    this.#plot.root.setAttribute("role", "img");
    this.#plot.root.setAttribute("aria-label", t("rec.overlay.label"));
  }
}
