// @ts-check
/// <reference lib="dom" />
/**
 * @module Script of the v1 browser test page for /ws (test_websocket.html): connect, count
 * messages, check sequence gaps. A classic script, not a module, so the page also works
 * opened straight from disk (file://), where browsers refuse to load modules. Served by
 * the monitor, it loads i18n.js (English or Korean, the `ws.*` keys, with a language
 * switch); from disk it keeps the English of {@link FALLBACK}.
 */
"use strict";

/**
 * The English `ws.*` texts for a page opened from disk, where the catalogues (modules)
 * cannot load. A unit test checks each equals static/i18n/en.js's.
 */
const FALLBACK = {
  "ws.disconnected": "Disconnected",
  "ws.connecting_to": "Connecting to {url}…",
  "ws.connected_to": "Connected to {url}",
  "ws.fail": "FAIL",
  "ws.error_detail": "error: {detail}",
  "ws.no_detail": "no detail",
  "ws.cannot_connect": "Cannot connect: {error}",
  "ws.open": "connection open",
  "ws.socket_error": "WebSocket error (see the browser console for the cause)",
  "ws.closed": "connection closed: code {code}",
  "ws.closed_reason": "connection closed: code {code}, {reason}",
  "ws.file_hint":
    "If the server is up, it refuses pages opened from disk (their Origin is null) unless it runs with ALLOWED_ORIGINS=null: open /test_websocket.html from the server instead, or restart it with that setting while you test.",
  "ws.not_json": "not JSON: {raw}",
  "ws.gap": "sequence gap: {from} → {to}",
};

/**
 * The text of `key` with `{name}` filled in: i18n.js's `t()` once loaded, else English.
 * @type {(key: string, params?: Record<string, string | number>) => string}
 */
let t = (key, params = {}) =>
  (/** @type {Record<string, string>} */ (FALLBACK)[key] ?? key).replace(
    /\{(\w+)\}/g,
    (whole, name) => name in params ? String(params[name]) : whole,
  );
/** Times of day in the page's language on a 24-hour clock (i18n.js's once loaded). */
let clock = (/** @type {number} */ ms) =>
  new Date(ms).toLocaleTimeString(undefined, { hourCycle: "h23" });
/** The connection state last shown, redrawn in a new language. */
let shownState = { state: /** @type {"connecting" | "open" | "closed"} */ ("closed"), url: "" };

const RATE_WINDOW_MS = 5_000;
const LOG_LIMIT = 200;
/**
 * An element of this page (every id used here is in test_websocket.html).
 * @param {string} id
 * @returns {HTMLElement}
 */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
/** @param {string} id */
const input = (id) => /** @type {HTMLInputElement} */ ($(id));
/** @param {string} id */
const button = (id) => /** @type {HTMLButtonElement} */ ($(id));

/** @typedef {"error" | "info" | "measurement" | "status" | "other"} LogKind */
/**
 * What has arrived since connecting.
 * @typedef {{ messages: number, measurements: number, status: number, other: number,
 *   errors: number, gaps: number, lastSeq: number | null, arrivals: number[],
 *   openedAt: number | null, last: Sample | null }} Stats
 */
/**
 * A measurement's data, as a v1 server or this one sends it (`ts_ms` is ours).
 * @typedef {{ v: number, a: number, w: number, ts?: number, ts_ms?: number, seq?: number,
 *   status?: string, mode?: string, error?: string }} Sample
 */

/** @type {WebSocket | null} */
let socket = null;
let stats = freshStats();
/** @type {{ kind: LogKind, text: string, at: Date }[]} */
let pendingLog = [];
let framePending = false;

/** @returns {Stats} */
function freshStats() {
  return {
    messages: 0,
    measurements: 0,
    status: 0,
    other: 0,
    errors: 0,
    gaps: 0,
    lastSeq: null,
    arrivals: [],
    openedAt: null,
    last: null,
  };
}

