/**
 * What the emulated INA226 and INA260 share, register-exact: the register pointer,
 * multi-byte reads, the configuration register with its reset bit, Mask/Enable
 * (CVRF set by each result, cleared by reading Mask/Enable or writing the
 * configuration; OVF), Alert Limit and the ID registers, on a
 * {@link ConversionClock}. A subclass supplies the data registers' arithmetic.
 * Sections: INA226 SBOS547 §7.6, INA260 SBOS656 §8.6.
 * @module
 */
import { ConversionClock } from "./conversion_clock.ts";
import type { AnalogInput, I2cDevice } from "./ina219_chip.ts";
import {
  CONFIG_RESET,
  decodeFamilyConfig,
  familyModeChannels,
  familyPeriodMs,
  MANUFACTURER_ID_TI,
  ME_CVRF,
  ME_OVF,
  ME_WRITABLE,
  type ModeChannels,
  REG_ALERT_LIMIT,
  REG_DIE_ID,
  REG_MANUFACTURER_ID,
  REG_MASK_ENABLE,
  uintToBytes,
} from "./ina2xx_registers.ts";

/** Options of an emulated INA2xx chip. */
export interface EmulatedChipOptions {
  /** The chip's clock in ms (fractional); conversions complete on it. */
  now: () => number;
  /** The analog input at an instant (ms on the same clock). */
  input: (tMs: number) => AnalogInput;
}

/**
 * A device behind a register pointer: the first written byte sets the pointer, two
 * more bytes write a 16-bit register, a read returns the pointed register's bytes
 * MSB first (INA226 §7.5.5, INA228 §7.5.1.1).
 */
export abstract class RegisterChip implements I2cDevice {
  #pointer = 0;

  /** The width in bytes of `register`, 0 for a pointer the chip does not implement. */
  protected abstract registerBytes(register: number): number;
  /** Reads a register (with its side effects, e.g. clearing a flag). */
  protected abstract readRegister(register: number): number;
  /** Writes a 16-bit register; read-only and unknown registers ignore it. */
  protected abstract writeRegister(register: number, value: number): void;

  /** Points at register 0 again (power-on). */
  protected resetPointer(): void {
    this.#pointer = 0;
  }

  transfer(bytes: Uint8Array, length: number): Uint8Array {
    if (bytes.length >= 1) this.#pointer = bytes[0];
    if (bytes.length >= 3) this.writeRegister(this.#pointer, (bytes[1] << 8) | bytes[2]);
    const out = new Uint8Array(length);
    const width = this.registerBytes(this.#pointer);
    if (length === 0 || width === 0) return out;
    const value = uintToBytes(this.readRegister(this.#pointer), width);
    out.set(value.subarray(0, Math.min(length, width)));
    return out;
  }
}

/** The facts that tell an INA226 from an INA260. */
export interface FamilySpec {
  /** Configuration register power-on value. */
  configPowerOn: number;
  /** The reserved bits 14..12 as they read. */
  configReserved: number;
  /** The Die ID register's value. */
  dieId: number;
  /** Data registers (read-only) besides configuration and Mask/Enable. */
  dataRegisters: readonly number[];
  /** A writable calibration register, if the chip has one, and its writable bits. */
  calibration?: { register: number; mask: number };
}

/** An emulated INA226 or INA260: everything but the data arithmetic. */
export abstract class Ina226FamilyChip extends RegisterChip {
  /** The register file, by pointer. */
  protected readonly registers = new Uint16Array(256);
  #spec: FamilySpec;
  #input: (tMs: number) => AnalogInput;
  #clock: ConversionClock;

  /** A chip that has just powered on. */
  constructor(options: EmulatedChipOptions, spec: FamilySpec) {
    super();
    this.#spec = spec;
    this.#input = options.input;
    this.#clock = new ConversionClock(options.now);
    this.powerOn();
  }

  /** Power-on or brown-out reset: every register to its power-on value. */
  powerOn(): void {
    this.registers.fill(0);
    this.registers[REG_MANUFACTURER_ID] = MANUFACTURER_ID_TI;
    this.registers[REG_DIE_ID] = this.#spec.dieId;
    this.resetPointer();
    this.#setConfig(this.#spec.configPowerOn);
  }

  /** The raw register value now (after any conversion that completed), without side effects. */
  peek(register: number): number {
    this.#catchUp();
    return this.registers[register];
  }

  /** Conversions completed in total (fresh results). */
  get conversions(): number {
    this.#catchUp();
    return this.#clock.total;
  }

  /** The time of one full result in ms for the current configuration (0 when idle). */
  get periodMs(): number {
    return this.#clock.periodMs;
  }

  /** What the current mode converts. */
  protected get channels(): ModeChannels {
    return familyModeChannels(decodeFamilyConfig(this.registers[0]).mode);
  }

  /** Computes the data registers from one instant's input; true when a calculation overflowed. */
  protected abstract convert(input: AnalogInput): boolean;

  /** The register's width in bytes; 0 for a reserved pointer. */
  protected registerBytes(register: number): number {
    const { dataRegisters, calibration } = this.#spec;
    const known = register === 0 || register === REG_MASK_ENABLE ||
      register === REG_ALERT_LIMIT || register === REG_MANUFACTURER_ID ||
      register === REG_DIE_ID || dataRegisters.includes(register) ||
      register === calibration?.register;
    return known ? 2 : 0;
  }

  /** The register after any completed conversion, with the read's side effects. */
  protected readRegister(register: number): number {
    this.#catchUp();
    const value = this.registers[register];
    // INA226 §7.6.7: reading Mask/Enable clears CVRF.
    if (register === REG_MASK_ENABLE) this.registers[REG_MASK_ENABLE] &= ~ME_CVRF;
    return value;
  }

  /** Writes what the register lets a host write; read-only registers ignore it. */
  protected writeRegister(register: number, value: number): void {
    this.#catchUp();
    if (register === 0) {
      if (value & CONFIG_RESET) return this.powerOn(); // bit 15: reset every register
      this.#setConfig(value);
    } else if (register === REG_MASK_ENABLE) {
      const flags = this.registers[REG_MASK_ENABLE] & ~ME_WRITABLE;
      this.registers[REG_MASK_ENABLE] = flags | (value & ME_WRITABLE);
    } else if (register === REG_ALERT_LIMIT) {
      this.registers[REG_ALERT_LIMIT] = value;
    } else if (register === this.#spec.calibration?.register) {
      this.registers[register] = value & this.#spec.calibration.mask;
    } // Data, ID and unknown registers are read-only.
  }

  #setConfig(value: number): void {
    this.registers[0] = (value & 0x0fff) | this.#spec.configReserved;
    const config = decodeFamilyConfig(value);
    // §7.6.7: writing the configuration (except power-down) clears CVRF; it restarts the ADC.
    if (!config.mode.startsWith("power_down")) this.registers[REG_MASK_ENABLE] &= ~ME_CVRF;
    this.#clock.restart({
      periodMs: familyPeriodMs(config),
      triggered: config.mode.endsWith("triggered"),
    });
  }

  #catchUp(): void {
    this.#clock.catchUp((tMs) => {
      const overflow = this.convert(this.#input(tMs));
      const mask = this.registers[REG_MASK_ENABLE] & ~ME_OVF;
      this.registers[REG_MASK_ENABLE] = mask | ME_CVRF | (overflow ? ME_OVF : 0);
    });
  }
}
