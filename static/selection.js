/**
 * @module Span selection on the history chart: drag across it (or type the times) to
 * read the span's duration, min/avg/max of each metric (history buckets merged by
 * count), energy and charge (/api/power-efficiency); zoom into it or download it as CSV.
 */

import { download, getJson } from "./api.js";
import {
  fixed,
  formatDateTime,
  formatDuration,
  formatMah,
  formatWh,
  fromLocalInput,
  METRICS,
  toLocalInput,
} from "./format.js";
import { describeSource, FINE_SPAN_MS, mergeBuckets, summaryPoints } from "./span_stats.js";

const $ = (id) => document.getElementById(id);
/** A drag shorter than this (pixels) is a click, not a selection. */
const MIN_DRAG_PX = 4;

/** The selection on a {@link HistoryView}. */
export class Selection {
  /** `{ fromMs, toMs }` or null. */
  span = null;
  #history;
  #drag = null;
  #request = 0;

  constructor(history) {
    this.#history = history;
    history.onDrawn = () => this.#place();
    if (history.chart) {
      const canvas = $("history-chart");
      this.#wirePointer(canvas);
      canvas.addEventListener("keydown", (event) => {
        if (event.key === "Escape") this.clear();
      });
    }
    $("sel-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.select(fromLocalInput($("sel-from").value), fromLocalInput($("sel-to").value));
    });
    $("sel-clear").addEventListener("click", () => this.clear());
    $("sel-zoom").addEventListener("click", () => {
      if (this.span) history.showRange(this.span.fromMs, this.span.toMs);
    });
    $("sel-export").addEventListener("click", () => this.#export());
  }

  #wirePointer(canvas) {
    const chart = this.#history.chart;
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
      const [a, b] = this.#dragSpan();
      this.#draw(a, b, true);
    });
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

  #dragSpan(drag = this.#drag) {
    const x = this.#history.chart.scales.x;
    const a = x.getValueForPixel(Math.min(drag.startPx, drag.endPx));
    const b = x.getValueForPixel(Math.max(drag.startPx, drag.endPx));
    return [Math.round(a), Math.round(b)];
  }

  /** Selects [fromMs, toMs) and loads its figures. */
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
    const window = { from: String(fromMs), to: String(toMs) };
    try {
      const [history, energy] = await Promise.all([
        getJson("/api/history", { ...window, points: String(summaryPoints(toMs - fromMs)) }),
        getJson("/api/power-efficiency", window),
      ]);
      if (request === this.#request) this.#render(history, energy);
    } catch (error) {
      if (request === this.#request) this.#setState("error", error.message);
    }
  }

  clear() {
    this.span = null;
    this.#request++;
    this.#place();
    delete $("selection").dataset.fromMs;
    this.#setState("empty", "");
  }

  #render(history, energy) {
    const merged = mergeBuckets(history.data ?? []);
    for (const m of METRICS) {
      for (const f of ["min", "avg", "max"]) {
        const cell = $(`sel-${m}-${f}`);
        cell.textContent = fixed(merged[m][f]);
        cell.dataset.value = merged[m][f] === null ? "" : String(merged[m][f]);
      }
    }
    setValue($("sel-energy"), formatWh(energy.energy_wh), energy.energy_wh);
    setValue($("sel-charge"), formatMah(energy.charge_ah), energy.charge_ah);
    setValue($("sel-power"), fixed(energy.avg_power_w), energy.avg_power_w);
    const errors = merged.errors > 0 ? `, ${merged.errors} failed reads` : "";
    $("sel-samples").textContent = `${merged.count} samples${errors}`;
    const fine = this.span.toMs - this.span.fromMs <= FINE_SPAN_MS;
    $("sel-resolution").textContent = `Min/avg/max from ${describeSource(history.source)}; ` +
      `energy from ${fine ? "per-second" : "per-minute"} rollups (edges rounded to the ` +
      `${fine ? "second" : "minute"}; per-minute beyond 6 h or past the raw data).`;
    const empty = merged.count === 0;
    this.#setState("ready", empty ? "No measured samples in this span." : "");
  }

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
    const x = this.#history.chart.scales.x;
    this.#draw(x.getPixelForValue(this.span.fromMs), x.getPixelForValue(this.span.toMs), false);
  }

  /** Draws the band between two pixel x positions (or between two times while dragging). */
  #draw(a, b, dragging) {
    const chart = this.#history.chart;
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
    const window = { from: String(this.span.fromMs), to: String(this.span.toMs) };
    try {
      const probe = await getJson("/api/measurements", { ...window, limit: "1" });
      if (probe.count === 0) {
        this.#setState("ready", "No raw samples in this span to export.");
        return;
      }
    } catch (error) {
      this.#setState("ready", `Cannot export: ${error.message}`);
      return;
    }
    try {
      await download("/api/export.csv", window);
    } catch (error) {
      this.#setState("ready", `Cannot export: ${error.message}`);
      return;
    }
    $("sel-message").textContent = "CSV download started.";
  }
}

function setValue(el, text, value) {
  el.textContent = text;
  el.dataset.value = typeof value === "number" ? String(value) : "";
}
