/**
 * INA3221 register math, pure: the configuration register (per-channel enables,
 * averaging, conversion times, mode), the per-channel shunt and bus registers, the
 * Mask/Enable flags and the ID registers. Section numbers refer to the TI datasheet
 * SBOS576B (INA3221, March 2016), §8.6.2 "Register Descriptions".
 * @module
 */
import {
  AVERAGES as FAMILY_AVERAGES,
  INA226_CONVERSION_US,
  INA226_MODES,
} from "./ina2xx_registers.ts";

/** §8.6.2.1: the configuration register (00h). */
export const REG_CONFIG = 0x00;
/** §8.6.2.16: the Mask/Enable register (0Fh): alert flags and CVRF. */
export const REG_MASK_ENABLE = 0x0f;
/** §8.6.2.19: the manufacturer ID register (FEh). */
export const REG_MANUFACTURER_ID = 0xfe;
/** §8.6.2.20: the die ID register (FFh). */
export const REG_DIE_ID = 0xff;
/** §8.6.2.19: what the manufacturer ID register reads ("TI" in ASCII). */
export const MANUFACTURER_ID = 0x5449;
/** §8.6.2.20: what the die ID register reads. */
export const DIE_ID = 0x3220;
/** §8.6.2.1: power-on value of the configuration register (all channels, 1 sample, 1.1 ms, continuous). */
export const CONFIG_POWER_ON = 0x7127;
/** §8.6.2.1 bit 15 (RST): writing 1 resets every register, like a power-on reset. */
export const CONFIG_RESET = 0x8000;
/** §8.6.2.16: power-on value of the Mask/Enable register (TCF set). */
export const MASK_ENABLE_POWER_ON = 0x0002;
/** §8.6.2.16 bit 0 (CVRF): every enabled conversion completed; cleared by reading Mask/Enable or writing the configuration. */
export const CVRF = 0x0001;
/** §8.6.2.2: shunt voltage LSB, 40 µV, in bits 15..3 (signed). */
export const SHUNT_LSB_V = 40e-6;
/** §8.6.2.3: bus voltage LSB, 8 mV, in bits 15..3 (signed). */
export const BUS_LSB_V = 0.008;
/** §8.6.2.2: the 13-bit signed count at full scale (163.8 mV shunt, 32.76 V bus). */
export const FULL_SCALE_COUNT = 4095;

/** A chip channel, 1 to 3. */
export type ChipChannel = 1 | 2 | 3;
/** Every chip channel, in conversion order. */
export const CHIP_CHANNELS: readonly ChipChannel[] = [1, 2, 3];

/** §8.6.2.1 AVG (bits 11..9): samples averaged per result (the INA226's codes). */
export const AVERAGES = FAMILY_AVERAGES;
/** A number of samples averaged. */
export type Averages = typeof AVERAGES[number];
/**
 * §8.6.2.1 VBUSCT (bits 8..6) and VSHCT (bits 5..3): conversion time of one sample in µs
 * (the INA226's table).
 */
export const CONVERSION_TIMES_US = INA226_CONVERSION_US;
/** A conversion time in µs. */
export type ConversionTimeUs = typeof CONVERSION_TIMES_US[number];
/** §8.6.2.1 MODE (bits 2..0), the INA226's: 000 and 100 are both power-down. */
export const MODES = INA226_MODES;
/** An operating mode. */
export type OperatingMode = typeof MODES[number];

/** The fields of the configuration register. */
export interface Ina3221Config {
  /** CH1en, CH2en, CH3en (bits 14, 13, 12): the chip channels converted. */
  channels: readonly ChipChannel[];
  /** AVG (bits 11..9). */
  averages: Averages;
  /** VBUSCT (bits 8..6). */
  busConversionUs: ConversionTimeUs;
  /** VSHCT (bits 5..3). */
  shuntConversionUs: ConversionTimeUs;
  /** MODE (bits 2..0). */
  mode: OperatingMode;
}

/** The bit of CHnen in the configuration register: CH1en is bit 14, CH3en bit 12. */
export function channelEnableBit(channel: ChipChannel): number {
  return 1 << (15 - channel);
}

