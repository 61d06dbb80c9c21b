/**
 * The INA226 as a {@link Source}: the generic {@link Ina2xxSource} with the INA226's
 * registers (SBOS547): configuration, calibration (CAL = 0.00512 / (Current_LSB ×
 * R_SHUNT)) and Mask/Enable (CVRF polled, CNVR kept set as the reset marker); each
 * sample reads shunt, bus, current and power.
 * @module
 */
import type { I2cBus } from "./i2c.ts";
import { type ChipModel, type Ina2xxOptions, Ina2xxSource } from "./ina2xx.ts";
import {
  type Averages,
  encodeAverages,
  familyPeriodMs,
  type Ina226FamilyConfig,
  ME_CNVR,
  ME_CVRF,
  ME_OVF,
  REG_MASK_ENABLE,
} from "./ina2xx_registers.ts";
import {
  BUS_LSB_V,
  calibrate,
  decodeBusVoltage,
  decodeCurrent,
  decodePower,
  encodeConfig,
  INA226_IDENTITY,
  type Ina226Calibration,
  REG_BUS_VOLTAGE,
  REG_CALIBRATION,
  REG_CONFIG,
  REG_CURRENT,
  REG_POWER,
  REG_SHUNT_VOLTAGE,
  shuntClipped,
} from "./ina226_registers.ts";
import { roundToLsb } from "./ina219_registers.ts";

/** Options of {@link Ina226Source}. */
export interface Ina226Options extends Ina2xxOptions {
  /** Shunt resistance in ohms (0.1 on most breakout boards). */
  shuntOhms: number;
  /** Largest current expected; sets the calibration. */
  maxCurrentA: number;
  /** Current register LSB; default: the smallest round value allowed (§7.5.1). */
  currentLsbA?: number;
  /** Samples averaged per result: 1, 4, 16, 64, 128, 256, 512 or 1024 (default 1). */
  averages?: number;
  /** Bus conversion time in µs: 140, 204, 332, 588, 1100, 2116, 4156, 8244 (default 1100). */
  busConversionUs?: number;
  /** Shunt conversion time in µs, as above (default 1100). */
  shuntConversionUs?: number;
}

/** The INA226-family configuration the options ask for (continuous shunt and bus). */
export function familyConfig(options: {
  averages?: number;
  busConversionUs?: number;
  shuntConversionUs?: number;
}): Ina226FamilyConfig {
  const averages = options.averages ?? 1;
  encodeAverages(averages); // RangeError for a count the chip cannot average
  return {
    averages: averages as Averages,
    busConversionUs: options.busConversionUs ?? 1100,
    shuntConversionUs: options.shuntConversionUs ?? 1100,
    mode: "shunt_bus_continuous",
  };
}

/** The words of a family configuration for warnings. */
export function familyPeriodText(config: Ina226FamilyConfig): string {
  return `averaging ${config.averages}, ${config.busConversionUs} µs + ${config.shuntConversionUs} µs`;
}

/** The INA226's description for {@link Ina2xxSource}. */
export function ina226Model(
  options: Ina226Options,
): ChipModel & { calibration: Ina226Calibration } {
  const calibration = calibrate(options.shuntOhms, options.maxCurrentA, {
    currentLsbA: options.currentLsbA,
  });
  const config = familyConfig(options);
  const raw = encodeConfig(config); // RangeError for a conversion time the chip lacks
  const { cal, currentLsbA, powerLsbW } = calibration;
  return {
    type: "INA226",
    kind: "ina226",
    identity: INA226_IDENTITY,
    calibration,
    setup: [
      { name: "configuration", register: REG_CONFIG, value: raw },
      { name: "calibration", register: REG_CALIBRATION, value: cal },
      { name: "Mask/Enable", register: REG_MASK_ENABLE, value: ME_CNVR, readBack: ME_CNVR },
    ],
    flags: { register: REG_MASK_ENABLE, ready: ME_CVRF, marker: ME_CNVR, overflow: ME_OVF },
    periodMs: familyPeriodMs(config),
    periodText: familyPeriodText(config),
    async measure(io) {
      const shunt = await io.read(REG_SHUNT_VOLTAGE);
      const bus = await io.read(REG_BUS_VOLTAGE);
      const current = await io.read(REG_CURRENT);
      const power = await io.read(REG_POWER);
      return {
        reading: {
          v: roundToLsb(decodeBusVoltage(bus), BUS_LSB_V),
          a: roundToLsb(decodeCurrent(current, currentLsbA), currentLsbA),
          w: roundToLsb(decodePower(power, powerLsbW), powerLsbW),
        },
        clipped: shuntClipped(shunt),
      };
    },
    details: () => ({
      shunt_ohms: options.shuntOhms,
      max_current_a: options.maxCurrentA,
      averages: config.averages,
      bus_conversion_us: config.busConversionUs,
      shunt_conversion_us: config.shuntConversionUs,
      config: `0x${raw.toString(16).toUpperCase().padStart(4, "0")}`,
      calibration: cal,
      current_lsb_a: currentLsbA,
      power_lsb_w: powerLsbW,
    }),
  };
}

/** An INA226 on an I2C bus. */
export class Ina226Source extends Ina2xxSource {
  /** The calibration written to the chip, and the LSBs readings are scaled by. */
  readonly calibration: Ina226Calibration;

  /**
   * Checks the options and works out the calibration; the chip is set up on open.
   * @throws {RangeError} for an address, shunt, current or ADC setting the chip cannot take.
   */
  constructor(bus: I2cBus, options: Ina226Options) {
    const model = ina226Model(options);
    super(bus, model, options);
    this.calibration = model.calibration;
  }
}
