// @ts-check
/// <reference lib="dom" />
/**
 * @module History view: the last 1/6/24/48 h or a custom range from /api/history, drawn
 * per metric as an average line inside its min–max band (about one bucket per pixel),
 * refreshed every minute while a preset range is shown.
 */

import { getJson } from "./api.js";
import { withChannel } from "./channels.js";
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
import { byId, errorText } from "./dom.js";
import {
  COLORS,
  fixed,
  formatClock,
  formatDateTime,
  formatDuration,
  fromLocalInput,
  METRICS,
  NAMES,
  toLocalInput,
  UNITS,
} from "./format.js";
import { chartPoints, describeSource } from "./span_stats.js";

/** @typedef {import("./types.js").Metric} Metric */
/** @typedef {import("./types.js").HistoryBucket} HistoryBucket */
/** @typedef {import("./types.js").HistoryResponse} HistoryResponse */
/** @typedef {{ x: number, y: number | null }} Point */
/**
 * One line of the chart: a metric's min, max or avg (`metric` and `role` are ours;
 * Chart.js keeps unknown dataset properties).
 * @typedef {import("chart.js").ChartDataset<"line", Point[]> & {
 *   metric: Metric,
 *   role: "min" | "avg" | "max",
 * }} BandDataset
 */
/** @typedef {import("chart.js").Chart<"line", Point[]>} HistoryChart */
/** @typedef {{ fromMs: number, toMs: number }} Range */

const REFRESH_MS = 60_000;

/** The history chart and its range controls. */
export class HistoryView {
  /** @type {HistoryChart | null} null when Chart.js did not load */
  chart = null;
  /** @type {Range | null} The range drawn, or null before the first load. */
  view = null;
  /** Width of the buckets drawn (ms). */
  bucketMs = 0;
  /** True while the user drags a selection (set by selection.js); refreshes wait. */
  busy = false;
  /** Called after every layout of the chart (the selection band follows the axis). */
  onDrawn = () => {};
  /** @type {number | null} The preset range in hours, or null for a custom range. */
  #hours = 1;
  /** @type {Promise<void> | null} The newest request: only its answer is drawn. */
  #loading = null;
  /** @type {(HistoryBucket | null)[]} The buckets drawn, null in each gap. */
  #rows = [];

