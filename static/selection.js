// @ts-check
/// <reference lib="dom" />
/**
 * @module Dual cursors' figures: for the span between cursors A and B, Δt, the sample
 * count, per metric avg/min/max/RMS/σ/peak-to-peak, charge and energy in auto-ranged
 * units, all as the server computes them (`/api/span`, exact to the sample; the page
 * plans nothing). {@link CursorFigures} fills one figures panel (the history's and the
 * paused live chart's); {@link Selection} wires the history chart's cursors to it, with
 * typed times, zoom to the span and CSV export.
 */

import { download, getJson } from "./api.js";
import { withChannel } from "./channels.js";
import { BASE_UNITS, metricName, METRICS } from "./chart_common.js";
import { formatNumber, formatTime, t } from "./i18n.js";
import { formatDuration, fromLocalInput, toLocalInput } from "./format.js";
import { describeSpanSource } from "./span_stats.js";
import { formatUnit } from "./units.js";

/** @typedef {import("../src/protocol/span.ts").SpanResponse} SpanResponse */
/** @typedef {import("./types.js").MeasurementsResponse} MeasurementsResponse */
/** @typedef {import("./history.js").HistoryView} HistoryView */

/** The figures of each metric, in table order. */
const FIGURES = /** @type {const} */ (["avg", "min", "max", "rms", "sd", "p2p"]);

/**
 * The element with `id` (the page has every id this module uses).
 * @param {string} id
 * @returns {any}
 */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/**
 * A time span for people: below a minute in auto-ranged seconds (µs, ms, s), else as
 * minutes and seconds.
 * @param {number} ms
 * @returns {string}
 */
export function formatDelta(ms) {
  if (Math.abs(ms) >= 60_000) return formatDuration(ms);
  const s = ms / 1000;
  const abs = Math.abs(s);
  const [factor, unit] = abs >= 1 ? [1, "s"] : abs >= 1e-3 ? [1e-3, "ms"] : [1e-6, "µs"];
  const scaled = s / factor;
  const decimals = Math.abs(scaled) >= 100 ? 1 : Math.abs(scaled) >= 10 ? 2 : 3;
  return `${formatNumber(scaled, decimals)} ${unit}`;
}

/** One figures panel (ids `<prefix>-…`), filled from `/api/span`. */
export class CursorFigures {
  /** @type {{ fromMs: number, toMs: number } | null} */
  span = null;
  #prefix;
  #panelId;
  #request = 0;

  /**
   * @param {string} prefix the ids' prefix
   * @param {string} [panelId] the panel's id (default `<prefix>-panel`)
   */
  constructor(prefix, panelId = `${prefix}-panel`) {
    this.#prefix = prefix;
    this.#panelId = panelId;
    this.#buildTable();
  }

