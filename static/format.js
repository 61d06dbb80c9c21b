// @ts-check
/**
 * @module Pure helpers shared by the dashboard: metric names and colours, number, energy,
 * duration and time formatting, clock-aligned time-axis ticks, and alert-rule levels.
 * No DOM access, so these can be unit-tested outside the browser.
 */

/** @typedef {import("./types.js").Metric} Metric */
/** @typedef {import("./types.js").AlertRule} AlertRule */
/** @typedef {import("./types.js").Level} Level */

/**
 * The three measured quantities, in display order.
 * @type {readonly Metric[]}
 */
export const METRICS = ["v", "a", "w"];
/** Unit symbol of each metric. @type {Readonly<Record<Metric, string>>} */
export const UNITS = { v: "V", a: "A", w: "W" };
/** Name of each metric. @type {Readonly<Record<Metric, string>>} */
export const NAMES = { v: "Voltage", a: "Current", w: "Power" };
/**
 * Line colours; also used as text on the dark cards (all above 7:1 there).
 * @type {Readonly<Record<Metric, string>>}
 */
export const COLORS = { v: "#fbbf24", a: "#38bdf8", w: "#f472b6" };

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * `value` with `digits` decimals, or an em dash when it is not a finite number.
 * @param {unknown} value
 * @param {number} [digits]
 * @returns {string}
 */
export function fixed(value, digits = 3) {
  return typeof value === "number" && Number.isFinite(value) ? value.toFixed(digits) : "—";
}

/**
 * Energy in Wh with precision that suits its size.
 * @param {unknown} wh
 * @returns {string}
 */
export function formatWh(wh) {
  if (typeof wh !== "number" || !Number.isFinite(wh)) return "—";
  const abs = Math.abs(wh);
  return abs < 10 ? wh.toFixed(4) : abs < 1000 ? wh.toFixed(2) : wh.toFixed(0);
}

/**
 * Charge given in Ah, shown in mAh.
 * @param {unknown} ah
 * @returns {string}
 */
export function formatMah(ah) {
  if (typeof ah !== "number" || !Number.isFinite(ah)) return "—";
  const mah = ah * 1000;
  const abs = Math.abs(mah);
  return abs < 10 ? mah.toFixed(3) : abs < 10_000 ? mah.toFixed(1) : mah.toFixed(0);
}

/**
 * A duration as "850 ms", "12.5 s", "3 min 05 s", "48 h 00 min" or (from 3 days) "4 d 02 h".
 * @param {number} ms
 * @returns {string}
 */
export function formatDuration(ms) {
  if (!Number.isFinite(ms) || ms < 0) return "—";
  if (ms < SECOND) return `${Math.round(ms)} ms`;
  if (ms < MINUTE) return `${(ms / SECOND).toFixed(ms < 10 * SECOND ? 2 : 1)} s`;
  const pad = (/** @type {number} */ n) => String(n).padStart(2, "0");
  const s = Math.round(ms / SECOND);
  if (ms < HOUR) return `${Math.floor(s / 60)} min ${pad(s % 60)} s`;
  const m = Math.round(ms / MINUTE);
  if (ms < 3 * DAY) return `${Math.floor(m / 60)} h ${pad(m % 60)} min`;
  const h = Math.round(ms / HOUR);
  return `${Math.floor(h / 24)} d ${pad(h % 24)} h`;
}

const clockFormat = new Intl.DateTimeFormat(undefined, {
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23",
});
const clockMsFormat = new Intl.DateTimeFormat(undefined, {
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  fractionalSecondDigits: 3,
  hourCycle: "h23",
});
const minuteFormat = new Intl.DateTimeFormat(undefined, {
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});
const dayFormat = new Intl.DateTimeFormat(undefined, {
  weekday: "short",
  day: "numeric",
  month: "short",
});

/**
 * Local wall-clock time, "14:05:03" (with ".123" when `withMs`).
 * @param {number} ms
 * @param {boolean} [withMs]
 * @returns {string}
 */
export function formatClock(ms, withMs = false) {
  return (withMs ? clockMsFormat : clockFormat).format(ms);
}

/**
 * Local date and time, "Wed, 26 Nov 14:05:03".
 * @param {number} ms
 * @returns {string}
 */
export function formatDateTime(ms) {
  return `${dayFormat.format(ms)} ${clockFormat.format(ms)}`;
}

