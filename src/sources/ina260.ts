/**
 * The INA260 as a {@link Source}: the generic {@link Ina2xxSource} with the INA260's
 * registers (SBOS656). Its 2 mΩ shunt is inside and calibrated at the factory, so
 * set-up is the configuration and Mask/Enable only; each sample reads current, bus
 * voltage and power at their fixed LSBs (1.25 mA, 1.25 mV, 10 mW).
 * @module
 */
import type { I2cBus } from "./i2c.ts";
import { type ChipModel, type Ina2xxOptions, Ina2xxSource } from "./ina2xx.ts";
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
  REG_CURRENT,
  REG_POWER,
  SHUNT_OHMS,
} from "./ina260_registers.ts";
import { type FamilyAdcOptions, familyConfig, familyModel } from "./ina226.ts";
import { roundToLsb } from "./ina219_registers.ts";

/** Options of {@link Ina260Source}. */
export interface Ina260Options extends Ina2xxOptions, FamilyAdcOptions {}

/** The INA260's description for {@link Ina2xxSource}. */
export function ina260Model(options: Ina260Options = {}): ChipModel {
  const config = familyConfig(options);
  const raw = encodeConfig(config);
  const { configuration, maskEnable, details, ...family } = familyModel(config, raw);
  return {
    type: "INA260",
    kind: "ina260",
    identity: INA260_IDENTITY,
    setup: [configuration, maskEnable],
    ...family,
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
      ...details,
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