  constructor() {
    this.chart = createChart(byId("history-chart", HTMLCanvasElement), this);
    for (const radio of document.querySelectorAll('input[name="history-range"]')) {
      if (!(radio instanceof HTMLInputElement)) continue;
      radio.addEventListener("change", () => this.#onRange(radio.value));
    }
    byId("history-custom").addEventListener("submit", (event) => {
      event.preventDefault();
      this.showRange(
        fromLocalInput(byId("history-from", HTMLInputElement).value),
        fromLocalInput(byId("history-to", HTMLInputElement).value),
      );
    });
    wireMetricToggles(byId("history-toggles"), (metric, visible) => {
      if (!this.chart) return;
      setMetricVisible(this.chart, metric, visible);
      this.chart.update("none");
      this.onDrawn();
    });
    setInterval(() => {
      if (this.#hours !== null && !document.hidden && !this.busy) this.load();
    }, REFRESH_MS);
  }

  /**
   * A range radio changed: a preset loads at once, "custom" opens the form.
   * @param {string} value hours, or `"custom"`
   */
  #onRange(value) {
    const custom = value === "custom";
    byId("history-custom").hidden = !custom;
    if (!custom) {
      this.#hours = Number(value);
      this.load();
      return;
    }
    const from = byId("history-from", HTMLInputElement);
    if (this.view) {
      from.value = toLocalInput(this.view.fromMs);
      byId("history-to", HTMLInputElement).value = toLocalInput(this.view.toMs);
    }
    from.focus();
  }

  /**
   * Shows [fromMs, toMs] as a custom range (the form and "Zoom to selection").
   * @param {number} fromMs
   * @param {number} toMs
   */
  showRange(fromMs, toMs) {
    if (!(fromMs < toMs)) {
      setMeta("Choose a start before the end.", true);
      return;
    }
    this.#hours = null;
    byId("history-range-custom", HTMLInputElement).checked = true;
    byId("history-custom").hidden = false;
    byId("history-from", HTMLInputElement).value = toLocalInput(fromMs);
    byId("history-to", HTMLInputElement).value = toLocalInput(toMs);
    this.load({ fromMs, toMs });
  }

  /**
   * Fetches and draws the current range, or `custom`; only the newest request's
   * answer is drawn.
   * @param {Range} [custom]
   * @returns {Promise<void>}
   */
  load(custom) {
    const width = this.chart?.chartArea?.width ?? 800;
    /** @type {Record<string, string>} */
    const params = { points: String(chartPoints(width)) };
    if (custom) {
      params.from = String(Math.round(custom.fromMs));
      params.to = String(Math.round(custom.toMs));
    } else if (this.#hours !== null) params.hours = String(this.#hours);
    else if (this.view) {
      params.from = String(this.view.fromMs);
      params.to = String(this.view.toMs);
    }
    byId("history").dataset.state = "loading";
    /** @type {Promise<HistoryResponse>} */
    const answer = getJson("/api/history", withChannel(params));
    const request = this.#loading = answer.then((body) => {
      if (request === this.#loading) this.#draw(body);
    }).catch((error) => {
      // A newer request has replaced this one: its answer, not this failure, is what shows.
      if (request !== this.#loading) return;
      byId("history").dataset.state = "error";
      setMeta(`Cannot load history: ${errorText(error)}`, true);
    });
    return request;
  }

  /** @param {HistoryResponse} body */
  #draw(body) {
    this.view = { fromMs: body.from_ms, toMs: body.to_ms };
    /** @type {(HistoryBucket | null)[]} */
    const rows = [];
    /** @type {number | null} */
    let prevEnd = null;
    for (const b of body.data) {
      // A missing bucket means no samples: break the lines and bands there.
      if (prevEnd !== null && b.ts_ms > prevEnd) rows.push(null);
      rows.push(b);
      prevEnd = b.ts_ms + body.bucket_ms;
    }
    this.#rows = rows;
    this.bucketMs = body.bucket_ms;
    const half = body.bucket_ms / 2;
    /** @param {HistoryBucket} b */
    const x = (b) => Math.min(body.to_ms, Math.max(body.from_ms, b.ts_ms + half));
    if (this.chart) {
      const sets = /** @type {BandDataset[]} */ (this.chart.data.datasets);
      for (const ds of sets) {
        ds.data = rows.map((b, i) => ({
          // A gap (null) always follows a bucket: it sits just past that bucket.
          x: b ? x(b) : x(/** @type {HistoryBucket} */ (rows[i - 1])) + half,
          y: b ? b[ds.metric][ds.role] : null,
        }));
      }
      const axis = this.chart.options.scales?.x;
      if (axis) {
        axis.min = body.from_ms;
        axis.max = body.to_ms;
      }
      this.chart.update("none");
      byId("history-chart").dataset.buckets = String(body.count);
    }
    const empty = body.count === 0;
    byId("history-empty").hidden = !empty;
    const span = formatDuration(body.to_ms - body.from_ms);
    setMeta(
      `${formatDateTime(body.from_ms)} → ${formatDateTime(body.to_ms)} (${span}) · ` +
        `${body.count} buckets of ${formatDuration(body.bucket_ms)} from ` +
        `${describeSource(body.source)} · updated ${formatClock(Date.now())}`,
    );
    byId("history").dataset.state = "ready";
  }

  /**
   * The bucket row under a tooltip's data index (null in a gap).
   * @param {number} index
   * @returns {HistoryBucket | null}
   */
  rowAt(index) {
    return this.#rows[index] ?? null;
  }
}

/**
 * `n word`, with an "s" unless n is 1.
 * @param {number} n
 * @param {string} word
 * @returns {string}
 */
function plural(n, word) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/**
 * Sets the line under the chart (what is drawn, or what went wrong).
 * @param {string} text
 * @param {boolean} [isError]
 */
function setMeta(text, isError = false) {
  const el = byId("history-meta");
  el.textContent = text;
  el.dataset.error = String(isError);
}

/**
 * The history chart on `canvas`: per metric an avg line over a min–max band; or null
 * (the canvas replaced by a note) without Chart.js.
 * @param {HTMLCanvasElement} canvas
 * @param {HistoryView} view the rows its tooltips read, and its `onDrawn`
 * @returns {HistoryChart | null}
 */
function createChart(canvas, view) {
  /** @type {BandDataset[]} */
  const datasets = [];
  for (const m of METRICS) {
    // Bands (order 3) are drawn under every line. Each dataset gets its own `data`
    // array (#draw replaces it): Chart.js watches the arrays it is given.
    const band = {
      metric: m,
      yAxisID: m,
      pointRadius: 0,
      borderWidth: 0,
      spanGaps: false,
      order: 3,
    };
    datasets.push(
      {
        ...band,
        data: [],
        role: "max",
        label: `${NAMES[m]} max`,
        fill: "+1",
        backgroundColor: `${COLORS[m]}33`,
      },
      { ...band, data: [], role: "min", label: `${NAMES[m]} min`, fill: false },
      {
        ...band,
        data: [],
        role: "avg",
        label: `${NAMES[m]} avg`,
        borderWidth: 1.6,
        ...lineStyle(m),
        borderColor: COLORS[m],
        backgroundColor: COLORS[m],
        pointHoverRadius: 4,
        fill: false,
      },
    );
  }
  /** @type {HistoryChart | null} */
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
        decimation: { enabled: false },
        tooltip: {
          ...tooltipBase(),
          itemSort: byMetric,
          filter: (item) =>
            /** @type {BandDataset} */ (item.dataset).role === "avg" &&
              /** @type {Point} */ (item.raw).y !== null,
          callbacks: {
            title: (items) => {
              const x = items[0]?.parsed.x;
              return typeof x === "number" ? formatDateTime(x) : "";
            },
            label: (item) => {
              const m = datasetMetric(item.dataset) ?? "v";
              const b = view.rowAt(item.dataIndex);
              if (!b) return "";
              return `${NAMES[m]}: avg ${fixed(b[m].avg)} ${UNITS[m]} ` +
                `(min ${fixed(b[m].min)}, max ${fixed(b[m].max)})`;
            },
            footer: (items) => {
              const b = items.length ? view.rowAt(items[0].dataIndex) : null;
              if (!b) return "";
              const errors = b.errors > 0 ? `, ${b.errors} failed reads` : "";
              return `${plural(b.count, "sample")} in ${formatDuration(view.bucketMs)}${errors}`;
            },
          },
        },
      },
      scales: { x: timeAxis(), ...metricAxes() },
      onResize: (c) => fitAxisTitles(c),
    },
    // After every layout (new data, resize) the axis maps times to new pixels.
    plugins: [{ id: "selection", afterLayout: () => view.onDrawn() }],
  });
  if (chart) fitAxisTitles(chart); // onResize does not fire for the first layout.
  return chart;
}
