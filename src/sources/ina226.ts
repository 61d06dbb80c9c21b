/**
 * The INA226 as a {@link Source}: the generic {@link Ina2xxSource} with the INA226's
 * registers (SBOS547): configuration, calibration (CAL = 0.00512 / (Current_LSB ×
 * R_SHUNT)) and Mask/Enable (CVRF polled, CNVR kept set as the reset marker); each
 * sample reads shunt, bus, current and power.
 * @module
 */
import type { I2cBus } from "./i2c.ts";
import {
  adcDetails,
  adcPeriodText,
  type ChipModel,
  type Ina2xxOptions,
  Ina2xxSource,
  type RegisterSetting,
} from "./ina2xx.ts";
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

/** The ADC options of the INA226 and INA260 (the same configuration register). */
export interface FamilyAdcOptions {
  /** Samples averaged per result: 1, 4, 16, 64, 128, 256, 512 or 1024 (default 1). */
  averages?: number;
  /** Bus conversion time in µs: 140, 204, 332, 588, 1100, 2116, 4156, 8244 (default 1100). */
  busConversionUs?: number;
  /** Shunt (INA260: current, ISHCT) conversion time in µs, as above (default 1100). */
  shuntConversionUs?: number;
}

/** Options of {@link Ina226Source}. */
export interface Ina226Options extends Ina2xxOptions, FamilyAdcOptions {
  /** Shunt resistance in ohms (0.1 on most breakout boards). */
  shuntOhms: number;
  /** Largest current expected; sets the calibration. */
  maxCurrentA: number;
  /** Current register LSB; default: the smallest round value allowed (§7.5.1). */
  currentLsbA?: number;
}

/** The INA226-family configuration the options ask for (continuous shunt and bus). */
export function familyConfig(options: FamilyAdcOptions): Ina226FamilyConfig {
  const averages = options.averages ?? 1;
  encodeAverages(averages); // RangeError for a count the chip cannot average
  return {
    averages: averages as Averages,
    busConversionUs: options.busConversionUs ?? 1100,
    shuntConversionUs: options.shuntConversionUs ?? 1100,
    mode: "shunt_bus_continuous",
  };
}

/**
 * What the INA226 and INA260 models share: the configuration written first and the
 * Mask/Enable CNVR bit last (the reset marker), CVRF polled, the period and the ADC facts.
 */
export function familyModel(
  config: Ina226FamilyConfig,
  raw: number,
): Pick<ChipModel, "flags" | "periodMs" | "periodText"> & {
  configuration: RegisterSetting;
  maskEnable: RegisterSetting;
  details: Record<string, unknown>;
} {
  return {
    configuration: { name: "configuration", register: REG_CONFIG, value: raw },
    maskEnable: {
      name: "Mask/Enable",
      register: REG_MASK_ENABLE,
      value: ME_CNVR,
      readBack: ME_CNVR,
    },
    flags: { register: REG_MASK_ENABLE, ready: ME_CVRF, marker: ME_CNVR, overflow: ME_OVF },
    periodMs: familyPeriodMs(config),
    periodText: adcPeriodText(config),
    details: adcDetails(config, raw),
  };
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
  const { configuration, maskEnable, details, ...family } = familyModel(config, raw);
  return {
    type: "INA226",
    kind: "ina226",
    identity: INA226_IDENTITY,
    calibration,
    setup: [
      configuration,
      { name: "calibration", register: REG_CALIBRATION, value: cal },
      maskEnable,
    ],
    ...family,
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
      ...details,
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
