// @ts-check
/// <reference lib="dom" />
/**
 * @module One recording in the Recordings view: rename, notes and tags (PATCH), its
 * trigger settings and state, its figures per channel (min/avg/max, energy, charge,
 * duration), battery life for a capacity the user types, and its markers.
 */

import { getJson, postJson } from "./api.js";
import { BatteryBox } from "./battery.js";
import { byId, errorText } from "./dom.js";
import { chargeText, energyText, formatDuration, metricText } from "./format.js";
import { formatNumber, formatTime, onLanguageChange, t } from "./i18n.js";
import { markerItem } from "./markers.js";

/** @typedef {import("../src/protocol/recordings.ts").Recording} Recording */
/** @typedef {import("../src/protocol/recordings.ts").TriggerCondition} TriggerCondition */
/** @typedef {import("../src/protocol/markers.ts").MarkerList} MarkerList */
/** @typedef {import("../src/protocol/span.ts").SpanResponse} SpanResponse */

/**
 * A trigger condition as people read it: "current > 0.1 A for 5 ms".
 * @param {TriggerCondition} c
 * @returns {string}
 */
function conditionText(c) {
  const value = metricText(c.metric, c.value);
  return t("rec.condition", {
    metric: t(`rec.metric.${c.metric}`),
    op: c.op,
    value,
    for_ms: formatNumber(c.for_ms, 0),
  });
}

/**
 * The trigger settings of a recording in words, or "" when it had none.
 * @param {Recording} r
 * @returns {string}
 */
export function triggerText(r) {
  const { start_trigger, stop_trigger, pre_trigger_ms, duration_ms } = r.triggers;
  const parts = [];
  if (start_trigger) {
    parts.push(t("rec.trigger.start", { condition: conditionText(start_trigger) }));
    if (pre_trigger_ms) parts.push(t("rec.trigger.pre", { ms: formatNumber(pre_trigger_ms, 0) }));
  }
  if (stop_trigger) parts.push(t("rec.trigger.stop", { condition: conditionText(stop_trigger) }));
  if (duration_ms) parts.push(t("rec.trigger.duration", { d: formatDuration(duration_ms) }));
  return parts.join(" · ");
}

/** A recording's detail panel. */
export class RecordingDetail {
  /** @type {Recording | null} */
  #shown = null;
  #onChanged;
  #battery;

