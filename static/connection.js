// @ts-check
/// <reference lib="dom" />
/**
 * @module The live stream: one WebSocket to /ws, reconnected with exponential backoff
 * (0.5 s doubling to 10 s, reset on open), and the connection indicator and banner.
 */

import { byId } from "./dom.js";

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
 * `url` at once (messages of the old one are dropped from then on).
 * @typedef {{ switchTo: (url: string) => void }} Stream
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
  const open = () => {
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
  };
}

/**
 * Shows the connection state in the top bar and, when lost, in a banner.
 * @param {StreamState} state
 * @param {StreamDetail} [detail]
 */
export function renderConnection(state, detail = {}) {
  const conn = byId("conn");
  const text = byId("conn-text");
  const banner = byId("banner-conn");
  conn.dataset.state = state;
  document.body.dataset.conn = state;
  if (state === "live") {
    text.textContent = "Live";
    banner.hidden = true;
    return;
  }
  if (state === "connecting") {
    text.textContent = "Connecting…";
    return;
  }
  const { delayMs } = detail;
  const waiting = delayMs !== undefined;
  const seconds = waiting ? (delayMs / 1000).toFixed(1) : "";
  text.textContent = waiting ? `Reconnecting in ${seconds} s` : "Reconnecting…";
  banner.textContent = "Live stream lost: the numbers below are not updating. " +
    (waiting ? `Next attempt in ${seconds} s` : `Attempt ${detail.attempt} under way`) + ".";
  banner.hidden = false;
}
