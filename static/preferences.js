// @ts-check
/// <reference lib="dom" />
/**
 * @module The header's two choices, each remembered in this browser: the language (a
 * select of the languages i18n.js speaks) and the colour theme (a toggle between light
 * and dark; until it is used the page follows `prefers-color-scheme`, through CSS alone).
 */

import { byId } from "./dom.js";
import {
  applyTranslations,
  CATALOGUES,
  language,
  LANGUAGES,
  onLanguageChange,
  setLanguage,
  t,
} from "./i18n.js";

/** @typedef {"light" | "dark"} Theme */

/** The `localStorage` key of the theme chosen with the toggle. */
export const THEME_KEY = "ina219.theme";

/**
 * The theme in force: the one chosen with the toggle, else the system's preference.
 * @param {string | null} remembered what `localStorage` holds
 * @param {boolean} prefersLight whether `prefers-color-scheme: light` matches
 * @returns {Theme}
 */
export function pickTheme(remembered, prefersLight) {
  if (remembered === "light" || remembered === "dark") return remembered;
  return prefersLight ? "light" : "dark";
}

/** @returns {string | null} */
function rememberedTheme() {
  try {
    return localStorage.getItem(THEME_KEY);
  } catch {
    return null; // Storage blocked: follow the system every time.
  }
}

const lightQuery = matchMedia("(prefers-color-scheme: light)");

/** The theme in force now. @returns {Theme} */
export function theme() {
  return pickTheme(rememberedTheme(), lightQuery.matches);
}

/**
 * Shows `next` and remembers it (CSS reads `<html data-theme>`; without one it follows
 * the system).
 * @param {Theme} next
 */
function chooseTheme(next) {
  try {
    localStorage.setItem(THEME_KEY, next);
  } catch { /* storage blocked: the choice lasts this page */ }
  drawTheme();
}

/** Marks `<html>` and the toggle with the theme in force. */
function drawTheme() {
  const remembered = rememberedTheme();
  const now = theme();
  if (remembered === "light" || remembered === "dark") {
    document.documentElement.dataset.theme = remembered;
  } else {
    delete document.documentElement.dataset.theme;
  }
  const toggle = byId("theme-toggle");
  toggle.setAttribute("aria-pressed", String(now === "light"));
  toggle.dataset.theme = now;
  byId("theme-label").textContent = t(now === "light" ? "theme.light" : "theme.dark");
  toggle.title = t(now === "light" ? "theme.to_dark" : "theme.to_light");
  byId("theme-toggle").setAttribute("aria-label", toggle.title);
  document.querySelector('meta[name="theme-color"]')?.setAttribute(
    "content",
    now === "light" ? "#f8fafc" : "#0e1628",
  );
  // The theme in force, chosen or followed; the charts read it and rebuild their colours.
  if (document.documentElement.dataset.scheme !== now) {
    document.documentElement.dataset.scheme = now;
    document.dispatchEvent(new CustomEvent("themechange", { detail: now }));
  }
}

/** Wires the language select and the theme toggle, and translates the page. */
export function wirePreferences() {
  const select = byId("language-picker", HTMLSelectElement);
  select.replaceChildren(
    ...LANGUAGES.map((lang) => new Option(CATALOGUES[lang]["language.name"], lang)),
  );
  select.value = language();
  select.setAttribute("aria-label", t("language.switch"));
  select.addEventListener("change", () => {
    setLanguage(/** @type {import("./i18n.js").Language} */ (select.value));
  });
  onLanguageChange((lang) => {
    select.value = lang;
    select.setAttribute("aria-label", t("language.switch"));
    drawTheme();
  });
  byId("theme-toggle").addEventListener("click", () => {
    chooseTheme(theme() === "light" ? "dark" : "light");
  });
  lightQuery.addEventListener("change", drawTheme);
  document.documentElement.lang = language();
  applyTranslations(document);
  drawTheme();
}
