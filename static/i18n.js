// @ts-check
/**
 * @module The dashboard's languages: one catalogue per language (`static/i18n/en.js`,
 * `static/i18n/ko.js`, flat objects of key → text), the choice (the browser's language
 * first, then a switch remembered in `localStorage`), `t()` for every UI string, and
 * `Intl` formatters for numbers, dates and durations in the chosen language.
 *
 * Static text in the HTML carries `data-i18n="key"` (text content) or
 * `data-i18n-attr="attribute:key;attribute:key"`; {@link applyTranslations} fills them
 * in and runs again when the language changes.
 */
import en from "./i18n/en.js";
import ko from "./i18n/ko.js";

/** @typedef {"en" | "ko"} Language */
/**
 * What {@link applyTranslations} needs of a page (a `Document` or an element): typed here
 * so the module also type-checks without the DOM library, as unit tests load it.
 * @typedef {{ querySelectorAll(selectors: string): Iterable<{
 *   textContent: string | null,
 *   getAttribute(name: string): string | null,
 *   setAttribute(name: string, value: string): void,
 * }> }} TranslatableRoot
 */

/** The page, when there is one (not in unit tests). */
const page =
  /** @type {{ document?: TranslatableRoot & { documentElement: { lang: string } } }} */ (
    /** @type {unknown} */ (globalThis)
  ).document;

/** Every catalogue, by language. English is the reference: every key is in it. */
export const CATALOGUES = /** @type {const} */ ({ en, ko });
/** The languages the page speaks, in the order of the switch. */
export const LANGUAGES = /** @type {readonly Language[]} */ (["en", "ko"]);
/** The `localStorage` key of the user's choice. */
export const LANGUAGE_KEY = "ina219.language";

/**
 * The language to start in: a remembered choice, else the first of the browser's
 * languages we speak, else English.
 * @param {readonly string[]} preferred the browser's languages (`navigator.languages`)
 * @param {string | null} remembered what `localStorage` holds
 * @returns {Language}
 */
export function pickLanguage(preferred, remembered) {
  if (remembered === "en" || remembered === "ko") return remembered;
  for (const tag of preferred) {
    const base = tag.toLowerCase().split("-")[0];
    if (base === "en" || base === "ko") return base;
  }
  return "en";
}

/** @returns {string | null} */
function readRemembered() {
  try {
    return globalThis.localStorage?.getItem(LANGUAGE_KEY) ?? null;
  } catch {
    return null; // storage blocked: choose from the browser every time
  }
}

/** @type {Language} */
let current = pickLanguage(globalThis.navigator?.languages ?? [], readRemembered());
/** @type {Set<(lang: Language) => void>} */
const listeners = new Set();

/** The language in use. @returns {Language} */
export function language() {
  return current;
}

/**
 * The text of `key` in the current language with `{name}` placeholders filled from
 * `params`; English when the language lacks it, the key itself when both do (a test
 * checks no key is missing).
 * @param {string} key
 * @param {Record<string, string | number>} [params]
 * @returns {string}
 */
export function t(key, params) {
  const text = /** @type {Record<string, string>} */ (CATALOGUES[current])[key] ??
    /** @type {Record<string, string>} */ (CATALOGUES.en)[key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name) => name in params ? String(params[name]) : whole);
}

/**
 * Switches the language, remembers it in this browser, updates `<html lang>` and the
 * marked elements, and tells every listener.
 * @param {Language} lang
 */
export function setLanguage(lang) {
  if (!LANGUAGES.includes(lang)) throw new Error(`unknown language ${lang}`);
  current = lang;
  numberFormats.clear();
  try {
    globalThis.localStorage?.setItem(LANGUAGE_KEY, lang);
  } catch { /* storage blocked: the choice lasts this page */ }
  if (page) {
    page.documentElement.lang = lang;
    applyTranslations(page);
  }
  for (const listener of listeners) listener(lang);
}

/**
 * Calls `listener` after every language change; returns the function that stops it.
 * @param {(lang: Language) => void} listener
 * @returns {() => void}
 */
export function onLanguageChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * Fills every `[data-i18n]` element's text and every `[data-i18n-attr]` attribute
 * under `root` from the catalogue.
 * @param {TranslatableRoot} root
 */
export function applyTranslations(root) {
  for (const el of root.querySelectorAll("[data-i18n]")) {
    el.textContent = t(/** @type {string} */ (el.getAttribute("data-i18n")));
  }
  for (const el of root.querySelectorAll("[data-i18n-attr]")) {
    for (const pair of (el.getAttribute("data-i18n-attr") ?? "").split(";")) {
      const [attr, key] = pair.split(":").map((s) => s.trim());
      if (attr && key) el.setAttribute(attr, t(key));
    }
  }
}

/** @type {Map<string, Intl.NumberFormat>} */
const numberFormats = new Map();

/**
 * `value` with exactly `decimals` decimals in the current language's digits and
 * separators (no grouping below 10 000, so readouts keep their width).
 * @param {number} value
 * @param {number} decimals
 * @returns {string}
 */
export function formatNumber(value, decimals) {
  const key = `${current}:${decimals}`;
  let format = numberFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(current, {
      minimumFractionDigits: decimals,
      maximumFractionDigits: decimals,
      useGrouping: "min2",
    });
    numberFormats.set(key, format);
  }
  return format.format(value);
}

/**
 * Local date and time in the current language, always on a 24-hour clock.
 * @param {number} ms epoch milliseconds
 * @param {{ date?: boolean, ms?: boolean }} [options] add the date / the milliseconds
 * @returns {string}
 */
export function formatTime(ms, options = {}) {
  return new Intl.DateTimeFormat(current, {
    ...(options.date ? { month: "short", day: "numeric", weekday: "short" } : {}),
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    ...(options.ms ? { fractionalSecondDigits: 3 } : {}),
    hourCycle: "h23",
  }).format(ms);
}
