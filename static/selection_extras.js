// @ts-check
/// <reference lib="dom" />
/**
 * @module What the Recordings add to the history's cursor panel: battery life for the
 * span between the cursors (a capacity typed beside the figures) and "Keep as a
 * recording", which keeps that span's raw samples as a recording. Follows the panel's
 * `data-from-ms`/`data-to-ms` (set by selection.js) so the panel needs no hook.
 */

import { getJson, postJson } from "./api.js";
import { BatteryBox } from "./battery.js";
import { channelInfo, channels, pickedChannel, withChannel } from "./channels.js";
import { byId, errorText } from "./dom.js";
import { formatTime, t } from "./i18n.js";

/** @typedef {import("../src/protocol/recordings.ts").Recording} Recording */

/**
 * The span the cursor panel shows, or null.
 * @param {HTMLElement} panel
 * @returns {{ fromMs: number, toMs: number } | null}
 */
function spanOf(panel) {
  const fromMs = Number(panel.dataset.fromMs);
  const toMs = Number(panel.dataset.toMs);
  return panel.dataset.fromMs && Number.isFinite(fromMs) && Number.isFinite(toMs) && fromMs < toMs
    ? { fromMs, toMs }
    : null;
}

/**
 * Wires the battery box and the keep button of the cursor panel.
 * @param {{ onKept: (r: Recording) => void }} options
 */
export function wireSelectionExtras(options) {
  const panel = byId("selection");
  const keep = byId("sel-keep", HTMLButtonElement);
  const battery = new BatteryBox(byId("sel-battery"), (params) => {
    const span = spanOf(panel);
    if (!span) return Promise.resolve(null);
    return getJson(
      "/api/span",
      withChannel({ from: String(span.fromMs), to: String(span.toMs), ...params }),
    );
  });
  const changed = () => {
    const span = spanOf(panel);
    // Only a measured channel's samples are kept (a derived one is computed from them).
    const shown = channelInfo(pickedChannel()) ?? channels()[0];
    keep.disabled = span === null || shown?.kind === "derived";
    battery.refresh();
  };
  new MutationObserver(changed).observe(panel, {
    attributes: true,
    attributeFilter: ["data-from-ms", "data-to-ms"],
  });
  keep.addEventListener("click", async () => {
    const span = spanOf(panel);
    if (!span) return;
    const shown = channelInfo(pickedChannel()) ?? channels()[0];
    const message = byId("sel-message");
    try {
      /** @type {Recording} */
      const r = await postJson("/api/recordings", {
        name: t("rec.keep_name", { time: formatTime(span.fromMs, { date: true }) }),
        ...(shown ? { channels: [shown.name] } : {}),
        from_ms: span.fromMs,
        to_ms: span.toMs,
      });
      message.textContent = t("rec.kept", { name: r.name });
      message.dataset.error = "false";
      options.onKept(r);
    } catch (error) {
      message.textContent = errorText(error);
      message.dataset.error = "true";
    }
  });
  changed();
}
