/**
 * An emulated INA219, register-exact: the six registers, the register pointer, and
 * the conversion engine running on an injected clock with the datasheet's
 * conversion times. Section and table numbers refer to TI SBOS448G, like
 * ina219_registers.ts. No I/O: {@link EmulatedI2cBus} puts it on a bus.
 * @module
 */
import {
  CONFIG_POWER_ON,
  CONFIG_RESET,
  conversionTimeMs,
  decodeConfig,
  type Ina219Config,
  REG_BUS_VOLTAGE,
  REG_CALIBRATION,
  REG_CONFIG,
  REG_CURRENT,
  REG_POWER,
  REG_SHUNT_VOLTAGE,
  SHUNT_LSB_V,
} from "./ina219_registers.ts";

/** What the chip's pins see at one instant: across the shunt (IN+ − IN−) and IN− to GND. */
export interface AnalogInput {
  /** Voltage across the shunt in V (signed). */
  shuntV: number;
  /** Bus voltage, IN− to GND, in V. */
  busV: number;
}

/** Options of {@link Ina219Chip}. */
export interface Ina219ChipOptions {
  /** The chip's clock in ms (fractional); conversions complete on it. */
  now: () => number;
  /** The analog input at an instant (ms on the same clock). */
  input: (tMs: number) => AnalogInput;
}

/** A device on an emulated I2C bus: one transfer, pointer write then read. */
export interface I2cDevice {
  /** Takes the written bytes, returns `length` read bytes. */
  transfer(bytes: Uint8Array, length: number): Uint8Array;
}

/** Bus register full-scale count (BRNG): 16 V or 32 V at 4 mV (§8.6.2.1, Table 3). */
const BUS_FULL_SCALE = { 16: 4000, 32: 8000 } as const;

/** The INA219's register file and conversion engine. */
export class Ina219Chip implements I2cDevice {
  #now: () => number;
  #input: (tMs: number) => AnalogInput;
  #registers = new Uint16Array(6);
  #pointer = 0;
  #config: Ina219Config = decodeConfig(CONFIG_POWER_ON);
  /** When the current run of conversions started (config write or power-on). */
  #startMs = 0;
  /** Conversions completed and latched into the registers since #startMs. */
  #latched = 0;
  #conversions = 0;

  /** A chip that has just powered on. */
  constructor(options: Ina219ChipOptions) {
    this.#now = options.now;
    this.#input = options.input;
    this.powerOn();
  }

  /** §8.6.2.1: power-on or brown-out reset — config 0x399F, everything else 0. */
  powerOn(): void {
    this.#registers.fill(0);
    this.#pointer = 0;
    this.#setConfig(CONFIG_POWER_ON);
  }

  /** The raw register value now (after any conversion that completed), without side effects. */
  peek(register: number): number {
    this.#catchUp();
    return this.#registers[register];
  }

  /** Conversions completed in total (for tests: fresh results). */
  get conversions(): number {
    this.#catchUp();
    return this.#conversions;
  }

  /** The time of one full result in ms for the current configuration (0 when idle). */
  get periodMs(): number {
    return conversionTimeMs(this.#config);
  }

  transfer(bytes: Uint8Array, length: number): Uint8Array {
    // §8.5.6: the first byte written is the register pointer, then MSB and LSB.
    if (bytes.length >= 1) this.#pointer = bytes[0] % 8;
    if (bytes.length >= 3) this.#write(this.#pointer, (bytes[1] << 8) | bytes[2]);
    const out = new Uint8Array(length);
    if (length === 0) return out;
    const value = this.#read(this.#pointer);
    for (let i = 0; i < length; i++) out[i] = i % 2 === 0 ? value >> 8 : value & 0xff;
    return out;
  }

  #read(register: number): number {
    if (register > REG_CALIBRATION) return 0;
    this.#catchUp();
    const value = this.#registers[register];
    // §8.6.3.2: reading the power register clears CNVR.
    if (register === REG_POWER) this.#registers[REG_BUS_VOLTAGE] &= ~0b10;
    return value;
  }

  #write(register: number, value: number): void {
    if (register === REG_CONFIG) {
      this.#catchUp();
      if (value & CONFIG_RESET) return this.powerOn(); // bit 15: reset all registers
      this.#setConfig(value);
    } else if (register === REG_CALIBRATION) {
      this.#catchUp();
      this.#registers[REG_CALIBRATION] = value & 0xfffe; // §8.6.3.5: D0 is not implemented
    } // The data registers are read-only.
  }

  #setConfig(value: number): void {
    this.#registers[REG_CONFIG] = value & 0x3fff;
    this.#config = decodeConfig(value);
    // §8.6.3.2: writing the configuration clears CNVR (except for power-down), and a
    // write starts a new conversion (a triggered mode runs once).
    if (this.#config.mode !== "power_down") this.#registers[REG_BUS_VOLTAGE] &= ~0b10;
    this.#startMs = this.#now();
    this.#latched = 0;
  }

  /** Latches the newest conversion that completed by now, if it is not latched yet. */
  #catchUp(): void {
    const periodMs = this.periodMs;
    if (periodMs <= 0) return;
    const triggered = this.#config.mode.endsWith("triggered");
    let done = Math.floor((this.#now() - this.#startMs) / periodMs + 1e-9);
    if (triggered) done = Math.min(done, 1);
    if (done <= this.#latched) return;
    this.#conversions += done - this.#latched;
    this.#latched = done;
    this.#convert(this.#startMs + done * periodMs);
  }

  /** One result: the ADCs' readings at `tMs`, then current and power from them (§8.5). */
  #convert(tMs: number): void {
    const { mode, pga, busRangeV } = this.#config;
    const input = this.#input(tMs);
    const r = this.#registers;
    if (mode.includes("shunt")) {
      const fullScale = 4000 * pga; // Table 4: ±40 mV × PGA in 10 µV steps
      const count = Math.round(input.shuntV / SHUNT_LSB_V);
      r[REG_SHUNT_VOLTAGE] = Math.max(-fullScale, Math.min(fullScale, count)) & 0xffff;
    }
    let busCount = r[REG_BUS_VOLTAGE] >> 3;
    if (mode.includes("bus")) {
      busCount = Math.max(0, Math.min(BUS_FULL_SCALE[busRangeV], Math.round(input.busV / 0.004)));
    }
    // §8.5.1 Equations 4 and 5: Current = Shunt × Cal / 4096, Power = Current × Bus / 5000.
    const shunt = r[REG_SHUNT_VOLTAGE] & 0x8000
      ? r[REG_SHUNT_VOLTAGE] - 0x10000
      : r[REG_SHUNT_VOLTAGE];
    let current = Math.trunc((shunt * r[REG_CALIBRATION]) / 4096);
    let power = Math.trunc((Math.abs(current) * busCount) / 5000);
    let overflow = false;
    if (Math.abs(current) > 32767) [current, overflow] = [Math.sign(current) * 32767, true];
    if (power > 65535) [power, overflow] = [65535, true];
    r[REG_CURRENT] = current & 0xffff;
    r[REG_POWER] = power;
    // §8.6.3.2: bits 15..3 the bus voltage, CNVR (bit 1) set, OVF (bit 0).
    r[REG_BUS_VOLTAGE] = (busCount << 3) | 0b10 | (overflow ? 1 : 0);
  }
}
