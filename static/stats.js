// @ts-check
/// <reference lib="dom" />
/**
 * @module Statistics panel, from the once-a-second `statistics` message: last-window
 * min/avg/max and 1/5/15-minute moving averages per metric, each coloured by the alert
 * rules, and the energy and charge counters with a two-step reset.
 */

import { postJson } from "./api.js";
import { channelPath } from "./channels.js";
import {
  describeRule,
  fixed,
  formatDateTime,
  formatDuration,
  formatMah,
  formatWh,
  METRICS,
  UNITS,
} from "./format.js";
import { byId as $, errorText } from "./dom.js";
import { level, markLevel, ruleOf } from "./rules.js";

/** @typedef {import("./types.js").StatisticsData} StatisticsData */
/** @typedef {import("./types.js").EnergyResetResponse} EnergyResetResponse */
/** @typedef {keyof import("../src/protocol/analysis.ts").MetricFigures} Figure */

/** @type {readonly Figure[]} */
const FIGURES = ["min", "avg", "max", "ma_1m", "ma_5m", "ma_15m"];
/** How long the reset button waits for its confirming second press. */
const CONFIRM_MS = 5_000;

/** The statistics panel. */
export class StatsPanel {
  /** @type {StatisticsData | null} */
  #last = null;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  #confirmTimer = undefined;

  constructor() {
    const button = $("energy-reset", HTMLButtonElement);
    button.addEventListener("click", () => this.#onReset(button));
  }

  /**
   * Draws one `statistics` message's data.
   * @param {StatisticsData} data
   */
  render(data) {
    this.#last = data;
    for (const m of METRICS) {
      for (const f of FIGURES) {
        const cell = $(`stat-${m}-${f}`);
        const value = data[m]?.[f];
        const number = cell.firstElementChild;
        if (number) number.textContent = fixed(value);
        cell.dataset.value = typeof value === "number" ? String(value) : "";
        markLevel(cell, level(m, value));
      }
    }
    $("stats-caption").textContent = `Min/avg/max over the last ${data.window_s ?? 60} s ` +
      `(${data.samples ?? 0} samples); MA = moving average over 1, 5 and 15 min.`;
    setNumber($("energy-wh"), formatWh(data.energy_wh), data.energy_wh);
    setNumber($("charge-mah"), formatMah(data.charge_ah), data.charge_ah);
    const since = data.energy_since_ms;
    $("energy-since").textContent = Number.isFinite(since)
      ? `since ${formatDateTime(since)} (${formatDuration(Date.now() - since)})`
      : "";
    $("energy-total").textContent = `${formatWh(data.energy_total_wh)} Wh · ` +
      `${formatMah(data.charge_total_ah)} mAh since the database began`;
    $("stats").dataset.updated = String(Date.now());
  }

  /** Blanks the panel (another channel is shown) until its first statistics message. */
  reset() {
    this.#last = null;
    for (const m of METRICS) {
      for (const f of FIGURES) {
        const cell = $(`stat-${m}-${f}`);
        if (cell.firstElementChild) cell.firstElementChild.textContent = "—";
        cell.dataset.value = "";
        markLevel(cell, "normal");
      }
    }
    $("stats-caption").textContent = "Waiting for the first statistics…";
    for (const id of ["energy-wh", "charge-mah"]) {
      $(id).textContent = "—";
      $(id).dataset.value = "";
    }
    for (const id of ["energy-since", "energy-total", "energy-feedback"]) $(id).textContent = "";
  }

  /** Re-colours with new rules and shows them under the table. */
  rulesChanged() {
    $("stats-rules").replaceChildren(...METRICS.map((m) => {
      const li = document.createElement("li");
      li.dataset.metric = m;
      li.textContent = `${UNITS[m]}: ${describeRule(ruleOf(m))}`;
      return li;
    }));
    if (this.#last) this.render(this.#last);
  }

  /** @param {HTMLButtonElement} button */
  async #onReset(button) {
    if (button.dataset.confirm !== "true") {
      button.dataset.confirm = "true";
      button.textContent = "Press again to reset";
      this.#confirmTimer = setTimeout(() => this.#disarm(button), CONFIRM_MS);
      return;
    }
    this.#disarm(button);
    button.disabled = true;
    const feedback = $("energy-feedback");
    try {
      /** @type {EnergyResetResponse} */
      const r = await postJson(channelPath("/api/energy/reset"));
      feedback.dataset.error = "false";
      feedback.textContent = `Reset. Before: ${formatWh(r.previous.energy_wh)} Wh, ` +
        `${formatMah(r.previous.charge_ah)} mAh.`;
      if (this.#last) {
        this.render({
          ...this.#last,
          energy_wh: 0,
          charge_ah: 0,
          energy_since_ms: r.energy_since_ms,
        });
      }
    } catch (error) {
      feedback.dataset.error = "true";
      feedback.textContent = `Reset failed: ${errorText(error)}`;
    } finally {
      button.disabled = false;
    }
  }

  /** @param {HTMLButtonElement} button */
  #disarm(button) {
    clearTimeout(this.#confirmTimer);
    button.dataset.confirm = "false";
    button.textContent = "Reset energy";
  }
}

/**
 * @param {HTMLElement} el
 * @param {string} text
 * @param {number} value
 */
function setNumber(el, text, value) {
  el.textContent = text;
  el.dataset.value = typeof value === "number" ? String(value) : "";
}
