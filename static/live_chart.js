// @ts-check
/// <reference lib="dom" />
/**
 * @module The live chart: the batched stream folded on arrival into a {@link LiveBuffer}
 * (bounded memory at any rate), decimated per pixel column and drawn by a
 * {@link ScopeChart} at most once per animation frame, never while the chart is
 * off-screen or the tab hidden. Pause (or any zoom or pan) freezes it: the paused view
 * is read from `/api/history`, so it zooms down to single samples, and takes cursors
 * whose figures come from `/api/span`. A second channel can be drawn too ("compare").
 */

import { getJson } from "./api.js";
import { withChannel } from "./channels.js";
import { historyColumns, requireChart, wireMetricToggles } from "./chart_common.js";
import { byId } from "./dom.js";
import { onLanguageChange, t } from "./i18n.js";
import { LiveBuffer, newColumns, resolutionFor } from "./live_buffer.js";
import { ScopeChart } from "./scope_chart.js";
import { CursorFigures } from "./selection.js";
import { chartPoints } from "./span_stats.js";
import { sampleTimeMs } from "./readouts.js";

/** @typedef {import("./types.js").MeasurementData} MeasurementData */
/** @typedef {import("./types.js").MeasurementsData} MeasurementsData */
/** @typedef {import("./types.js").HistoryResponse} HistoryResponse */
/** @typedef {import("./scope_chart.js").Range} Range */

const KEEP_EXTRA_MS = 5_000;
/** Redraws at least this far apart: 25/s moves smoothly and leaves the CPU time. */
const MIN_REDRAW_MS = 40;
const FETCH_DELAY_MS = 120;

/** The rolling chart and its controls. */
export class LiveChart {
  windowMs = 60_000;
  intervalMs = 1000;
  paused = false;
  buffer = new LiveBuffer({ resolutionMs: resolutionFor(60_000), keepMs: 60_000 + KEEP_EXTRA_MS });
  /** @type {LiveBuffer | null} */
  compareBuffer = null;
  /** @type {{ name: string, label: string, intervalMs: number } | null} */
  compared = null;
  mainLabel = "";
  /** @type {ScopeChart | null} */
  chart = null;
  #root;
  #cols = newColumns();
  #compareCols = { x: /** @type {number[]} */ ([]), v: [], a: [], w: [] };
  #samples = 0;
  #lastArrival = 0;
  /** @type {number | null} */
  #axisMax = null;
  #lastDraw = -Infinity;
  #dirty = true;
  #frame = 0;
  #published = -Infinity;
  #onScreen = true;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  #fetchTimer = undefined;
  #fetchSeq = 0;
  #figures;

  /** @param {HTMLElement} root */
  constructor(root) {
    this.#root = root;
    this.#figures = new CursorFigures("live-sel");
    if (requireChart(root)) {
      this.chart = new ScopeChart(root, {
        key: "live",
        handlers: {
          onNavigate: (view) => this.#onNavigate(view),
          onReset: () => this.setPaused(false),
          onCursors: (a, b) => this.#figures.show(a, b),
        },
      });
      this.chart.cursorsEnabled = false;
    }
    const select = byId("live-window", HTMLSelectElement);
    select.addEventListener("change", () => this.setWindow(Number(select.value)));
    this.#title();
    onLanguageChange(() => {
      this.#title();
      byId("live-pause").textContent = this.paused ? t("chart.live.resume") : t("chart.live.pause");
      this.chart?.setLayout(this.chart.layout); // axis labels and names
    });
    byId("live-pause").addEventListener("click", () => this.setPaused(!this.paused));
    byId("live-back").addEventListener("click", () => this.chart?.back());
    byId("live-zoom-out").addEventListener("click", () => {
      if (!this.paused) this.setPaused(true);
      this.chart?.zoom(2);
    });
    const layout = byId("live-layout", HTMLSelectElement);
    if (this.chart) layout.value = this.chart.layout;
    layout.addEventListener("change", () => {
      this.chart?.setLayout(/** @type {"overlay" | "stacked"} */ (layout.value));
      this.#dirty = true;
      this.wake();
    });
    const log = byId("live-log", HTMLInputElement);
    log.addEventListener("change", () => {
      this.chart?.setLog(log.checked);
      this.#dirty = true;
      this.wake();
    });
    wireMetricToggles(byId("live-toggles"), (metric, visible) => {
      this.chart?.setVisible(metric, visible);
      this.#dirty = true;
      this.wake();
    });
    new IntersectionObserver((entries) => {
      this.#onScreen = entries.some((e) => e.isIntersecting);
      this.wake();
    }).observe(root);
    document.addEventListener("visibilitychange", () => this.wake());
  }