/** Tick steps a time axis may use, finest first. */
const TICK_STEPS = [
  SECOND,
  2 * SECOND,
  5 * SECOND,
  10 * SECOND,
  15 * SECOND,
  30 * SECOND,
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
];

/** @param {number} ms */
function localOffsetMs(ms) {
  return -new Date(ms).getTimezoneOffset() * MINUTE;
}

/**
 * Tick values for a time axis over [minMs, maxMs], at most `maxTicks`, on round local
 * times (whole minutes, hours, midnights).
 * @param {number} minMs
 * @param {number} maxMs
 * @param {number} maxTicks
 * @returns {{ stepMs: number, values: number[] }}
 */
export function timeTicks(minMs, maxMs, maxTicks) {
  const span = maxMs - minMs;
  if (!(span > 0) || !(maxTicks >= 1)) return { stepMs: SECOND, values: [] };
  const stepMs = TICK_STEPS.find((s) => span / s <= maxTicks) ?? Math.ceil(span / maxTicks / DAY) *
      DAY;
  const offset = localOffsetMs(minMs);
  /** @type {number[]} */
  const values = [];
  for (let t = Math.ceil((minMs + offset) / stepMs) * stepMs - offset; t <= maxMs; t += stepMs) {
    values.push(t);
  }
  return { stepMs, values };
}

/**
 * The label of one time tick: seconds only when the step needs them, and the day
 * added (as a second line) on the first tick and wherever the day changes.
 * @param {number} valueMs
 * @param {number} stepMs
 * @param {number} [previousMs]
 * @returns {string | string[]}
 */
export function tickLabel(valueMs, stepMs, previousMs) {
  const time = stepMs < MINUTE ? clockFormat.format(valueMs) : minuteFormat.format(valueMs);
  if (stepMs < HOUR && previousMs !== undefined) return time;
  const newDay = previousMs === undefined ||
    new Date(previousMs).toDateString() !== new Date(valueMs).toDateString();
  return newDay && stepMs >= HOUR ? [time, dayFormat.format(valueMs)] : time;
}

/**
 * How `value` stands against an alert rule: "danger", "warning" or "normal"
 * ("normal" too without a rule, a disabled rule or a value). Hysteresis and `for_ms`
 * belong to raising alerts, not to colouring a number, so they are ignored here.
 * @param {AlertRule | undefined} rule
 * @param {unknown} value
 * @returns {Level}
 */
export function levelOf(rule, value) {
  if (!rule || rule.enabled === false || typeof value !== "number") return "normal";
  const { danger_low: dl, warning_low: wl, warning_high: wh, danger_high: dh } = rule;
  if ((dh !== undefined && value > dh) || (dl !== undefined && value < dl)) return "danger";
  if ((wh !== undefined && value > wh) || (wl !== undefined && value < wl)) return "warning";
  return "normal";
}

/**
 * A rule in words, e.g. "warning < 4.7 or > 5.3 V · danger < 4.5 or > 5.5 V".
 * @param {AlertRule | undefined} rule
 * @returns {string}
 */
export function describeRule(rule) {
  if (!rule || rule.enabled === false) return "no alert rule";
  const unit = /** @type {Record<string, string>} */ (UNITS)[rule.metric] ?? "";
  /** @type {(low?: number, high?: number) => string} */
  const band = (low, high) =>
    [low !== undefined ? `< ${low}` : null, high !== undefined ? `> ${high}` : null]
      .filter(Boolean).join(" or ");
  const parts = [];
  const warn = band(rule.warning_low, rule.warning_high);
  const danger = band(rule.danger_low, rule.danger_high);
  if (warn) parts.push(`warning ${warn} ${unit}`);
  if (danger) parts.push(`danger ${danger} ${unit}`);
  return parts.join(" · ");
}

/**
 * Epoch ms as the value of an `<input type="datetime-local" step="1">` (local time).
 * @param {number} ms
 * @returns {string}
 */
export function toLocalInput(ms) {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * MINUTE);
  return d.toISOString().slice(0, 19);
}

/**
 * The value of a datetime-local input as epoch ms, or NaN.
 * @param {string} text
 * @returns {number}
 */
export function fromLocalInput(text) {
  // Without a zone, Date parses "YYYY-MM-DDTHH:MM[:SS]" as local time.
  return text ? new Date(text).getTime() : NaN;
}
