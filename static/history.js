// @ts-check
/// <reference lib="dom" />
/**
 * @module History view: the last 1/6/24/48 h or a custom range from `/api/history`,
 * drawn by a {@link ScopeChart} (min–max band and mean per pixel column, about one
 * bucket per pixel). Wheel zoom, pan, back and zoom out re-read the range shown, down
 * to single raw samples; double-click returns to the preset. Refreshed every minute
 * while a preset range is shown and not zoomed.
 */

import { getJson } from "./api.js";
import { withChannel } from "./channels.js";
import { historyColumns, requireChart, wireMetricToggles } from "./chart_common.js";
import { byId, errorText } from "./dom.js";
import { formatTime, t } from "./i18n.js";
import { formatDuration, fromLocalInput, toLocalInput } from "./format.js";
import { ScopeChart } from "./scope_chart.js";
import { chartPoints, describeSource } from "./span_stats.js";

/** @typedef {import("./types.js").HistoryResponse} HistoryResponse */
/** @typedef {{ fromMs: number, toMs: number }} Range */

const REFRESH_MS = 60_000;
const FETCH_DELAY_MS = 120;

/** The history chart and its range controls. */
export class HistoryView {
  /** @type {ScopeChart | null} null when uPlot did not load */
  chart = null;
  /** @type {Range | null} The range drawn, or null before the first load. */
  view = null;
  /** Width of the buckets drawn (ms). */
  bucketMs = 0;
  /** Called when the cursors move (set by selection.js). */
  onCursors = (/** @type {number | null} */ _a, /** @type {number | null} */ _b) => {};
  /** @type {number | null} The preset range in hours, or null for a custom one. */
  #hours = 1;
  /** @type {Promise<void> | null} The newest request: only its answer is drawn. */
  #loading = null;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  #fetchTimer = undefined;
  #frame = 0;
  #root = byId("history-chart");
  /** @type {{ fromMs: number, toMs: number } | null} The span the selection band shows. */
  #band = null;

  constructor() {
    if (requireChart(this.#root)) {
      this.chart = new ScopeChart(this.#root, {
        key: "history",
        handlers: {
          onNavigate: (view) => {
            this.#hours = null;
            this.redraw();
            clearTimeout(this.#fetchTimer);
            this.#fetchTimer = setTimeout(
              () => this.load({ fromMs: view.min, toMs: view.max }),
              FETCH_DELAY_MS,
            );
          },
          onReset: () => this.#onRange(this.#checkedRange()),
          onCursors: (a, b) => this.onCursors(a, b),
        },
      });
      this.#root.addEventListener("pointerup", () => this.redraw());
      this.#root.addEventListener("pointermove", () => this.redraw());
    }
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
    byId("history-back").addEventListener("click", () => this.chart?.back());
    byId("history-zoom-out").addEventListener("click", () => this.chart?.zoom(2));
    const layout = byId("history-layout", HTMLSelectElement);
    if (this.chart) layout.value = this.chart.layout;
    layout.addEventListener("change", () => {
      this.chart?.setLayout(/** @type {"overlay" | "stacked"} */ (layout.value));
    });
    const log = byId("history-log", HTMLInputElement);
    log.addEventListener("change", () => this.chart?.setLog(log.checked));
    wireMetricToggles(byId("history-toggles"), (metric, visible) => {
      this.chart?.setVisible(metric, visible);
    });
    setInterval(() => {
      if (this.#hours !== null && !document.hidden) this.load();
    }, REFRESH_MS);
  }

  /** The value of the range radio checked. */
  #checkedRange() {
    const checked = document.querySelector('input[name="history-range"]:checked');
    return checked instanceof HTMLInputElement ? checked.value : "1";
  }

