// @ts-check
/**
 * @module Span selection on the history chart: drag across it (or type the times) to
 * read the span's duration, and the figures the server answers for it (/api/span:
 * min/avg/max of each metric, energy, charge, exact to the sample); zoom into it or
 * download it as CSV.
 */

import { download, getJson } from "./api.js";
import { pickedResolution, withChannel } from "./channels.js";
import {
  chargeText,
  energyText,
  formatDateTime,
  formatDuration,
  fromLocalInput,
  METRICS,
  metricText,
  toLocalInput,
} from "./format.js";
import { describeSpanSource } from "./span_stats.js";

/** @typedef {import("../src/protocol/span.ts").SpanResponse} SpanResponse */
/** @typedef {import("./types.js").MeasurementsResponse} MeasurementsResponse */
/** @typedef {import("./history.js").HistoryView} HistoryView */
/** @typedef {{ startPx: number, endPx: number, pointerId: number }} Drag */

/**
 * The element with `id` (the page has every id this module uses).
 * @param {string} id
 * @returns {any}
 */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
/** A drag shorter than this (pixels) is a click, not a selection. */
const MIN_DRAG_PX = 4;

/** The selection on a {@link HistoryView}. */
export class Selection {
  /** @type {{ fromMs: number, toMs: number } | null} */
  span = null;
  /** @type {HistoryView} */
  #history;
  /** @type {Drag | null} */
  #drag = null;
  #request = 0;

  /** @param {HistoryView} history */
  constructor(history) {
    this.#history = history;
    history.onDrawn = () => this.#place();
    if (history.chart) {
      const canvas = /** @type {HTMLCanvasElement} */ ($("history-chart"));
      this.#wirePointer(canvas);
      canvas.addEventListener("keydown", (event) => {
        if (event.key === "Escape") this.clear();
      });
    }
    $("sel-form").addEventListener("submit", (/** @type {Event} */ event) => {
      event.preventDefault();
      this.select(fromLocalInput($("sel-from").value), fromLocalInput($("sel-to").value));
    });
    $("sel-clear").addEventListener("click", () => this.clear());
    $("sel-zoom").addEventListener("click", () => {
      if (this.span) history.showRange(this.span.fromMs, this.span.toMs);
    });
    $("sel-export").addEventListener("click", () => this.#export());
  }

  /** The history chart; the pointer and band code only runs when there is one. */
  get #chart() {
    const chart = this.#history.chart;
    if (!chart) throw new Error("The history chart is not drawn (Chart.js did not load)");
    return chart;
  }

