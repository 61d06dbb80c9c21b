/**
 * The INA260 as a {@link Source}: the generic {@link Ina2xxSource} with the INA260's
 * registers (SBOS656). Its 2 mΩ shunt is inside and calibrated at the factory, so
 * set-up is the configuration and Mask/Enable only; each sample reads current, bus
 * voltage and power at their fixed LSBs (1.25 mA, 1.25 mV, 10 mW).
 * @module
 */
import type { I2cBus } from "./i2c.ts";
import { type ChipModel, type Ina2xxOptions, Ina2xxSource } from "./ina2xx.ts";
import { familyPeriodMs, ME_CNVR, ME_CVRF, ME_OVF, REG_MASK_ENABLE } from "./ina2xx_registers.ts";
import {
  BUS_LSB_V,
  CURRENT_LSB_A,
  currentClipped,
  decodeBusVoltage,
  decodeCurrent,
  decodePower,
  encodeConfig,
  INA260_IDENTITY,
  POWER_LSB_W,
  REG_BUS_VOLTAGE,
  REG_CONFIG,
  REG_CURRENT,
  REG_POWER,
  SHUNT_OHMS,
} from "./ina260_registers.ts";
import { familyConfig, familyPeriodText } from "./ina226.ts";
import { roundToLsb } from "./ina219_registers.ts";

/** Options of {@link Ina260Source}. */
export interface Ina260Options extends Ina2xxOptions {
  /** Samples averaged per result: 1, 4, 16, 64, 128, 256, 512 or 1024 (default 1). */
  averages?: number;
  /** Bus conversion time in µs: 140, 204, 332, 588, 1100, 2116, 4156, 8244 (default 1100). */
  busConversionUs?: number;
  /** Current conversion time in µs (ISHCT), as above (default 1100). */
  shuntConversionUs?: number;
}

/** The INA260's description for {@link Ina2xxSource}. */
export function ina260Model(options: Ina260Options = {}): ChipModel {
  const config = familyConfig(options);
  const raw = encodeConfig(config);
  return {
    type: "INA260",
    kind: "ina260",
    identity: INA260_IDENTITY,
    setup: [
      { name: "configuration", register: REG_CONFIG, value: raw },
      { name: "Mask/Enable", register: REG_MASK_ENABLE, value: ME_CNVR, readBack: ME_CNVR },
    ],
    flags: { register: REG_MASK_ENABLE, ready: ME_CVRF, marker: ME_CNVR, overflow: ME_OVF },
    periodMs: familyPeriodMs(config),
    periodText: familyPeriodText(config),
    async measure(io) {
      const current = await io.read(REG_CURRENT);
      const bus = await io.read(REG_BUS_VOLTAGE);
      const power = await io.read(REG_POWER);
      return {
        reading: {
          v: roundToLsb(decodeBusVoltage(bus), BUS_LSB_V),
          a: roundToLsb(decodeCurrent(current), CURRENT_LSB_A),
          w: roundToLsb(decodePower(power), POWER_LSB_W),
        },
        clipped: currentClipped(current),
      };
    },
    details: () => ({
      shunt_ohms: SHUNT_OHMS,
      averages: config.averages,
      bus_conversion_us: config.busConversionUs,
      shunt_conversion_us: config.shuntConversionUs,
      config: `0x${raw.toString(16).toUpperCase().padStart(4, "0")}`,
      current_lsb_a: CURRENT_LSB_A,
      power_lsb_w: POWER_LSB_W,
    }),
  };
}

/** An INA260 on an I2C bus. */
export class Ina260Source extends Ina2xxSource {
  /**
   * Checks the options; the chip is set up on open.
   * @throws {RangeError} for an address or ADC setting the chip cannot take.
   */
  constructor(bus: I2cBus, options: Ina260Options = {}) {
    super(bus, ina260Model(options), options);
  }
}
