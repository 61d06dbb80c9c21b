/**
 * INA228 register math, pure: register pointers and widths, CONFIG and ADC_CONFIG,
 * SHUNT_CAL, and the decoding of the 20-bit results and the 40-bit energy and charge
 * accumulators. Section and table numbers refer to the TI datasheet SLYS021 (INA228).
 * @module
 */
import {
  AVERAGES,
  type Averages,
  type ChipIdentity,
  encodeAverages,
  encodeConversionUs,
  type ModeChannels,
  resultPeriodMs,
  toSigned,
} from "./ina2xx_registers.ts";
import { roundUpNice } from "./ina219_registers.ts";

/** §7.6.1 Table 7-3: CONFIG (16 bits). */
export const REG_CONFIG = 0x00;
/** ADC_CONFIG (16 bits): mode, conversion times, averaging. */
export const REG_ADC_CONFIG = 0x01;
/** SHUNT_CAL (16 bits, bits 14..0). */
export const REG_SHUNT_CAL = 0x02;
/** SHUNT_TEMPCO (16 bits, bits 13..0). */
export const REG_SHUNT_TEMPCO = 0x03;
/** VSHUNT (24 bits: a 20-bit two's complement value in bits 23..4). */
export const REG_VSHUNT = 0x04;
/** VBUS (24 bits: a 20-bit value in bits 23..4, always positive). */
export const REG_VBUS = 0x05;
/** DIETEMP (16 bits, 7.8125 m°C LSB). */
export const REG_DIETEMP = 0x06;
/** CURRENT (24 bits: a 20-bit two's complement value in bits 23..4). */
export const REG_CURRENT = 0x07;
/** POWER (24 bits, unsigned). */
export const REG_POWER = 0x08;
/** ENERGY (40 bits, unsigned). */
export const REG_ENERGY = 0x09;
/** CHARGE (40 bits, two's complement). */
export const REG_CHARGE = 0x0a;
/** DIAG_ALRT (16 bits): alert configuration and diagnostic flags. */
export const REG_DIAG_ALRT = 0x0b;
/** MANUFACTURER_ID (16 bits): 5449h. */
export const REG_MANUFACTURER_ID = 0x3e;
/** DEVICE_ID (16 bits): DIEID 228h in bits 15..4, revision in 3..0. */
export const REG_DEVICE_ID = 0x3f;
/** The DEVICE_ID register's power-on value (part 228h, revision 1). */
export const DEVICE_ID = 0x2281;
/** The INA228's ID registers. */
export const INA228_IDENTITY: ChipIdentity = {
  manufacturerRegister: REG_MANUFACTURER_ID,
  deviceRegister: REG_DEVICE_ID,
  deviceId: 0x228,
};

/** Table 7-3: register width in bytes; unlisted pointers are reserved. */
export const REGISTER_BYTES: Readonly<Record<number, number>> = {
  0x00: 2,
  0x01: 2,
  0x02: 2,
  0x03: 2,
  0x04: 3,
  0x05: 3,
  0x06: 2,
  0x07: 3,
  0x08: 3,
  0x09: 5,
  0x0a: 5,
  0x0b: 2,
  0x0c: 2,
  0x0d: 2,
  0x0e: 2,
  0x0f: 2,
  0x10: 2,
  0x11: 2,
  0x3e: 2,
  0x3f: 2,
};

