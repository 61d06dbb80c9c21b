/**
 * How computed figures are written on the wire, so float noise (`0.19565000000000002`)
 * never reaches a client: averages and the min/max beside them to 6 significant digits,
 * energy and charge counters to 9 decimals. Stored samples are never rounded.
 * @module
 */

/**
 * Significant digits of an average, a moving average and the min/max beside them: the
 * INA219's ADC gives 12 bits (about 4 digits), so 6 keep everything an average can add.
 */
const FIGURE_DIGITS = 6;

/**
 * Decimals of an energy (Wh, J) or charge (Ah, C) counter: a counter grows for months and
 * clients take differences of it, so it keeps a fixed resolution (1 nWh, 1 nAh) however
 * large it gets, rather than a number of digits.
 */
const COUNTER_DECIMALS = 9;

/** `x` to 6 significant digits (`FIGURE_DIGITS`); null stays null. */
export function roundFigure<T extends number | null>(x: T): T {
  if (x === null || !Number.isFinite(x)) return x;
  return Number((x as number).toPrecision(FIGURE_DIGITS)) as T;
}

/**
 * Every number of a figures object (`{min, max, avg}`, moving averages) through
 * {@link roundFigure}. Rounding keeps order, so min ≤ avg ≤ max still holds.
 */
export function roundFigures<T extends Record<string, number | null>>(figures: T): T {
  const out: Record<string, number | null> = {};
  for (const [key, value] of Object.entries(figures)) out[key] = roundFigure(value);
  return out as T;
}

const COUNTER_SCALE = 10 ** COUNTER_DECIMALS;

/** An energy or charge counter to 9 decimals (`COUNTER_DECIMALS`). */
export function roundCounter(x: number): number {
  if (!Number.isFinite(x)) return x;
  return Math.round(x * COUNTER_SCALE) / COUNTER_SCALE;
}

/** Figures of each metric, as history buckets, spans and the `statistics` message carry them. */
type PerMetric = Record<"v" | "a" | "w", Record<string, number | null>>;

/** `value` with its `v`, `a` and `w` figures through {@link roundFigures}. */
export function roundMetrics<T extends PerMetric>(value: T): T {
  return { ...value, v: roundFigures(value.v), a: roundFigures(value.a), w: roundFigures(value.w) };
}
