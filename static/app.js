// @ts-check
/// <reference lib="dom" />
/**
 * @module Dashboard entry point: builds the panels, routes each WebSocket message (the
 * batched stream) to them, and draws the readouts in animation frames at most ten times
 * a second (never once per message); the live chart runs its own frames. With several channels
 * (issue 13) the panels show the channel picked in the top bar, the overview strip shows
 * them all, and the live chart can draw a second one.
 */

import { wireTokenDialog } from "./api.js";
import { AlertsPanel } from "./alerts.js";
import {
  channelInfo,
  channels,
  channelTitle,
  loadChannels,
  onChannelPicked,
  pickedChannel,
  several,
} from "./channels.js";
import { connectStream, renderConnection, streamUrl } from "./connection.js";
import { Controls, logStatus, renderSimulator } from "./controls.js";
import { HistoryView } from "./history.js";
import { LiveChart } from "./live_chart.js";
import { Overview } from "./overview.js";
import { Readouts } from "./readouts.js";
import { loadRules, onRulesChanged } from "./rules.js";
import { Selection } from "./selection.js";
import { StatsPanel } from "./stats.js";
import { byId, errorText } from "./dom.js";
import { addMark, loadMarks, marks } from "./alert_marks.js";
import { lastSampleOf } from "./batch.js";
import { TIME_INPUT_PATTERN } from "./format.js";
import { t } from "./i18n.js";
import { wirePreferences } from "./preferences.js";
import { RulesEditor } from "./rules_editor.js";
import { MarkersPanel } from "./markers.js";
import { RecordingsView } from "./recordings.js";
import { putUserMarks, wireAltClick } from "./chart_markers.js";
import { wireSelectionExtras } from "./selection_extras.js";

/** @typedef {import("./types.js").ServerMessage} ServerMessage */
/** @typedef {import("./types.js").StatusMessage} StatusMessage */

const readouts = new Readouts();
const live = new LiveChart(byId("live-chart"));
const stats = new StatsPanel();
const alerts = new AlertsPanel();
const history = new HistoryView();
const selection = new Selection(history);
// Both charts draw the alert transitions.
if (live.chart) live.chart.markers = marks;
if (history.chart) history.chart.markers = marks;
const overview = new Overview();
// Recordings and markers (issue 15).
const markers = new MarkersPanel();
const recordings = new RecordingsView(markers);
/** Redraws both charts' markers (alert transitions and people's markers). */
function redrawMarks() {
  const drawn = String(putUserMarks(markers.markers));
  // For tests and tools, as the charts publish what they draw.
  for (const id of ["live-chart", "history-chart"]) {
    const root = document.getElementById(id);
    if (root) root.dataset.userMarks = drawn;
  }
  live.chart?.invalidate();
  history.chart?.invalidate();
  live.wake();
  history.redraw();
}
markers.onListChanged(redrawMarks);
wireAltClick(
  document.getElementById("history-chart"),
  history,
  (tsMs) => markers.markAt(tsMs),
);
wireSelectionExtras({ onKept: () => recordings.load() });
const controls = new Controls((status) => {
  // /status describes the first channel; with several, the list has the one shown.
  const intervalMs = several() ? channelInfo(pickedChannel())?.interval_ms : status.interval_ms;
  if (intervalMs !== undefined && Number.isFinite(intervalMs)) {
    live.intervalMs = intervalMs;
    readouts.intervalMs = intervalMs;
  }
});

/** The device state the last status message reported; a change re-reads /status. */
let lastState = "";

/**
 * Whether a status message reports a different mode, interval or run state.
 * @param {StatusMessage} message
 * @returns {boolean}
 */
function stateChanged(message) {
  if (message.mode === undefined && message.interval_ms === undefined) return false;
  const state = `${message.simulator}|${message.mode}|${message.interval_ms}`;
  const changed = state !== lastState;
  lastState = state;
  return changed;
}

/**
 * Frames are at least this far apart: numbers changing faster cannot be read, and at
 * 1 kHz drawing every animation frame would spend the CPU on painting.
 */
const FRAME_MS = 100;

let framePending = false;
let lastFrameMs = -Infinity;

/** Asks for one animation frame; any number of calls before it runs share it. */
function requestDraw() {
  if (framePending) return;
  framePending = true;
  const waitMs = FRAME_MS - (performance.now() - lastFrameMs);
  if (waitMs <= 0) requestAnimationFrame(drawFrame);
  else setTimeout(() => requestAnimationFrame(drawFrame), waitMs);
}

/** @param {number} now the frame's time, as `performance.now()` */
function drawFrame(now) {
  framePending = false;
  lastFrameMs = now;
  readouts.draw();
}

/**
 * Routes one parsed message. Typed as the protocol's messages, but a newer server may
 * send other types (or other JSON): those fall through to `default` and are ignored.
 * @param {unknown} raw
 */
