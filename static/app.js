/**
 * @module Live page logic: one WebSocket stream with backoff reconnect, readouts and a
 * 60-second chart redrawn at most ~10 times/s, and simulator controls over REST.
 * Sections: constants, API (auth), connection, rendering, chart, controls, start-up.
 */

const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 10_000;
const WINDOW_MS = 60_000;
/** Trimming only once this much is stale keeps splices rare at high sample rates. */
const TRIM_SLACK_MS = 1_000;
/** Hard memory bound per series in case the interval is set to 1 ms. */
const MAX_POINTS = 30_000;
const CHART_FRAME_MS = 100;
const LOG_LIMIT = 20;
const TOKEN_KEY = "ina219-monitor.token";
const COLORS = { v: "#fbbf24", a: "#38bdf8", w: "#f472b6" };

const $ = (id) => document.getElementById(id);
const clockFormat = new Intl.DateTimeFormat(undefined, {
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hour12: false,
});
const sampleTimeFormat = new Intl.DateTimeFormat(undefined, {
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  fractionalSecondDigits: 3,
  hour12: false,
});

/** Mutable page state shared by the sections below. */
const state = {
  latest: null,
  dirty: false,
  intervalMs: 1000,
  modesLoaded: false,
};

// ---------------------------------------------------------------- API (auth)

function readToken() {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null; // Storage can be disabled (privacy mode); then we just never remember.
  }
}

function writeToken(token) {
  try {
    if (token) localStorage.setItem(TOKEN_KEY, token);
    else localStorage.removeItem(TOKEN_KEY);
  } catch {
    // See readToken(): without storage the token lives only for this request.
  }
}

let tokenPrompt = null;

/** Asks for the API token once; concurrent 401s share the same open dialog. */
function askToken() {
  tokenPrompt ??= new Promise((resolve) => {
    const dialog = $("token-dialog");
    const input = $("token-input");
    input.value = "";
    dialog.returnValue = ""; // Escape keeps the old value, so clear the last "save".
    dialog.addEventListener("close", () => {
      resolve(dialog.returnValue === "save" ? input.value.trim() || null : null);
    }, { once: true });
    dialog.showModal();
  }).finally(() => tokenPrompt = null);
  return tokenPrompt;
}

function send(path, body) {
  const headers = { "content-type": "application/json" };
  const token = readToken();
  if (token) headers.authorization = `Bearer ${token}`;
  return fetch(path, {
    method: "POST",
    headers,
    body: JSON.stringify(body ?? {}),
  });
}

function describeError(response, payload) {
  const issues = Array.isArray(payload?.issues)
    ? payload.issues.map((i) => i?.message ?? String(i)).join("; ")
    : "";
  const error = payload?.error ?? `${response.status} ${response.statusText}`;
  return issues ? `${error}: ${issues}` : error;
}

/** POSTs JSON; on 401 asks for a token, stores it and retries once. */
async function postJson(path, body) {
  let response = await send(path, body);
  if (response.status === 401) {
    writeToken(null); // A rejected token must not be sent again silently.
    const token = await askToken();
    if (token) {
      writeToken(token);
      response = await send(path, body);
    }
  }
  const payload = await response.json().catch(() => null);
  if (!response.ok) throw new Error(describeError(response, payload));
  return payload;
}

async function getJson(path) {
  const response = await fetch(path);
  const payload = await response.json().catch(() => null);
  if (!response.ok) throw new Error(describeError(response, payload));
  return payload;
}

// ---------------------------------------------------------------- connection

