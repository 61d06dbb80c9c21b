// @ts-check
/// <reference lib="dom" />
/**
 * @module The Recordings view: start one now or arm it on a trigger, the list (name,
 * state, start, duration, samples, size) with stop, CSV export and delete (two presses),
 * a recording's detail (recording_detail.js) and the comparison of two or more
 * (recording_compare.js). Trigger states arrive as status messages; while a recording is
 * armed or running the list is also re-read every few seconds (a trigger's messages go
 * to the clients of its channel only).
 */

import { download, getJson, postJson } from "./api.js";
import { channels, pickedChannel } from "./channels.js";
import { byId, errorText } from "./dom.js";
import { formatDuration } from "./format.js";
import { formatNumber, formatTime, onLanguageChange, t } from "./i18n.js";
import { bytesText, FieldError, recordingBody } from "./recording_form.js";
import { RecordingDetail } from "./recording_detail.js";
import { ComparePanel } from "./recording_compare.js";

/** @typedef {import("../src/protocol/recordings.ts").Recording} Recording */
/** @typedef {import("zod").output<typeof import("../src/protocol/recordings.ts").RecordingList>} RecordingList */
/** @typedef {import("./types.js").StatusMessage} StatusMessage */

/** Re-read period while a recording is armed or running. */
const POLL_MS = 2_000;
/** How long a delete button waits for its confirming second press. */
const CONFIRM_MS = 5_000;

/**
 * A recording's duration so far (to now while it records).
 * @param {Recording} r
 * @param {number} nowMs
 * @returns {number | null}
 */
export function durationOf(r, nowMs) {
  if (r.start_ms === null) return null;
  return (r.end_ms ?? nowMs) - r.start_ms;
}

/** The Recordings section. */
export class RecordingsView {
  /** @type {Recording[]} */
  #list = [];
  /** Ids picked for comparison. */
  #picked = new Set();
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  #pollTimer = undefined;
  #detail;
  #compare;

