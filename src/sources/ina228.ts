/**
 * The INA228 as a {@link Source}: the generic {@link Ina2xxSource} with the INA228's
 * registers (SLYS021): CONFIG (ADCRANGE, RSTACC at every set-up), ADC_CONFIG
 * (continuous shunt and bus), SHUNT_CAL and DIAG_ALRT (ALATCH so reading it clears
 * CNVRF; CNVR kept set as the reset marker). Each sample reads VSHUNT, VBUS,
 * CURRENT, POWER and the ENERGY and CHARGE accumulators, which
 * {@link Ina228Source.accumulators} offers as the channel's energy and charge.
 * @module
 */
import { hex, type I2cBus } from "./i2c.ts";
import {
  adcDetails,
  adcPeriodText,
  type ChipModel,
  type Ina2xxOptions,
  Ina2xxSource,
} from "./ina2xx.ts";
import { type Averages, encodeAverages } from "./ina2xx_registers.ts";
import {
  type AdcRange,
  BUS_LSB_V,
  calibrate,
  CONFIG_RSTACC,
  decodeBusVoltage,
  decodeCharge,
  decodeCurrent,
  decodeEnergy,
  decodePower,
  DIAG_ALATCH,
  DIAG_CNVR,
  DIAG_CNVRF,
  DIAG_MATHOF,
  encodeAdcConfig,
  encodeConfig,
  INA228_IDENTITY,
  type Ina228AdcConfig,
  type Ina228Calibration,
  MODE_SHUNT_BUS_CONTINUOUS,
  periodMs,
  REG_ADC_CONFIG,
  REG_CHARGE,
  REG_CONFIG,
  REG_CURRENT,
  REG_DIAG_ALRT,
  REG_ENERGY,
  REG_POWER,
  REG_SHUNT_CAL,
  REG_VBUS,
  REG_VSHUNT,
  shuntClipped,
} from "./ina228_registers.ts";
import { roundToLsb } from "./ina219_registers.ts";

/** Options of {@link Ina228Source}. */
export interface Ina228Options extends Ina2xxOptions {
  /** Shunt resistance in ohms. */
  shuntOhms: number;
  /** Largest current expected; sets SHUNT_CAL. */
  maxCurrentA: number;
  /** CURRENT LSB; default: the smallest round value ≥ maxCurrentA / 2^19. */
  currentLsbA?: number;
  /** Shunt full scale: 163.84 mV (ADCRANGE 0, default) or 40.96 mV (ADCRANGE 1). */
  shuntRangeMv?: 163.84 | 40.96;
  /** Samples averaged per result: 1, 4, 16, 64, 128, 256, 512 or 1024 (default 1). */
  averages?: number;
  /** Bus conversion time in µs: 50, 84, 150, 280, 540, 1052, 2074, 4120 (default 1052). */
  busConversionUs?: number;
  /** Shunt conversion time in µs, as above (default 1052). */
  shuntConversionUs?: number;
}

/** What the hardware accumulators hold, summed over re-initialisations since open. */
export interface Accumulators {
  /** Energy in J (ENERGY × 16 × 3.2 × CURRENT_LSB). */
  energyJ: number;
  /** Charge in C (CHARGE × CURRENT_LSB), signed. */
  chargeC: number;
}

const ENERGY_WRAP = 2 ** 40;