function streamUrl() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/ws`;
}

/**
 * Keeps one WebSocket open, reconnecting with exponential backoff that resets on open.
 * `onState(state, detail)` gets "connecting" | "live" | "reconnecting".
 */
function connectStream({ url, onMessage, onState }) {
  let delayMs = RECONNECT_MIN_MS;
  let attempt = 0;
  const open = () => {
    onState(attempt === 0 ? "connecting" : "reconnecting", { attempt });
    const socket = new WebSocket(url);
    socket.addEventListener("open", () => {
      delayMs = RECONNECT_MIN_MS;
      attempt = 0;
      onState("live");
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

function handleMessage(message, chart) {
  if (message?.type === "measurement" && message.data) {
    state.latest = message.data;
    state.dirty = true;
    chart?.push(message.data);
    scheduleFrame(chart);
  } else if (message?.type === "status") {
    logStatus(message);
    if (message.simulator) renderSimulator(message.simulator);
  }
  // Any other type (statistics, alert, ...) belongs to later pages: ignore it.
}

// ---------------------------------------------------------------- rendering

function renderConnection(connState, detail = {}) {
  const conn = $("conn");
  conn.dataset.state = connState;
  document.body.dataset.conn = connState;
  const banner = $("banner-conn");
  if (connState === "live") {
    $("conn-text").textContent = "Live";
    banner.hidden = true;
    return;
  }
  if (connState === "connecting") {
    $("conn-text").textContent = "Connecting…";
    return;
  }
  // Without a stream we no longer know whether the simulator runs.
  renderSimulator(null);
  const waiting = detail.delayMs !== undefined;
  const seconds = waiting ? (detail.delayMs / 1000).toFixed(1) : "";
  $("conn-text").textContent = waiting ? `Reconnecting in ${seconds} s` : "Reconnecting…";
  banner.textContent = "Live stream lost. " +
    (waiting ? `Next attempt in ${seconds} s` : `Attempt ${detail.attempt} under way`) + ".";
  banner.hidden = false;
}

function formatNumber(value) {
  return typeof value === "number" && Number.isFinite(value) ? value.toFixed(3) : "—";
}

function sampleTimeMs(sample) {
  // Seed clients only had `ts` in seconds; prefer the exact ms when present.
  return sample.ts_ms ?? (typeof sample.ts === "number" ? sample.ts * 1000 : null);
}

/** Draws the newest sample; an "error" sample shows as a failure, never as zeros. */
function renderSample(sample) {
  const failed = sample.status === "error";
  for (const key of ["v", "a", "w"]) {
    $(`value-${key}`).textContent = failed ? "FAIL" : formatNumber(sample[key]);
  }
  document.body.dataset.sensor = sample.status ?? "ok";
  const badge = $("sensor-status");
  badge.dataset.status = sample.status ?? "ok";
  badge.textContent = sample.status ?? "ok";
  $("sample-mode").textContent = sample.mode ?? "—";
  $("sample-seq").textContent = String(sample.seq ?? "—");
  const tsMs = sampleTimeMs(sample);
  const time = $("sample-time");
  time.textContent = tsMs === null ? "—" : sampleTimeFormat.format(tsMs);
  if (tsMs !== null) time.dateTime = new Date(tsMs).toISOString();
  const banner = $("banner-sensor");
  banner.hidden = !failed;
  if (failed) banner.textContent = `Sensor error: ${sample.error ?? "no detail given"}`;
}

/** Shows the simulator state from a /status or status-message value; null is unknown. */
function renderSimulator(simulator) {
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

function messageTimeMs(message) {
  return Date.parse(message.timestamp ?? "") || Date.now();
}

function logStatus(message) {
  const log = $("log");
  const text = String(message.message ?? "");
  const first = log.firstElementChild;
  // Periodic status messages repeat; count them instead of flooding the log.
  if (first && first.dataset.text === text) {
    const count = Number(first.dataset.count) + 1;
    first.dataset.count = String(count);
    first.querySelector(".log-count").textContent = `×${count}`;
    first.querySelector("time").textContent = clockFormat.format(messageTimeMs(message));
    return;
  }
  const item = document.createElement("li");
  item.dataset.text = text;
  item.dataset.count = "1";
  const time = document.createElement("time");
  time.textContent = clockFormat.format(messageTimeMs(message));
  const body = document.createElement("span");
  body.textContent = text;
  const count = document.createElement("span");
  count.className = "log-count";
  item.append(time, body, count);
  log.prepend(item);
  while (log.children.length > LOG_LIMIT) log.lastElementChild.remove();
}

let framePending = false;
let lastChartDrawMs = 0;

/** Coalesces samples into animation frames; the chart redraws at most every 100 ms. */
function scheduleFrame(chart) {
  if (framePending) return;
  framePending = true;
  requestAnimationFrame((now) => {
    framePending = false;
    if (state.dirty && state.latest) {
      renderSample(state.latest);
      state.dirty = false;
    }
    if (!chart?.dirty) return;
    if (now - lastChartDrawMs >= CHART_FRAME_MS) {
      lastChartDrawMs = now;
      chart.draw();
    } else {
      scheduleFrame(chart);
    }
  });
}

// ---------------------------------------------------------------- chart

function formatTick(value) {
  return clockFormat.format(value);
}

/** Phone-width charts have no room for axis titles; the coloured ticks and legend remain. */
const isNarrow = (chart) => chart.width < 480;

const TICK_STEPS_MS = [1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000];

/** Puts x ticks on whole-second clock boundaries instead of Chart.js's "nice" ms values. */
function clockTicks(scale) {
  const maxTicks = isNarrow(scale.chart) ? 3 : 7;
  const rangeMs = scale.max - scale.min;
  const stepMs = TICK_STEPS_MS.find((step) => rangeMs / step <= maxTicks) ?? WINDOW_MS;
  const ticks = [];
  for (let t = Math.ceil(scale.min / stepMs) * stepMs; t <= scale.max; t += stepMs) {
    ticks.push({ value: t });
  }
  scale.ticks = ticks;
}

function chartOptions() {
  const axis = (label, color, position, grid = true) => ({
    type: "linear",
    position,
    title: { display: true, text: label, color },
    ticks: { color, maxTicksLimit: 6 },
    grid: { drawOnChartArea: grid },
  });
  return {
    parsing: false,
    normalized: true,
    animation: false,
    maintainAspectRatio: false,
    onResize: fitAxisTitles,
    interaction: { mode: "nearest", axis: "x", intersect: false },
    elements: { point: { radius: 0 }, line: { borderWidth: 2 } },
    plugins: {
      decimation: { enabled: true, algorithm: "min-max" },
      legend: { labels: { boxWidth: 12, boxHeight: 2 } },
      tooltip: { callbacks: { title: (items) => sampleTimeFormat.format(items[0].parsed.x) } },
    },
    scales: {
      x: {
        type: "linear",
        // An empty chart shows the current time rather than 1970.
        min: Date.now() - 10_000,
        max: Date.now(),
        afterBuildTicks: clockTicks,
        ticks: { callback: formatTick, maxRotation: 0 },
      },
      v: axis("V", COLORS.v, "left"),
      a: axis("A", COLORS.a, "right", false),
      w: axis("W", COLORS.w, "right", false),
    },
  };
}

function fitAxisTitles(chart) {
  for (const key of ["v", "a", "w"]) {
    chart.options.scales[key].title.display = !isNarrow(chart);
  }
}

/** Creates the rolling chart, or null if Chart.js did not load (readouts still work). */
function createChart(canvas) {
  if (typeof Chart === "undefined") {
    canvas.replaceWith(Object.assign(document.createElement("p"), {
      className: "muted",
      textContent: "Chart unavailable: /vendor/chart.js/chart.umd.min.js did not load.",
    }));
    return null;
  }
  Chart.defaults.color = "#cbd5e1";
  Chart.defaults.borderColor = "rgba(148, 163, 184, 0.18)";
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  const series = { v: [], a: [], w: [] };
  const dataset = (key, label) => ({
    label,
    data: series[key],
    yAxisID: key,
    borderColor: COLORS[key],
    backgroundColor: COLORS[key],
  });
  const chart = new Chart(canvas, {
    type: "line",
    data: {
      datasets: [
        dataset("v", "Voltage (V)"),
        dataset("a", "Current (A)"),
        dataset("w", "Power (W)"),
      ],
    },
    options: chartOptions(),
  });
  fitAxisTitles(chart); // onResize does not fire for the first layout.
  chart.update("none");
  return rollingChart(chart, series);
}

function rollingChart(chart, series) {
  let lastX = null;
  const rolling = {
    dirty: false,
    push(sample) {
      const x = sampleTimeMs(sample);
      if (x === null) return;
      const failed = sample.status === "error";
      // A null point breaks the line across a pause instead of drawing a false ramp.
      const gapMs = Math.max(3 * state.intervalMs, 1_500);
      for (const key of ["v", "a", "w"]) {
        const points = series[key];
        if (lastX !== null && x - lastX > gapMs) points.push({ x: lastX + 1, y: null });
        points.push({ x, y: failed ? null : sample[key] });
        trim(points, x);
      }
      lastX = x;
      rolling.dirty = true;
    },
    draw() {
      if (lastX !== null) {
        // The window grows from the first sample until it spans a full minute.
        chart.options.scales.x.min = Math.max(lastX - WINDOW_MS, series.v[0]?.x ?? lastX);
        chart.options.scales.x.max = lastX;
      }
      chart.update("none");
      rolling.dirty = false;
    },
  };
  return rolling;
}

function trim(points, newestX) {
  const cutoff = newestX - WINDOW_MS;
  if (points.length <= MAX_POINTS && points[0].x >= cutoff - TRIM_SLACK_MS) return;
  let drop = 0;
  while (drop < points.length - 1 && points[drop].x < cutoff) drop++;
  drop = Math.max(drop, points.length - MAX_POINTS);
  points.splice(0, drop);
}

// ---------------------------------------------------------------- controls

function showFeedback(text, isError = false) {
  const el = $("control-feedback");
  el.textContent = text;
  el.dataset.error = String(isError);
}

/** Runs one control action with its buttons disabled and the outcome reported. */
async function runAction(form, action) {
  const buttons = form.querySelectorAll("button");
  buttons.forEach((b) => b.disabled = true);
  try {
    showFeedback(await action());
  } catch (error) {
    showFeedback(error.message, true);
  } finally {
    buttons.forEach((b) => b.disabled = false);
    refreshStatus().catch(reportStatusError);
  }
}

function renderStatus(status) {
  renderSimulator(status.simulator);
  if (Number.isFinite(status.interval_ms)) state.intervalMs = status.interval_ms;
  const select = $("mode-select");
  if (!state.modesLoaded && Array.isArray(status.modes)) {
    select.replaceChildren(...status.modes.map((m) => new Option(m, m)));
    state.modesLoaded = true;
  }
  if (document.activeElement !== select) select.value = status.mode;
  const input = $("interval-input");
  if (document.activeElement !== input) input.value = String(status.interval_ms);
  const rotate = status.auto_rotate ? ", auto-rotating" : "";
  $("sim-detail").textContent = `${status.mode}${rotate} · every ${status.interval_ms} ms`;
  const uptime = Math.round(status.uptime_s ?? 0);
  $("server-info").textContent = `${status.type ?? "?"} source · ` +
    `${status.websocket_connections ?? 0} client(s) · server up ${uptime} s`;
}

async function refreshStatus() {
  renderStatus(await getJson("/status"));
}

function wireControls() {
  const controls = $("btn-start").parentElement;
  $("btn-start").addEventListener("click", () =>
    runAction(controls, async () => {
      const r = await postJson("/simulator/start");
      renderSimulator("connected");
      return r.already_running ? "Simulator was already running." : "Simulator started.";
    }));
  $("btn-stop").addEventListener("click", () =>
    runAction(controls, async () => {
      const r = await postJson("/simulator/stop");
      renderSimulator("disconnected");
      return r.was_running ? "Simulator stopped." : "Simulator was already stopped.";
    }));
  $("form-mode").addEventListener("submit", (event) => {
    event.preventDefault();
    const mode = $("mode-select").value;
    runAction(event.currentTarget, async () => {
      const r = await postJson("/simulator/mode", { mode });
      return `Mode set to ${r.mode}.`;
    });
  });
  $("form-interval").addEventListener("submit", (event) => {
    event.preventDefault();
    const intervalMs = Number($("interval-input").value);
    runAction(event.currentTarget, async () => {
      const r = await postJson("/simulator/interval", { interval_ms: intervalMs });
      return `Interval set to ${r.interval_ms} ms.`;
    });
  });
  $("token-cancel").addEventListener("click", () => $("token-dialog").close("cancel"));
}

// ---------------------------------------------------------------- start-up

function main() {
  const chart = createChart($("chart"));
  wireControls();
  connectStream({
    url: streamUrl(),
    onMessage: (message) => handleMessage(message, chart),
    onState: (connState, detail) => {
      renderConnection(connState, detail);
      // A (re)connect may follow a server restart: resync the controls.
      if (connState === "live") refreshStatus().catch(reportStatusError);
    },
  });
  refreshStatus().catch(reportStatusError);
}

function reportStatusError(error) {
  showFeedback(`Cannot read /status: ${error.message}`, true);
}

main();
