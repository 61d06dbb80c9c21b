// @ts-check
/// <reference lib="dom" />
/**
 * @module The live chart: V, A and W on three y-axes over a rolling window (10 s to
 * 10 min), fed from the stream into a {@link LiveBuffer}, decimated to about one min/max
 * pair per pixel and redrawn at most every 100 ms (less often when one pixel is longer),
 * scrolling smoothly between samples. Pause freezes the picture; data keeps arriving.
 * With several channels a second channel can be drawn on the same axes ("compare"):
 * its own buffer, decimated the same way in the same frame, dotted in lighter colours.
 */

import { getJson } from "./api.js";
import {
  byMetric,
  datasetMetric,
  fitAxisTitles,
  lineStyle,
  metricAxes,
  newChart,
  setMetricVisible,
  timeAxis,
  tooltipBase,
  wireMetricToggles,
} from "./chart_common.js";
import { withChannel } from "./channels.js";
import { byId } from "./dom.js";
import { COLORS, fixed, formatClock, formatDuration, METRICS, NAMES, UNITS } from "./format.js";
import { LiveBuffer } from "./live_buffer.js";
import { sampleTimeMs } from "./readouts.js";

/** @typedef {import("./live_buffer.js").Point} Point */
/** @typedef {import("./types.js").MeasurementData} MeasurementData */
/** @typedef {import("./types.js").HistoryResponse} HistoryResponse */
/** @typedef {import("chart.js").Chart<"line", Point[]>} LineChart */
/**
 * A line of one metric; `metric` is ours (Chart.js keeps unknown dataset properties).
 * @typedef {import("chart.js").ChartDataset<"line", Point[]> & { metric: import("./types.js").Metric, compare?: boolean }} MetricDataset
 */
/**
 * The second channel drawn on the chart.
 * @typedef {{ name: string, label: string, intervalMs: number, buffer: LiveBuffer }} Compared
 */

const KEEP_MS = 600_000;
const MIN_FRAME_MS = 100;
const BACKFILL_POINTS = 2400;
/** The compared channel's colours: the metrics' hues, lighter, so each line's metric stays plain. */
const COMPARE_COLORS = { v: "#fef08a", a: "#a5f3fc", w: "#c4b5fd" };
const COMPARE_DASH = [2, 3];

/** The rolling chart, or a stand-in that only counts when Chart.js is missing. */
export class LiveChart {
  buffer = new LiveBuffer({ resolutionMs: 10, keepMs: KEEP_MS + 5_000 });
  windowMs = 60_000;
  intervalMs = 1000;
  paused = false;
  /** @type {LineChart | null} */
  #chart = null;
  /** @type {HTMLCanvasElement} */
  #canvas;
  #dirty = false;
  #samples = 0;
  #lastArrival = 0;
  /** @type {number | null} */
  #axisMax = null;
  /** @type {number | null} */
  #drawnMax = null;
  #lastDraw = 0;
  /** @type {Compared | null} */
  compared = null;
  /** The shown channel's label for the legend (empty: one channel, no legend). */
  mainLabel = "";

