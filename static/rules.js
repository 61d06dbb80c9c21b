// @ts-check
/// <reference lib="dom" />
/**
 * @module The alert rules in force (GET /api/alerts/rules), used to colour values
 * normal/warning/danger. Reloaded at start, on reconnect and on a `rules_updated` status event.
 */

import { getJson } from "./api.js";
import { withChannel } from "./channels.js";
import { errorText } from "./dom.js";
import { levelOf } from "./format.js";
import { t } from "./i18n.js";

/** @typedef {import("./types.js").Metric} Metric */
/** @typedef {import("./types.js").AlertMetric} AlertMetric */
/** @typedef {import("./types.js").AlertRule} AlertRule */
/** @typedef {import("./types.js").Level} Level */

/**
 * Rules keyed by metric; empty until loaded (everything is "normal" meanwhile).
 * @type {Partial<Record<AlertMetric, AlertRule>>}
 */
const rules = {};
/** @type {Set<() => void>} */
const listeners = new Set();

/**
 * The level of `value` for `metric` under the current rules.
 * @param {Metric} metric
 * @param {unknown} value
 * @returns {Level}
 */
export function level(metric, value) {
  return levelOf(rules[metric], value);
}

/**
 * The current rule of `metric`, or undefined.
 * @param {Metric} metric
 * @returns {AlertRule | undefined}
 */
export function ruleOf(metric) {
  return rules[metric];
}

/**
 * Every rule in force, in metric order (a copy: the editor changes its own).
 * @returns {AlertRule[]}
 */
export function allRules() {
  return /** @type {Metric[]} */ (["v", "a", "w"]).flatMap((m) => {
    const rule = rules[m];
    return rule ? [{ ...rule }] : [];
  });
}

/**
 * Calls `fn()` after every reload.
 * @param {() => void} fn
 */
export function onRulesChanged(fn) {
  listeners.add(fn);
}

/** Fetches the rules; on failure keeps the previous ones and reports to the console. */
export async function loadRules() {
  try {
    /** @type {{ rules?: AlertRule[] }} */
    const body = await getJson("/api/alerts/rules", withChannel());
    for (const key of /** @type {AlertMetric[]} */ (Object.keys(rules))) delete rules[key];
    for (const rule of body.rules ?? []) rules[rule.metric] = rule;
    for (const fn of listeners) fn();
  } catch (error) {
    console.warn(`Cannot load alert rules: ${errorText(error)}`);
  }
}

/**
 * Sets `data-level` on `el` (for colour) and an invisible word for screen readers, so
 * the level is never told by colour alone.
 * @param {HTMLElement} el
 * @param {Level} lvl
 */
export function markLevel(el, lvl) {
  el.dataset.level = lvl;
  /** @type {HTMLElement | null} */
  let hint = el.querySelector(":scope > .level-hint");
  if (lvl === "normal") {
    hint?.remove();
    return;
  }
  if (!hint) {
    hint = document.createElement("span");
    hint.className = "level-hint";
    hint.append(Object.assign(document.createElement("span"), { className: "sr-only" }));
    el.append(hint);
  }
  // The mark is drawn by CSS from data-level and data-label; the word is for screen readers.
  const name = t(`common.${lvl}`);
  hint.dataset.level = lvl;
  hint.dataset.label = name;
  const word = hint.firstElementChild;
  if (word) word.textContent = ` (${name})`;
}
