/**
 * The smallest step each sensor reports, per metric: what the dashboard uses so it never
 * shows more decimals than the device resolves (nor fewer, so 150 µA is not "0.000 A").
 * Pure: the chip's fixed LSBs from its register module, the calibrated ones from the
 * source's `details()`.
 * @module
 */
import { BUS_LSB_V as INA219_BUS_LSB_V } from "./ina219_registers.ts";
import { BUS_LSB_V as INA226_BUS_LSB_V } from "./ina226_registers.ts";
import { BUS_LSB_V as INA228_BUS_LSB_V } from "./ina228_registers.ts";
import {
  BUS_LSB_V as INA260_BUS_LSB_V,
  CURRENT_LSB_A as INA260_CURRENT_LSB_A,
  POWER_LSB_W as INA260_POWER_LSB_W,
} from "./ina260_registers.ts";
import { BUS_LSB_V as INA3221_BUS_LSB_V } from "./ina3221_registers.ts";

/** One step of each metric, in V, A and W. */
export interface Resolution {
  /** Bus voltage step (V). */
  v: number;
  /** Current step (A). */
  a: number;
  /** Power step (W). */
  w: number;
}

/** Bus-voltage LSB of each chip whose current and power LSBs come from its calibration. */
const CALIBRATED_BUS_LSB_V: Readonly<Record<string, number>> = {
  ina219: INA219_BUS_LSB_V,
  ina226: INA226_BUS_LSB_V,
  ina228: INA228_BUS_LSB_V,
};

/**
 * The v1 protocol's device (and the mock that imitates it) prints three decimals; Linux
 * hwmon gives whole mV, mA and µW.
 */
const FIXED: Readonly<Record<string, Resolution>> = {
  mock: { v: 0.001, a: 0.001, w: 0.001 },
  serial: { v: 0.001, a: 0.001, w: 0.001 },
  hwmon: { v: 0.001, a: 0.001, w: 1e-6 },
  ina260: { v: INA260_BUS_LSB_V, a: INA260_CURRENT_LSB_A, w: INA260_POWER_LSB_W },
};

const positive = (x: unknown): number | null =>
  typeof x === "number" && Number.isFinite(x) && x > 0 ? x : null;

/**
 * The resolution of a measured channel's readings, or null when it is not known (a
 * chip not yet calibrated, a sensor this table does not know).
 * @example resolutionOf("ina219", { current_lsb_a: 1e-4, power_lsb_w: 2e-3 })
 *   // → { v: 0.004, a: 0.0001, w: 0.002 }
 */
export function resolutionOf(
  sensor: string,
  details: Readonly<Record<string, unknown>>,
): Resolution | null {
  if (Object.hasOwn(FIXED, sensor)) return { ...FIXED[sensor] };
  const a = positive(details.current_lsb_a);
  if (a === null) return null;
  if (sensor === "ina3221") {
    // §8.6.2: no power register; power is V × I, rounded to the product of their LSBs.
    return { v: INA3221_BUS_LSB_V, a, w: INA3221_BUS_LSB_V * a };
  }
  const v = CALIBRATED_BUS_LSB_V[sensor];
  const w = positive(details.power_lsb_w);
  return v === undefined || w === null ? null : { v, a, w };
}
