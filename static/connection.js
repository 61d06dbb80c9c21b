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
 * ws:// or wss:// URL of this server's stream.
 * @returns {string}
 */
export function streamUrl() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/ws`;
}

/**
 * Keeps one WebSocket open. `onMessage(message)` gets every parsed JSON message;
 * `onState(state, detail)` gets "connecting" | "live" | "reconnecting".
 * @param {{ url: string, onMessage: (message: unknown) => void,
 *   onState: (state: StreamState, detail: StreamDetail) => void }} options
 */
export function connectStream({ url, onMessage, onState }) {
  let delayMs = RECONNECT_MIN_MS;
  let attempt = 0;
  const open = () => {
    onState(attempt === 0 ? "connecting" : "reconnecting", { attempt });
    const socket = new WebSocket(url);
    socket.addEventListener("open", () => {
      delayMs = RECONNECT_MIN_MS;
      attempt = 0;
      onState("live", {});
    });
    socket.addEventListener("message", (event) => {
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
      attempt += 1;
      onState("reconnecting", { attempt, delayMs });
      setTimeout(open, delayMs);
      delayMs = Math.min(delayMs * 2, RECONNECT_MAX_MS);
    });
  };
  open();
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
