/**
 * @module Chart.js pieces both charts share: the dark theme, a time x-axis on a plain
 * linear scale (no date adapter: ticks on round local times, labelled by format.js),
 * one y-axis per metric (V left, A and W right) and the metric toggles.
 */

import { COLORS, METRICS, tickLabel, timeTicks, UNITS } from "./format.js";

/** Whether Chart.js loaded (the page still shows numbers without it). */
export function chartAvailable() {
  return typeof globalThis.Chart !== "undefined";
}

let themed = false;

/** Sets Chart.js defaults to match style.css, once. */
export function applyTheme() {
  if (themed) return;
  themed = true;
  const { Chart } = globalThis;
  Chart.defaults.color = "#cbd5e1";
  Chart.defaults.borderColor = "rgba(148, 163, 184, 0.16)";
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.size = 12;
}

/** Replaces a canvas with a note when Chart.js is missing; returns false then. */
export function requireChart(canvas) {
  if (chartAvailable()) return true;
  canvas.replaceWith(Object.assign(document.createElement("p"), {
    className: "muted",
    textContent: "Chart unavailable: /vendor/chart.js/chart.umd.min.js did not load.",
  }));
  return false;
}

/** A linear x-axis of epoch milliseconds with clock-aligned, clock-labelled ticks. */
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
          value,
          this.$stepMs ?? 1000,
          index > 0 ? ticks[index - 1].value : undefined,
        );
      },
    },
    afterBuildTicks(scale) {
      const maxTicks = Math.max(2, Math.floor((scale.width || 600) / 95));
      const { stepMs, values } = timeTicks(scale.min, scale.max, maxTicks);
      scale.$stepMs = stepMs;
      scale.ticks = values.map((value) => ({ value }));
    },
  };
}

/** The y-axis of one metric, its ticks in the metric's colour. */
export function metricAxis(metric) {
  return {
    type: "linear",
    position: metric === "v" ? "left" : "right",
    grace: "8%",
    title: { display: true, text: UNITS[metric], color: COLORS[metric], font: { weight: "600" } },
    ticks: { color: COLORS[metric], maxTicksLimit: 6, padding: 4 },
    // Only the voltage axis draws grid lines; three sets would be noise.
    grid: { drawOnChartArea: metric === "v", color: "rgba(148, 163, 184, 0.12)" },
  };
}

/** All three metric axes keyed by metric, as Chart.js `scales` entries. */
export function metricAxes() {
  return Object.fromEntries(METRICS.map((m) => [m, metricAxis(m)]));
}

/**
 * Per-metric line style: power is dashed and drawn above current, because with a
 * steady voltage the two lines have the same shape and would hide each other.
 */
export function lineStyle(metric) {
  return metric === "w"
    ? { borderDash: [6, 3], order: 1 }
    : { borderDash: [], order: metric === "v" ? 0 : 2 };
}

/** Tooltip items in V, A, W order whatever the drawing order. */
export function byMetric(a, b) {
  return METRICS.indexOf(a.dataset.metric) - METRICS.indexOf(b.dataset.metric);
}

/** Tooltip look shared by both charts. */
export function tooltipBase() {
  return {
    backgroundColor: "rgba(11, 17, 32, 0.94)",
    borderColor: "#334155",
    borderWidth: 1,
    padding: 10,
    boxPadding: 4,
    usePointStyle: true,
    titleFont: { weight: "600" },
  };
}

/**
 * Shows or hides one metric: its datasets (those with `metric`) and its axis, so a
 * hidden metric frees its axis' room too.
 */
export function setMetricVisible(chart, metric, visible) {
  for (const ds of chart.data.datasets) if (ds.metric === metric) ds.hidden = !visible;
  chart.options.scales[metric].display = visible;
}

/** Hides the axis titles on narrow charts, where the coloured ticks say enough. */
export function fitAxisTitles(chart) {
  const narrow = chart.width < 520;
  for (const m of METRICS) chart.options.scales[m].title.display = !narrow;
}

/**
 * Wires a group of metric checkboxes (`input[data-metric]` inside `container`) to
 * `onChange(metric, visible)`.
 */
export function wireMetricToggles(container, onChange) {
  for (const input of container.querySelectorAll("input[data-metric]")) {
    input.addEventListener("change", () => onChange(input.dataset.metric, input.checked));
  }
}