  /** @param {string} name */
  #el(name) {
    return $(`${this.#prefix}-${name}`);
  }

  /** The metric rows, built once (ids `<prefix>-<metric>-<figure>`). */
  #buildTable() {
    const body = this.#el("rows");
    if (!body) return;
    body.replaceChildren(...METRICS.map((m) => {
      const row = document.createElement("tr");
      row.dataset.metric = m;
      const head = document.createElement("th");
      head.scope = "row";
      head.textContent = metricName(m);
      row.append(
        head,
        ...FIGURES.map((f) => {
          const cell = document.createElement("td");
          cell.id = `${this.#prefix}-${m}-${f}`;
          cell.textContent = "—";
          return cell;
        }),
      );
      return row;
    }));
  }

  /**
   * Shows the figures between two cursor times (either null: clears them).
   * @param {number | null} a
   * @param {number | null} b
   * @returns {Promise<void>}
   */
  async show(a, b) {
    const panel = $(this.#panelId);
    const request = ++this.#request;
    if (a === null || b === null || a === b) {
      this.span = null;
      delete panel.dataset.fromMs;
      delete panel.dataset.toMs;
      this.#setState(a === null && b === null ? "empty" : "partial", "");
      return;
    }
    const fromMs = Math.floor(Math.min(a, b));
    const toMs = Math.max(fromMs + 1, Math.ceil(Math.max(a, b)));
    this.span = { fromMs, toMs };
    panel.dataset.fromMs = String(fromMs);
    panel.dataset.toMs = String(toMs);
    this.#el("range").textContent = `${formatTime(fromMs, { date: true, ms: true })} → ${
      formatTime(toMs, { ms: true })
    }`;
    this.#el("duration").textContent = formatDelta(toMs - fromMs);
    this.#setState("loading", t("cursor.loading"));
    const started = performance.now();
    try {
      /** @type {SpanResponse} */
      const span = await getJson(
        "/api/span",
        withChannel({ from: String(fromMs), to: String(toMs) }),
      );
      if (request !== this.#request) return;
      this.#render(span);
      panel.dataset.latencyMs = String(Math.round(performance.now() - started));
    } catch (error) {
      if (request === this.#request) {
        this.#setState("error", /** @type {Error} */ (error).message);
      }
    }
  }

  /** @param {SpanResponse} span */
  #render(span) {
    const fmt = (
      /** @type {number | null} */ x,
      /** @type {import("./units.js").BaseUnit} */ unit,
    ) => formatUnit(x, unit, { format: formatNumber });
    for (const m of METRICS) {
      for (const f of FIGURES) {
        const value = span[m][f];
        setValue(this.#el(`${m}-${f}`), fmt(value, BASE_UNITS[m]), value);
      }
    }
    setValue(
      this.#el("energy"),
      `${fmt(span.energy_j, "J")} · ${fmt(span.energy_wh, "Wh")}`,
      span.energy_wh,
    );
    this.#el("energy").dataset.joules = String(span.energy_j);
    setValue(
      this.#el("charge"),
      `${fmt(span.charge_c, "C")} · ${fmt(span.charge_ah, "Ah")}`,
      span.charge_ah,
    );
    this.#el("charge").dataset.coulombs = String(span.charge_c);
    setValue(
      this.#el("count"),
      t("cursor.count", { n: span.count, errors: span.errors }),
      span.count,
    );
    this.#el("count").dataset.errors = String(span.errors);
    const source = this.#el("resolution");
    if (source) {
      source.textContent = describeSpanSource(span, (ms) => formatTime(ms, { date: true }));
    }
    this.#setState("ready", span.count === 0 ? t("cursor.none") : "");
  }

  /**
   * @param {"empty" | "partial" | "loading" | "ready" | "error"} state
   * @param {string} message
   */
  #setState(state, message) {
    $(this.#panelId).dataset.state = state;
    const note = this.#el("message");
    note.textContent = message;
    note.dataset.error = String(state === "error");
  }
}

/** The history chart's cursors and the selection panel beside it. */
export class Selection {
  #history;
  #figures = new CursorFigures("sel", "selection");

  /** @param {HistoryView} history */
  constructor(history) {
    this.#history = history;
    history.onCursors = (a, b) => this.#changed(a, b);
    $("sel-form").addEventListener("submit", (/** @type {Event} */ event) => {
      event.preventDefault();
      this.select(fromLocalInput($("sel-from").value), fromLocalInput($("sel-to").value));
    });
    $("sel-clear").addEventListener("click", () => this.clear());
    $("sel-zoom").addEventListener("click", () => {
      const span = this.span;
      if (span) history.showRange(span.fromMs, span.toMs);
    });
    $("sel-export").addEventListener("click", () => this.#export());
    this.#buttons();
  }

  /** The span between the cursors, or null. */
  get span() {
    return this.#figures.span;
  }

  /**
   * Sets the cursors at [fromMs, toMs) and loads the figures.
   * @param {number} fromMs
   * @param {number} toMs
   */
  select(fromMs, toMs) {
    if (!(fromMs < toMs)) {
      $("sel-message").textContent = t("cursor.order");
      return;
    }
    this.#history.chart?.setCursors(fromMs, toMs);
    this.#history.chart && this.#history.redraw();
    this.#changed(fromMs, toMs);
  }

  /** Clears both cursors and the figures. */
  clear() {
    this.#history.chart?.setCursors(null, null);
    this.#history.redraw();
    this.#changed(null, null);
  }

  /**
   * @param {number | null} a
   * @param {number | null} b
   */
  #changed(a, b) {
    const done = this.#figures.show(a, b);
    const span = this.#figures.span;
    if (span) {
      $("sel-from").value = toLocalInput(span.fromMs);
      $("sel-to").value = toLocalInput(span.toMs);
    }
    this.#buttons();
    this.#history.placeBand(span);
    return done;
  }

  #buttons() {
    const has = this.#figures.span !== null;
    for (const id of ["sel-zoom", "sel-export", "sel-clear"]) $(id).disabled = !has;
  }

  /** Downloads the span as CSV, after checking the server holds raw rows for it. */
  async #export() {
    const span = this.span;
    if (!span) return;
    const window = withChannel({ from: String(span.fromMs), to: String(span.toMs) });
    try {
      /** @type {MeasurementsResponse} */
      const probe = await getJson("/api/measurements", { ...window, limit: "1" });
      if (probe.count === 0) {
        $("sel-message").textContent = t("cursor.export.none");
        return;
      }
      await download("/api/export.csv", window);
    } catch (error) {
      $("sel-message").textContent = t("cursor.export.failed", {
        error: /** @type {Error} */ (error).message,
      });
      return;
    }
    $("sel-message").textContent = t("cursor.export.started");
  }
}

/**
 * Shows `text` in `el` and keeps the number itself in `data-value` (for tests and tools).
 * @param {HTMLElement | null} el
 * @param {string} text
 * @param {number | null} value
 */
function setValue(el, text, value) {
  if (!el) return;
  el.textContent = text;
  el.dataset.value = typeof value === "number" ? String(value) : "";
}