  /** @param {HTMLCanvasElement} canvas */
  constructor(canvas) {
    this.#canvas = canvas;
    this.#chart = createChart(canvas);
    const select = byId("live-window", HTMLSelectElement);
    select.addEventListener("change", () => this.setWindow(Number(select.value)));
    const pause = byId("live-pause");
    pause.addEventListener("click", () => this.setPaused(!this.paused));
    wireMetricToggles(byId("live-toggles"), (metric, visible) => {
      if (!this.#chart) return;
      setMetricVisible(this.#chart, metric, visible);
      this.#dirty = true;
      this.#drawNow();
    });
  }

  /**
   * Adds one measurement.
   * @param {MeasurementData} sample
   */
  push(sample) {
    const tsMs = sampleTimeMs(sample);
    if (tsMs === null) return;
    const ok = sample.status !== "error";
    this.buffer.add(tsMs, sample.v, sample.a, sample.w, ok);
    this.#samples++;
    this.#lastArrival = performance.now();
    this.#dirty = true;
  }

  /** Forgets every sample (another channel is shown); the caller backfills. */
  reset() {
    this.buffer.clear();
    this.#samples = 0;
    this.#axisMax = null;
    this.#drawnMax = null;
    this.#lastArrival = 0;
    this.#dirty = true;
  }

  /**
   * Adds one sample of the compared channel (from the overview's stream).
   * @param {number} tsMs
   * @param {number} v
   * @param {number} a
   * @param {number} w
   * @param {boolean} ok
   */
  pushCompared(tsMs, v, a, w, ok) {
    if (!this.compared) return;
    this.compared.buffer.add(tsMs, v, a, w, ok);
    this.#dirty = true;
  }

  /**
   * Draws channel `name` too (null: only the shown one), filled from its history.
   * @param {{ name: string, label: string, intervalMs: number } | null} channel
   * @returns {Promise<void>}
   */
  async setCompared(channel) {
    this.compared = channel
      ? { ...channel, buffer: new LiveBuffer({ resolutionMs: 10, keepMs: KEEP_MS + 5_000 }) }
      : null;
    this.#applyLabels();
    this.#dirty = true;
    this.#drawNow();
    if (!this.compared) return;
    const compared = this.compared;
    const body = await fetchWindow({ channel: compared.name });
    if (this.compared !== compared) return; // Another channel was picked meanwhile.
    compared.buffer.prepend(bucketsOf(body));
    this.#dirty = true;
    this.#drawNow();
  }

  /** Dataset labels and the legend under the chart for the channels drawn. */
  #applyLabels() {
    const legend = byId("live-legend");
    const compared = this.compared;
    legend.hidden = compared === null;
    this.#canvas.dataset.compare = compared?.name ?? "";
    const chart = this.#chart;
    if (chart) {
      for (const ds of /** @type {MetricDataset[]} */ (chart.data.datasets)) {
        const base = `${NAMES[ds.metric]} (${UNITS[ds.metric]})`;
        if (ds.compare) {
          ds.label = compared ? `${base} · ${compared.label}` : base;
          if (!compared) ds.data = [];
        } else ds.label = compared && this.mainLabel ? `${base} · ${this.mainLabel}` : base;
      }
    }
    if (!compared) return;
    byId("live-legend-main").textContent = this.mainLabel || "shown channel";
    byId("live-legend-compare").textContent = compared.label;
  }

  /**
   * Shows the last `ms` milliseconds.
   * @param {number} ms
   */
  setWindow(ms) {
    this.windowMs = ms;
    const select = byId("live-window", HTMLSelectElement);
    const label = [...select.options].find((o) => Number(o.value) === ms)?.text ??
      formatDuration(ms);
    byId("live-title").textContent = `Live · last ${label}`;
    this.#canvas.setAttribute(
      "aria-label",
      `Line chart of voltage, current and power over the last ${label}`,
    );
    this.#dirty = true;
    this.#drawNow();
  }

  /**
   * Freezes or resumes the picture (samples keep arriving).
   * @param {boolean} paused
   */
  setPaused(paused) {
    this.paused = paused;
    const button = byId("live-pause");
    button.setAttribute("aria-pressed", String(paused));
    button.textContent = paused ? "Resume" : "Pause";
    byId("live-paused").hidden = !paused;
    if (!paused) this.#drawNow();
  }

  /**
   * Refills the window from `/api/history` after the page opens or reconnects: what
   * the stream has brought since is kept, the summaries fill the time before it.
   * @param {{ clear?: boolean }} [options] `clear`: forget what is held first
   */
  async backfill({ clear = false } = {}) {
    if (clear) this.buffer.clear();
    this.buffer.prepend(bucketsOf(await fetchWindow(withChannel())));
    this.#applyLabels();
    const compared = this.compared;
    if (clear && compared) {
      compared.buffer.clear();
      const body = await fetchWindow({ channel: compared.name });
      if (this.compared === compared) compared.buffer.prepend(bucketsOf(body));
    }
    this.#dirty = true;
  }

