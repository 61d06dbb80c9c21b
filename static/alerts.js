// @ts-check
/// <reference lib="dom" />
/**
 * @module Alerts panel: alerts now raised (from /api/alerts/active, then kept up to date
 * by `alert` messages) with ages that tick every second, the last 24 h of transitions,
 * one notice at a time when an alert is raised or escalated (the newest replaces the
 * last and counts the others; dismissable), and the count in the top bar and the tab
 * title. Texts are built here from the alert's fields, in the language chosen.
 */

import { getJson } from "./api.js";
import { pickedResolution, withChannel } from "./channels.js";
import { formatClock, formatDateTime, formatDuration, METRICS, metricText } from "./format.js";
import { byId as $ } from "./dom.js";
import { onLanguageChange, t } from "./i18n.js";

/** @typedef {import("./types.js").AlertData} AlertData */
/** @typedef {import("./types.js").ActiveAlert} ActiveAlert */
/** @typedef {import("./types.js").AlertMetric} AlertMetric */
/**
 * An alert now raised: from /api/alerts/active, or the last `alert` message (with its text).
 * @typedef {ActiveAlert & { message?: string }} Raised
 */

const HISTORY_LIMIT = 50;
const NOTICE_MS = 20_000;
/** Active alerts' ages are redrawn this often. */
const AGE_TICK_MS = 1_000;

/** The alerts panel and notices. */
export class AlertsPanel {
  /** @type {Map<AlertMetric, Raised>} */
  #active = new Map();
  /** @type {AlertData[]} */
  #history = [];

  constructor() {
    setInterval(() => this.#tickAges(), AGE_TICK_MS);
    dockNoticesNear($("selection"));
    onLanguageChange(() => {
      this.#renderActive();
      this.#renderHistory();
      notices.redraw();
    });
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
    if (alert.state === "raised" || alert.state === "escalated") notices.show(alert);
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
      const time = textSpan("alert-time", "");
      time.dataset.sinceMs = String(a.since_ms);
      li.append(
        chip(a.severity, t(`common.${a.severity}`)),
        textSpan("alert-text", describe(a)),
        time,
      );
      return li;
    });
    list.replaceChildren(...items);
    this.#tickAges();
    $("alerts-none").hidden = items.length > 0;
    const count = items.length;
    const worst = [...this.#active.values()].some((a) => a.severity === "danger")
      ? "danger"
      : "warning";
    const badge = $("alerts-badge");
    badge.hidden = count === 0;
    badge.dataset.severity = worst;
    badge.textContent = count === 1 ? t("alerts.badge_one") : t("alerts.badge_many", { n: count });
    const title = t("common.title");
    document.title = count > 0 ? `⚠ ${count} · ${title}` : title;
  }

  /** Redraws "since 14:05:03 (20.0 s)" of every active alert. */
  #tickAges() {
    const now = Date.now();
    for (const el of $("alerts-active").querySelectorAll(".alert-time")) {
      if (!(el instanceof HTMLElement)) continue;
      const sinceMs = Number(el.dataset.sinceMs);
      el.dataset.ageMs = String(now - sinceMs);
      el.textContent = t("alerts.since", {
        time: formatClock(sinceMs),
        duration: formatDuration(Math.max(0, now - sinceMs)),
      });
    }
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
        chip(h.state === "cleared" ? "cleared" : h.severity, t(`alerts.state.${h.state}`)),
        textSpan("alert-text", describe(h)),
      );
      return li;
    }));
    $("alerts-history-none").hidden = this.#history.length > 0;
  }
}

/**
 * An alert in words, with its values in auto-ranged units: "Current danger: 912 mA is
 * above 500 mA", or for a cleared one "Current back to normal: 312 mA".
 * @param {ActiveAlert | AlertData} a
 * @returns {string}
 */
export function describe(a) {
  const resolution = pickedResolution();
  const metric = t(`readout.${a.metric}`);
  const value = metricText(a.metric, a.value, resolution);
  if ("state" in a && a.state === "cleared") {
    return t("alerts.describe_cleared", { metric, value });
  }
  return t("alerts.describe", {
    metric,
    severity: t(`common.${a.severity}`),
    value,
    side: t(a.value > a.limit ? "alerts.above" : "alerts.below"),
    limit: metricText(a.metric, a.limit),
  });
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
 * The alert notice: at most one on screen, the newest alert's, with how many more came
 * since it was last dismissed; gone after 20 s or on its button. On a phone it sits at
 * the bottom and never covers the selection panel (style.css keeps it narrow there).
 */
class Notice {
  /** @type {AlertData | null} */
  #alert = null;
  /** Alerts notified while this one was shown. */
  #more = 0;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  #timer = undefined;

  /** @param {AlertData} alert */
  show(alert) {
    this.#more = this.#alert ? this.#more + 1 : 0;
    this.#alert = alert;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.dismiss(), NOTICE_MS);
    this.redraw();
  }

  /** Removes the notice. */
  dismiss() {
    clearTimeout(this.#timer);
    this.#alert = null;
    this.#more = 0;
    $("notices").replaceChildren();
  }

  /** Draws the notice (again, after a language switch). */
  redraw() {
    const alert = this.#alert;
    if (!alert) return;
    const notice = document.createElement("div");
    notice.className = "notice";
    notice.dataset.severity = alert.severity;
    notice.setAttribute("role", "alert");
    const close = Object.assign(document.createElement("button"), {
      type: "button",
      className: "notice-close",
      textContent: "×",
    });
    close.setAttribute("aria-label", t("alerts.dismiss"));
    close.addEventListener("click", () => this.dismiss());
    const key = alert.state === "escalated" ? "alerts.notice.escalated" : "alerts.notice.raised";
    notice.append(
      textSpan("notice-title", t(key, { time: formatClock(alert.ts_ms) })),
      textSpan("notice-text", describe(alert)),
      close,
    );
    if (this.#more > 0) {
      notice.append(textSpan("notice-more", t("alerts.notice.more", { n: this.#more })));
    }
    $("notices").replaceChildren(notice);
  }
}

const notices = new Notice();

/**
 * While `panel` is on screen the notice leaves its floating place for one at the top of
 * the page (in the flow), so it never covers the panel (the selection's figures).
 * @param {HTMLElement} panel
 */
function dockNoticesNear(panel) {
  const box = $("notices");
  new IntersectionObserver((entries) => {
    const visible = entries.some((e) => e.isIntersecting);
    box.dataset.docked = String(visible);
  }).observe(panel);
}
