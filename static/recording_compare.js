// @ts-check
/// <reference lib="dom" />
/**
 * @module Two or more recordings side by side: the figures of `GET
 * /api/recordings/compare` with each one's deltas from the first (absolute and %), and
 * an overlay chart of their history aligned at their start or at a marker label they
 * all have, with a legend.
 */

import { getJson } from "./api.js";
import { byId } from "./dom.js";
import { chargeText, energyText, formatDuration, metricText } from "./format.js";
import { formatNumber, onLanguageChange, t } from "./i18n.js";
import { alignmentMs, commonLabels, joinSeries } from "./overlay_data.js";
import { OverlayChart } from "./overlay_chart.js";

/** @typedef {import("../src/protocol/recordings.ts").CompareResponse} CompareResponse */
/** @typedef {import("../src/protocol/recordings.ts").Recording} Recording */
/** @typedef {import("../src/protocol/markers.ts").MarkerList} MarkerList */
/** @typedef {import("zod").output<typeof import("../src/protocol/history.ts").HistoryResponse>} HistoryResponse */

/** Figures compared, in table order. */
const FIELDS = /** @type {const} */ ([
  "duration_ms",
  "count",
  "v_min",
  "v_avg",
  "v_max",
  "a_min",
  "a_avg",
  "a_max",
  "w_min",
  "w_avg",
  "w_max",
  "energy_j",
  "charge_c",
]);

/** Buckets drawn per recording. */
const OVERLAY_POINTS = 600;

/**
 * One compared figure as text.
 * @param {string} field
 * @param {number | null} x
 * @returns {string}
 */
export function figureText(field, x) {
  if (x === null) return "—";
  if (field === "duration_ms") return formatDuration(x);
  if (field === "count") return formatNumber(x, 0);
  if (field === "energy_j") return energyText(x / 3600);
  if (field === "charge_c") return chargeText(x / 3600);
  return metricText(/** @type {"v" | "a" | "w"} */ (field[0]), x);
}

/** The comparison panel. */
export class ComparePanel {
  /** @type {CompareResponse | null} */
  #last = null;
  /** @type {{ recording: Recording, markers: MarkerList["data"], history: HistoryResponse, channel: string }[]} */
  #runs = [];
  #chart = new OverlayChart(byId("rec-overlay"), (a, b) => this.#span(a, b));

  constructor() {
    const metric = byId("rec-overlay-metric", HTMLSelectElement);
    metric.addEventListener("change", () => this.#draw());
    byId("rec-overlay-align", HTMLSelectElement).addEventListener("change", () => this.#draw());
    onLanguageChange(() => {
      this.#fillMetric();
      if (this.#last) this.#table(this.#last);
      this.#draw();
    });
    this.#fillMetric();
  }

  /**
   * Compares recordings `ids` (the first is the base of the deltas).
   * @param {number[]} ids
   */
  async show(ids) {
    /** @type {CompareResponse} */
    const out = await getJson("/api/recordings/compare", { ids: ids.join(",") });
    this.#last = out;
    this.#table(out);
    byId("rec-compare-box").hidden = false;
    this.#runs = await Promise.all(out.items.map(async (item) => {
      /** @type {Recording} */
      const recording = await getJson(`/api/recordings/${item.id}`);
      /** @type {MarkerList} */
      const markers = await getJson(`/api/recordings/${item.id}/markers`);
      /** @type {HistoryResponse} */
      const history = await getJson(`/api/recordings/${item.id}/history`, {
        channel: item.channel,
        points: String(OVERLAY_POINTS),
      });
      return { recording, markers: markers.data, history, channel: item.channel };
    }));
    const align = byId("rec-overlay-align", HTMLSelectElement);
    const labels = commonLabels(this.#runs.map((r) => r.markers));
    align.replaceChildren(
      new Option(t("rec.overlay.start"), ""),
      ...labels.map((l) => new Option(t("rec.overlay.marker", { label: l }), l)),
    );
    this.#draw();
    byId("rec-compare-box").scrollIntoView({ block: "nearest" });
  }

  #fillMetric() {
    const select = byId("rec-overlay-metric", HTMLSelectElement);
    const keep = select.value || "a";
    select.replaceChildren(...["v", "a", "w"].map((m) => new Option(t(`rec.metric.${m}`), m)));
    select.value = keep;
  }

