/**
 * INA219 register math, pure: configuration encoding, calibration and the decoding
 * of every data register. Section and table numbers refer to the TI datasheet
 * SBOS448G (INA219, December 2015).
 * @module
 */
import { fitShuntRange } from "../hardware/ina219_shunt.ts";

/** §8.6.1 Table 2: register pointers. */
export const REG_CONFIG = 0x00;
/** Register pointer of the shunt voltage register (Table 2). */
export const REG_SHUNT_VOLTAGE = 0x01;
/** Register pointer of the bus voltage register (Table 2). */
export const REG_BUS_VOLTAGE = 0x02;
/** Register pointer of the power register (Table 2). */
export const REG_POWER = 0x03;
/** Register pointer of the current register (Table 2). */
export const REG_CURRENT = 0x04;
/** Register pointer of the calibration register (Table 2). */
export const REG_CALIBRATION = 0x05;
/** §8.6.2.1: power-on value of the configuration register (32 V, ÷8, 12-bit, continuous). */
export const CONFIG_POWER_ON = 0x399f;
/** §8.6.2.1 bit 15: writing 1 resets every register. */
export const CONFIG_RESET = 0x8000;
/** §8.5.1 Equation 1: the fixed scaling constant of the calibration register. */
export const CAL_SCALE = 0.04096;
/** §8.6.3.1: shunt voltage LSB, 10 µV at every PGA setting. */
export const SHUNT_LSB_V = 10e-6;
/** §8.6.3.2: bus voltage LSB, 4 mV, in bits 15..3. */
export const BUS_LSB_V = 0.004;
/** §8.5.1 Equation 3: Power_LSB = 20 × Current_LSB. */
export const POWER_LSB_PER_CURRENT_LSB = 20;

/** Bus voltage full-scale (BRNG, bit 13). */
export type BusRangeV = 16 | 32;
/** PGA divider (PG, bits 12..11): shunt full-scale 40, 80, 160, 320 mV. */
export type PgaDivider = 1 | 2 | 4 | 8;
/** One ADC's setting: resolution for single samples, or 2–128 averaged 12-bit samples. */
export interface AdcSetting {
  /** Resolution of each sample; 12 when samples are averaged. */
  bits: 9 | 10 | 11 | 12;
  /** Samples averaged per conversion. */
  samples: 1 | 2 | 4 | 8 | 16 | 32 | 64 | 128;
}
/** MODE (bits 2..0), Table 6. */
export const MODES = [
  "power_down",
  "shunt_triggered",
  "bus_triggered",
  "shunt_bus_triggered",
  "adc_off",
  "shunt_continuous",
  "bus_continuous",
  "shunt_bus_continuous",
] as const;
/** An operating mode. */
export type OperatingMode = typeof MODES[number];

/** The fields of the configuration register. */
export interface Ina219Config {
  /** Bus voltage range (BRNG, bit 13). */
  busRangeV: BusRangeV;
  /** Shunt PGA divider (PG, bits 12..11). */
  pga: PgaDivider;
  /** Bus ADC setting (BADC, bits 10..7). */
  busAdc: AdcSetting;
  /** Shunt ADC setting (SADC, bits 6..3). */
  shuntAdc: AdcSetting;
  /** Operating mode (MODE, bits 2..0). */
  mode: OperatingMode;
}

/** §7.5 / Table 5: conversion time in µs per ADC code's sample count or resolution. */
const CONVERSION_US_BY_BITS = { 9: 84, 10: 148, 11: 276, 12: 532 } as const;
const CONVERSION_US_BY_SAMPLES = {
  1: 532,
  2: 1060,
  4: 2130,
  8: 4260,
  16: 8510,
  32: 17020,
  64: 34050,
  128: 68100,
} as const;

/** Table 5: the 4-bit BADC/SADC code of an ADC setting. */
export function encodeAdc(setting: AdcSetting): number {
  if (setting.samples === 1) return setting.bits - 9; // 0X00…0X11
  return 0b1000 | Math.log2(setting.samples); // 1001…1111
}