/** The INA228's description, and its accumulators as last read. */
export function ina228Model(
  options: Ina228Options,
): ChipModel & { calibration: Ina228Calibration; accumulators(): Accumulators } {
  const adcRange: AdcRange = options.shuntRangeMv === 40.96 ? 1 : 0;
  const calibration = calibrate(options.shuntOhms, options.maxCurrentA, {
    currentLsbA: options.currentLsbA,
    adcRange,
  });
  const averages = options.averages ?? 1;
  encodeAverages(averages);
  const adc: Ina228AdcConfig = {
    mode: MODE_SHUNT_BUS_CONTINUOUS,
    busConversionUs: options.busConversionUs ?? 1052,
    shuntConversionUs: options.shuntConversionUs ?? 1052,
    temperatureConversionUs: 1052,
    averages: averages as Averages,
  };
  const adcRaw = encodeAdcConfig(adc);
  const configRaw = encodeConfig({ convDelayMs: 0, tempComp: false, adcRange });
  const { shuntCal, currentLsbA, powerLsbW, energyLsbJ, chargeLsbC } = calibration;
  // Energy and charge since open: what earlier set-ups (RSTACC) counted, plus the registers now.
  const base = { energyJ: 0, chargeC: 0 };
  const last = { energyRaw: 0, energyJ: 0, chargeC: 0, wraps: 0 };
  const accumulators = (): Accumulators => ({
    energyJ: base.energyJ + last.energyJ,
    chargeC: base.chargeC + last.chargeC,
  });
  return {
    type: "INA228",
    kind: "ina228",
    identity: INA228_IDENTITY,
    calibration,
    accumulators,
    setup: [
      // RSTACC clears ENERGY and CHARGE; it clears itself, so it is not read back.
      {
        name: "configuration",
        register: REG_CONFIG,
        value: configRaw | CONFIG_RSTACC,
        readBack: 0x3ff0,
      },
      { name: "ADC configuration", register: REG_ADC_CONFIG, value: adcRaw },
      { name: "shunt calibration", register: REG_SHUNT_CAL, value: shuntCal },
      {
        name: "alert configuration",
        register: REG_DIAG_ALRT,
        value: DIAG_ALATCH | DIAG_CNVR,
        readBack: DIAG_ALATCH | DIAG_CNVR,
      },
    ],
    flags: {
      register: REG_DIAG_ALRT,
      ready: DIAG_CNVRF,
      marker: DIAG_ALATCH | DIAG_CNVR,
      overflow: DIAG_MATHOF,
    },
    periodMs: periodMs(adc),
    periodText: adcPeriodText(adc),
    initialised() {
      const total = accumulators();
      base.energyJ = total.energyJ;
      base.chargeC = total.chargeC;
      Object.assign(last, { energyRaw: 0, energyJ: 0, chargeC: 0, wraps: 0 });
    },
    async measure(io) {
      const shunt = await io.read(REG_VSHUNT, 3);
      const bus = await io.read(REG_VBUS, 3);
      const current = await io.read(REG_CURRENT, 3);
      const power = await io.read(REG_POWER, 3);
      const energy = await io.read(REG_ENERGY, 5);
      const charge = await io.read(REG_CHARGE, 5);
      if (energy < last.energyRaw) last.wraps++; // ENERGY is 40 bits: it rolls over
      last.energyRaw = energy;
      last.energyJ = decodeEnergy(energy + last.wraps * ENERGY_WRAP, energyLsbJ);
      last.chargeC = decodeCharge(charge, chargeLsbC);
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
      shunt_range_mv: adcRange === 1 ? 40.96 : 163.84,
      ...adcDetails(adc, configRaw),
      adc_config: hex(adcRaw, 4),
      shunt_cal: shuntCal,
      current_lsb_a: currentLsbA,
      power_lsb_w: powerLsbW,
      energy_lsb_j: energyLsbJ,
      energy_j: accumulators().energyJ,
      charge_c: accumulators().chargeC,
    }),
  };
}

/** An INA228 on an I2C bus, with its hardware energy and charge accumulators. */
export class Ina228Source extends Ina2xxSource {
  /** SHUNT_CAL and the LSBs readings are scaled by. */
  readonly calibration: Ina228Calibration;
  #accumulators: () => Accumulators;

  /**
   * Checks the options and works out SHUNT_CAL; the chip is set up on open.
   * @throws {RangeError} for an address, shunt, current or ADC setting the chip cannot take.
   */
  constructor(bus: I2cBus, options: Ina228Options) {
    const model = ina228Model(options);
    super(bus, model, options);
    this.calibration = model.calibration;
    this.#accumulators = model.accumulators;
  }

  /**
   * Energy and charge the chip integrated over every conversion since open, as of
   * the last sample (each sample reads ENERGY and CHARGE). A brown-out loses what
   * accumulated since the last sample before it; a re-initialisation (RSTACC)
   * carries the total over.
   */
  accumulators(): Accumulators {
    return this.#accumulators();
  }
}
