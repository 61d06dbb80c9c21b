// @ts-check
/// <reference lib="dom" />
/**
 * @module Alerts panel: alerts now raised (from /api/alerts/active, then kept up to date
 * by `alert` messages), the last 24 h of transitions, a notice when one is raised or
 * escalated, and the count in the top bar and the tab title.
 */

import { getJson } from "./api.js";
import { withChannel } from "./channels.js";
import {
  fixed,
  formatClock,
  formatDateTime,
  formatDuration,
  METRICS,
  NAMES,
  UNITS,
} from "./format.js";
import { byId as $ } from "./dom.js";

/** @typedef {import("./types.js").AlertData} AlertData */
/** @typedef {import("./types.js").ActiveAlert} ActiveAlert */
/** @typedef {import("./types.js").AlertMetric} AlertMetric */
/**
 * An alert now raised: from /api/alerts/active, or the last `alert` message (with its text).
 * @typedef {ActiveAlert & { message?: string }} Raised
 */

const HISTORY_LIMIT = 50;
const NOTICE_MS = 20_000;
const BASE_TITLE = document.title;

/** The alerts panel and notices. */
export class AlertsPanel {
  /** @type {Map<AlertMetric, Raised>} */
  #active = new Map();
  /** @type {AlertData[]} */
  #history = [];

  constructor() {
    setInterval(() => this.#renderActive(), 15_000); // keeps "for 5 min" current
  }

  /** Reloads active alerts and recent history (at start and after a reconnect). */
  async load() {
    const [active, recent] = await Promise.all([
      /** @type {Promise<{ data: ActiveAlert[] }>} */ (getJson(
        "/api/alerts/active",
        withChannel(),
      )),
      /** @type {Promise<{ data: AlertData[] }>} */ (
        getJson("/api/alerts", withChannel({ hours: "24", limit: String(HISTORY_LIMIT) }))
      ),
    ]);
    this.#active.clear();
    for (const a of active.data ?? []) this.#active.set(a.metric, a);
    this.#history = recent.data ?? [];
    this.#renderActive();
    this.#renderHistory();
  }

  /**
   * Applies one `alert` message's data.
   * @param {AlertData} alert
   */
  onAlert(alert) {
    if (alert.state === "cleared") this.#active.delete(alert.metric);
    else {
      const previous = this.#active.get(alert.metric);
      this.#active.set(alert.metric, {
        ...alert,
        since_ms: alert.state === "raised" || !previous ? alert.ts_ms : previous.since_ms,
      });
    }
    if (!this.#history.some((h) => h.id === alert.id && alert.id > 0)) {
      this.#history.unshift(alert);
      this.#history.length = Math.min(this.#history.length, HISTORY_LIMIT);
    }
    this.#renderActive();
    this.#renderHistory();
    if (alert.state === "raised" || alert.state === "escalated") notify(alert);
  }

  #renderActive() {
    const list = $("alerts-active");
    const items = METRICS.flatMap((m) => {
      const a = this.#active.get(m);
      if (!a) return [];
      const li = document.createElement("li");
      li.className = "alert-item";
      li.dataset.metric = m;
      li.dataset.severity = a.severity;
      li.append(
        chip(a.severity, a.severity),
        textSpan("alert-text", a.message ?? describeActive(a)),
        textSpan(
          "alert-time",
          `since ${formatClock(a.since_ms)} (${formatDuration(Date.now() - a.since_ms)})`,
        ),
      );
      return li;
    });
    list.replaceChildren(...items);
    $("alerts-none").hidden = items.length > 0;
    const count = items.length;
    const worst = [...this.#active.values()].some((a) => a.severity === "danger")
      ? "danger"
      : "warning";
    const badge = $("alerts-badge");
    badge.hidden = count === 0;
    badge.dataset.severity = worst;
    badge.textContent = `${count} active alert${count === 1 ? "" : "s"}`;
    document.title = count > 0 ? `⚠ ${count} · ${BASE_TITLE}` : BASE_TITLE;
  }

  #renderHistory() {
    const list = $("alerts-history");
    list.replaceChildren(...this.#history.map((h) => {
      const li = document.createElement("li");
      li.dataset.state = h.state;
      const time = document.createElement("time");
      time.dateTime = new Date(h.ts_ms).toISOString();
      time.textContent = formatDateTime(h.ts_ms);
      li.append(
        time,
        chip(h.state === "cleared" ? "cleared" : h.severity, h.state),
        textSpan("alert-text", h.message),
      );
      return li;
    }));
    $("alerts-history-none").hidden = this.#history.length > 0;
  }
}

/**
 * @param {ActiveAlert} a
 * @returns {string}
 */
function describeActive(a) {
  const unit = /** @type {Record<string, string>} */ (UNITS)[a.metric] ?? "";
  const side = a.value > a.limit ? "above" : "below";
  return `${/** @type {Record<string, string>} */ (NAMES)[a.metric] ?? a.metric} ${a.severity}: ${
    fixed(a.value)
  } ${unit} is ${side} ${a.limit} ${unit}`;
}

/**
 * @param {string} tone
 * @param {string} text
 */
function chip(tone, text) {
  const span = textSpan("chip", text);
  span.dataset.tone = tone;
  return span;
}

/**
 * @param {string} className
 * @param {string} text
 * @returns {HTMLSpanElement}
 */
function textSpan(className, text) {
  return Object.assign(document.createElement("span"), { className, textContent: text });
}

/**
 * A notice at the top of the page, dismissed by its button or after 20 s.
 * @param {AlertData} alert
 */
function notify(alert) {
  const box = $("notices");
  const notice = document.createElement("div");
  notice.className = "notice";
  notice.dataset.severity = alert.severity;
  notice.setAttribute("role", "alert");
  const close = Object.assign(document.createElement("button"), {
    type: "button",
    className: "notice-close",
    textContent: "×",
  });
  close.setAttribute("aria-label", "Dismiss this notice");
  close.addEventListener("click", () => notice.remove());
  const verb = alert.state === "escalated" ? "Alert escalated" : "Alert raised";
  notice.append(
    textSpan("notice-title", `${verb} · ${formatClock(alert.ts_ms)}`),
    textSpan("notice-text", alert.message),
    close,
  );
  box.prepend(notice);
  while (box.children.length > 3) box.lastElementChild?.remove();
  setTimeout(() => notice.remove(), NOTICE_MS);
}