/** CONFIG bit 15, RST: a write of 1 resets every register (self-clearing). */
export const CONFIG_RST = 1 << 15;
/** CONFIG bit 14, RSTACC: a write of 1 clears ENERGY and CHARGE (self-clearing). */
export const CONFIG_RSTACC = 1 << 14;
/** CONFIG bit 4, ADCRANGE: 0 = ±163.84 mV, 1 = ±40.96 mV shunt full scale. */
export const CONFIG_ADCRANGE = 1 << 4;
/** ADC_CONFIG power-on value: continuous bus+shunt+temperature, 1052 µs each, 1 average. */
export const ADC_CONFIG_POWER_ON = 0xfb68;
/** SHUNT_CAL power-on value. */
export const SHUNT_CAL_POWER_ON = 0x1000;
/** DIAG_ALRT power-on value: MEMSTAT set (trim memory checksum good). */
export const DIAG_ALRT_POWER_ON = 0x0001;
/** DIAG_ALRT bit 15, ALATCH: flags latch until DIAG_ALRT is read (CNVRF cleared by that read). */
export const DIAG_ALATCH = 1 << 15;
/** DIAG_ALRT bit 14, CNVR: the ALERT pin also signals conversion ready. */
export const DIAG_CNVR = 1 << 14;
/** DIAG_ALRT bit 11, ENERGYOF: ENERGY overflowed; cleared by reading ENERGY. */
export const DIAG_ENERGYOF = 1 << 11;
/** DIAG_ALRT bit 10, CHARGEOF: CHARGE overflowed; cleared by reading CHARGE. */
export const DIAG_CHARGEOF = 1 << 10;
/** DIAG_ALRT bit 9, MATHOF: a calculation overflowed; current and power may be invalid. */
export const DIAG_MATHOF = 1 << 9;
/** DIAG_ALRT bit 1, CNVRF: a conversion completed. */
export const DIAG_CNVRF = 1 << 1;
/** DIAG_ALRT bit 0, MEMSTAT: 1 = trim memory checksum good. */
export const DIAG_MEMSTAT = 1 << 0;
/** DIAG_ALRT bits a host may write: ALATCH, CNVR, SLOWALERT, APOL. */
export const DIAG_WRITABLE = 0xf000;

/** §8.1.2 Equation 2: SHUNT_CAL = 13107.2 × 10^6 × CURRENT_LSB × R_SHUNT (ADCRANGE 0). */
export const CAL_SCALE = 13107.2e6;
/** SHUNT_CAL's largest value (15 bits). */
export const CAL_MAX = 0x7fff;
/** VBUS LSB: 195.3125 µV (85 V rated, 102.4 V full scale). */
export const BUS_LSB_V = 195.3125e-6;
/** VSHUNT LSB at ADCRANGE 0 (±163.84 mV) and 1 (±40.96 mV). */
export const SHUNT_LSB_V = { 0: 312.5e-9, 1: 78.125e-9 } as const;
/** Power LSB = 3.2 × CURRENT_LSB (§8.1.2 Equation 5). */
export const POWER_LSB_PER_CURRENT_LSB = 3.2;
/** Energy LSB = 16 × Power LSB (§8.1.2 Equation 6). */
export const ENERGY_LSB_PER_POWER_LSB = 16;
/** DIETEMP LSB in °C. */
export const TEMPERATURE_LSB_C = 0.0078125;

/** ADC_CONFIG VBUSCT, VSHCT, VTCT: conversion time in µs per code 0–7. */
export const CONVERSION_US = [50, 84, 150, 280, 540, 1052, 2074, 4120] as const;

/** The shunt full scale: 0 = ±163.84 mV, 1 = ±40.96 mV. */
export type AdcRange = 0 | 1;

/** The fields of CONFIG (reset bits excluded: they clear themselves). */
export interface Ina228Config {
  /** CONVDLY (bits 13..6): delay before the first conversion, in 2 ms steps (0–510 ms). */
  convDelayMs: number;
  /** TEMPCOMP (bit 5): shunt temperature compensation. */
  tempComp: boolean;
  /** ADCRANGE (bit 4). */
  adcRange: AdcRange;
}

/** The fields of ADC_CONFIG. */
export interface Ina228AdcConfig {
  /** MODE (bits 15..12): 0/8 shutdown; bit 3 continuous; bits 0, 1, 2 bus, shunt, temperature. */
  mode: number;
  /** VBUSCT (bits 11..9) in µs. */
  busConversionUs: number;
  /** VSHCT (bits 8..6) in µs. */
  shuntConversionUs: number;
  /** VTCT (bits 5..3) in µs. */
  temperatureConversionUs: number;
  /** AVG (bits 2..0). */
  averages: Averages;
}

