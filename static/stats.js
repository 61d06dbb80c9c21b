// @ts-check
/// <reference lib="dom" />
/**
 * @module Statistics panel, from the once-a-second `statistics` message: last-window
 * min/avg/max and 1/5/15-minute moving averages per metric (auto-ranged units, to the
 * sensor's resolution; an average whose window is not yet full says "partial (N s)"),
 * each coloured by the alert rules, and the energy and charge counters with a two-step
 * reset.
 */

import { postJson } from "./api.js";
import { channelPath, pickedResolution } from "./channels.js";
import {
  chargeText,
  describeRule,
  energyText,
  formatDateTime,
  formatDuration,
  METRICS,
  metricText,
  UNITS,
} from "./format.js";
import { byId as $, errorText } from "./dom.js";
import { formatNumber, onLanguageChange, t } from "./i18n.js";
import { level, markLevel, ruleOf } from "./rules.js";

/** @typedef {import("./types.js").StatisticsData} StatisticsData */
/** @typedef {import("./types.js").EnergyResetResponse} EnergyResetResponse */
/** @typedef {keyof import("../src/protocol/analysis.ts").MetricFigures} Figure */

/** @type {readonly Figure[]} */
const FIGURES = ["min", "avg", "max", "ma_1m", "ma_5m", "ma_15m"];
/** The moving averages and the seconds each window spans when full. */
const MA_WINDOWS_S = /** @type {const} */ ({ ma_1m: 60, ma_5m: 300, ma_15m: 900 });
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
    onLanguageChange(() => {
      if (button.dataset.confirm === "true") button.textContent = t("stats.reset_confirm");
      this.rulesChanged();
      if (!this.#last) $("stats-caption").textContent = t("stats.waiting");
    });
  }

  /**
   * Draws one `statistics` message's data.
   * @param {StatisticsData} data
   */
  render(data) {
    this.#last = data;
    const resolution = pickedResolution();
    for (const m of METRICS) {
      for (const f of FIGURES) {
        const cell = $(`stat-${m}-${f}`);
        const value = data[m]?.[f];
        const number = cell.firstElementChild;
        if (number) number.textContent = metricText(m, value, resolution);
        cell.dataset.value = typeof value === "number" ? String(value) : "";
        markLevel(cell, level(m, value));
      }
    }
    for (const [f, fullS] of Object.entries(MA_WINDOWS_S)) {
      const coveredS = data.ma_covered_s?.[/** @type {keyof typeof MA_WINDOWS_S} */ (f)];
      const note = $(`partial-${f}`);
      const partial = coveredS !== undefined && coveredS < fullS;
      note.hidden = !partial;
      note.dataset.coveredS = coveredS === undefined ? "" : String(coveredS);
      if (partial) {
        // Whole seconds: the server counts the window in them.
        const duration = coveredS < 60
          ? t("common.duration.s", { n: formatNumber(coveredS, 0) })
          : formatDuration(coveredS * 1000);
        note.textContent = t("stats.partial", { duration });
        note.title = t("stats.partial_hint", { duration });
      }
    }
    $("stats-caption").removeAttribute("data-i18n");
    $("stats-caption").textContent = t("stats.caption", {
      window: formatDuration((data.window_s ?? 60) * 1000),
      samples: data.samples ?? 0,
    });
    setNumber($("energy-wh"), energyText(data.energy_wh), data.energy_wh);
    setNumber($("charge-mah"), chargeText(data.charge_ah), data.charge_ah);
    const since = data.energy_since_ms;
    $("energy-since").textContent = Number.isFinite(since)
      ? t("stats.since", {
        time: formatDateTime(since),
        duration: formatDuration(Date.now() - since),
      })
      : "";
    $("energy-total").textContent = t("stats.total", {
      energy: energyText(data.energy_total_wh),
      charge: chargeText(data.charge_total_ah),
    });
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
    $("stats-caption").textContent = t("stats.waiting");
    for (const f of Object.keys(MA_WINDOWS_S)) $(`partial-${f}`).hidden = true;
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
      button.textContent = t("stats.reset_confirm");
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
      feedback.textContent = t("stats.reset_done", {
        energy: energyText(r.previous.energy_wh),
        charge: chargeText(r.previous.charge_ah),
      });
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
      feedback.textContent = t("stats.reset_failed", { error: errorText(error) });
    } finally {
      button.disabled = false;
    }
  }

  /** @param {HTMLButtonElement} button */
  #disarm(button) {
    clearTimeout(this.#confirmTimer);
    button.dataset.confirm = "false";
    button.textContent = t("stats.reset");
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