/** §8.6.2.1: the configuration register's value. */
export function encodeConfig(config: Ina3221Config): number {
  let raw = 0;
  for (const channel of config.channels) raw |= channelEnableBit(channel);
  return raw |
    (AVERAGES.indexOf(config.averages) << 9) |
    (CONVERSION_TIMES_US.indexOf(config.busConversionUs) << 6) |
    (CONVERSION_TIMES_US.indexOf(config.shuntConversionUs) << 3) |
    MODES.indexOf(config.mode);
}

/** §8.6.2.1: the fields of a configuration register value (bit 15 ignored). */
export function decodeConfig(raw: number): Ina3221Config {
  return {
    channels: CHIP_CHANNELS.filter((c) => (raw & channelEnableBit(c)) !== 0),
    averages: AVERAGES[(raw >> 9) & 0b111],
    busConversionUs: CONVERSION_TIMES_US[(raw >> 6) & 0b111],
    shuntConversionUs: CONVERSION_TIMES_US[(raw >> 3) & 0b111],
    mode: MODES[raw & 0b111],
  };
}

/**
 * §8.4.2.2: time for one complete cycle in ms, after which CVRF is set: every
 * enabled channel's shunt and/or bus conversion, each averaged. Three channels
 * at 332 µs each give ≈ 2 ms, the datasheet's example (3 × (332 + 332) µs).
 */
export function cycleTimeMs(config: Ina3221Config): number {
  if (config.mode === "power_down") return 0;
  const shuntUs = config.mode.startsWith("shunt") ? config.shuntConversionUs : 0;
  const busUs = config.mode.includes("bus") ? config.busConversionUs : 0;
  return (config.channels.length * config.averages * (shuntUs + busUs)) / 1000;
}

/** Register pointer of a chip channel's shunt voltage register: 01h, 03h, 05h. */
export function shuntRegister(channel: ChipChannel): number {
  return 2 * channel - 1;
}

/** Register pointer of a chip channel's bus voltage register: 02h, 04h, 06h. */
export function busRegister(channel: ChipChannel): number {
  return 2 * channel;
}

/** The signed 13-bit count in bits 15..3 of a shunt or bus register. */
export function dataCount(raw: number): number {
  return (raw & 0x8000 ? raw - 0x10000 : raw) >> 3;
}

/** A signed count as the register value (count in bits 15..3, clamped to ±4095). */
export function encodeCount(count: number): number {
  const clamped = Math.max(-FULL_SCALE_COUNT, Math.min(FULL_SCALE_COUNT, Math.round(count)));
  return (clamped << 3) & 0xffff;
}

/** §8.6.2.2: shunt voltage in V (bits 15..3 × 40 µV, signed). */
export function decodeShuntVoltage(raw: number): number {
  return (dataCount(raw) * 40) / 1_000_000; // in whole µV so 0.0408 stays 0.0408
}

/** §8.6.2.3: bus voltage in V (bits 15..3 × 8 mV, signed). */
export function decodeBusVoltage(raw: number): number {
  return (dataCount(raw) * 8) / 1000; // in whole mV so 11.984 stays 11.984
}

/** Whether a shunt register sits at full scale (±163.8 mV): the input clipped. */
export function shuntClipped(raw: number): boolean {
  return Math.abs(dataCount(raw)) >= FULL_SCALE_COUNT;
}

/** §8.6.2.16 bit 0: whether a Mask/Enable value has CVRF set. */
export function conversionReady(maskEnable: number): boolean {
  return (maskEnable & CVRF) !== 0;
}

/**
 * The chip has no current or power register: current is the shunt voltage over
 * the shunt resistance, power the bus voltage times that current (host-computed).
 */
export function currentFromShunt(shuntV: number, shuntOhms: number): number {
  return shuntV / shuntOhms;
}

/** Checks a sample count against the eight averaging settings (1, 4, 16 … 1024). */
export function averagesFor(samples: number): Averages {
  if (!(AVERAGES as readonly number[]).includes(samples)) {
    throw new RangeError(
      `Invalid INA3221 averaging ${samples}: must be one of ${AVERAGES.join(", ")}`,
    );
  }
  return samples as Averages;
}

/** Checks a conversion time in µs against the eight the chip offers. */
export function conversionTimeFor(us: number): ConversionTimeUs {
  if (!(CONVERSION_TIMES_US as readonly number[]).includes(us)) {
    throw new RangeError(
      `Invalid INA3221 conversion time ${us} µs: must be one of ${CONVERSION_TIMES_US.join(", ")}`,
    );
  }
  return us as ConversionTimeUs;
}