  /**
   * The right edge of the axis: the newest sample, advanced by the time since it came.
   * @param {number} now `performance.now()`
   * @returns {number | null}
   */
  #axisNow(now) {
    const latest = this.buffer.latestMs;
    if (latest === null) return null;
    const ahead = Math.min(now - this.#lastArrival, 1.5 * this.intervalMs);
    const target = latest + Math.max(0, ahead);
    // Arrival jitter must not step the axis back; a big jump back (server restart) may.
    if (this.#axisMax === null || target > this.#axisMax || target < this.#axisMax - 5_000) {
      this.#axisMax = target;
    }
    return this.#axisMax;
  }

  #drawNow() {
    this.#lastDraw = 0;
    this.draw(performance.now());
  }

  /**
   * Redraws if something changed or the axis moved a pixel, at most every 100 ms.
   * Returns the delay after which it wants to be called again, or null.
   * @param {number} now `performance.now()`
   * @returns {number | null}
   */
  draw(now) {
    const chart = this.#chart;
    if (!chart || this.paused) return null;
    const axisMax = this.#axisNow(now);
    if (axisMax === null) return null;
    const width = Math.max(50, Math.round(chart.chartArea?.width ?? 600));
    const pixelMs = this.windowMs / width;
    const nextMs = Math.min(1000, Math.max(MIN_FRAME_MS, pixelMs));
    const moved = this.#drawnMax === null || Math.abs(axisMax - this.#drawnMax) >= pixelMs;
    const scrolling = now - this.#lastArrival < 2 * this.intervalMs + 1000;
    if (!this.#dirty && !moved) return scrolling ? nextMs : null;
    if (now - this.#lastDraw < MIN_FRAME_MS) return MIN_FRAME_MS - (now - this.#lastDraw);
    const fromMs = axisMax - this.windowMs;
    const gapMs = Math.max(3 * this.intervalMs, 1_500);
    const series = this.buffer.decimate(fromMs, axisMax, width, gapMs);
    METRICS.forEach((m, i) => chart.data.datasets[i].data = series[m]);
    const compared = this.compared;
    if (compared) {
      const gap = Math.max(3 * compared.intervalMs, 1_500);
      const other = compared.buffer.decimate(fromMs, axisMax, width, gap);
      METRICS.forEach((m, i) => chart.data.datasets[METRICS.length + i].data = other[m]);
    }
    const x = chart.options.scales?.x;
    if (x) {
      x.min = fromMs;
      x.max = axisMax;
    }
    chart.update("none");
    this.#dirty = false;
    this.#drawnMax = axisMax;
    this.#lastDraw = now;
    this.#canvas.dataset.points = String(series.v.length);
    this.#canvas.dataset.samples = String(this.#samples);
    this.#canvas.dataset.traces = chart.data.datasets
      .filter((ds) => !ds.hidden && ds.data.length > 0).map((ds) => ds.label).join("|");
    return scrolling ? nextMs : null;
  }
}

/**
 * Draws a dot for each sample that has no neighbour to draw a line to (a lone sample
 * between gaps). A plugin, because a scriptable `pointRadius` makes Chart.js resolve
 * options per point on every frame, which cost a tenth of a core at 1 kHz.
 * @type {import("chart.js").Plugin<"line">}
 */
const lonePoints = {
  id: "lonePoints",
  afterDatasetsDraw(chart) {
    const { ctx, chartArea: area } = chart;
    chart.data.datasets.forEach((dataset, i) => {
      const meta = chart.getDatasetMeta(i);
      if (meta.hidden || dataset.hidden) return;
      const data = /** @type {Point[]} */ (dataset.data);
      ctx.save();
      ctx.beginPath();
      ctx.rect(area.left, area.top, area.right - area.left, area.bottom - area.top);
      ctx.clip();
      ctx.fillStyle = /** @type {string} */ (dataset.borderColor);
      for (let j = 0; j < data.length; j++) {
        if (data[j].y === null || data[j - 1]?.y != null || data[j + 1]?.y != null) continue;
        const { x, y } = meta.data[j];
        ctx.beginPath();
        ctx.arc(x, y, 2, 0, 2 * Math.PI);
        ctx.fill();
      }
      ctx.restore();
    });
  },
};

/**
 * The live chart on `canvas`, or null without Chart.js.
 * @param {HTMLCanvasElement} canvas
 * @returns {LineChart | null}
 */
function createChart(canvas) {
  /** @type {MetricDataset[]} */
  const main = METRICS.map((m) => ({
    label: `${NAMES[m]} (${UNITS[m]})`,
    metric: m,
    data: [],
    yAxisID: m,
    borderColor: COLORS[m],
    backgroundColor: COLORS[m],
    borderWidth: 1.6,
    ...lineStyle(m),
    pointRadius: 0,
    pointHoverRadius: 4,
    spanGaps: false,
  }));
  /** @type {MetricDataset[]} */
  const compared = METRICS.map((m) => ({
    label: `${NAMES[m]} (${UNITS[m]})`,
    metric: m,
    compare: true,
    data: [],
    yAxisID: m,
    borderColor: COMPARE_COLORS[m],
    backgroundColor: COMPARE_COLORS[m],
    borderWidth: 1.4,
    borderDash: COMPARE_DASH,
    order: 3,
    pointRadius: 0,
    pointHoverRadius: 4,
    spanGaps: false,
  }));
  const datasets = [...main, ...compared];
  /** @type {LineChart | null} */
  const chart = newChart(canvas, {
    type: "line",
    data: { datasets },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      parsing: false,
      normalized: true,
      interaction: { mode: "index", intersect: false },
      plugins: {
        legend: { display: false },
        decimation: { enabled: false }, // live_buffer.js already gives ~2 points per pixel.
        tooltip: {
          ...tooltipBase(),
          itemSort: byMetric,
          callbacks: {
            title: (items) => {
              const x = items[0]?.parsed.x;
              return typeof x === "number" ? formatClock(x, true) : "";
            },
            label: (item) => {
              const m = datasetMetric(item.dataset) ?? "v";
              const label = item.dataset.label ?? "";
              const channel = label.includes(" · ") ? ` · ${label.split(" · ")[1]}` : "";
              return `${NAMES[m]}${channel}: ${fixed(item.parsed.y)} ${UNITS[m]}`;
            },
            footer: (items) => {
              const n = /** @type {Point | undefined} */ (items[0]?.raw)?.n ?? 0;
              return n > 1 ? `min/max of ${n} samples in this pixel` : "";
            },
          },
        },
      },
      scales: { x: timeAxis(), ...metricAxes() },
      onResize: (c) => fitAxisTitles(c),
    },
    plugins: [lonePoints],
  });
  if (chart) fitAxisTitles(chart); // onResize does not fire for the first layout.
  return chart;
}

/**
 * The last 10 minutes of `/api/history` (of `params.channel`, when given), for a backfill.
 * @param {Record<string, string>} params
 * @returns {Promise<HistoryResponse>}
 */
function fetchWindow(params) {
  return getJson("/api/history", {
    hours: String(KEEP_MS / 3_600_000),
    points: String(BACKFILL_POINTS),
    ...params,
  });
}

/**
 * History buckets as {@link LiveBuffer.prepend} takes them.
 * @param {HistoryResponse} body
 */
function bucketsOf(body) {
  const half = body.bucket_ms / 2;
  return body.data.map((b) => ({
    first: b.count === 1 ? b.ts_ms + half : b.ts_ms,
    last: b.count === 1 ? b.ts_ms + half : b.ts_ms + body.bucket_ms - 1,
    count: b.count,
    v: b.v,
    a: b.a,
    w: b.w,
  }));
}