function handleMessage(raw) {
  const message = /** @type {ServerMessage | null} */ (raw);
  switch (message?.type) {
    case "measurement":
      if (!message.data) return;
      readouts.push(message.data);
      live.push(message.data);
      requestDraw();
      return;
    case "measurements":
      // The batched stream: the chart takes every sample, the readouts the newest.
      if (!message.data || message.data.ts_ms.length === 0) return;
      readouts.push(lastSampleOf(message.data));
      live.pushBatch(message.data);
      requestDraw();
      return;
    case "statistics":
      if (message.data) stats.render(message.data);
      return;
    case "alert":
      if (message.data) {
        alerts.onAlert(message.data);
        addMark(message.data);
        live.chart?.invalidate();
        history.chart?.invalidate();
        live.wake();
        history.redraw();
      }
      return;
    case "marker":
      if (message.data) markers.onMessage(message.data);
      return;
    case "status":
      logStatus(message);
      recordings.onStatus(message);
      if (message.simulator) renderSimulator(message.simulator);
      if (message.event === "rules_updated") loadRules();
      if (stateChanged(message)) controls.refresh();
      return;
    default:
      // Clients must ignore message types they do not know (docs/protocol.md).
  }
}

/**
 * A rejection handler that reports `what` failed to the console.
 * @param {string} what
 * @returns {(error: unknown) => void}
 */
function reportFailure(what) {
  return (error) => console.warn(`${what}: ${errorText(error)}`);
}

/** The batched stream's query: 50 ms batches (docs/protocol.md). */
const BATCH = { format: "batch", batch_ms: "50" };

/** The stream's query: batched, of the channel shown when there are several. */
function streamParams() {
  const name = pickedChannel();
  return several() && name !== null ? { ...BATCH, channel: name } : BATCH;
}

/** Fills the "compare with" select with the channels other than the one shown. */
function renderCompareChoices() {
  const select = byId("live-compare", HTMLSelectElement);
  const keep = select.value;
  const others = channels().filter((c) => c.name !== pickedChannel());
  select.replaceChildren(
    new Option(t("common.none"), ""),
    ...others.map((c) => new Option(channelTitle(c), c.name)),
  );
  select.value = others.some((c) => c.name === keep) ? keep : "";
  if (select.value !== keep) compareWith("");
}

/**
 * Draws channel `name` on the live chart too ("" for none).
 * @param {string} name
 */
function compareWith(name) {
  const info = channelInfo(name);
  overview.compare(info ? info.name : null, (tsMs, v, a, w, ok) => {
    live.pushCompared(tsMs, v, a, w, ok);
    requestDraw();
  });
  live.setCompared(
    info ? { name: info.name, label: info.label || info.name, intervalMs: info.interval_ms } : null,
  ).then(requestDraw, reportFailure("Cannot backfill the compared channel"));
}

/**
 * Wires the channel picker's consequences: every panel shows the channel picked.
 * @param {import("./connection.js").Stream} stream
 */
function wireChannels(stream) {
  const select = byId("live-compare", HTMLSelectElement);
  byId("live-compare-box").hidden = false;
  select.addEventListener("change", () => compareWith(select.value));
  renderCompareChoices();
  overview.start(channels());
  onChannelPicked((name) => {
    const info = channelInfo(name);
    live.mainLabel = info?.label || name;
    live.reset();
    readouts.reset();
    stats.reset();
    overview.markPicked(name);
    renderCompareChoices();
    stream.switchTo(streamUrl({ ...BATCH, channel: name })); // Its "live" state reloads the rest.
    history.load();
    markers.load().catch(reportFailure("Cannot load markers"));
    recordings.fillChannels();
    // The same span, now the new channel's figures.
    if (selection.span) selection.select(selection.span.fromMs, selection.span.toMs);
  });
}

/**
 * The time fields take "YYYY-MM-DD HH:MM:SS" on a 24-hour clock in every locale (a
 * datetime-local input shows AM/PM in some), so they are text fields with a pattern.
 */
function wireTimeFields() {
  for (const input of document.querySelectorAll("input.time-input")) {
    if (!(input instanceof HTMLInputElement)) continue;
    input.pattern = TIME_INPUT_PATTERN;
    input.placeholder = "YYYY-MM-DD HH:MM:SS";
    input.spellcheck = false;
    input.autocomplete = "off";
    input.setAttribute("data-i18n-attr", "title:common.time_format");
    input.title = t("common.time_format");
  }
}

async function main() {
  // Page-wide: language, theme, 24-hour time fields, the token dialog.
  wirePreferences();
  wireTimeFields();
  wireTokenDialog();
  await loadChannels();
  if (several()) {
    const info = channelInfo(pickedChannel());
    live.mainLabel = info?.label || info?.name || "";
  }
  const rulesEditor = new RulesEditor();
  onRulesChanged(() => {
    rulesEditor.fill();
    readouts.recolour();
    stats.rulesChanged();
    requestDraw();
  });
  let connectedBefore = false;
  const stream = connectStream({
    url: streamUrl(streamParams()),
    onMessage: handleMessage,
    onState: (state, detail) => {
      renderConnection(state, detail);
      if (state === "reconnecting") renderSimulator(null);
      if (state !== "live") return;
      // A (re)connect may follow a server restart or missed messages: resync.
      readouts.resetWatchdog();
      controls.refresh();
      loadRules();
      alerts.load().catch(reportFailure("Cannot load alerts"));
      loadMarks().then(redrawMarks, reportFailure("Cannot load alert markers"));
      live.backfill({ clear: connectedBefore }).then(requestDraw, reportFailure("Cannot backfill"));
      if (connectedBefore) history.load();
      connectedBefore = true;
    },
  });
  byId("conn-retry").addEventListener("click", () => stream.retryNow());
  history.load();
  recordings.fillChannels();
  recordings.load().catch(reportFailure("Cannot load recordings"));
  markers.load().catch(reportFailure("Cannot load markers"));
  if (several()) wireChannels(stream);
}

main();