  /** @param {import("./markers.js").MarkersPanel} markers */
  constructor(markers) {
    this.#detail = new RecordingDetail(() => this.load());
    this.#compare = new ComparePanel();
    const form = byId("rec-form", HTMLFormElement);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.#create(false);
    });
    byId("rec-arm-submit").addEventListener("click", () => this.#create(true));
    byId("rec-compare").addEventListener("click", () => {
      this.#compare.show([...this.#picked]).catch((error) => this.#say(errorText(error), true));
    });
    this.#fillArmSelects();
    markers.onMarker(() => this.#detail.markersChanged());
    onLanguageChange(() => {
      this.#fillArmSelects();
      this.#render();
    });
  }

  /** The recordings as last listed, newest first. */
  get list() {
    return this.#list;
  }

  /** Fills the channel choices (after /api/channels is read). */
  fillChannels() {
    const measured = channels().filter((c) => c.kind === "measured");
    const box = byId("rec-channels");
    const shown = pickedChannel();
    const defaultName = measured.some((c) => c.name === shown) ? shown : measured[0]?.name;
    const legend = box.querySelector("legend");
    box.replaceChildren(
      ...(legend ? [legend] : []),
      ...measured.map((c) => {
        const label = document.createElement("label");
        const input = document.createElement("input");
        input.type = "checkbox";
        input.name = "channels";
        input.value = c.name;
        input.checked = c.name === defaultName;
        label.append(input, ` ${c.label || c.name}`);
        return label;
      }),
    );
    box.hidden = measured.length < 2;
    const watch = byId("rec-trigger-channel", HTMLSelectElement);
    watch.replaceChildren(...channels().map((c) => new Option(c.label || c.name, c.name)));
    if (defaultName) watch.value = defaultName;
  }

  /** Reads the list (and the budget) again. */
  async load() {
    /** @type {RecordingList} */
    const list = await getJson("/api/recordings");
    this.#list = list.data;
    byId("rec-budget").textContent = t("rec.budget", {
      used: bytesText(list.used_bytes, formatNumber),
      max: bytesText(list.max_bytes, formatNumber),
    });
    for (const id of this.#picked) {
      if (!this.#list.some((r) => r.id === id)) this.#picked.delete(id);
    }
    this.#render();
    this.#detail.update(this.#list);
    clearTimeout(this.#pollTimer);
    if (this.#list.some((r) => r.state !== "stopped")) {
      this.#pollTimer = setTimeout(() => this.load().catch(() => {}), POLL_MS);
    }
  }

  /**
   * A status message: trigger states and recording events re-read the list.
   * @param {StatusMessage} message
   */
  onStatus(message) {
    const event = message.event ?? "";
    if (event.startsWith("trigger_") || /^Recording /.test(String(message.message ?? ""))) {
      this.load().catch(() => {});
    }
  }

  /** @param {boolean} armed */
  async #create(armed) {
    const form = byId("rec-form", HTMLFormElement);
    const data = new FormData(form);
    /** @type {Record<string, string>} */
    const fields = {};
    for (const [k, v] of data) if (typeof v === "string" && k !== "channels") fields[k] = v;
    const picked = data.getAll("channels").map(String);
    const measured = channels().filter((c) => c.kind === "measured").map((c) => c.name);
    let body;
    try {
      body = recordingBody({
        ...fields,
        name: fields.name ?? "",
        channels: picked.length > 0 ? picked : measured.slice(0, 1),
      }, { armed });
    } catch (error) {
      if (!(error instanceof FieldError)) throw error;
      this.#say(t(error.key), true);
      const field = form.querySelector(`[name="${error.field}"]`);
      if (field instanceof HTMLElement) field.focus();
      return;
    }
    try {
      /** @type {Recording} */
      const r = await postJson("/api/recordings", body);
      this.#say(t(armed ? "rec.armed_ok" : "rec.started_ok", { name: r.name }));
      byId("rec-name", HTMLInputElement).value = "";
      await this.load();
    } catch (error) {
      this.#say(errorText(error), true);
    }
  }

  /**
   * @param {string} text
   * @param {boolean} [isError]
   */
  #say(text, isError = false) {
    const el = byId("rec-feedback");
    el.textContent = text;
    el.dataset.error = String(isError);
  }

  #fillArmSelects() {
    const form = byId("rec-form", HTMLFormElement);
    for (const part of ["start", "stop"]) {
      const metric = form.querySelector(`[name="${part}_metric"]`);
      const op = form.querySelector(`[name="${part}_op"]`);
      if (!(metric instanceof HTMLSelectElement) || !(op instanceof HTMLSelectElement)) continue;
      const keepMetric = metric.value || (part === "start" ? "a" : "v");
      const keepOp = op.value || (part === "start" ? ">" : "<");
      metric.replaceChildren(
        ...["v", "a", "w"].map((m) => new Option(t(`rec.metric.${m}`), m)),
      );
      op.replaceChildren(new Option(t("rec.op.above"), ">"), new Option(t("rec.op.below"), "<"));
      metric.value = keepMetric;
      op.value = keepOp;
      const unit = form.querySelector(`[data-unit-of="${part}"]`);
      const setUnit = () => {
        if (unit) unit.textContent = { v: "V", a: "A", w: "W" }[metric.value] ?? "";
      };
      metric.onchange = setUnit;
      setUnit();
    }
  }

  #render() {
    const now = Date.now();
    const rows = this.#list.map((r) => this.#row(r, now));
    byId("rec-list").replaceChildren(...rows);
    byId("rec-empty").hidden = this.#list.length > 0;
    byId("rec-table").hidden = this.#list.length === 0;
    const compare = byId("rec-compare", HTMLButtonElement);
    compare.disabled = this.#picked.size < 2;
    compare.textContent = t("rec.compare_n", { n: this.#picked.size });
  }

  /**
   * @param {Recording} r
   * @param {number} now
   * @returns {HTMLTableRowElement}
   */
  #row(r, now) {
    const tr = document.createElement("tr");
    tr.dataset.id = String(r.id);
    tr.dataset.state = r.state;
    const cell = (/** @type {string} */ key, /** @type {Node | string} */ content) => {
      const td = document.createElement("td");
      td.dataset.label = t(key);
      td.append(content);
      tr.append(td);
      return td;
    };
    const pick = document.createElement("input");
    pick.type = "checkbox";
    pick.checked = this.#picked.has(r.id);
    pick.disabled = r.start_ms === null;
    pick.setAttribute("aria-label", t("rec.compare_pick_one", { name: r.name }));
    pick.addEventListener("change", () => {
      if (pick.checked) this.#picked.add(r.id);
      else this.#picked.delete(r.id);
      this.#render();
    });
    cell("rec.compare_pick", pick).className = "rec-pick";
    const name = document.createElement("button");
    name.type = "button";
    name.className = "link-button rec-open";
    name.textContent = r.name;
    name.addEventListener("click", () => this.#detail.show(r));
    cell("rec.name", name).className = "rec-name-cell";
    const state = document.createElement("span");
    state.className = "chip rec-state";
    state.dataset.state = r.state;
    state.dataset.tone = r.state === "recording" ? "ok" : r.state === "armed" ? "warning" : "muted";
    state.textContent = t(`rec.state.${r.state}`) +
      (r.stop_reason && r.stop_reason !== "manual" ? ` · ${t(`rec.reason.${r.stop_reason}`)}` : "");
    cell("rec.state", state);
    cell("rec.start_at", r.start_ms === null ? "—" : formatTime(r.start_ms, { date: true }));
    const duration = durationOf(r, now);
    cell("rec.duration", duration === null ? "—" : formatDuration(duration));
    cell("rec.samples", formatNumber(r.samples, 0));
    cell("rec.size", bytesText(r.size_bytes, formatNumber));
    const actions = document.createElement("div");
    actions.className = "rec-actions";
    if (r.state === "recording" || r.state === "armed") {
      actions.append(this.#button("rec.stop", () => this.#stop(r)));
    }
    if (r.start_ms !== null && r.state !== "armed") {
      actions.append(this.#button("rec.export", () => this.#export(r)));
    }
    const del = this.#button("rec.delete", () => this.#delete(r, del));
    del.dataset.action = "delete";
    actions.append(del);
    cell("rec.actions", actions).className = "rec-actions-cell";
    return tr;
  }

  /**
   * @param {string} key
   * @param {() => void} onClick
   */
  #button(key, onClick) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "btn btn-small";
    b.dataset.action = key.split(".")[1];
    b.textContent = t(key);
    b.addEventListener("click", onClick);
    return b;
  }

  /** @param {Recording} r */
  async #stop(r) {
    try {
      await postJson(`/api/recordings/${r.id}/stop`);
      await this.load();
    } catch (error) {
      this.#say(errorText(error), true);
    }
  }

  /** @param {Recording} r */
  async #export(r) {
    try {
      await download(`/api/recordings/${r.id}/export.csv`, {});
    } catch (error) {
      this.#say(errorText(error), true);
    }
  }

  /**
   * @param {Recording} r
   * @param {HTMLButtonElement} button
   */
  async #delete(r, button) {
    if (button.dataset.confirm !== "true") {
      button.dataset.confirm = "true";
      button.textContent = t("rec.delete_confirm");
      setTimeout(() => {
        button.dataset.confirm = "false";
        button.textContent = t("rec.delete");
      }, CONFIRM_MS);
      return;
    }
    try {
      await postJson(`/api/recordings/${r.id}`, undefined, "DELETE");
      this.#picked.delete(r.id);
      this.#detail.forget(r.id);
      this.#say(t("rec.deleted", { name: r.name }));
      await this.load();
    } catch (error) {
      this.#say(errorText(error), true);
    }
  }
}