  /** Samples drawn so far (tests read it from `data-samples`). */
  get samples() {
    return this.#samples;
  }

  /**
   * Adds one measurement (the single-sample stream).
   * @param {MeasurementData} sample
   */
  push(sample) {
    const tsMs = sampleTimeMs(sample);
    if (tsMs === null) return;
    this.buffer.add(tsMs, sample.v, sample.a, sample.w, sample.status !== "error");
    this.#arrived(1);
  }

  /**
   * Adds a batch of the `measurements` message.
   * @param {MeasurementsData} batch
   */
  pushBatch(batch) {
    this.buffer.addBatch(batch);
    this.#arrived(batch.ts_ms.length);
  }

  /** @param {number} n */
  #arrived(n) {
    if (this.paused) return;
    this.#samples += n;
    this.#lastArrival = performance.now();
    this.#dirty = true;
    this.wake();
  }

  /**
   * Adds a sample of the compared channel.
   * @param {number} tsMs
   * @param {number} v
   * @param {number} a
   * @param {number} w
   * @param {boolean} ok
   */
  pushCompared(tsMs, v, a, w, ok) {
    this.compareBuffer?.add(tsMs, v, a, w, ok);
    this.#dirty = true;
  }

  /**
   * Draws channel `channel` too (null: only the shown one), filled from its history.
   * @param {{ name: string, label: string, intervalMs: number } | null} channel
   */
  async setCompared(channel) {
    this.compared = channel;
    this.compareBuffer = channel ? new LiveBuffer(this.#bufferOptions()) : null;
    this.#applyLabels();
    this.#dirty = true;
    this.wake();
    if (!channel) return;
    const buffer = this.compareBuffer;
    const body = await fetchWindow(this.windowMs + KEEP_EXTRA_MS, { channel: channel.name });
    if (this.compareBuffer !== buffer || !buffer) return;
    buffer.prepend(summariesOf(body));
    this.#dirty = true;
    this.wake();
  }

  #applyLabels() {
    const legend = byId("live-legend");
    const compared = this.compared;
    legend.hidden = compared === null;
    this.#root.dataset.compare = compared?.name ?? "";
    if (this.chart) this.chart.mainLabel = this.mainLabel;
    if (!compared) return;
    byId("live-legend-main").textContent = this.mainLabel || t("chart.live.shown");
    byId("live-legend-compare").textContent = compared.label;
  }

  /** The card's title and the chart's label for the window shown, in the page's language. */
  #title() {
    const select = byId("live-window", HTMLSelectElement);
    const label = [...select.options].find((o) => Number(o.value) === this.windowMs)?.text ??
      `${this.windowMs} ms`;
    byId("live-title").textContent = t("chart.live.title", { window: label });
    this.#root.setAttribute("aria-label", t("chart.live.aria", { window: label }));
  }

  /** @returns {{ resolutionMs: number, keepMs: number }} */
  #bufferOptions() {
    return { resolutionMs: resolutionFor(this.windowMs), keepMs: this.windowMs + KEEP_EXTRA_MS };
  }

  /** Forgets every sample (another channel is shown); the caller backfills. */
  reset() {
    this.buffer = new LiveBuffer(this.#bufferOptions());
    this.#samples = 0;
    this.#axisMax = null;
    this.#dirty = true;
  }

  /**
   * Shows the last `ms` milliseconds (buckets re-cut for the new width; history fills
   * what the buffer did not hold).
   * @param {number} ms
   */
  setWindow(ms) {
    this.windowMs = ms;
    this.buffer = this.buffer.rebucket(this.#bufferOptions());
    if (this.compareBuffer) this.compareBuffer = this.compareBuffer.rebucket(this.#bufferOptions());
    this.#title();
    if (this.paused) this.setPaused(false);
    this.#dirty = true;
    this.backfill().catch((error) => console.warn(`Cannot backfill: ${error}`));
    this.wake();
  }

  /**
   * Freezes (the view then reads history and takes cursors) or resumes following.
   * @param {boolean} paused
   */
  setPaused(paused) {
    this.paused = paused;
    const button = byId("live-pause");
    button.setAttribute("aria-pressed", String(paused));
    button.textContent = paused ? t("chart.live.resume") : t("chart.live.pause");
    byId("live-paused").hidden = !paused;
    byId("live-cursor-hint").hidden = !paused;
    if (this.chart) {
      this.chart.cursorsEnabled = paused;
      this.chart.setLayout(this.chart.layout); // drag-to-select on or off
      if (!paused) {
        this.chart.history = [];
        this.chart.setCursors(null, null);
        this.#figures.show(null, null);
      }
    }
    this.#dirty = true;
    this.wake();
  }

  /**
   * Refills the window from `/api/history` after the page opens, reconnects or the
   * window grows: what the stream brought is kept, summaries fill the time before it.
   * @param {{ clear?: boolean }} [options] `clear`: forget what is held first
   */
  async backfill({ clear = false } = {}) {
    if (clear) this.buffer.clear();
    const buffer = this.buffer;
    const body = await fetchWindow(this.windowMs + KEEP_EXTRA_MS, withChannel());
    if (buffer !== this.buffer) return;
    buffer.prepend(summariesOf(body));
    this.#applyLabels();
    this.#dirty = true;
    this.wake();
  }

  /** @param {Range} view a zoom or pan: freeze, then read that range from history */
  #onNavigate(view) {
    if (!this.paused) this.setPaused(true);
    clearTimeout(this.#fetchTimer);
    this.#fetchTimer = setTimeout(() => this.#loadView(view), FETCH_DELAY_MS);
    this.wake();
  }

  /** @param {Range} view */
  async #loadView(view) {
    const seq = ++this.#fetchSeq;
    const width = this.chart?.plotWidth ?? 800;
    const from = Math.floor(view.min);
    const to = Math.max(from + 1, Math.ceil(view.max));
    /** @type {HistoryResponse} */
    const body = await getJson(
      "/api/history",
      withChannel({ from: String(from), to: String(to), points: String(chartPoints(width)) }),
    );
    if (seq !== this.#fetchSeq || !this.paused || !this.chart) return;
    this.chart.setColumns(historyColumns(body), this.chart.view);
    this.wake();
  }

  /** Asks for an animation frame if the chart has something to draw and can be seen. */
  wake() {
    if (this.#frame || document.hidden || !this.#onScreen) return;
    this.#frame = requestAnimationFrame((now) => {
      this.#frame = 0;
      if (this.#draw(now)) this.wake();
    });
  }

  /**
   * One animation frame: moves the axis with time and redraws when the picture
   * changed, at most every {@link MIN_REDRAW_MS}. Returns whether to keep going.
   * @param {number} now
   * @returns {boolean}
   */
  #draw(now) {
    const chart = this.chart;
    if (!chart) return false;
    if (this.paused) {
      if (chart.pending) chart.render();
      this.#root.dataset.samples = String(this.#samples);
      return false;
    }
    const latest = this.buffer.latestMs;
    if (latest === null) return false;
    // Fast streams scroll smoothly between batches; slow ones (a sample every 200 ms or
    // more) step with each sample, so a 1 Hz chart draws once a second, not 20 times.
    const smooth = this.intervalMs < 200;
    const ahead = smooth ? Math.min(now - this.#lastArrival, 1.5 * this.intervalMs + 100) : 0;
    const target = latest + Math.max(0, ahead);
    if (this.#axisMax === null || target > this.#axisMax || target < this.#axisMax - 5_000) {
      this.#axisMax = target;
    }
    const axisMax = this.#axisMax;
    const width = Math.max(50, chart.plotWidth);
    const colMs = this.windowMs / width;
    const moved = smooth && Math.abs(axisMax - chart.view.max) >= colMs / 2;
    const scrolling = now - this.#lastArrival < 2 * this.intervalMs + 1000;
    if ((this.#dirty || moved) && now - this.#lastDraw >= MIN_REDRAW_MS) {
      const fromMs = axisMax - this.windowMs;
      const gapMs = Math.max(3 * this.intervalMs, 1_500);
      this.buffer.columns(fromMs - colMs, axisMax, colMs, gapMs, this.#cols);
      chart.setColumns(this.#cols, { min: fromMs, max: axisMax });
      this.#drawCompare(colMs);
      chart.render();
      this.#dirty = false;
      this.#lastDraw = now;
      if (now - this.#published >= 200) {
        this.#published = now;
        this.#root.dataset.samples = String(this.#samples);
      }
    }
    return (smooth && scrolling) || this.#dirty || chart.pending;
  }

  /** @param {number} colMs */
  #drawCompare(colMs) {
    const chart = /** @type {ScopeChart} */ (this.chart);
    const buffer = this.compareBuffer;
    if (!buffer || !this.compared) {
      if (chart.compare) chart.setCompare(null, "");
      return;
    }
    const cmp = this.#compareCols;
    const other = buffer.columns(
      chart.view.min - colMs,
      chart.view.max,
      colMs,
      Math.max(3 * this.compared.intervalMs, 1_500),
      newColumns(),
    );
    // The compared means at the shown columns' times (nearest column of the other).
    const xs = this.#cols.x;
    cmp.x = xs;
    for (const m of /** @type {const} */ (["v", "a", "w"])) {
      const out = /** @type {(number | null)[]} */ (cmp[m]);
      out.length = xs.length;
      let j = 0;
      for (let i = 0; i < xs.length; i++) {
        while (
          j + 1 < other.length && Math.abs(other.x[j + 1] - xs[i]) <= Math.abs(other.x[j] - xs[i])
        ) j++;
        out[i] = other.length && Math.abs(other.x[j] - xs[i]) <= colMs ? other[m].mean[j] : null;
      }
    }
    chart.setCompare(/** @type {any} */ (cmp), this.compared.label);
  }
}

/**
 * The last `ms` of `/api/history` (of `params.channel`, when given), for a backfill.
 * @param {number} ms
 * @param {Record<string, string>} params
 * @returns {Promise<HistoryResponse>}
 */
function fetchWindow(ms, params) {
  return getJson("/api/history", {
    hours: String(ms / 3_600_000),
    points: "4000",
    ...params,
  });
}

/**
 * History buckets as {@link LiveBuffer.prepend} takes them.
 * @param {HistoryResponse} body
 * @returns {import("./live_buffer.js").Summary[]}
 */
function summariesOf(body) {
  const half = body.bucket_ms / 2;
  return body.data.map((b) => ({
    first: b.count === 1 ? b.ts_ms + half : b.ts_ms,
    last: b.count === 1 ? b.ts_ms + half : b.ts_ms + body.bucket_ms - 1,
    count: b.count,
    errors: b.errors,
    v: b.v,
    a: b.a,
    w: b.w,
  }));
}