/** MODE Bh: continuous shunt and bus voltage (no temperature). */
export const MODE_SHUNT_BUS_CONTINUOUS = 0xb;

/** CONFIG's value (§7.6.1.1); RST and RSTACC are separate bits a writer adds. */
export function encodeConfig(config: Ina228Config): number {
  const delay = config.convDelayMs / 2;
  if (!Number.isInteger(delay) || delay < 0 || delay > 255) {
    throw new RangeError(
      `Invalid conversion delay ${config.convDelayMs} ms: must be 0–510 in steps of 2`,
    );
  }
  return (delay << 6) | (config.tempComp ? 1 << 5 : 0) | (config.adcRange << 4);
}

/** The fields of a CONFIG value. */
export function decodeConfig(raw: number): Ina228Config {
  return {
    convDelayMs: ((raw >> 6) & 0xff) * 2,
    tempComp: (raw & (1 << 5)) !== 0,
    adcRange: ((raw >> 4) & 1) as AdcRange,
  };
}

/** ADC_CONFIG's value (§7.6.1.2). */
export function encodeAdcConfig(config: Ina228AdcConfig): number {
  if (!Number.isInteger(config.mode) || config.mode < 0 || config.mode > 15) {
    throw new RangeError(`Invalid INA228 mode ${config.mode}: must be 0h–Fh`);
  }
  return (
    (config.mode << 12) |
    (encodeConversionUs(config.busConversionUs, CONVERSION_US) << 9) |
    (encodeConversionUs(config.shuntConversionUs, CONVERSION_US) << 6) |
    (encodeConversionUs(config.temperatureConversionUs, CONVERSION_US) << 3) |
    encodeAverages(config.averages)
  );
}

/** The fields of an ADC_CONFIG value. */
export function decodeAdcConfig(raw: number): Ina228AdcConfig {
  return {
    mode: (raw >> 12) & 0xf,
    busConversionUs: CONVERSION_US[(raw >> 9) & 0b111],
    shuntConversionUs: CONVERSION_US[(raw >> 6) & 0b111],
    temperatureConversionUs: CONVERSION_US[(raw >> 3) & 0b111],
    averages: AVERAGES[raw & 0b111],
  };
}

/** ADC_CONFIG MODE: what converts, once or continuously (0h and 8h: shutdown). */
export function modeChannels(mode: number): ModeChannels {
  return {
    bus: (mode & 0b001) !== 0,
    shunt: (mode & 0b010) !== 0,
    temperature: (mode & 0b100) !== 0,
    continuous: (mode & 0b1000) !== 0,
  };
}

/** §7.3.4.2: a full result every averages × the enabled channels' conversion times. */
export function periodMs(config: Ina228AdcConfig): number {
  return resultPeriodMs(config.averages, modeChannels(config.mode), {
    busUs: config.busConversionUs,
    shuntUs: config.shuntConversionUs,
    temperatureUs: config.temperatureConversionUs,
  });
}

/** A calibration: SHUNT_CAL and the LSBs it implies (§8.1.2). */
export interface Ina228Calibration {
  /** SHUNT_CAL (1–32767). */
  shuntCal: number;
  /** Amperes per bit of CURRENT. */
  currentLsbA: number;
  /** Watts per bit of POWER (3.2 × currentLsbA). */
  powerLsbW: number;
  /** Joules per bit of ENERGY (16 × powerLsbW). */
  energyLsbJ: number;
  /** Coulombs per bit of CHARGE (= currentLsbA). */
  chargeLsbC: number;
}

