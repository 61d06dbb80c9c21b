// @ts-check
/**
 * @module Auto-ranged units for readouts, axes, tooltips and tables: V/mV, A/mA/µA,
 * W/mW/µW, charge in µC/mC/C and µAh/mAh/Ah, energy in µJ/mJ/J and µWh/mWh/Wh. The
 * prefix is chosen per value from its magnitude; the decimals never show more than the
 * sensor resolves (its LSB, when given) and otherwise keep four significant digits.
 * Pure: no DOM, so tests import it directly.
 */

/** @typedef {{ prefix: string, factor: number }} Prefix */

/** Prefixes from large to small; a value takes the first whose factor it reaches. */
const PREFIXES = /** @type {readonly Prefix[]} */ ([
  { prefix: "k", factor: 1e3 },
  { prefix: "", factor: 1 },
  { prefix: "m", factor: 1e-3 },
  { prefix: "µ", factor: 1e-6 },
]);

/** Base units the page shows and the smallest and largest prefix each may take. */
export const UNIT_RANGES = /** @type {const} */ ({
  V: { min: "m", max: "" },
  A: { min: "µ", max: "" },
  W: { min: "µ", max: "k" },
  C: { min: "µ", max: "" },
  Ah: { min: "µ", max: "" },
  J: { min: "µ", max: "k" },
  Wh: { min: "µ", max: "k" },
});

/** @typedef {keyof typeof UNIT_RANGES} BaseUnit */

/**
 * The prefix for `value` in `unit`: the largest whose factor |value| reaches, within
 * the unit's range (zero takes the base unit).
 * @param {number} value
 * @param {BaseUnit} unit
 * @returns {Prefix}
 */
export function prefixFor(value, unit) {
  const range = UNIT_RANGES[unit];
  const allowed = PREFIXES.slice(
    PREFIXES.findIndex((p) => p.prefix === range.max),
    PREFIXES.findIndex((p) => p.prefix === range.min) + 1,
  );
  const abs = Math.abs(value);
  if (abs === 0 || !Number.isFinite(abs)) return allowed.find((p) => p.factor === 1) ?? allowed[0];
  // 0.9995 mA would print as "1000 µA" with 4 digits: compare after rounding to them.
  for (const p of allowed) {
    if (Number((abs / p.factor).toPrecision(4)) >= 1) return p;
  }
  return allowed[allowed.length - 1];
}

/**
 * Decimals to show for a value scaled by `factor`: enough for four significant digits,
 * but none finer than `resolution` (in the base unit) when the sensor's step is known.
 * @param {number} scaled the value in the chosen prefix
 * @param {number} factor the prefix's factor
 * @param {number} [resolution] the smallest step the sensor gives, in the base unit
 * @returns {number}
 */
export function decimalsFor(scaled, factor, resolution) {
  const abs = Math.abs(scaled);
  const intDigits = abs >= 1 ? Math.floor(Math.log10(abs)) + 1 : 1;
  let decimals = Math.max(0, 4 - intDigits);
  if (resolution !== undefined && resolution > 0) {
    const step = resolution / factor;
    decimals = Math.min(decimals, Math.max(0, Math.ceil(-Math.log10(step) - 1e-9)));
  }
  return Math.min(decimals, 6);
}

/**
 * A value with its auto-ranged unit: `{ text: "150", unit: "µA" }`. Not a finite
 * number: an em dash and the base unit.
 * @param {unknown} value in the base unit
 * @param {BaseUnit} unit
 * @param {{ resolution?: number, format?: (value: number, decimals: number) => string }} [options]
 *   the sensor's step in the base unit; a number formatter (the page passes the
 *   language's, default `toFixed`)
 * @returns {{ text: string, unit: string, decimals: number, factor: number }}
 */
export function scaled(value, unit, options = {}) {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    return { text: "—", unit, decimals: 0, factor: 1 };
  }
  const { prefix, factor } = prefixFor(value, unit);
  const inPrefix = value / factor;
  const decimals = decimalsFor(inPrefix, factor, options.resolution);
  const format = options.format ?? ((v, d) => v.toFixed(d));
  return { text: format(inPrefix, decimals), unit: prefix + unit, decimals, factor };
}

/**
 * `scaled()` as one string, "150 µA".
 * @param {unknown} value
 * @param {BaseUnit} unit
 * @param {{ resolution?: number, format?: (value: number, decimals: number) => string }} [options]
 * @returns {string}
 */
export function formatUnit(value, unit, options) {
  const s = scaled(value, unit, options);
  return `${s.text} ${s.unit}`;
}
