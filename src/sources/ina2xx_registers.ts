/**
 * What the INA226, INA260 and INA228 have in common, pure: TI's manufacturer ID, the
 * averaging codes (1–1024), the operating modes, the configuration register of the
 * INA226/INA260 (same layout, same conversion times), their Mask/Enable bits, and
 * signed and multi-byte register helpers. Datasheets: INA226 SBOS547, INA260 SBOS656,
 * INA228 SLYS021.
 * @module
 */

/** INA226 §7.6.9, INA260 §8.6.7, INA228 MANUFACTURER_ID: "TI" in ASCII. */
export const MANUFACTURER_ID_TI = 0x5449;

/** INA226 Table 6 / INA260 AVG / INA228 AVG: samples averaged per code 0–7. */
export const AVERAGES = [1, 4, 16, 64, 128, 256, 512, 1024] as const;
/** Samples averaged per result. */
export type Averages = typeof AVERAGES[number];

/** INA226 Tables 7–8 / INA260 VBUSCT, ISHCT: conversion time in µs per code 0–7. */
export const INA226_CONVERSION_US = [140, 204, 332, 588, 1100, 2116, 4156, 8244] as const;

/** The 3-bit code of an averaging count. */
export function encodeAverages(averages: number): number {
  const code = AVERAGES.indexOf(averages as Averages);
  if (code < 0) {
    throw new RangeError(
      `Invalid averaging ${averages}: must be one of ${AVERAGES.join(", ")}`,
    );
  }
  return code;
}

/** The 3-bit code of a conversion time in µs from `table`. */
export function encodeConversionUs(us: number, table: readonly number[]): number {
  const code = table.indexOf(us);
  if (code < 0) {
    throw new RangeError(`Invalid conversion time ${us} µs: must be one of ${table.join(", ")}`);
  }
  return code;
}

/** Operating modes of the INA226 and INA260 (MODE, bits 2..0; INA226 Table 9). */
export const INA226_MODES = [
  "power_down",
  "shunt_triggered",
  "bus_triggered",
  "shunt_bus_triggered",
  "power_down",
  "shunt_continuous",
  "bus_continuous",
  "shunt_bus_continuous",
] as const;
/** An INA226/INA260 operating mode. */
export type Ina226Mode = typeof INA226_MODES[number];

/** The fields of the INA226's and INA260's configuration register (00h). */
export interface Ina226FamilyConfig {
  /** AVG (bits 11..9): samples averaged per result. */
  averages: Averages;
  /** VBUSCT (bits 8..6): bus voltage conversion time in µs. */
  busConversionUs: number;
  /** VSHCT / ISHCT (bits 5..3): shunt (current) conversion time in µs. */
  shuntConversionUs: number;
  /** MODE (bits 2..0). */
  mode: Ina226Mode;
}

/** Bit 15 of the INA226/INA260 configuration register: a write of 1 resets every register. */
export const CONFIG_RESET = 0x8000;

/**
 * INA226 §7.6.1 / INA260 §8.6.1: the configuration register's value; bits 14..12
 * are reserved and read back as `reserved` (INA226 100b, INA260 110b).
 */
export function encodeFamilyConfig(config: Ina226FamilyConfig, reserved: number): number {
  const mode = INA226_MODES.lastIndexOf(config.mode); // 100b and 000b are both power-down
  return (
    reserved |
    (encodeAverages(config.averages) << 9) |
    (encodeConversionUs(config.busConversionUs, INA226_CONVERSION_US) << 6) |
    (encodeConversionUs(config.shuntConversionUs, INA226_CONVERSION_US) << 3) |
    mode
  );
}

/** The fields of an INA226/INA260 configuration register value. */
export function decodeFamilyConfig(raw: number): Ina226FamilyConfig {
  return {
    averages: AVERAGES[(raw >> 9) & 0b111],
    busConversionUs: INA226_CONVERSION_US[(raw >> 6) & 0b111],
    shuntConversionUs: INA226_CONVERSION_US[(raw >> 3) & 0b111],
    mode: INA226_MODES[raw & 0b111],
  };
}

/** What a mode converts, and whether it runs once or continuously. */
export interface ModeChannels {
  /** The shunt (current) is converted. */
  shunt: boolean;
  /** The bus voltage is converted. */
  bus: boolean;
  /** The die temperature is converted (INA228 only). */
  temperature: boolean;
  /** Conversions repeat; otherwise one result per trigger. */
  continuous: boolean;
}

