// @ts-check
/**
 * @module Pure helpers shared by the dashboard: metric names and colours, number, energy,
 * duration and time formatting (in the language chosen, through `Intl`; units auto-ranged
 * by units.js), clock-aligned time-axis ticks, and alert-rule levels. No DOM access, so
 * these can be unit-tested outside the browser.
 */

import { formatNumber, formatTime, language, t } from "./i18n.js";
import { scaled } from "./units.js";

/** @typedef {import("./types.js").Metric} Metric */
/** @typedef {import("./types.js").AlertMetric} AlertMetric */
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
 * A duration as "850 ms", "12.5 s", "3 min 05 s", "48 h 00 min" or (from 3 days) "4 d 02 h",
 * in the language chosen ("3분 05초").
 * @param {number} ms
 * @returns {string}
 */
export function formatDuration(ms) {
  if (!Number.isFinite(ms) || ms < 0) return "—";
  if (ms < SECOND) return t("common.duration.ms", { n: formatNumber(Math.round(ms), 0) });
  if (ms < MINUTE) {
    return t("common.duration.s", { n: formatNumber(ms / SECOND, ms < 10 * SECOND ? 2 : 1) });
  }
  const pad = (/** @type {number} */ n) => String(n).padStart(2, "0");
  const s = Math.round(ms / SECOND);
  if (ms < HOUR) return t("common.duration.min_s", { m: Math.floor(s / 60), s: pad(s % 60) });
  const m = Math.round(ms / MINUTE);
  if (ms < 3 * DAY) return t("common.duration.h_min", { h: Math.floor(m / 60), m: pad(m % 60) });
  const h = Math.round(ms / HOUR);
  return t("common.duration.d_h", { d: Math.floor(h / 24), h: pad(h % 24) });
}

/** @type {Map<string, Intl.DateTimeFormat>} */
const dateFormats = new Map();

/**
 * A 24-hour `Intl.DateTimeFormat` of the language chosen, made once per language.
 * @param {"clock" | "minute" | "day"} kind
 * @returns {Intl.DateTimeFormat}
 */
function dateFormat(kind) {
  const key = `${language()}:${kind}`;
  let format = dateFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(
      language(),
      kind === "day"
        ? { weekday: "short", day: "numeric", month: "short" }
        : kind === "minute"
        ? { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }
        : { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" },
    );
    dateFormats.set(key, format);
  }
  return format;
}

/**
 * Local wall-clock time on a 24-hour clock, "14:05:03" (with ".123" when `withMs`).
 * @param {number} ms
 * @param {boolean} [withMs]
 * @returns {string}
 */
export function formatClock(ms, withMs = false) {
  return formatTime(ms, { ms: withMs });
}

/**
 * Local date and time, "Wed, 26 Nov 14:05:03" (24-hour, in the language chosen).
 * @param {number} ms
 * @returns {string}
 */
export function formatDateTime(ms) {
  return `${dateFormat("day").format(ms)} ${dateFormat("clock").format(ms)}`;
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
 * A rule in words, e.g. "warning < 4.7 V or > 5.3 V · danger < 4.5 V or > 5.5 V" (limits
 * in auto-ranged units: "> 500 mA").
 * @param {AlertRule | undefined} rule
 * @returns {string}
 */
export function describeRule(rule) {
  if (!rule || rule.enabled === false) return t("rules.none");
  const metric = rule.metric;
  /** @type {(low?: number, high?: number) => string} */
  const band = (low, high) =>
    [
      low !== undefined ? t("rules.below", { x: metricText(metric, low) }) : null,
      high !== undefined ? t("rules.above", { x: metricText(metric, high) }) : null,
    ].filter(Boolean).join(t("rules.or"));
  const parts = [];
  const warn = band(rule.warning_low, rule.warning_high);
  const danger = band(rule.danger_low, rule.danger_high);
  if (warn) parts.push(t("rules.warning", { band: warn }));
  if (danger) parts.push(t("rules.danger", { band: danger }));
  return parts.join(" · ");
}

/** @typedef {{ v: number, a: number, w: number } | null | undefined} Resolution */

/**
 * A metric's value auto-ranged ("150", "µA"), in the language's digits, with no more
 * decimals than the sensor resolves (`resolution`, its step per metric in V, A and W);
 * a derived channel's `efficiency` in per cent and `loss_w` in W.
 * @param {Metric | AlertMetric} metric
 * @param {unknown} value in V, A or W
 * @param {Resolution} [resolution]
 * @returns {{ text: string, unit: string }}
 */
export function metricParts(metric, value, resolution) {
  if (metric === "efficiency") {
    // A derived channel's ratio P_out/P_in, shown in per cent.
    const finite = typeof value === "number" && Number.isFinite(value);
    return { text: finite ? formatNumber(value * 100, 1) : "—", unit: "%" };
  }
  const base = metric === "loss_w" ? "W" : UNITS[metric];
  const s = scaled(value, /** @type {import("./units.js").BaseUnit} */ (base), {
    resolution: metric === "loss_w" ? undefined : resolution?.[metric],
    format: formatNumber,
  });
  return { text: s.text, unit: s.unit };
}

/**
 * {@link metricParts} as one string, "150 µA".
 * @param {Metric | AlertMetric} metric
 * @param {unknown} value
 * @param {Resolution} [resolution]
 * @returns {string}
 */
export function metricText(metric, value, resolution) {
  const { text, unit } = metricParts(metric, value, resolution);
  return `${text} ${unit}`;
}

/**
 * Energy in Wh, auto-ranged: "12.34 mWh", "1.250 Wh".
 * @param {unknown} wh
 * @returns {string}
 */
export function energyText(wh) {
  const s = scaled(wh, "Wh", { format: formatNumber });
  return `${s.text} ${s.unit}`;
}

/**
 * Charge in Ah, auto-ranged: "3.900 µAh", "55.60 mAh".
 * @param {unknown} ah
 * @returns {string}
 */
export function chargeText(ah) {
  const s = scaled(ah, "Ah", { format: formatNumber });
  return `${s.text} ${s.unit}`;
}

/** What a time field holds: "YYYY-MM-DD HH:MM[:SS]" (24-hour), or with a "T" as ISO writes it. */
export const TIME_INPUT_PATTERN = "\\d{4}-\\d{2}-\\d{2}[ T]\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,3})?)?";

/**
 * Epoch ms as the text of a time field, "2026-11-30 14:05:03": local time on a 24-hour
 * clock whatever the browser's locale (a datetime-local input shows AM/PM in some).
 * @param {number} ms
 * @returns {string}
 */
export function toLocalInput(ms) {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * MINUTE);
  return d.toISOString().slice(0, 19).replace("T", " ");
}

/**
 * The text of a time field as epoch ms (local time), or NaN when it is not
 * "YYYY-MM-DD HH:MM[:SS]" (a "T" instead of the space is fine) or not a real time.
 * @param {string} text
 * @returns {number}
 */
export function fromLocalInput(text) {
  // Milliseconds are optional (".123"): the chart cursors work to the millisecond.
  const m = /^\s*(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?\s*$/
    .exec(text);
  if (!m) return NaN;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map((x) => Number(x ?? 0));
  const ms = m[7] ? Number(m[7].padEnd(3, "0")) : 0;
  if (hour > 23 || minute > 59 || second > 59) return NaN;
  const date = new Date(year, month - 1, day, hour, minute, second, ms);
  // new Date() rolls 31 February over into March: refuse what does not round-trip.
  if (date.getMonth() !== month - 1 || date.getDate() !== day) return NaN;
  return date.getTime();
}
