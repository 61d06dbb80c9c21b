/**
 * The INA219's shunt voltage ranges (datasheet SBOS448G, §8.6.2.1 Table 4: the PGA),
 * pure, so configuration can resolve and check the range without the driver.
 * @module
 */

/** Shunt full-scale ranges in mV, finest first: PGA ÷1, ÷2, ÷4, ÷8 (40 mV × divider). */
export const SHUNT_RANGES_MV = [40, 80, 160, 320] as const;

/** A shunt full-scale range in mV. */
export type ShuntRangeMv = typeof SHUNT_RANGES_MV[number];

/**
 * The finest range that holds `shuntVoltageV` (the best resolution that fits).
 *
 * @example
 * ```ts
 * fitShuntRange(0.1 * 3.2); // 320: 0.1 Ω × 3.2 A = 320 mV
 * ```
 * @throws {RangeError} when even 320 mV is too small.
 */
export function fitShuntRange(shuntVoltageV: number): ShuntRangeMv {
  for (const rangeMv of SHUNT_RANGES_MV) {
    if (shuntVoltageV <= rangeMv / 1000 + 1e-12) return rangeMv;
  }
  throw new RangeError(
    `${
      Math.round(shuntVoltageV * 1000)
    } mV across the shunt exceeds the INA219's 320 mV range: lower MAX_CURRENT_A or use a smaller SHUNT_OHMS`,
  );
}