/**
 * §8.1.2 Equations 2–3: CURRENT_LSB at least MaxExpected/2^19 (the smallest 1-2-5
 * value above it, unless given), SHUNT_CAL = 13107.2 × 10^6 × CURRENT_LSB × R_SHUNT,
 * × 4 at ADCRANGE 1. SHUNT_CAL is rounded to an integer, so the LSBs returned are
 * the ones the chip then applies (the nominal one when SHUNT_CAL comes out whole).
 * @example 16.2 mΩ, 10 A / 2^19 → SHUNT_CAL 4050 (Table 8-4's design).
 * @throws {RangeError} when SHUNT_CAL would fall outside 1–32767.
 */
export function calibrate(
  shuntOhms: number,
  maxCurrentA: number,
  options: { currentLsbA?: number; adcRange?: AdcRange } = {},
): Ina228Calibration {
  if (!(shuntOhms > 0) || !(maxCurrentA > 0)) {
    throw new RangeError(`Invalid calibration: shunt ${shuntOhms} Ω and ${maxCurrentA} A`);
  }
  const factor = options.adcRange === 1 ? 4 : 1;
  const nominalLsbA = options.currentLsbA ?? roundUpNice(maxCurrentA / 2 ** 19);
  const shuntCal = Math.round(CAL_SCALE * nominalLsbA * shuntOhms * factor);
  if (shuntCal < 1 || shuntCal > CAL_MAX) {
    throw new RangeError(
      `Cannot calibrate an INA228 for a ${shuntOhms} Ω shunt and ${maxCurrentA} A: SHUNT_CAL ${shuntCal} is outside 1–32767`,
    );
  }
  // SHUNT_CAL is an integer: the LSB the chip applies is the one it implies (4050 → exact).
  const exact = shuntCal / (CAL_SCALE * shuntOhms * factor);
  const currentLsbA = Math.abs(exact / nominalLsbA - 1) < 1e-9 ? nominalLsbA : exact;
  const powerLsbW = POWER_LSB_PER_CURRENT_LSB * currentLsbA;
  return {
    shuntCal,
    currentLsbA,
    powerLsbW,
    energyLsbJ: ENERGY_LSB_PER_POWER_LSB * powerLsbW,
    chargeLsbC: currentLsbA,
  };
}

/** The 20-bit field of a 24-bit result register (bits 23..4), two's complement. */
export function decode20(raw: number): number {
  return toSigned(Math.floor(raw / 16) & 0xfffff, 20);
}

/** A 20-bit count as its 24-bit register value (reserved bits 3..0 zero). */
export function encode20(count: number): number {
  return (count & 0xfffff) * 16;
}

/** VSHUNT in V at `adcRange`. */
export function decodeShuntVoltage(raw: number, adcRange: AdcRange): number {
  return decode20(raw) * SHUNT_LSB_V[adcRange];
}

/** VBUS in V (195.3125 µV LSB; the sign bit never set). */
export function decodeBusVoltage(raw: number): number {
  return decode20(raw) * BUS_LSB_V;
}

/** CURRENT in A (signed). */
export function decodeCurrent(raw: number, currentLsbA: number): number {
  return decode20(raw) * currentLsbA;
}

/** POWER in W (24-bit unsigned). */
export function decodePower(raw: number, powerLsbW: number): number {
  return raw * powerLsbW;
}

/** ENERGY in J (40-bit unsigned). */
export function decodeEnergy(raw: number, energyLsbJ: number): number {
  return raw * energyLsbJ;
}

/** CHARGE in C (40-bit two's complement). */
export function decodeCharge(raw: number, chargeLsbC: number): number {
  return toSigned(raw, 40) * chargeLsbC;
}

/** DIETEMP in °C (16-bit two's complement, 7.8125 m°C). */
export function decodeTemperature(raw: number): number {
  return toSigned(raw, 16) * TEMPERATURE_LSB_C;
}

/** Whether a VSHUNT value sits at the 20-bit ADC's full scale (the input clipped). */
export function shuntClipped(raw: number): boolean {
  const count = decode20(raw);
  return count >= 0x7ffff || count <= -0x80000;
}