  /** @param {() => Promise<void>} onChanged re-reads the list after an edit */
  constructor(onChanged) {
    this.#onChanged = onChanged;
    this.#battery = new BatteryBox(byId("rec-battery"), (params) => {
      const r = this.#shown;
      if (!r || r.start_ms === null) return Promise.resolve(null);
      return getJson(`/api/recordings/${r.id}/span`, params);
    });
    const form = byId("rec-annotate", HTMLFormElement);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.#save(form);
    });
    onLanguageChange(() => this.#shown && this.#render(this.#shown));
  }

  /**
   * Shows recording `r`.
   * @param {Recording} r
   */
  show(r) {
    this.#shown = r;
    const form = byId("rec-annotate", HTMLFormElement);
    /** @param {string} name @param {string} value */
    const set = (name, value) => {
      const field = form.elements.namedItem(name);
      if (field instanceof HTMLInputElement || field instanceof HTMLTextAreaElement) {
        field.value = value;
      }
    };
    set("name", r.name);
    set("notes", r.notes);
    set("tags", r.tags.join(", "));
    this.#render(r);
    byId("rec-detail").hidden = false;
    this.#battery.refresh();
    this.markersChanged();
    byId("rec-detail").scrollIntoView({ block: "nearest" });
  }

  /**
   * The list was read again: the recording shown follows (its state, figures).
   * @param {Recording[]} list
   */
  update(list) {
    if (!this.#shown) return;
    const again = list.find((r) => r.id === this.#shown?.id);
    if (!again) return this.forget(this.#shown.id);
    const changed = again.state !== this.#shown.state || again.samples !== this.#shown.samples;
    this.#shown = again;
    this.#render(again);
    if (changed && again.state === "stopped") this.#battery.refresh();
  }

  /**
   * Hides the detail when it shows recording `id` (deleted).
   * @param {number} id
   */
  forget(id) {
    if (this.#shown?.id !== id) return;
    this.#shown = null;
    byId("rec-detail").hidden = true;
  }

  /** Re-reads the markers of the recording shown (one was added). */
  async markersChanged() {
    const r = this.#shown;
    if (!r) return;
    try {
      /** @type {MarkerList} */
      const list = await getJson(`/api/recordings/${r.id}/markers`);
      if (this.#shown?.id !== r.id) return;
      const ul = byId("rec-markers");
      ul.replaceChildren(...list.data.map(markerItem));
      if (list.count === 0) {
        const li = document.createElement("li");
        li.className = "muted";
        li.textContent = t("marker.none");
        ul.append(li);
      }
    } catch (error) {
      console.warn(`Cannot read the recording's markers: ${errorText(error)}`);
    }
  }

  /** @param {HTMLFormElement} form */
  async #save(form) {
    const r = this.#shown;
    if (!r) return;
    const data = new FormData(form);
    const tags = String(data.get("tags") ?? "").split(",").map((s) => s.trim())
      .filter((s) => s !== "");
    const feedback = byId("rec-feedback");
    try {
      /** @type {Recording} */
      const saved = await postJson(`/api/recordings/${r.id}`, {
        name: String(data.get("name") ?? ""),
        notes: String(data.get("notes") ?? ""),
        tags: [...new Set(tags)],
      }, "PATCH");
      this.#shown = saved;
      feedback.textContent = t("rec.saved", { name: saved.name });
      feedback.dataset.error = "false";
      await this.#onChanged();
    } catch (error) {
      feedback.textContent = errorText(error);
      feedback.dataset.error = "true";
    }
  }

  /** @param {Recording} r */
  #render(r) {
    byId("rec-detail-title").textContent = t("rec.detail_title", {
      name: r.name,
      state: t(`rec.state.${r.state}`),
    });
    const trigger = triggerText(r);
    const when = r.start_ms === null ? "" : t("rec.span", {
      from: formatTime(r.start_ms, { date: true, ms: true }),
      to: r.end_ms === null ? "…" : formatTime(r.end_ms, { date: true, ms: true }),
    });
    byId("rec-detail-trigger").textContent = [when, trigger].filter(Boolean).join(" · ");
    this.#figures(r);
  }

  /** @param {Recording} r */
  #figures(r) {
    const table = byId("rec-figures", HTMLTableElement);
    const head = document.createElement("tr");
    for (const key of ["rec.channel", "stats.min", "stats.avg", "stats.max"]) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = t(key);
      head.append(th);
    }
    const rows = [head];
    for (const [channel, span] of Object.entries(r.figures)) {
      for (const m of /** @type {const} */ (["v", "a", "w"])) {
        const tr = document.createElement("tr");
        const th = document.createElement("th");
        th.scope = "row";
        th.textContent = `${channel} · ${t(`rec.metric.${m}`)}`;
        tr.append(th);
        for (const f of /** @type {const} */ (["min", "avg", "max"])) {
          const td = document.createElement("td");
          td.textContent = metricText(m, span[m][f]);
          tr.append(td);
        }
        rows.push(tr);
      }
      const total = document.createElement("tr");
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = channel;
      const td = document.createElement("td");
      td.colSpan = 3;
      td.textContent = t("rec.totals", {
        energy: energyText(span.energy_wh),
        charge: chargeText(span.charge_ah),
        duration: formatDuration(span.duration_ms),
        count: formatNumber(span.count, 0),
      });
      total.append(th, td);
      rows.push(total);
    }
    table.replaceChildren(...rows);
  }
}