  /** @param {HTMLCanvasElement} canvas */
  #wirePointer(canvas) {
    const chart = this.#chart;
    /** @param {PointerEvent} event */
    const clampPx = (event) => {
      const rect = canvas.getBoundingClientRect();
      const { left, right } = chart.chartArea;
      return Math.min(right, Math.max(left, event.clientX - rect.left));
    };
    canvas.addEventListener("pointerdown", (event) => {
      if (event.button !== 0 || !this.#history.view) return;
      const px = clampPx(event);
      this.#drag = { startPx: px, endPx: px, pointerId: event.pointerId };
      this.#history.busy = true;
      canvas.setPointerCapture(event.pointerId);
    });
    canvas.addEventListener("pointermove", (event) => {
      if (!this.#drag || event.pointerId !== this.#drag.pointerId) return;
      this.#drag.endPx = clampPx(event);
      const [a, b] = this.#dragSpan(this.#drag);
      this.#draw(a, b, true);
    });
    /** @param {PointerEvent} event @param {boolean} cancelled */
    const finish = (event, cancelled) => {
      if (!this.#drag || event.pointerId !== this.#drag.pointerId) return;
      const drag = this.#drag;
      this.#drag = null;
      this.#history.busy = false;
      if (cancelled || Math.abs(drag.endPx - drag.startPx) < MIN_DRAG_PX) {
        this.#place();
        return;
      }
      const [fromMs, toMs] = this.#dragSpan(drag);
      this.select(fromMs, toMs);
    };
    canvas.addEventListener("pointerup", (event) => finish(event, false));
    canvas.addEventListener("pointercancel", (event) => finish(event, true));
  }

  /**
   * @param {Drag} drag
   * @returns {[number, number]}
   */
  #dragSpan(drag) {
    const x = this.#chart.scales.x;
    const a = x.getValueForPixel(Math.min(drag.startPx, drag.endPx));
    const b = x.getValueForPixel(Math.max(drag.startPx, drag.endPx));
    // Pixels inside the chart area always map to a time.
    return [Math.round(a ?? NaN), Math.round(b ?? NaN)];
  }

  /**
   * Selects [fromMs, toMs) and loads its figures.
   * @param {number} fromMs
   * @param {number} toMs
   */
  async select(fromMs, toMs) {
    if (!(fromMs < toMs)) {
      this.#setState("error", "Choose a start before the end.");
      return;
    }
    this.span = { fromMs, toMs };
    $("sel-from").value = toLocalInput(fromMs);
    $("sel-to").value = toLocalInput(toMs);
    this.#place();
    const panel = $("selection");
    panel.dataset.fromMs = String(fromMs);
    panel.dataset.toMs = String(toMs);
    $("sel-range").textContent = `${formatDateTime(fromMs)} → ${formatDateTime(toMs)}`;
    $("sel-duration").textContent = formatDuration(toMs - fromMs);
    this.#setState("loading", "Loading…");
    const request = ++this.#request;
    try {
      /** @type {SpanResponse} */
      const span = await getJson(
        "/api/span",
        withChannel({ from: String(fromMs), to: String(toMs) }),
      );
      if (request === this.#request) this.#render(span);
    } catch (error) {
      if (request === this.#request) this.#setState("error", /** @type {Error} */ (error).message);
    }
  }

  /** Clears the selection and its figures. */
  clear() {
    this.span = null;
    this.#request++;
    this.#place();
    delete $("selection").dataset.fromMs;
    this.#setState("empty", "");
  }

  /** @param {SpanResponse} span */
  #render(span) {
    for (const m of /** @type {import("../src/protocol/common.ts").Metric[]} */ (METRICS)) {
      for (const f of /** @type {const} */ (["min", "avg", "max"])) {
        setValue($(`sel-${m}-${f}`), metricText(m, span[m][f], pickedResolution()), span[m][f]);
      }
    }
    setValue($("sel-energy"), energyText(span.energy_wh), span.energy_wh);
    setValue($("sel-charge"), chargeText(span.charge_ah), span.charge_ah);
    setValue($("sel-power"), metricText("w", span.w.avg), span.w.avg);
    const errors = span.errors > 0 ? `, ${span.errors} failed reads` : "";
    $("sel-samples").textContent = `${span.count} samples${errors}`;
    $("sel-resolution").textContent = describeSpanSource(span, formatDateTime);
    const empty = span.count === 0;
    this.#setState("ready", empty ? "No measured samples in this span." : "");
  }

  /**
   * @param {"empty" | "loading" | "ready" | "error"} state
   * @param {string} message
   */
  #setState(state, message) {
    const panel = $("selection");
    panel.dataset.state = state;
    const note = $("sel-message");
    note.textContent = message;
    note.dataset.error = String(state === "error");
    const has = this.span !== null;
    for (const id of ["sel-zoom", "sel-export", "sel-clear"]) $(id).disabled = !has;
  }

  /** Positions the shaded band over the chart for the current span (or drag). */
  #place() {
    if (this.#drag) return;
    if (!this.span || !this.#history.chart || !this.#history.view) {
      $("history-selection").hidden = true;
      return;
    }
    const x = this.#chart.scales.x;
    this.#draw(x.getPixelForValue(this.span.fromMs), x.getPixelForValue(this.span.toMs), false);
  }

  /**
   * Draws the band between two pixel x positions (or between two times while dragging).
   * @param {number} a
   * @param {number} b
   * @param {boolean} dragging
   */
  #draw(a, b, dragging) {
    const chart = this.#chart;
    const x = chart.scales.x;
    const { left, right, top, bottom } = chart.chartArea;
    const [pa, pb] = dragging ? [x.getPixelForValue(a), x.getPixelForValue(b)] : [a, b];
    const l = Math.max(left, Math.min(pa, pb));
    const r = Math.min(right, Math.max(pa, pb));
    const band = $("history-selection");
    band.hidden = r <= l;
    Object.assign(band.style, {
      left: `${l}px`,
      width: `${r - l}px`,
      top: `${top}px`,
      height: `${bottom - top}px`,
    });
    const label = band.firstElementChild;
    label.textContent = dragging ? formatDuration(b - a) : "";
  }

  /** Downloads the span as CSV, after checking the server will serve that window. */
  async #export() {
    if (!this.span) return;
    const window = withChannel({ from: String(this.span.fromMs), to: String(this.span.toMs) });
    try {
      /** @type {MeasurementsResponse} */
      const probe = await getJson("/api/measurements", { ...window, limit: "1" });
      if (probe.count === 0) {
        this.#setState("ready", "No raw samples in this span to export.");
        return;
      }
    } catch (error) {
      this.#setState("ready", `Cannot export: ${/** @type {Error} */ (error).message}`);
      return;
    }
    try {
      await download("/api/export.csv", window);
    } catch (error) {
      this.#setState("ready", `Cannot export: ${/** @type {Error} */ (error).message}`);
      return;
    }
    $("sel-message").textContent = "CSV download started.";
  }
}

/**
 * Shows `text` in `el` and keeps the number itself in `data-value` (for tests and tools).
 * @param {HTMLElement} el
 * @param {string} text
 * @param {number | null} value
 */
function setValue(el, text, value) {
  el.textContent = text;
  el.dataset.value = typeof value === "number" ? String(value) : "";
}
