// @ts-check
/// <reference lib="dom" />
/**
 * @module The alert-rules editor in the alerts card: one group of fields per metric
 * (on/off, the four limits in V, A or W, hysteresis, hold time), filled from the rules in
 * force and saved with `PUT /api/alerts/rules` (the token is asked for when the server
 * wants it, as for every change). The server validates; its issues are shown as they are.
 */

import { postJson } from "./api.js";
import { channelPath } from "./channels.js";
import { byId as $, errorText } from "./dom.js";
import { METRICS, UNITS } from "./format.js";
import { onLanguageChange, t } from "./i18n.js";
import { allRules, loadRules } from "./rules.js";

/** @typedef {import("./types.js").AlertRule} AlertRule */
/** @typedef {import("./types.js").Metric} Metric */

/** The number fields of a rule, in the order they are shown. */
const FIELDS = /** @type {const} */ ([
  "danger_low",
  "warning_low",
  "warning_high",
  "danger_high",
  "hysteresis",
  "for_ms",
]);

/** The rules editor. */
export class RulesEditor {
  /** Whether the user changed a field since the form was filled (then reloads wait). */
  #dirty = false;

  constructor() {
    const form = $("rules-form", HTMLFormElement);
    form.addEventListener("input", () => this.#dirty = true);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.#save();
    });
    $("rules-reload").addEventListener("click", () => {
      this.#dirty = false;
      this.fill();
      feedback("", false);
    });
    onLanguageChange(() => this.#relabel());
    this.fill();
  }

  /** Fills the fields from the rules in force, unless the user is editing them. */
  fill() {
    if (this.#dirty) return;
    const rules = allRules();
    $("rules-fields").replaceChildren(
      ...METRICS.map((m) => group(m, rules.find((r) => r.metric === m))),
    );
    this.#relabel();
  }

  /** Puts the labels in the language chosen. */
  #relabel() {
    for (const el of $("rules-fields").querySelectorAll("[data-label-key]")) {
      const key = /** @type {HTMLElement} */ (el).dataset.labelKey ?? "";
      const metric = /** @type {HTMLElement} */ (el).dataset.metric;
      el.textContent = metric ? `${t(key)} (${UNITS[/** @type {Metric} */ (metric)]})` : t(key);
    }
  }

  async #save() {
    /** @type {AlertRule[]} */
    const rules = [];
    for (const m of METRICS) {
      const read = readGroup(m);
      if (typeof read === "string") {
        feedback(read, true);
        return;
      }
      if (read) rules.push(read);
    }
    const button = $("rules-save", HTMLButtonElement);
    button.disabled = true;
    feedback(t("rules.saving"), false);
    try {
      await postJson(channelPath("/api/alerts/rules"), { rules }, "PUT");
      this.#dirty = false;
      feedback(t("rules.saved"), false);
      await loadRules(); // Refills the form through onRulesChanged.
    } catch (error) {
      feedback(t("rules.failed", { error: errorText(error) }), true);
    } finally {
      button.disabled = false;
    }
  }
}

/**
 * The fields of one metric's rule.
 * @param {Metric} metric
 * @param {AlertRule | undefined} rule
 * @returns {HTMLFieldSetElement}
 */
function group(metric, rule) {
  const fieldset = document.createElement("fieldset");
  fieldset.className = "rule-group";
  fieldset.dataset.metric = metric;
  const legend = document.createElement("legend");
  legend.dataset.labelKey = `readout.${metric}`;
  legend.dataset.metric = metric;
  const enabled = Object.assign(document.createElement("input"), {
    type: "checkbox",
    id: `rule-${metric}-enabled`,
    checked: rule !== undefined && rule.enabled !== false,
  });
  const enabledLabel = label(enabled.id, "rules.enabled");
  enabledLabel.prepend(enabled);
  enabledLabel.className = "rule-enabled";
  fieldset.append(legend, enabledLabel);
  for (const field of FIELDS) {
    const input = Object.assign(document.createElement("input"), {
      type: "number",
      id: `rule-${metric}-${field}`,
      step: "any",
      inputMode: "decimal",
      value: rule?.[field] === undefined ? "" : String(rule[field]),
    });
    if (field === "hysteresis" || field === "for_ms") input.min = "0";
    if (field === "for_ms") input.step = "1";
    const row = document.createElement("div");
    row.className = "rule-field";
    row.append(label(input.id, `rules.${field}`), input);
    fieldset.append(row);
  }
  return fieldset;
}

/**
 * @param {string} forId
 * @param {string} key
 * @returns {HTMLLabelElement}
 */
function label(forId, key) {
  const el = document.createElement("label");
  el.htmlFor = forId;
  const text = document.createElement("span");
  text.dataset.labelKey = key;
  el.append(text);
  return el;
}

/**
 * One metric's rule from its fields: null when it has no limit (no rule), a message
 * when a field is not a number.
 * @param {Metric} metric
 * @returns {AlertRule | null | string}
 */
function readGroup(metric) {
  /** @type {Record<string, number>} */
  const values = {};
  for (const field of FIELDS) {
    const input = $(`rule-${metric}-${field}`, HTMLInputElement);
    const text = input.value.trim();
    if (text === "") continue;
    const x = Number(text);
    if (!Number.isFinite(x)) {
      return t("rules.not_number", { field: t(`rules.${field}`), metric: t(`readout.${metric}`) });
    }
    values[field] = x;
  }
  const { hysteresis = 0, for_ms: forMs = 0, ...limits } = values;
  if (Object.keys(limits).length === 0) return null;
  return {
    metric,
    ...limits,
    hysteresis,
    for_ms: Math.round(forMs),
    enabled: $(`rule-${metric}-enabled`, HTMLInputElement).checked,
  };
}

/**
 * @param {string} text
 * @param {boolean} isError
 */
function feedback(text, isError) {
  const el = $("rules-feedback");
  el.textContent = text;
  el.dataset.error = String(isError);
}
