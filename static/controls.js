// @ts-check
/// <reference lib="dom" />
/**
 * @module Simulator controls over REST (start/stop, mode, sample interval; the token
 * prompt lives in api.js), the simulator state from /status and status messages, and
 * the log of status messages.
 */

import { getJson, postJson, setAuthRequired } from "./api.js";
import { formatClock } from "./format.js";

const $ = (id) => document.getElementById(id);
const LOG_LIMIT = 30;

/** Shows the simulator state from a /status or status-message value; null is unknown. */
export function renderSimulator(simulator) {
  const shown = simulator === "connected"
    ? "running"
    : simulator === "disconnected"
    ? "stopped"
    : "unknown";
  document.body.dataset.sim = shown;
  const el = $("sim-state");
  el.dataset.state = shown;
  el.textContent = shown;
}

/** The simulator card; `onStatus(status)` gets every /status answer. */
export class Controls {
  #onStatus;
  #modesLoaded = false;

  constructor(onStatus) {
    this.#onStatus = onStatus;
    const buttons = $("btn-start").parentElement;
    $("btn-start").addEventListener("click", () =>
      this.#run(buttons, async () => {
        const r = await postJson("/simulator/start");
        renderSimulator("connected");
        return r.already_running ? "Simulator was already running." : "Simulator started.";
      }));
    $("btn-stop").addEventListener("click", () =>
      this.#run(buttons, async () => {
        const r = await postJson("/simulator/stop");
        renderSimulator("disconnected");
        return r.was_running ? "Simulator stopped." : "Simulator was already stopped.";
      }));
    $("form-mode").addEventListener("submit", (event) => {
      event.preventDefault();
      const mode = $("mode-select").value;
      this.#run(event.currentTarget, async () => {
        const r = await postJson("/simulator/mode", { mode });
        return `Mode set to ${r.mode}.`;
      });
    });
    $("form-interval").addEventListener("submit", (event) => {
      event.preventDefault();
      const intervalMs = Number($("interval-input").value);
      this.#run(event.currentTarget, async () => {
        const r = await postJson("/simulator/interval", { interval_ms: intervalMs });
        return `Interval set to ${r.interval_ms} ms.`;
      });
    });
  }

  /** Reads /status and shows it; errors go to the feedback line. */
  async refresh() {
    try {
      this.#render(await getJson("/status"));
    } catch (error) {
      feedback(`Cannot read /status: ${error.message}`, true);
    }
  }

  /** Runs one action with its buttons disabled and the outcome reported. */
  async #run(container, action) {
    const buttons = container.querySelectorAll("button");
    buttons.forEach((b) => b.disabled = true);
    try {
      feedback(await action());
    } catch (error) {
      feedback(error.message, true);
    } finally {
      buttons.forEach((b) => b.disabled = false);
      await this.refresh();
    }
  }

  #render(status) {
    setAuthRequired(status.auth_required);
    renderSimulator(status.simulator);
    const select = $("mode-select");
    if (!this.#modesLoaded && Array.isArray(status.modes)) {
      select.replaceChildren(...status.modes.map((m) => new Option(m, m)));
      this.#modesLoaded = true;
    }
    if (document.activeElement !== select) select.value = status.mode;
    const input = $("interval-input");
    if (document.activeElement !== input) input.value = String(status.interval_ms);
    const rotate = status.auto_rotate ? ", auto-rotating" : "";
    const token = status.auth_required ? " · changes need the API token" : "";
    $("sim-detail").textContent = `${
      status.type ?? "Sensor"
    } · ${status.mode}${rotate} · every ${status.interval_ms} ms${token}`;
    const uptime = Math.round(status.uptime_s ?? 0);
    $("server-info").textContent = `${status.type ?? "?"} source · ` +
      `${status.websocket_connections ?? 0} client(s) · server up ${uptime} s · ` +
      `v${status.version ?? "?"}`;
    this.#onStatus(status);
  }
}

function feedback(text, isError = false) {
  const el = $("control-feedback");
  el.textContent = text;
  el.dataset.error = String(isError);
}

/** Adds a status message to the log; repeats of the newest are counted, not listed. */
export function logStatus(message) {
  const log = $("log");
  const text = String(message.message ?? "");
  const atMs = Date.parse(message.timestamp ?? "") || Date.now();
  const first = log.firstElementChild;
  if (first && first.dataset.text === text) {
    const count = Number(first.dataset.count) + 1;
    first.dataset.count = String(count);
    first.querySelector(".log-count").textContent = `×${count}`;
    first.querySelector("time").textContent = formatClock(atMs);
    return;
  }
  const item = document.createElement("li");
  item.dataset.text = text;
  item.dataset.count = "1";
  const time = document.createElement("time");
  time.textContent = formatClock(atMs);
  const body = document.createElement("span");
  body.textContent = text;
  const count = document.createElement("span");
  count.className = "log-count";
  item.append(time, body, count);
  log.prepend(item);
  while (log.children.length > LOG_LIMIT) log.lastElementChild.remove();
}
