// @ts-check
/// <reference lib="dom" />
/**
 * @module Simulator controls over REST (start/stop, mode, sample interval; the token
 * prompt lives in api.js), the simulator state from /status and status messages, and
 * the log of status messages. With several channels the commands act on the channel
 * shown (`?channel=`), and the card describes it from `GET /api/channels`; a derived
 * channel has no sampler of its own, so the commands are disabled for it. Start is
 * disabled while running and Stop while stopped; the one that applies is the primary.
 */

import { getJson, postJson, setAuthRequired } from "./api.js";
import { byId as $, errorText } from "./dom.js";
import {
  channelInfo,
  channelPath,
  channelTitle,
  pickedChannel,
  refreshChannels,
  several,
} from "./channels.js";
import { formatClock, formatDuration } from "./format.js";
import { formatNumber, onLanguageChange, t } from "./i18n.js";

/** @typedef {import("./types.js").StatusResponse} StatusResponse */
/** @typedef {import("./types.js").StartResponse} StartResponse */
/** @typedef {import("./types.js").StopResponse} StopResponse */
/** @typedef {import("./types.js").ModeResponse} ModeResponse */
/** @typedef {import("./types.js").IntervalResponse} IntervalResponse */

const LOG_LIMIT = 30;

/**
 * Shows the simulator state from a /status or status-message value; null is unknown.
 * @param {StatusResponse["simulator"] | null} simulator
 */
export function renderSimulator(simulator) {
  const shown = simulator === "connected"
    ? "running"
    : simulator === "disconnected"
    ? "stopped"
    : "unknown";
  document.body.dataset.sim = shown;
  const el = $("sim-state");
  el.dataset.state = shown;
  el.removeAttribute("data-i18n");
  el.textContent = t(`controls.sim.${shown}`);
  syncRunButtons();
}

/** Whether a command is under way (its buttons stay disabled) or the channel is derived. */
const blocked = { busy: false, derived: false };

/** Start/Stop: disabled when they would do nothing; the one that applies is primary. */
function syncRunButtons() {
  const sim = document.body.dataset.sim;
  const start = $("btn-start", HTMLButtonElement);
  const stop = $("btn-stop", HTMLButtonElement);
  const off = blocked.busy || blocked.derived;
  start.disabled = off || sim === "running";
  stop.disabled = off || sim === "stopped";
  start.classList.toggle("btn-primary", sim !== "running");
  stop.classList.toggle("btn-primary", sim === "running");
}

/** The simulator card; `onStatus(status)` gets every /status answer. */
export class Controls {
  /** @type {(status: StatusResponse) => void} */
  #onStatus;
  #modesLoaded = false;
  /** @type {StatusResponse | null} */
  #last = null;

