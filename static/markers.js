// @ts-check
/// <reference lib="dom" />
/**
 * @module Markers from the dashboard: the M key (when no field has focus) or the Marker
 * button marks now on the channel shown, a modified click on the history chart marks that
 * time (the chart calls {@link MarkersPanel.markAt}); an optional label is asked for in a
 * small dialog. Lists the channel's markers of the last 24 hours, kept current by the
 * `marker` WebSocket message.
 */

import { getJson, postJson } from "./api.js";
import { pickedChannel, withChannel } from "./channels.js";
import { byId, errorText } from "./dom.js";
import { formatTime, onLanguageChange, t } from "./i18n.js";

/** @typedef {import("../src/protocol/markers.ts").MarkerData} MarkerData */
/** @typedef {import("../src/protocol/markers.ts").MarkerList} MarkerList */

/** How far back the list reaches. */
const LIST_MS = 24 * 3_600_000;
/** Most markers listed. */
const LIST_LIMIT = 200;

/**
 * Whether a key press belongs to a field (typing "m" in a name must not add a marker).
 * @param {Element | null} el
 * @returns {boolean}
 */
export function isTyping(el) {
  if (!(el instanceof HTMLElement)) return false;
  if (el.isContentEditable) return true;
  return el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement ||
    el instanceof HTMLSelectElement;
}

/**
 * One marker as a list item: time, label, where it came from.
 * @param {MarkerData} m
 * @returns {HTMLLIElement}
 */
export function markerItem(m) {
  const item = document.createElement("li");
  item.dataset.id = String(m.id);
  item.dataset.source = m.source;
  const time = document.createElement("time");
  time.dateTime = new Date(m.ts_ms).toISOString();
  time.textContent = formatTime(m.ts_ms, { date: true, ms: true });
  const label = document.createElement("span");
  label.className = "marker-label";
  label.textContent = m.label;
  const source = document.createElement("span");
  source.className = "chip";
  source.dataset.tone = m.source === "alert" ? "warning" : "muted";
  source.textContent = t(m.source === "alert" ? "marker.source_alert" : "marker.source_user");
  item.append(time, label, source);
  return item;
}

/** The markers list and the ways to add one. */
export class MarkersPanel {
  /** @type {MarkerData[]} */
  #markers = [];
  /** @type {Set<(marker: MarkerData) => void>} */
  #listeners = new Set();
  /** @type {Set<(markers: MarkerData[]) => void>} */
  #listListeners = new Set();

  constructor() {
    byId("marker-add").addEventListener("click", () => this.markAt(Date.now()));
    byId("marker-cancel").addEventListener(
      "click",
      () => byId("marker-dialog", HTMLDialogElement).close("cancel"),
    );
    document.addEventListener("keydown", (event) => {
      if (event.key !== "m" && event.key !== "M") return;
      if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
      if (isTyping(document.activeElement)) return;
      if (byId("marker-dialog", HTMLDialogElement).open) return;
      event.preventDefault();
      this.markAt(Date.now());
    });
    onLanguageChange(() => this.#render());
  }

  /** The markers listed, oldest first. */
  get markers() {
    return this.#markers;
  }

  /**
   * Calls `fn` with every marker added (by anyone) to the channel shown.
   * @param {(marker: MarkerData) => void} fn
   */
  onMarker(fn) {
    this.#listeners.add(fn);
  }

  /**
   * Calls `fn` with the whole list whenever it changes (loaded, a marker added).
   * @param {(markers: MarkerData[]) => void} fn
   */
  onListChanged(fn) {
    this.#listListeners.add(fn);
  }

  /** Reads the channel's markers of the last 24 hours. */
  async load() {
    const now = Date.now();
    /** @type {MarkerList} */
    const list = await getJson(
      "/api/markers",
      withChannel({ from: String(now - LIST_MS), limit: String(LIST_LIMIT) }),
    );
    this.#markers = list.data;
    this.#render();
  }

  /**
   * A `marker` message: adds it when it is the shown channel's.
   * @param {MarkerData} marker
   */
  onMessage(marker) {
    if (this.#markers.some((m) => m.id === marker.id)) return;
    this.#markers.push(marker);
    this.#markers.sort((x, y) => x.ts_ms - y.ts_ms || x.id - y.id);
    while (this.#markers.length > LIST_LIMIT) this.#markers.shift();
    this.#render();
    for (const fn of this.#listeners) fn(marker);
  }

  /**
   * Asks for a label, then marks `tsMs` on the channel shown (Cancel adds nothing; an
   * empty label is "Marker").
   * @param {number} tsMs
   * @returns {Promise<MarkerData | null>}
   */
  async markAt(tsMs) {
    const dialog = byId("marker-dialog", HTMLDialogElement);
    const input = byId("marker-label", HTMLInputElement);
    byId("marker-dialog-when").textContent = t("marker.at", {
      time: formatTime(tsMs, { date: true, ms: true }),
    });
    input.value = "";
    dialog.returnValue = "";
    const saved = await new Promise((resolve) => {
      dialog.addEventListener("close", () => resolve(dialog.returnValue === "save"), {
        once: true,
      });
      dialog.showModal();
      input.focus();
    });
    if (!saved) return null;
    const label = input.value.trim() || t("marker.default_label");
    const channel = pickedChannel();
    try {
      /** @type {MarkerData} */
      const marker = await postJson("/api/markers", {
        ts_ms: Math.round(tsMs),
        label,
        ...(channel !== null ? { channel } : {}),
      });
      // The `marker` message may come first or not at all (another channel's stream).
      this.onMessage(marker);
      return marker;
    } catch (error) {
      this.#feedback(t("marker.failed", { error: errorText(error) }));
      return null;
    }
  }

  /** @param {string} text */
  #feedback(text) {
    const el = byId("rec-feedback");
    el.textContent = text;
    el.dataset.error = "true";
  }

  #render() {
    const list = byId("marker-list");
    list.replaceChildren(...[...this.#markers].reverse().map(markerItem));
    byId("marker-none").hidden = this.#markers.length > 0;
    for (const fn of this.#listListeners) fn(this.#markers);
  }
}