/** INA226 Table 9: the channels of an INA226/INA260 mode. */
export function familyModeChannels(mode: Ina226Mode): ModeChannels {
  return {
    shunt: mode.startsWith("shunt"),
    bus: mode.includes("bus"),
    temperature: false,
    continuous: mode.endsWith("continuous"),
  };
}

/**
 * INA226 §7.3.2 / INA260 §8.4.1 / INA228 §7.3.4.2: a full result every
 * averages × (sum of the enabled channels' conversion times); 0 when idle.
 */
export function resultPeriodMs(
  averages: number,
  channels: ModeChannels,
  times: { busUs: number; shuntUs: number; temperatureUs?: number },
): number {
  const us = (channels.bus ? times.busUs : 0) + (channels.shunt ? times.shuntUs : 0) +
    (channels.temperature ? times.temperatureUs ?? 0 : 0);
  return (averages * us) / 1000;
}

/** The INA226/INA260 result period of a configuration in ms. */
export function familyPeriodMs(config: Ina226FamilyConfig): number {
  return resultPeriodMs(config.averages, familyModeChannels(config.mode), {
    busUs: config.busConversionUs,
    shuntUs: config.shuntConversionUs,
  });
}

/** INA226 §7.6.7 / INA260 §8.6.5: the Mask/Enable register (06h). */
export const REG_MASK_ENABLE = 0x06;
/** The Alert Limit register (07h). */
export const REG_ALERT_LIMIT = 0x07;
/** The Manufacturer ID register (FEh). */
export const REG_MANUFACTURER_ID = 0xfe;
/** The Die ID register (FFh). */
export const REG_DIE_ID = 0xff;
/** Mask/Enable bit 10, CNVR: the ALERT pin also signals conversion ready. */
export const ME_CNVR = 1 << 10;
/** Mask/Enable bit 4, AFF: the alert function flag. */
export const ME_AFF = 1 << 4;
/** Mask/Enable bit 3, CVRF: a result completed; cleared by reading Mask/Enable or writing config. */
export const ME_CVRF = 1 << 3;
/** Mask/Enable bit 2, OVF: the current or power calculation overflowed. */
export const ME_OVF = 1 << 2;
/** Mask/Enable bits a host may write: the five alert functions, CNVR, APOL and LEN. */
export const ME_WRITABLE = 0xfc03;

/** INA226 §7.6.3 / INA260 §8.6.3: bus voltage in V (bits 14..0 × 1.25 mV). */
export function decodeFamilyBusVoltage(raw: number): number {
  return ((raw & 0x7fff) * 125) / 100_000;
}

/** Whether a signed 16-bit ADC register (shunt, or the INA260's current) sits at full scale. */
export function clipped16(raw: number): boolean {
  const count = toSigned(raw, 16);
  return count >= 32767 || count <= -32768;
}

/** A `bits`-wide two's complement field as a signed number. */
export function toSigned(raw: number, bits: number): number {
  const half = 2 ** (bits - 1);
  return raw >= half ? raw - 2 * half : raw;
}

/** Big-endian bytes (up to 6, exact in a double) as one unsigned number. */
export function bytesToUint(bytes: Uint8Array): number {
  let value = 0;
  for (const byte of bytes) value = value * 256 + byte;
  return value;
}

/** An unsigned number as `length` big-endian bytes (the low bytes). */
export function uintToBytes(value: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let rest = value;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  return out;
}

/** Rounds a count to the nearest integer and holds it in `min`–`max` (an ADC's full scale). */
export function clampCount(x: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, Math.round(x)));
}

/** The identity a driver checks at set-up: manufacturer ID and die/device ID. */
export interface ChipIdentity {
  /** Register of the manufacturer ID (0x5449 on every TI part). */
  manufacturerRegister: number;
  /** Register of the die or device ID. */
  deviceRegister: number;
  /** The part number field, bits 15..4 of the die/device ID (0x226, 0x227, 0x228). */
  deviceId: number;
}

/** Whether the two ID registers name this part (any silicon revision, bits 3..0). */
export function identityMatches(
  identity: ChipIdentity,
  manufacturer: number,
  device: number,
): boolean {
  return manufacturer === MANUFACTURER_ID_TI && device >> 4 === identity.deviceId;
}