  /** @param {CompareResponse} out */
  #table(out) {
    const table = byId("rec-compare-table", HTMLTableElement);
    const head = document.createElement("tr");
    const corner = document.createElement("th");
    corner.scope = "col";
    corner.textContent = t("rec.figure");
    head.append(corner);
    for (const [i, item] of out.items.entries()) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = i === 0 ? t("rec.compare_base", { name: item.name }) : item.name;
      head.append(th);
    }
    const rows = FIELDS.map((field) => {
      const tr = document.createElement("tr");
      tr.dataset.field = field;
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = t(`rec.field.${field}`);
      tr.append(th);
      for (const [i, item] of out.items.entries()) {
        const td = document.createElement("td");
        td.textContent = figureText(field, item.figures[field]);
        const d = item.deltas[field];
        if (i > 0 && d && d.abs !== null) {
          const delta = document.createElement("span");
          delta.className = "rec-delta";
          const sign = d.abs > 0 ? "+" : d.abs < 0 ? "−" : "±";
          const pct = d.pct === null ? "" : ` (${sign}${formatNumber(Math.abs(d.pct), 1)} %)`;
          delta.textContent = ` ${sign}${figureText(field, Math.abs(d.abs))}${pct}`;
          td.append(delta);
        }
        tr.append(td);
      }
      return tr;
    });
    table.replaceChildren(head, ...rows);
  }

  /**
   * The A/B span's exact figures for each recording: offsets `a`..`b` from each one's
   * alignment point, asked of `/api/recordings/{id}/span` (the server plans the span).
   * @param {number} a
   * @param {number} b
   */
  async #span(a, b) {
    const metric = /** @type {"v" | "a" | "w"} */ (byId("rec-overlay-metric", HTMLSelectElement)
      .value);
    const label = byId("rec-overlay-align", HTMLSelectElement).value || null;
    const [from, to] = a <= b ? [a, b] : [b, a];
    const rows = await Promise.all(this.#runs.map(async (run) => {
      const zeroMs = alignmentMs(run.recording, run.markers, label);
      if (zeroMs === null) return null;
      /** @type {import("../src/protocol/span.ts").SpanResponse} */
      const span = await getJson(`/api/recordings/${run.recording.id}/span`, {
        channel: run.channel,
        from: String(Math.round(zeroMs + from)),
        to: String(Math.round(zeroMs + to)),
      });
      return { name: run.recording.name, span };
    }));
    const table = byId("rec-overlay-span", HTMLTableElement);
    const head = document.createElement("tr");
    const keys = ["delta", "samples", "avg", "min", "max", "rms", "sd", "p2p", "charge", "energy"];
    for (const key of ["", ...keys]) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = key === "" ? t("rec.figure") : t(`cursor.${key}`);
      head.append(th);
    }
    const body = rows.flatMap((row) => {
      if (!row) return [];
      const { span } = row;
      const stat = span[metric];
      const tr = document.createElement("tr");
      tr.dataset.count = String(span.count);
      const cells = [
        row.name,
        formatDuration(span.duration_ms),
        formatNumber(span.count, 0),
        metricText(metric, stat?.avg ?? null),
        metricText(metric, stat?.min ?? null),
        metricText(metric, stat?.max ?? null),
        metricText(metric, stat?.rms ?? null),
        metricText(metric, stat?.sd ?? null),
        metricText(metric, stat?.p2p ?? null),
        chargeText(span.charge_ah),
        energyText(span.energy_wh),
      ];
      for (const [i, text] of cells.entries()) {
        const cell = i === 0 ? document.createElement("th") : document.createElement("td");
        if (cell instanceof HTMLTableCellElement && i === 0) cell.setAttribute("scope", "row");
        cell.textContent = text;
        tr.append(cell);
      }
      return [tr];
    });
    table.replaceChildren(head, ...body);
    table.hidden = false;
  }

  #draw() {
    if (this.#runs.length === 0) return;
    byId("rec-overlay-span", HTMLTableElement).hidden = true;
    const metric = /** @type {"v" | "a" | "w"} */ (byId("rec-overlay-metric", HTMLSelectElement)
      .value);
    const label = byId("rec-overlay-align", HTMLSelectElement).value || null;
    const series = this.#runs.flatMap((run) => {
      const zeroMs = alignmentMs(run.recording, run.markers, label);
      return zeroMs === null ? [] : [{
        name: run.recording.name,
        buckets: run.history.data,
        bucketMs: run.history.bucket_ms,
        zeroMs,
      }];
    });
    const data = joinSeries(series, metric);
    this.#chart.draw(data, series.map((s) => s.name), metric);
  }
}