/** Table 5: the ADC setting of a 4-bit code (`0X..` ignores bit X; 1000 is 12-bit too). */
export function decodeAdc(code: number): AdcSetting {
  if ((code & 0b1000) === 0) return { bits: (9 + (code & 0b11)) as AdcSetting["bits"], samples: 1 };
  return { bits: 12, samples: (1 << (code & 0b111)) as AdcSetting["samples"] };
}

/** The averaging setting for `ADC_SAMPLES` (1 = single 12-bit conversions). */
export function adcForSamples(samples: number): AdcSetting {
  if (![1, 2, 4, 8, 16, 32, 64, 128].includes(samples)) {
    throw new RangeError(`Invalid ADC sample count ${samples}: must be 1, 2, 4, … or 128`);
  }
  return { bits: 12, samples: samples as AdcSetting["samples"] };
}

/** §8.6.2.1: the configuration register's value (Tables 3–6 give the fields). */
export function encodeConfig(config: Ina219Config): number {
  return (
    (config.busRangeV === 32 ? 1 << 13 : 0) |
    (Math.log2(config.pga) << 11) |
    (encodeAdc(config.busAdc) << 7) |
    (encodeAdc(config.shuntAdc) << 3) |
    MODES.indexOf(config.mode)
  );
}

/** §8.6.2.1: the fields of a configuration register value. */
export function decodeConfig(raw: number): Ina219Config {
  return {
    busRangeV: raw & (1 << 13) ? 32 : 16,
    pga: (1 << ((raw >> 11) & 0b11)) as PgaDivider,
    busAdc: decodeAdc((raw >> 7) & 0b1111),
    shuntAdc: decodeAdc((raw >> 3) & 0b1111),
    mode: MODES[raw & 0b111],
  };
}

/** Conversion time of one ADC setting in ms (§7.5). */
export function adcConversionMs(setting: AdcSetting): number {
  const us = setting.samples === 1
    ? CONVERSION_US_BY_BITS[setting.bits]
    : CONVERSION_US_BY_SAMPLES[setting.samples];
  return us / 1000;
}

/**
 * Time for one complete set of results: in shunt-and-bus modes the chip converts
 * the shunt, then the bus (§8.3.1), so a new result comes every sum of both.
 */
export function conversionTimeMs(config: Ina219Config): number {
  const shunt = adcConversionMs(config.shuntAdc);
  const bus = adcConversionMs(config.busAdc);
  if (config.mode.startsWith("shunt_bus")) return shunt + bus;
  if (config.mode.startsWith("shunt")) return shunt;
  if (config.mode.startsWith("bus")) return bus;
  return 0;
}

/** Shunt full-scale of a PGA setting in V (Table 4: 40 mV × divider). */
export function shuntRangeV(pga: PgaDivider): number {
  return 0.04 * pga;
}

/** The smallest PGA range that holds `shuntVoltageV` (the best resolution that fits). */
export function pgaFor(shuntVoltageV: number): PgaDivider {
  return (fitShuntRange(shuntVoltageV) / 40) as PgaDivider;
}

/** Automatic gain: the finest PGA range holding `shuntV` with 20 % headroom (else ÷8). */
export function pgaWithHeadroom(shuntV: number): PgaDivider {
  return shuntV / 0.8 > shuntRangeV(8) ? 8 : pgaFor(shuntV / 0.8);
}

/** Rounds to the decimals that show every step of `lsb` (100 µA → 4), dropping float noise. */
export function roundToLsb(x: number, lsb: number): number {
  const f = 10 ** Math.max(0, Math.ceil(-Math.log10(lsb) - 1e-9));
  return Math.round(x * f) / f;
}

/** A calibration: the register value and the LSBs it implies (§8.5.1). */
export interface Calibration {
  /** Calibration register value (bit 0 is not implemented by the chip, so even). */
  cal: number;
  /** Amperes per bit of the current register. */
  currentLsbA: number;
  /** Watts per bit of the power register (20 × currentLsbA). */
  powerLsbW: number;
}