  /** @param {(status: StatusResponse) => void} onStatus */
  constructor(onStatus) {
    this.#onStatus = onStatus;
    const buttons = $("btn-start").parentElement ?? document.body;
    $("btn-start").addEventListener("click", () =>
      this.#run(buttons, async () => {
        /** @type {StartResponse} */
        const r = await postJson(channelPath("/simulator/start"));
        renderSimulator("connected");
        return t(r.already_running ? "controls.already_running" : "controls.started");
      }));
    $("btn-stop").addEventListener("click", () =>
      this.#run(buttons, async () => {
        /** @type {StopResponse} */
        const r = await postJson(channelPath("/simulator/stop"));
        renderSimulator("disconnected");
        return t(r.was_running ? "controls.stopped" : "controls.already_stopped");
      }));
    const modeForm = $("form-mode", HTMLFormElement);
    modeForm.addEventListener("submit", (event) => {
      event.preventDefault();
      const mode = $("mode-select", HTMLSelectElement).value;
      this.#run(modeForm, async () => {
        /** @type {ModeResponse} */
        const r = await postJson(channelPath("/simulator/mode"), { mode });
        return t("controls.mode_set", { mode: r.mode });
      });
    });
    const intervalForm = $("form-interval", HTMLFormElement);
    intervalForm.addEventListener("submit", (event) => {
      event.preventDefault();
      const intervalMs = Number($("interval-input", HTMLInputElement).value);
      this.#run(intervalForm, async () => {
        /** @type {IntervalResponse} */
        const r = await postJson(channelPath("/simulator/interval"), {
          interval_ms: intervalMs,
        });
        return t("controls.interval_set", { ms: r.interval_ms });
      });
    });
    onLanguageChange(() => {
      if (this.#last) this.#render(this.#last);
      renderSimulator(simulatorOf(document.body.dataset.sim));
    });
  }

  /** Reads /status and shows it; errors go to the feedback line. */
  async refresh() {
    try {
      /** @type {StatusResponse} */
      const status = await getJson("/status");
      if (several()) await refreshChannels();
      this.#render(status);
    } catch (error) {
      feedback(t("controls.status_failed", { error: errorText(error) }), true);
    }
  }

  /**
   * Runs one action with its buttons disabled and the outcome reported.
   * @param {Element} container
   * @param {() => Promise<string>} action
   */
  async #run(container, action) {
    const buttons = container.querySelectorAll("button");
    buttons.forEach((b) => b.disabled = true);
    blocked.busy = true;
    try {
      feedback(await action());
    } catch (error) {
      feedback(errorText(error), true);
    } finally {
      blocked.busy = false;
      buttons.forEach((b) => b.disabled = blocked.derived);
      syncRunButtons();
      await this.refresh();
    }
  }

  /** @param {StatusResponse} status */
  #render(status) {
    this.#last = status;
    setAuthRequired(status.auth_required);
    renderSimulator(status.simulator);
    const select = $("mode-select", HTMLSelectElement);
    if (!this.#modesLoaded && Array.isArray(status.modes)) {
      select.replaceChildren(...status.modes.map((m) => new Option(m, m)));
      this.#modesLoaded = true;
    }
    if (document.activeElement !== select) select.value = status.mode;
    const input = $("interval-input", HTMLInputElement);
    if (document.activeElement !== input) input.value = String(status.interval_ms);
    const rotate = status.auto_rotate ? t("controls.auto_rotating") : "";
    const token = status.auth_required ? t("controls.token_needed") : "";
    $("sim-detail").textContent = t("controls.detail", {
      type: status.type ?? t("controls.sensor"),
      mode: status.mode,
      rotate,
      ms: status.interval_ms,
      token,
    });
    $("server-info").textContent = t("controls.server_info", {
      type: status.type ?? "?",
      clients: status.websocket_connections ?? 0,
      uptime: formatDuration(Math.round(status.uptime_s ?? 0) * 1000),
      version: status.version ?? "?",
    });
    if (several()) this.#renderChannel(status);
    this.#onStatus(status);
  }

  /**
   * Describes the channel shown (the fields of /status describe the first one).
   * @param {StatusResponse} status
   */
  #renderChannel(status) {
    const info = channelInfo(pickedChannel());
    if (!info) return;
    const derived = info.kind === "derived";
    blocked.derived = derived;
    for (const button of document.querySelectorAll(".controls button")) {
      if (button instanceof HTMLButtonElement) button.disabled = derived;
    }
    const title = $("controls-title");
    title.removeAttribute("data-i18n");
    title.textContent = t("controls.title_channel", { channel: info.label || info.name });
    if (derived) {
      renderSimulator(info.state === "stopped" ? "disconnected" : "connected");
      $("sim-detail").textContent = t("controls.derived_detail", {
        channel: channelTitle(info),
        kind: info.derived ?? "?",
        inputs: (info.inputs ?? []).join(t("common.list_and")),
      });
      return;
    }
    renderSimulator(info.state === "stopped" ? "disconnected" : "connected");
    const mode = info.settings?.mock_mode;
    const select = $("mode-select", HTMLSelectElement);
    if (typeof mode === "string" && document.activeElement !== select) select.value = mode;
    const input = $("interval-input", HTMLInputElement);
    if (document.activeElement !== input) input.value = String(info.interval_ms);
    const token = status.auth_required ? t("controls.token_needed") : "";
    $("sim-detail").textContent = t("controls.channel_detail", {
      channel: channelTitle(info),
      sensor: info.sensor ?? t("controls.sensor"),
      state: t(`channel.state.${info.state}`),
      ms: info.interval_ms,
      rate: formatNumber(info.sample_rate_hz, 1),
      token,
    });
  }
}

/**
 * The /status `simulator` value a shown state came from (for redrawing it).
 * @param {string | undefined} shown
 * @returns {StatusResponse["simulator"] | null}
 */
function simulatorOf(shown) {
  return shown === "running" ? "connected" : shown === "stopped" ? "disconnected" : null;
}

/**
 * @param {string} text
 * @param {boolean} [isError]
 */
function feedback(text, isError = false) {
  const el = $("control-feedback");
  el.textContent = text;
  el.dataset.error = String(isError);
}

/**
 * Adds a status message to the log; repeats of the newest are counted, not listed.
 * @param {import("./types.js").StatusMessage} message
 */
export function logStatus(message) {
  const log = $("log");
  const text = String(message.message ?? "");
  const atMs = Date.parse(message.timestamp ?? "") || Date.now();
  const first = log.firstElementChild;
  if (first instanceof HTMLElement && first.dataset.text === text) {
    const count = Number(first.dataset.count) + 1;
    first.dataset.count = String(count);
    const counter = first.querySelector(".log-count");
    if (counter) counter.textContent = `×${count}`;
    const time = first.querySelector("time");
    if (time) time.textContent = formatClock(atMs);
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
  while (log.children.length > LOG_LIMIT) log.lastElementChild?.remove();
}
