/**
 * INA260 register math, pure: register pointers, power-on values and the decoding of
 * every data register. The INA260 carries its own 2 mΩ shunt and is calibrated at
 * the factory, so there is no calibration register: current, bus voltage and power
 * have fixed LSBs. Section numbers refer to the TI datasheet SBOS656 (INA260); the
 * configuration and Mask/Enable layout it shares with the INA226 live in
 * ina2xx_registers.ts.
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

/** §8.6 Table 3 (register map): the configuration register. */
export const REG_CONFIG = 0x00;
/** §8.6.2: current register (01h), 1.25 mA LSB, signed. */
export const REG_CURRENT = 0x01;
/** §8.6.3: bus voltage register (02h), 1.25 mV LSB. */
export const REG_BUS_VOLTAGE = 0x02;
/** §8.6.4: power register (03h), 10 mW LSB, unsigned. */
export const REG_POWER = 0x03;
/** §8.6.1: power-on value of the configuration register (1 average, 1.1 ms, continuous). */
export const CONFIG_POWER_ON = 0x6127;
/** §8.6.1: bits 14..12 are reserved and read 110b. */
export const CONFIG_RESERVED = 0x6000;
/** §8.6.8: the Die ID register reads 2270h (part 227h, revision 0). */
export const DIE_ID = 0x2270;
/** The INA260's ID registers. */
export const INA260_IDENTITY: ChipIdentity = {
  manufacturerRegister: REG_MANUFACTURER_ID,
  deviceRegister: REG_DIE_ID,
  deviceId: 0x227,
};
/** §8.3.1: the integrated current-sensing resistor, 2 mΩ. */
export const SHUNT_OHMS = 0.002;
/** §8.6.2: current LSB, 1.25 mA (2.5 µV across the 2 mΩ shunt). */
export const CURRENT_LSB_A = 0.00125;
/** §8.6.3: bus voltage LSB, 1.25 mV. */
export const BUS_LSB_V = 0.00125;
/** §8.6.4: power LSB, 10 mW. */
export const POWER_LSB_W = 0.01;

/** The INA260's configuration register value (§8.6.1). */
export function encodeConfig(config: Ina226FamilyConfig): number {
  return encodeFamilyConfig(config, CONFIG_RESERVED);
}

/** The fields of an INA260 configuration register value. */
export function decodeConfig(raw: number): Ina226FamilyConfig {
  return decodeFamilyConfig(raw);
}

/** §8.6.2: current in A (signed, 1.25 mA LSB). */
export function decodeCurrent(raw: number): number {
  return (toSigned(raw, 16) * 125) / 100_000;
}

/** §8.6.3: bus voltage in V (bits 14..0 × 1.25 mV). */
export const decodeBusVoltage = decodeFamilyBusVoltage;

/** §8.6.4: power in W (unsigned, 10 mW LSB). */
export function decodePower(raw: number): number {
  return raw / 100;
}

/** Whether a current register value sits at the ADC's full scale (the input clipped). */
export const currentClipped = clipped16;
