// @ts-check
/// <reference lib="dom" />
/**
 * @module The live stream: one WebSocket to /ws, reconnected with exponential backoff
 * (0.5 s doubling to 10 s, reset on open) or at once on "retry now", and the connection
 * indicator and banner, whose countdown to the next attempt ticks.
 */

import { byId } from "./dom.js";
import { formatNumber, onLanguageChange, t } from "./i18n.js";

/** @typedef {"connecting" | "live" | "reconnecting"} StreamState */
/**
 * What a state change knows: the attempt number and, while waiting, the delay.
 * @typedef {{ attempt?: number, delayMs?: number }} StreamDetail
 */

const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 10_000;

/**
 * ws:// or wss:// URL of this server's stream, with `params` (none: the plain v1 stream).
 * @param {Record<string, string>} [params]
 * @returns {string}
 */
export function streamUrl(params = {}) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const query = new URLSearchParams(params).toString();
  return `${scheme}//${location.host}/ws${query ? `?${query}` : ""}`;
}

/**
 * What {@link connectStream} returns: `switchTo(url)` closes the socket and opens one to
 * `url` at once (messages of the old one are dropped from then on); `retryNow()` skips
 * the wait before the next attempt (nothing while a socket is open or opening).
 * @typedef {{ switchTo: (url: string) => void, retryNow: () => void }} Stream
 */

/**
 * Keeps one WebSocket open. `onMessage(message)` gets every parsed JSON message;
 * `onState(state, detail)` gets "connecting" | "live" | "reconnecting".
 * @param {{ url: string, onMessage: (message: unknown) => void,
 *   onState: (state: StreamState, detail: StreamDetail) => void }} options
 * @returns {Stream}
 */
export function connectStream({ url, onMessage, onState }) {
  let delayMs = RECONNECT_MIN_MS;
  let attempt = 0;
  /** @type {WebSocket | null} */
  let current = null;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let retryTimer = undefined;
  let waiting = false;
  const open = () => {
    waiting = false;
    onState(attempt === 0 ? "connecting" : "reconnecting", { attempt });
    const socket = current = new WebSocket(url);
    socket.addEventListener("open", () => {
      if (socket !== current) return;
      delayMs = RECONNECT_MIN_MS;
      attempt = 0;
      onState("live", {});
    });
    socket.addEventListener("message", (event) => {
      if (socket !== current) return; // A switched-away socket's last messages.
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        console.warn("Ignoring a non-JSON message from /ws:", event.data);
        return;
      }
      onMessage(message);
    });
    // "error" is always followed by "close", so reconnecting lives in one place.
    socket.addEventListener("close", () => {
      if (socket !== current) return;
      attempt += 1;
      onState("reconnecting", { attempt, delayMs });
      waiting = true;
      retryTimer = setTimeout(open, delayMs);
      delayMs = Math.min(delayMs * 2, RECONNECT_MAX_MS);
    });
  };
  open();
  return {
    switchTo(next) {
      url = next;
      clearTimeout(retryTimer);
      const old = current;
      current = null;
      old?.close();
      delayMs = RECONNECT_MIN_MS;
      attempt = 0;
      open();
    },
    retryNow() {
      if (!waiting) return;
      clearTimeout(retryTimer);
      open();
    },
  };
}

/** How often the countdown to the next attempt is redrawn. */
const COUNTDOWN_TICK_MS = 100;

/** The state last shown, so the countdown ticks and a language switch redraws it. */
let shown = {
  state: /** @type {StreamState} */ ("connecting"),
  attempt: 0,
  /** When the next attempt starts (`performance.now()`), or null when under way. */
  retryAtMs: /** @type {number | null} */ (null),
};
/** @type {ReturnType<typeof setInterval> | undefined} */
let ticker = undefined;

/**
 * Shows the connection state in the top bar and, when lost, in a banner with a
 * countdown to the next attempt and a "retry now" button.
 * @param {StreamState} state
 * @param {StreamDetail} [detail]
 */
export function renderConnection(state, detail = {}) {
  shown = {
    state,
    attempt: detail.attempt ?? 0,
    retryAtMs: detail.delayMs === undefined ? null : performance.now() + detail.delayMs,
  };
  clearInterval(ticker);
  if (shown.retryAtMs !== null) ticker = setInterval(drawConnection, COUNTDOWN_TICK_MS);
  drawConnection();
}

/** Draws {@link shown}; stops the ticker once the attempt is under way. */
function drawConnection() {
  const { state, attempt, retryAtMs } = shown;
  const conn = byId("conn");
  const text = byId("conn-text");
  const banner = byId("banner-conn");
  conn.dataset.state = state;
  document.body.dataset.conn = state;
  if (state !== "reconnecting") {
    text.textContent = t(state === "live" ? "conn.live" : "conn.connecting");
    banner.hidden = true;
    clearInterval(ticker);
    return;
  }
  const leftMs = retryAtMs === null ? 0 : Math.max(0, retryAtMs - performance.now());
  const seconds = formatNumber(leftMs / 1000, 1);
  const waiting = retryAtMs !== null && leftMs > 0;
  text.textContent = waiting ? t("conn.reconnecting_in", { s: seconds }) : t("conn.reconnecting");
  byId("banner-conn-text").textContent = waiting
    ? t("conn.lost_waiting", { s: seconds })
    : t("conn.lost_trying", { n: attempt });
  banner.dataset.countdownMs = String(Math.round(leftMs));
  byId("conn-retry", HTMLButtonElement).disabled = !waiting;
  banner.hidden = false;
  if (!waiting) clearInterval(ticker);
}

onLanguageChange(drawConnection);