  /**
   * A range radio changed (or double-click): a preset loads at once, "custom" opens the form.
   * @param {string} value hours, or `"custom"`
   */
  #onRange(value) {
    const custom = value === "custom";
    byId("history-custom").hidden = !custom;
    if (!custom) {
      this.#hours = Number(value);
      if (this.chart) this.chart.history = [];
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
   * Shows [fromMs, toMs] (the form and "Zoom to selection").
   * @param {number} fromMs
   * @param {number} toMs
   */
  showRange(fromMs, toMs) {
    if (!(fromMs < toMs)) {
      setMeta(t("history.order"), true);
      return;
    }
    if (this.chart) this.chart.navigate({ min: fromMs, max: toMs });
    else this.load({ fromMs, toMs });
  }

  /** Redraws at the next animation frame (cursor moves, new data). */
  redraw() {
    if (this.#frame || !this.chart) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      if (this.chart?.pending) this.chart.render();
      // The band follows the chart's view (zoom, pan, new data).
      this.placeBand(this.#band);
    });
  }

  /**
   * Fetches and draws the current range, or `custom`; only the newest answer is drawn.
   * @param {Range} [custom]
   * @returns {Promise<void>}
   */
  load(custom) {
    const width = this.chart?.plotWidth ?? 800;
    /** @type {Record<string, string>} */
    const params = { points: String(chartPoints(width)) };
    if (custom) {
      params.from = String(Math.floor(custom.fromMs));
      params.to = String(Math.max(Math.floor(custom.fromMs) + 1, Math.ceil(custom.toMs)));
    } else if (this.#hours !== null) params.hours = String(this.#hours);
    else if (this.view) {
      params.from = String(this.view.fromMs);
      params.to = String(this.view.toMs);
    }
    byId("history").dataset.state = "loading";
    /** @type {Promise<HistoryResponse>} */
    const answer = getJson("/api/history", withChannel(params));
    const request = this.#loading = answer.then((body) => {
      if (request === this.#loading) this.#draw(body, custom);
    }).catch((error) => {
      if (request !== this.#loading) return;
      byId("history").dataset.state = "error";
      setMeta(t("history.failed", { error: errorText(error) }), true);
    });
    return request;
  }

  /**
   * @param {HistoryResponse} body
   * @param {Range} [custom] the exact range asked (a zoom below a millisecond)
   */
  #draw(body, custom) {
    this.view = { fromMs: body.from_ms, toMs: body.to_ms };
    this.bucketMs = body.bucket_ms;
    if (this.chart) {
      const view = custom ? { min: custom.fromMs, max: custom.toMs } : {
        min: body.from_ms,
        max: body.to_ms,
      };
      this.chart.setColumns(historyColumns(body), view);
      this.chart.render();
      this.placeBand(this.#band);
      this.#root.dataset.buckets = String(body.count);
      this.#root.dataset.source = body.source;
      this.#root.dataset.bucketMs = String(body.bucket_ms);
    }
    byId("history-empty").hidden = body.count > 0;
    setMeta(t("history.meta", {
      from: formatTime(body.from_ms, { date: true }),
      to: formatTime(body.to_ms, { date: true }),
      span: formatDuration(body.to_ms - body.from_ms),
      count: body.count,
      bucket: formatDuration(body.bucket_ms),
      source: describeSource(body.source),
      updated: formatTime(Date.now()),
    }));
    byId("history").dataset.state = "ready";
  }

  /**
   * Places the selection band (`#history-selection`) over the span, or hides it.
   * @param {{ fromMs: number, toMs: number } | null} span
   */
  placeBand(span) {
    this.#band = span;
    const band = byId("history-selection");
    const over = this.chart?.over;
    if (!span || !over || !this.chart) {
      band.hidden = true;
      return;
    }
    const { min, max } = this.chart.view;
    const box = over.getBoundingClientRect();
    const root = this.#root.getBoundingClientRect();
    const px = (/** @type {number} */ ms) =>
      box.left - root.left + (ms - min) / (max - min) * box.width;
    const l = Math.max(box.left - root.left, px(span.fromMs));
    const r = Math.min(box.right - root.left, px(span.toMs));
    band.hidden = r <= l;
    Object.assign(band.style, {
      left: `${l}px`,
      width: `${Math.max(0, r - l)}px`,
      top: `${box.top - root.top}px`,
      height: `${box.height}px`,
    });
  }
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
