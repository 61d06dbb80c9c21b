/**
 * INA226 register math, pure: register pointers, power-on values, calibration and
 * the decoding of every data register. Section and table numbers refer to the TI
 * datasheet SBOS547 (INA226); the configuration and Mask/Enable layout it shares with
 * the INA260 live in ina2xx_registers.ts.
 * @module
 */
import type { ChipIdentity, Ina226FamilyConfig } from "./ina2xx_registers.ts";
import {
  clipped16,
  decodeFamilyBusVoltage,
  decodeFamilyConfig,
  encodeFamilyConfig,
  REG_DIE_ID,
  REG_MANUFACTURER_ID,
  toSigned,
} from "./ina2xx_registers.ts";
import { roundUpNice } from "./ina219_registers.ts";

/** §7.6 Table 2 (register map): the configuration register. */
export const REG_CONFIG = 0x00;
/** Shunt voltage register (01h), 2.5 µV LSB, signed. */
export const REG_SHUNT_VOLTAGE = 0x01;
/** Bus voltage register (02h), 1.25 mV LSB, bit 15 always 0. */
export const REG_BUS_VOLTAGE = 0x02;
/** Power register (03h), 25 × Current_LSB, unsigned. */
export const REG_POWER = 0x03;
/** Current register (04h), Current_LSB, signed. */
export const REG_CURRENT = 0x04;
/** Calibration register (05h), bits 14..0 (bit 15 is not implemented). */
export const REG_CALIBRATION = 0x05;
/** §7.6.1: power-on value of the configuration register (1 average, 1.1 ms, continuous). */
export const CONFIG_POWER_ON = 0x4127;
/** §7.6.1: bits 14..12 are reserved and read 100b. */
export const CONFIG_RESERVED = 0x4000;
/** §7.6.10: the Die ID register reads 2260h (part 226h, revision 0). */
export const DIE_ID = 0x2260;
/** The INA226's ID registers. */
export const INA226_IDENTITY: ChipIdentity = {
  manufacturerRegister: REG_MANUFACTURER_ID,
  deviceRegister: REG_DIE_ID,
  deviceId: 0x226,
};
/** §7.6.2: shunt voltage LSB, 2.5 µV (full scale ±81.92 mV). */
export const SHUNT_LSB_V = 2.5e-6;
/** §7.6.3: bus voltage LSB, 1.25 mV (full scale 40.96 V, 36 V rated). */
export const BUS_LSB_V = 0.00125;
/** §7.5.1 Equation 1: the fixed scaling constant of the calibration register. */
export const CAL_SCALE = 0.00512;
/** §7.5.1: Power_LSB = 25 × Current_LSB. */
export const POWER_LSB_PER_CURRENT_LSB = 25;
/** The calibration register's largest value (15 bits). */
export const CAL_MAX = 0x7fff;

/** The INA226's configuration register value (§7.6.1). */
export function encodeConfig(config: Ina226FamilyConfig): number {
  return encodeFamilyConfig(config, CONFIG_RESERVED);
}

/** The fields of an INA226 configuration register value. */
export function decodeConfig(raw: number): Ina226FamilyConfig {
  return decodeFamilyConfig(raw);
}

/** A calibration: the register value and the LSBs it implies (§7.5.1). */
export interface Ina226Calibration {
  /** Calibration register value (1–32767). */
  cal: number;
  /** Amperes per bit of the current register. */
  currentLsbA: number;
  /** Watts per bit of the power register (25 × currentLsbA). */
  powerLsbW: number;
}

/**
 * §7.5.1 Equations 1–2: Current_LSB at least MaxExpected/2^15 (here the smallest
 * 1-2-5 value above it, unless given), then CAL = trunc(0.00512 / (Current_LSB ×
 * R_SHUNT)) and Power_LSB = 25 × Current_LSB.
 * @example 2 mΩ with a 1 mA LSB → CAL 2560 (Table 1); 0.1 Ω, 3.2 A → 100 µA, CAL 512.
 * @throws {RangeError} when the shunt and current need a CAL outside 1–32767.
 */
export function calibrate(
  shuntOhms: number,
  maxCurrentA: number,
  options: { currentLsbA?: number } = {},
): Ina226Calibration {
  if (!(shuntOhms > 0) || !(maxCurrentA > 0)) {
    throw new RangeError(`Invalid calibration: shunt ${shuntOhms} Ω and ${maxCurrentA} A`);
  }
  // A LSB fine enough for 15 bits of current, coarse enough for CAL to fit 15 bits.
  const lowestA = Math.max(maxCurrentA / 32767, CAL_SCALE / (CAL_MAX * shuntOhms));
  const currentLsbA = options.currentLsbA ?? roundUpNice(lowestA);
  const cal = Math.trunc(CAL_SCALE / (currentLsbA * shuntOhms) + 1e-9);
  if (cal < 1 || cal > CAL_MAX) {
    throw new RangeError(
      `Cannot calibrate an INA226 for a ${shuntOhms} Ω shunt and ${maxCurrentA} A: calibration ${cal} is outside 1–32767`,
    );
  }
  return { cal, currentLsbA, powerLsbW: POWER_LSB_PER_CURRENT_LSB * currentLsbA };
}

/** §7.6.2: shunt voltage in V (signed, 2.5 µV LSB). */
export function decodeShuntVoltage(raw: number): number {
  return toSigned(raw, 16) / 400_000; // 2.5 µV, divided to stay exact
}

/** §7.6.3: bus voltage in V (bits 14..0 × 1.25 mV). */
export const decodeBusVoltage = decodeFamilyBusVoltage;

/** §7.6.5: current in A (signed) = register × Current_LSB. */
export function decodeCurrent(raw: number, currentLsbA: number): number {
  return toSigned(raw, 16) * currentLsbA;
}

/** §7.6.4: power in W (unsigned) = register × Power_LSB. */
export function decodePower(raw: number, powerLsbW: number): number {
  return raw * powerLsbW;
}

/** Whether a shunt register value sits at the ADC's full scale (the input clipped). */
export const shuntClipped = clipped16;
