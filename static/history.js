/**
 * @module History view: the last 1/6/24/48 h or a custom range from /api/history, drawn
 * per metric as an average line inside its min–max band (about one bucket per pixel),
 * refreshed every minute while a preset range is shown.
 */

import { getJson } from "./api.js";
import {
  applyTheme,
  byMetric,
  fitAxisTitles,
  lineStyle,
  metricAxes,
  requireChart,
  setMetricVisible,
  timeAxis,
  tooltipBase,
  wireMetricToggles,
} from "./chart_common.js";
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

const $ = (id) => document.getElementById(id);
const REFRESH_MS = 60_000;

/** The history chart and its range controls. */
export class HistoryView {
  chart = null;
  /** The range drawn: `{ fromMs, toMs }`, or null before the first load. */
  view = null;
  /** Width of the buckets drawn (ms). */
  bucketMs = 0;
  /** True while the user drags a selection (set by selection.js); refreshes wait. */
  busy = false;
  /** Called after every layout of the chart (the selection band follows the axis). */
  onDrawn = () => {};
  #hours = 1;
  #loading = null;
  #rows = [];

  constructor() {
    const canvas = $("history-chart");
    if (requireChart(canvas)) this.chart = createChart(canvas, this);
    for (const radio of document.querySelectorAll('input[name="history-range"]')) {
      radio.addEventListener("change", () => this.#onRange(radio.value));
    }
    $("history-custom").addEventListener("submit", (event) => {
      event.preventDefault();
      this.showRange(
        fromLocalInput($("history-from").value),
        fromLocalInput($("history-to").value),
      );
    });
    wireMetricToggles($("history-toggles"), (metric, visible) => {
      if (!this.chart) return;
      setMetricVisible(this.chart, metric, visible);
      this.chart.update("none");
      this.onDrawn();
    });
    setInterval(() => {
      if (this.#hours !== null && !document.hidden && !this.busy) this.load();
    }, REFRESH_MS);
  }

  #onRange(value) {
    const custom = value === "custom";
    $("history-custom").hidden = !custom;
    if (!custom) {
      this.#hours = Number(value);
      this.load();
      return;
    }
    if (this.view) {
      $("history-from").value = toLocalInput(this.view.fromMs);
      $("history-to").value = toLocalInput(this.view.toMs);
    }
    $("history-from").focus();
  }

  /** Shows [fromMs, toMs] as a custom range (the form and "Zoom to selection"). */
  showRange(fromMs, toMs) {
    if (!(fromMs < toMs)) {
      setMeta("Choose a start before the end.", true);
      return;
    }
    this.#hours = null;
    $("history-range-custom").checked = true;
    $("history-custom").hidden = false;
    $("history-from").value = toLocalInput(fromMs);
    $("history-to").value = toLocalInput(toMs);
    this.load({ fromMs, toMs });
  }

  /** Fetches and draws the current range; overlapping calls share one request. */
  load(custom) {
    const width = this.chart?.chartArea?.width ?? 800;
    const params = { points: String(chartPoints(width)) };
    if (custom) {
      params.from = String(Math.round(custom.fromMs));
      params.to = String(Math.round(custom.toMs));
    } else if (this.#hours !== null) params.hours = String(this.#hours);
    else if (this.view) {
      params.from = String(this.view.fromMs);
      params.to = String(this.view.toMs);
    }
    $("history").dataset.state = "loading";
    const request = this.#loading = getJson("/api/history", params).then((body) => {
      if (request === this.#loading) this.#draw(body);
    }).catch((error) => {
      $("history").dataset.state = "error";
      setMeta(`Cannot load history: ${error.message}`, true);
    });
    return request;
  }

  #draw(body) {
    this.view = { fromMs: body.from_ms, toMs: body.to_ms };
    const rows = [];
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
    const x = (b) => Math.min(body.to_ms, Math.max(body.from_ms, b.ts_ms + half));
    if (this.chart) {
      const sets = this.chart.data.datasets;
      for (const ds of sets) {
        ds.data = rows.map((b, i) => ({
          x: b ? x(b) : x(rows[i - 1]) + half,
          y: b ? b[ds.metric][ds.role] : null,
        }));
      }
      this.chart.options.scales.x.min = body.from_ms;
      this.chart.options.scales.x.max = body.to_ms;
      this.chart.update("none");
      $("history-chart").dataset.buckets = String(body.count);
    }
    const empty = body.count === 0;
    $("history-empty").hidden = !empty;
    const span = formatDuration(body.to_ms - body.from_ms);
    setMeta(
      `${formatDateTime(body.from_ms)} → ${formatDateTime(body.to_ms)} (${span}) · ` +
        `${body.count} buckets of ${formatDuration(body.bucket_ms)} from ` +
        `${describeSource(body.source)} · updated ${formatClock(Date.now())}`,
    );
    $("history").dataset.state = "ready";
  }

  /** The bucket row under a tooltip's data index (null in a gap). */
  rowAt(index) {
    return this.#rows[index] ?? null;
  }
}

function plural(n, word) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function setMeta(text, isError = false) {
  const el = $("history-meta");
  el.textContent = text;
  el.dataset.error = String(isError);
}

function createChart(canvas, view) {
  applyTheme();
  const datasets = [];
  for (const m of METRICS) {
    // Bands (order 3) are drawn under every line.
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
        role: "max",
        label: `${NAMES[m]} max`,
        fill: "+1",
        backgroundColor: `${COLORS[m]}33`,
      },
      { ...band, role: "min", label: `${NAMES[m]} min`, fill: false },
      {
        ...band,
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
  const chart = new globalThis.Chart(canvas, {
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
          filter: (item) => item.dataset.role === "avg" && item.raw.y !== null,
          callbacks: {
            title: (items) => items.length ? formatDateTime(items[0].parsed.x) : "",
            label: (item) => {
              const m = item.dataset.metric;
              const b = view.rowAt(item.dataIndex);
              if (!b) return "";
              return `${NAMES[m]}: avg ${fixed(b[m].avg)} ${UNITS[m]} ` +
                `(min ${fixed(b[m].min)}, max ${fixed(b[m].max)})`;
            },
            footer: (items) => {
              const b = items.length ? view.rowAt(items[0].dataIndex) : null;
              if (!b) return "";
              const errors = b.errors > 0 ? `, ${b.errors} failed reads` : "";
              return `${plural(b.count, "sample")} in ${
                formatDuration(view.bucketMs ?? 0)
              }${errors}`;
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
  fitAxisTitles(chart);
  return chart;
}