/** 1, 2 or 5 × 10^n: the smallest such value ≥ `x`, for LSBs a person can read. */
export function roundUpNice(x: number): number {
  const decade = 10 ** Math.floor(Math.log10(x));
  for (const step of [1, 2, 5, 10]) {
    // Tolerate float noise: 1e-4 must stay 1e-4.
    if (step * decade >= x * (1 - 1e-9)) return step * decade;
  }
  return 10 * decade;
}

/**
 * §8.5.1 Equations 1–3: Current_LSB between MaxExpected/2^15 and MaxExpected/2^12
 * (here the smallest 1-2-5 value above the minimum if it fits, unless given), then
 * Cal = trunc(0.04096 / (Current_LSB × R_shunt)) and Power_LSB = 20 × Current_LSB.
 * @example 0.1 Ω, 3.2 A → Current_LSB 100 µA, Cal 4096, Power_LSB 2 mW.
 */
export function calibrate(
  shuntOhms: number,
  maxCurrentA: number,
  options: { currentLsbA?: number } = {},
): Calibration {
  if (!(shuntOhms > 0) || !(maxCurrentA > 0)) {
    throw new RangeError(`Invalid calibration: shunt ${shuntOhms} Ω and ${maxCurrentA} A`);
  }
  const minLsbA = maxCurrentA / 32767;
  // The register holds 15 bits (D0 unused): a small shunt needs a coarser LSB.
  const fitLsbA = CAL_SCALE / (0xfffe * shuntOhms);
  const lowestA = Math.max(minLsbA, fitLsbA);
  // A round LSB when it still leaves 12 bits (MaxExpected/2^12), else the lowest.
  const niceA = roundUpNice(lowestA);
  const currentLsbA = options.currentLsbA ?? (niceA <= maxCurrentA / 4096 ? niceA : lowestA);
  const cal = Math.trunc(CAL_SCALE / (currentLsbA * shuntOhms) + 1e-9) & 0xfffe;
  if (cal < 2 || cal > 0xfffe) {
    throw new RangeError(
      `Cannot calibrate for a ${shuntOhms} Ω shunt and ${maxCurrentA} A: calibration ${cal} is outside 2–65534`,
    );
  }
  return { cal, currentLsbA, powerLsbW: POWER_LSB_PER_CURRENT_LSB * currentLsbA };
}

/** A 16-bit register value as two's complement. */
export function toInt16(raw: number): number {
  return raw & 0x8000 ? raw - 0x10000 : raw;
}

/** §8.6.3.1: shunt voltage in V (signed, 10 µV LSB). */
export function decodeShuntVoltage(raw: number): number {
  return toInt16(raw) / 100_000; // 10 µV LSB (SHUNT_LSB_V), divided to stay exact
}

/** §8.6.3.2: bus voltage register fields. */
export interface BusVoltage {
  /** Bus voltage in V (bits 15..3 × 4 mV). */
  busVoltageV: number;
  /** CNVR (bit 1): a conversion completed since the power register was last read. */
  conversionReady: boolean;
  /** OVF (bit 0): the current or power calculation is out of range. */
  overflow: boolean;
}

/** §8.6.3.2: bits 15..3 × 4 mV; CNVR bit 1; OVF bit 0. */
export function decodeBusVoltage(raw: number): BusVoltage {
  return {
    busVoltageV: ((raw >> 3) * 4) / 1000, // 4 mV LSB, in whole mV so 11.98 stays 11.98
    conversionReady: (raw & 0b10) !== 0,
    overflow: (raw & 0b1) !== 0,
  };
}

/** §8.6.3.4: current in A (signed) = register × Current_LSB. */
export function decodeCurrent(raw: number, currentLsbA: number): number {
  return toInt16(raw) * currentLsbA;
}

/** §8.6.3.3: power in W (unsigned) = register × Power_LSB. */
export function decodePower(raw: number, powerLsbW: number): number {
  return raw * powerLsbW;
}

/** Whether a shunt register value sits at the PGA's full scale (the input clipped). */
export function shuntClipped(raw: number, pga: PgaDivider): boolean {
  return Math.abs(toInt16(raw)) >= 4000 * pga;
}
