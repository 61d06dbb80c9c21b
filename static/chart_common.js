// @ts-check
/// <reference lib="dom" />
/**
 * @module Chart.js pieces both charts share: loading Chart.js (its ES module build, mapped
 * by index.html's import map), the dark theme, a time x-axis on a plain linear scale (no
 * date adapter: ticks on round local times, labelled by format.js), one y-axis per metric
 * (V left, A and W right) and the metric toggles.
 */

import { COLORS, METRICS, tickLabel, timeTicks, UNITS } from "./format.js";

/** @typedef {import("./types.js").Metric} Metric */
/** @typedef {import("chart.js").Chart} Chart */
/** @typedef {import("chart.js").Scale} Scale */
/** @typedef {import("chart.js").ScaleOptions<"linear">} LinearScaleOptions */
/** @typedef {import("chart.js").TooltipItem<"line">} LineTooltipItem */

/**
 * The Chart.js class with every controller, scale and plugin registered, or null when
 * it did not load: imported dynamically so the page still shows numbers without it.
 * @type {typeof import("chart.js").Chart | null}
 */
export let ChartClass = null;
try {
  const { Chart, registerables } = await import("chart.js");
  Chart.register(...registerables);
  ChartClass = Chart;
} catch (error) {
  console.warn(`Chart.js did not load, the page shows numbers only: ${error}`);
}

/** Whether Chart.js loaded (the page still shows numbers without it). */
export function chartAvailable() {
  return ChartClass !== null;
}

let themed = false;

/** Sets Chart.js defaults to match style.css, once. */
export function applyTheme() {
  if (themed) return;
  if (!ChartClass) return;
  themed = true;
  const Chart = ChartClass;
  Chart.defaults.color = "#cbd5e1";
  Chart.defaults.borderColor = "rgba(148, 163, 184, 0.16)";
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.size = 12;
}

/**
 * Replaces a canvas with a note when Chart.js is missing; returns false then.
 * @param {HTMLCanvasElement} canvas
 * @returns {boolean}
 */
export function requireChart(canvas) {
  if (chartAvailable()) return true;
  canvas.replaceWith(Object.assign(document.createElement("p"), {
    className: "muted",
    textContent: "Chart unavailable: /vendor/chart.js/chart.js did not load.",
  }));
  return false;
}

/**
 * A themed chart on `canvas`, or null (the canvas replaced by a note) without Chart.js.
 * @template {import("chart.js").ChartType} T
 * @template D
 * @param {HTMLCanvasElement} canvas
 * @param {import("chart.js").ChartConfiguration<T, D>} config
 * @returns {import("chart.js").Chart<T, D> | null}
 */
export function newChart(canvas, config) {
  if (!ChartClass) {
    requireChart(canvas); // Puts the note in the canvas' place.
    return null;
  }
  applyTheme();
  return new ChartClass(canvas, config);
}

/** The tick step each time axis chose in its last layout, for its labels. */
const tickSteps = /** @type {WeakMap<Scale, number>} */ (new WeakMap());

/**
 * A linear x-axis of epoch milliseconds with clock-aligned, clock-labelled ticks.
 * @returns {LinearScaleOptions}
 */
export function timeAxis() {
  return {
    type: "linear",
    offset: false,
    grid: { color: "rgba(148, 163, 184, 0.12)" },
    ticks: {
      maxRotation: 0,
      autoSkip: false,
      padding: 6,
      callback(value, index, ticks) {
        return tickLabel(
          Number(value),
          tickSteps.get(this) ?? 1000,
          index > 0 ? ticks[index - 1].value : undefined,
        );
      },
    },
    afterBuildTicks(scale) {
      const maxTicks = Math.max(2, Math.floor((scale.width || 600) / 95));
      const { stepMs, values } = timeTicks(scale.min, scale.max, maxTicks);
      tickSteps.set(scale, stepMs);
      scale.ticks = values.map((value) => ({ value }));
    },
  };
}

/**
 * The y-axis of one metric, its ticks in the metric's colour.
 * @param {Metric} metric
 * @returns {LinearScaleOptions}
 */
export function metricAxis(metric) {
  return {
    type: "linear",
    position: metric === "v" ? "left" : "right",
    grace: "8%",
    title: { display: true, text: UNITS[metric], color: COLORS[metric], font: { weight: 600 } },
    ticks: { color: COLORS[metric], maxTicksLimit: 6, padding: 4 },
    // Only the voltage axis draws grid lines; three sets would be noise.
    grid: { drawOnChartArea: metric === "v", color: "rgba(148, 163, 184, 0.12)" },
  };
}

/**
 * All three metric axes keyed by metric, as Chart.js `scales` entries.
 * @returns {Record<Metric, LinearScaleOptions>}
 */
export function metricAxes() {
  return /** @type {Record<Metric, LinearScaleOptions>} */ (
    Object.fromEntries(METRICS.map((m) => [m, metricAxis(m)]))
  );
}

/**
 * Per-metric line style: power is dashed and drawn above current, because with a
 * steady voltage the two lines have the same shape and would hide each other.
 * @param {Metric} metric
 * @returns {{ borderDash: number[], order: number }}
 */
export function lineStyle(metric) {
  return metric === "w"
    ? { borderDash: [6, 3], order: 1 }
    : { borderDash: [], order: metric === "v" ? 0 : 2 };
}

/**
 * The metric a dataset draws (set as its `metric` property), or undefined.
 * @param {object} dataset
 * @returns {Metric | undefined}
 */
export function datasetMetric(dataset) {
  return /** @type {{ metric?: Metric }} */ (dataset).metric;
}

/**
 * Tooltip items in V, A, W order whatever the drawing order.
 * @param {LineTooltipItem} a
 * @param {LineTooltipItem} b
 * @returns {number}
 */
export function byMetric(a, b) {
  return METRICS.indexOf(datasetMetric(a.dataset) ?? "v") -
    METRICS.indexOf(datasetMetric(b.dataset) ?? "v");
}

/**
 * Tooltip look shared by both charts.
 * @returns {Partial<import("chart.js").TooltipOptions<"line">>}
 */
export function tooltipBase() {
  return {
    backgroundColor: "rgba(11, 17, 32, 0.94)",
    borderColor: "#334155",
    borderWidth: 1,
    padding: 10,
    boxPadding: 4,
    usePointStyle: true,
    titleFont: { weight: 600 },
  };
}

/**
 * Shows or hides one metric: its datasets (those with `metric`) and its axis, so a
 * hidden metric frees its axis' room too.
 * @param {Chart} chart
 * @param {Metric} metric
 * @param {boolean} visible
 */
export function setMetricVisible(chart, metric, visible) {
  for (const ds of chart.data.datasets) if (datasetMetric(ds) === metric) ds.hidden = !visible;
  const axis = chart.options.scales?.[metric];
  if (axis) axis.display = visible;
}

/**
 * Hides the axis titles on narrow charts, where the coloured ticks say enough.
 * @param {Chart} chart
 */
export function fitAxisTitles(chart) {
  const narrow = chart.width < 520;
  for (const m of METRICS) {
    const axis = /** @type {LinearScaleOptions | undefined} */ (chart.options.scales?.[m]);
    if (axis?.title) axis.title.display = !narrow;
  }
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