/** Served by the monitor: its own /ws. Opened from disk: the v1 default address. */
function defaultUrl() {
  if (location.protocol === "file:") return "ws://localhost:8000/ws";
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/ws`;
}

/**
 * @param {"connecting" | "open" | "closed"} state
 * @param {string} [url]
 */
function setState(state, url = "") {
  shownState = { state, url };
  const el = $("state");
  el.dataset.state = state;
  el.removeAttribute("data-i18n");
  el.textContent = state === "open"
    ? t("ws.connected_to", { url })
    : state === "connecting"
    ? t("ws.connecting_to", { url })
    : t("ws.disconnected");
  button("connect").disabled = state !== "closed";
  button("disconnect").disabled = state === "closed";
  input("url").readOnly = state !== "closed";
}

/** @param {string} url */
function connect(url) {
  stats = freshStats();
  $("log").replaceChildren();
  setState("connecting", url);
  try {
    socket = new WebSocket(url);
  } catch (error) {
    stats.errors++;
    log(
      "error",
      t("ws.cannot_connect", { error: error instanceof Error ? error.message : String(error) }),
    );
    setState("closed");
    return;
  }
  socket.addEventListener("open", () => {
    stats.openedAt = performance.now();
    setState("open", url);
    log("info", t("ws.open"));
  });
  socket.addEventListener("message", (event) => onMessage(event.data));
  socket.addEventListener("error", () => {
    stats.errors++;
    log("error", t("ws.socket_error"));
  });
  socket.addEventListener("close", (event) => {
    socket = null;
    stats.openedAt = null;
    log(
      "info",
      event.reason
        ? t("ws.closed_reason", { code: event.code, reason: event.reason })
        : t("ws.closed", { code: event.code }),
    );
    // 1006 = no proper close: unreachable, or the handshake was refused.
    if (event.code === 1006 && location.protocol === "file:") {
      log("info", t("ws.file_hint"));
    }
    setState("closed");
  });
}

/** @param {string} raw */
function onMessage(raw) {
  stats.messages++;
  stats.arrivals.push(performance.now());
  let message;
  try {
    message = JSON.parse(raw);
  } catch {
    stats.errors++;
    log("error", t("ws.not_json", { raw }));
    return;
  }
  if (message.type === "measurement") {
    stats.measurements++;
    countGap(message.data?.seq);
    stats.last = message.data;
    log("measurement", raw);
  } else if (message.type === "status") {
    stats.status++;
    log("status", raw);
  } else {
    stats.other++; // Newer servers add types; the contract says ignore them.
    log("other", raw);
  }
}

/**
 * Counts missing sequence numbers; a lower seq means the source restarted, not a gap.
 * @param {unknown} seq
 */
function countGap(seq) {
  if (typeof seq !== "number") return;
  if (stats.lastSeq !== null && seq > stats.lastSeq + 1) {
    stats.gaps += seq - stats.lastSeq - 1;
    log("error", t("ws.gap", { from: stats.lastSeq, to: seq }));
  }
  stats.lastSeq = seq;
}

/**
 * @param {LogKind} kind
 * @param {string} text
 */
function log(kind, text) {
  pendingLog.push({ kind, text, at: new Date() });
  scheduleRender();
}

/** Batches DOM work into frames so a fast stream cannot stall the page. */
function scheduleRender() {
  if (framePending) return;
  framePending = true;
  requestAnimationFrame(() => {
    framePending = false;
    renderLog();
    renderCounters();
  });
}

function renderLog() {
  const list = $("log");
  for (const entry of pendingLog.slice(-LOG_LIMIT)) {
    const item = document.createElement("li");
    item.className = `kind-${entry.kind}`;
    item.textContent = `${clock(entry.at.getTime())}  ${entry.text}`;
    list.prepend(item);
  }
  pendingLog = [];
  while (list.children.length > LOG_LIMIT) list.lastElementChild?.remove();
}

function renderCounters() {
  const now = performance.now();
  const arrivals = stats.arrivals;
  while (arrivals.length && arrivals[0] < now - RATE_WINDOW_MS) arrivals.shift();
  // Until 5 s have passed, divide by the time actually connected.
  const windowS = stats.openedAt === null
    ? RATE_WINDOW_MS / 1000
    : Math.min(RATE_WINDOW_MS, Math.max(now - stats.openedAt, 1000)) / 1000;
  $("count-messages").textContent = String(stats.messages);
  $("count-measurements").textContent = String(stats.measurements);
  $("count-status").textContent = String(stats.status);
  $("count-other").textContent = String(stats.other);
  $("rate").textContent = (arrivals.length / windowS).toFixed(1);
  $("uptime").textContent = stats.openedAt === null ? "—" : formatDuration(now - stats.openedAt);
  $("count-errors").textContent = String(stats.errors);
  $("count-errors").dataset.bad = String(stats.errors > 0);
  $("count-gaps").textContent = String(stats.gaps);
  $("count-gaps").dataset.bad = String(stats.gaps > 0);
  renderLast(stats.last);
}

/** @param {Sample | null} sample */
function renderLast(sample) {
  if (!sample) return;
  const failed = sample.status === "error";
  for (const key of /** @type {const} */ (["v", "a", "w"])) {
    $(`last-${key}`).textContent = failed ? t("ws.fail") : String(sample[key]);
  }
  $("last-seq").textContent = String(sample.seq);
  $("last-status").textContent = failed
    ? t("ws.error_detail", { detail: sample.error ?? t("ws.no_detail") })
    : String(sample.status);
  $("last-mode").textContent = String(sample.mode);
  const tsMs = sample.ts_ms ?? (typeof sample.ts === "number" ? sample.ts * 1000 : NaN);
  $("last-time").textContent = Number.isFinite(tsMs) ? clock(tsMs) : "—";
}

/** @param {number} ms */
function formatDuration(ms) {
  const s = Math.floor(ms / 1000);
  const pad = (/** @type {number} */ n) => String(n).padStart(2, "0");
  return `${Math.floor(s / 3600)}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
}

/**
 * Served by the monitor: loads the catalogues, translates the page and shows the
 * language switch. Opened from disk the import is refused and the page stays English.
 */
async function loadLanguages() {
  /** @type {typeof import("./i18n.js")} */
  let i18n;
  try {
    i18n = await import("./i18n.js");
  } catch {
    return; // file://: modules cannot load; FALLBACK keeps the page in English.
  }
  t = i18n.t;
  clock = (ms) => i18n.formatTime(ms);
  const select = /** @type {HTMLSelectElement} */ ($("language-picker"));
  select.replaceChildren(
    ...i18n.LANGUAGES.map((lang) => new Option(i18n.CATALOGUES[lang]["language.name"], lang)),
  );
  select.value = i18n.language();
  select.hidden = false;
  select.addEventListener("change", () => {
    i18n.setLanguage(/** @type {import("./i18n.js").Language} */ (select.value));
  });
  i18n.onLanguageChange(() => {
    select.value = i18n.language();
    setState(shownState.state, shownState.url);
  });
  document.documentElement.lang = i18n.language();
  i18n.applyTranslations(document);
  setState(shownState.state, shownState.url);
}

loadLanguages();
input("url").value = defaultUrl();
$("connect-form").addEventListener("submit", (event) => {
  event.preventDefault();
  if (!socket) connect(input("url").value.trim());
});
$("disconnect").addEventListener("click", () => socket?.close(1000, "user disconnect"));
$("clear").addEventListener("click", () => $("log").replaceChildren());
// Rate and uptime change with time, not only with messages.
setInterval(scheduleRender, 500);
