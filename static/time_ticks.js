// @ts-check
/**
 * @module Time ticks for the charts' x-axes: steps from 1 µs to days on round local
 * times, and their labels (24-hour clock; milliseconds, then microseconds, appear once
 * the step needs them; the date on the first tick and where the day changes). Pure
 * apart from `Intl`, so tests import it directly.
 */

/** The language of the labels (i18n.js's choice; set by the charts). */
let tickLanguage = "en";

/**
 * Sets the language tick labels are written in (the page passes i18n.js's choice).
 * @param {string} lang
 */
export function setTickLanguage(lang) {
  tickLanguage = lang;
}

const US = 0.001;
const MS = 1;
const SECOND = 1000;
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** Tick steps in ms, finest first: 1-2-5 below a second, clock steps above. */
export const TICK_STEPS = /** @type {readonly number[]} */ ([
  US,
  2 * US,
  5 * US,
  10 * US,
  20 * US,
  50 * US,
  100 * US,
  200 * US,
  500 * US,
  MS,
  2 * MS,
  5 * MS,
  10 * MS,
  20 * MS,
  50 * MS,
  100 * MS,
  200 * MS,
  500 * MS,
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
]);

/**
 * The local time zone's offset at `ms` (ms to add to UTC), so hour and day ticks fall
 * on local round times.
 * @param {number} ms
 * @returns {number}
 */
function localOffsetMs(ms) {
  return -new Date(ms).getTimezoneOffset() * MINUTE;
}

/**
 * Ticks for [minMs, maxMs] with at most `maxTicks`: the finest step that keeps within
 * it, and the multiples of that step inside the range (local round times for steps of
 * an hour and more). Tick values are rounded to the microsecond, so labels never show
 * float noise.
 * @param {number} minMs
 * @param {number} maxMs
 * @param {number} maxTicks
 * @returns {{ stepMs: number, values: number[] }}
 */
export function timeTicks(minMs, maxMs, maxTicks) {
  const span = maxMs - minMs;
  if (!(span > 0) || !(maxTicks >= 1)) return { stepMs: SECOND, values: [] };
  const stepMs = TICK_STEPS.find((s) => span / s <= maxTicks) ??
    Math.ceil(span / maxTicks / DAY) * DAY;
  const offset = stepMs >= HOUR ? localOffsetMs(minMs) : 0;
  /** @type {number[]} */
  const values = [];
  // Count in steps from a whole multiple: adding a float step repeatedly would drift.
  const first = Math.ceil((minMs + offset) / stepMs);
  for (let k = first;; k++) {
    const t = Math.round((k * stepMs - offset) * 1000) / 1000;
    if (t > maxMs) break;
    values.push(t);
  }
  return { stepMs, values };
}

/**
 * Digits after the second a step needs: 0 from a second up, 1–3 for ms steps, 4–6 for µs.
 * @param {number} stepMs
 * @returns {number}
 */
export function fractionDigits(stepMs) {
  if (stepMs >= SECOND) return 0;
  return Math.min(6, Math.ceil(-Math.log10(stepMs / SECOND) - 1e-9));
}

/**
 * The label of one tick: hh:mm from a minute up, hh:mm:ss below, then ".mmm" or
 * ".mmmµµµ" as the step needs (µs only when the step is below a millisecond); the date
 * as a second line where the day changes (steps of an hour or more) and on the first
 * tick of minute steps.
 * @param {number} valueMs
 * @param {number} stepMs
 * @param {number} [previousMs] the tick before, if any
 * @returns {string}
 */
export function tickLabel(valueMs, stepMs, previousMs) {
  const digits = fractionDigits(stepMs);
  const whole = Math.floor(valueMs);
  let text = clock(digits > 0).format(whole);
  if (stepMs >= MINUTE) text = text.slice(0, text.lastIndexOf(":"));
  if (digits > 3) {
    const micro = Math.round((valueMs - whole) * 1000);
    text += String(Math.min(999, micro)).padStart(3, "0").slice(0, digits - 3);
  } else if (digits > 0) {
    // formatTime gives three digits: keep the ones the step needs.
    text = text.slice(0, text.length - (3 - digits));
  }
  const newDay = previousMs === undefined ||
    new Date(previousMs).toDateString() !== new Date(valueMs).toDateString();
  return newDay && (stepMs >= HOUR || (previousMs === undefined && stepMs >= MINUTE))
    ? `${text}\n${formatDay(whole)}`
    : text;
}

/** @type {Map<string, Intl.DateTimeFormat>} */
const formats = new Map();

/**
 * A cached 24-hour clock format of the page's language (axes relabel many times a
 * second; building an `Intl.DateTimeFormat` each time was a tenth of the frame).
 * @param {boolean} withMs
 * @param {boolean} [date] month and day only
 * @returns {Intl.DateTimeFormat}
 */
function clock(withMs, date = false) {
  const key = `${tickLanguage}|${withMs}|${date}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(
      tickLanguage,
      date ? { month: "short", day: "numeric" } : {
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
        ...(withMs ? { fractionalSecondDigits: 3 } : {}),
        hourCycle: "h23",
      },
    );
    formats.set(key, format);
  }
  return format;
}

/**
 * The day of `ms` in the page's language ("Nov 30", "11월 30일").
 * @param {number} ms
 * @returns {string}
 */
export function formatDay(ms) {
  return clock(false, true).format(ms);
}
