/**
 * An emulated INA228, register-exact: 16-, 24- and 40-bit registers behind the
 * pointer; 20-bit shunt (312.5 or 78.125 nV), bus (195.3125 µV) and current
 * results; POWER = |CURRENT| × VBUS / 2^14 (so W = POWER × 3.2 × CURRENT_LSB); the
 * ENERGY and CHARGE accumulators integrating every conversion (cleared by RSTACC);
 * DIAG_ALRT with CNVRF (cleared by reading DIAG_ALRT), MATHOF, ENERGYOF, CHARGEOF;
 * CONVDLY. Sections refer to SLYS021 (INA228). Limits (SOVL…PWR_LIMIT) are stored
 * but not compared.
 * @module
 */
import { ConversionClock } from "./conversion_clock.ts";
import type { AnalogInput } from "./ina219_chip.ts";
import { type EmulatedChipOptions, RegisterChip } from "./ina2xx_chip.ts";
import { clampCount, MANUFACTURER_ID_TI } from "./ina2xx_registers.ts";
import {
  ADC_CONFIG_POWER_ON,
  BUS_LSB_V,
  CONFIG_ADCRANGE,
  CONFIG_RST,
  CONFIG_RSTACC,
  decode20,
  decodeAdcConfig,
  decodeConfig,
  DEVICE_ID,
  DIAG_ALRT_POWER_ON,
  DIAG_CHARGEOF,
  DIAG_CNVRF,
  DIAG_ENERGYOF,
  DIAG_MATHOF,
  DIAG_WRITABLE,
  encode20,
  modeChannels,
  periodMs,
  REG_ADC_CONFIG,
  REG_CHARGE,
  REG_CONFIG,
  REG_CURRENT,
  REG_DEVICE_ID,
  REG_DIAG_ALRT,
  REG_DIETEMP,
  REG_ENERGY,
  REG_MANUFACTURER_ID,
  REG_POWER,
  REG_SHUNT_CAL,
  REG_SHUNT_TEMPCO,
  REG_VBUS,
  REG_VSHUNT,
  REGISTER_BYTES,
  SHUNT_CAL_POWER_ON,
  SHUNT_LSB_V,
  TEMPERATURE_LSB_C,
} from "./ina228_registers.ts";

/** Power-on values of the limit registers SOVL, SUVL, BOVL, BUVL, TEMP_LIMIT, PWR_LIMIT. */
const LIMITS_POWER_ON = [0x7fff, 0x8000, 0x7fff, 0x0000, 0x7fff, 0xffff];
const FULL_20 = 0x7ffff;
const ENERGY_WRAP = 2 ** 40;

/** Options of {@link Ina228Chip}. */
export interface Ina228ChipOptions extends EmulatedChipOptions {
  /** Die temperature in °C (default 25). */
  temperatureC?: number;
}

/** The INA228's register file, conversion engine and accumulators. */
export class Ina228Chip extends RegisterChip {
  #registers = new Map<number, number>();
  #input: (tMs: number) => AnalogInput;
  #clock: ConversionClock;
  #temperatureC: number;
  /** ENERGY and CHARGE in register units with the fraction the chip keeps inside. */
  #energy = 0;
  #charge = 0;

  /** A chip that has just powered on. */
  constructor(options: Ina228ChipOptions) {
    super();
    this.#input = options.input;
    this.#clock = new ConversionClock(options.now);
    this.#temperatureC = options.temperatureC ?? 25;
    this.powerOn();
  }

  /** Power-on or brown-out reset: every register to its power-on value, accumulators 0. */
  powerOn(): void {
    const r = this.#registers;
    r.clear();
    for (const register of Object.keys(REGISTER_BYTES)) r.set(Number(register), 0);
    r.set(REG_ADC_CONFIG, ADC_CONFIG_POWER_ON);
    r.set(REG_SHUNT_CAL, SHUNT_CAL_POWER_ON);
    r.set(REG_DIAG_ALRT, DIAG_ALRT_POWER_ON);
    LIMITS_POWER_ON.forEach((value, i) => r.set(0x0c + i, value));
    r.set(REG_MANUFACTURER_ID, MANUFACTURER_ID_TI);
    r.set(REG_DEVICE_ID, DEVICE_ID);
    this.#energy = 0;
    this.#charge = 0;
    this.resetPointer();
    this.#restart();
  }

  /** The raw register value now (after any conversion that completed), without side effects. */
  peek(register: number): number {
    this.#catchUp();
    return this.#registers.get(register) ?? 0;
  }

  /** Conversions completed in total (fresh results). */
  get conversions(): number {
    this.#catchUp();
    return this.#clock.total;
  }

  /** The time of one full result in ms for the current ADC_CONFIG (0 when idle). */
  get periodMs(): number {
    return this.#clock.periodMs;
  }

  /** The register's width in bytes; 0 for a reserved pointer. */
  protected registerBytes(register: number): number {
    return REGISTER_BYTES[register] ?? 0;
  }

  /** The register after any completed conversion, with the read's side effects. */
  protected readRegister(register: number): number {
    this.#catchUp();
    const r = this.#registers;
    const value = r.get(register) ?? 0;
    const diag = r.get(REG_DIAG_ALRT)!;
    // DIAG_ALRT: reading it clears CNVRF; reading ENERGY / CHARGE clears their overflow flag.
    if (register === REG_DIAG_ALRT) r.set(REG_DIAG_ALRT, diag & ~DIAG_CNVRF);
    if (register === REG_ENERGY) r.set(REG_DIAG_ALRT, diag & ~DIAG_ENERGYOF);
    if (register === REG_CHARGE) r.set(REG_DIAG_ALRT, diag & ~DIAG_CHARGEOF);
    return value;
  }

  /** Writes what the register lets a host write; read-only registers ignore it. */
  protected writeRegister(register: number, value: number): void {
    this.#catchUp();
    const r = this.#registers;
    switch (register) {
      case REG_CONFIG:
        if (value & CONFIG_RST) return this.powerOn(); // self-clearing system reset
        if (value & CONFIG_RSTACC) this.#clearAccumulators(); // self-clearing
        r.set(REG_CONFIG, value & 0x3ff0); // bits 3..0 reserved
        return;
      case REG_ADC_CONFIG:
        r.set(REG_ADC_CONFIG, value);
        return this.#restart(); // a new ADC_CONFIG starts a new conversion run
      case REG_SHUNT_CAL:
        r.set(REG_SHUNT_CAL, value & 0x7fff); // bit 15 reserved
        return;
      case REG_SHUNT_TEMPCO:
        r.set(REG_SHUNT_TEMPCO, value & 0x3fff);
        return;
      case REG_DIAG_ALRT: {
        const flags = r.get(REG_DIAG_ALRT)! & ~DIAG_WRITABLE;
        r.set(REG_DIAG_ALRT, flags | (value & DIAG_WRITABLE));
        return;
      }
      default:
        // SOVL…PWR_LIMIT are plain storage; results and IDs are read-only.
        if (register >= 0x0c && register <= 0x11) r.set(register, value);
    }
  }

  #clearAccumulators(): void {
    this.#energy = 0;
    this.#charge = 0;
    this.#registers.set(REG_ENERGY, 0);
    this.#registers.set(REG_CHARGE, 0);
  }

  #restart(): void {
    const adc = decodeAdcConfig(this.#registers.get(REG_ADC_CONFIG)!);
    const config = decodeConfig(this.#registers.get(REG_CONFIG)!);
    const channels = modeChannels(adc.mode);
    const idle = !channels.bus && !channels.shunt && !channels.temperature;
    const diag = this.#registers.get(REG_DIAG_ALRT)!;
    if (!idle) this.#registers.set(REG_DIAG_ALRT, diag & ~DIAG_CNVRF);
    this.#clock.restart({
      periodMs: idle ? 0 : periodMs(adc),
      triggered: !channels.continuous,
      delayMs: config.convDelayMs,
    });
  }

  /** Every conversion: the accumulators integrate each one, whether read or not. */
  #catchUp(): void {
    this.#clock.catchUp((tMs, count) => this.#convert(this.#input(tMs), count), true);
  }

  #convert(input: AnalogInput, count: number): void {
    const r = this.#registers;
    const adc = decodeAdcConfig(r.get(REG_ADC_CONFIG)!);
    const channels = modeChannels(adc.mode);
    const range = r.get(REG_CONFIG)! & CONFIG_ADCRANGE ? 1 : 0;
    if (channels.shunt) {
      const shunt = clampCount(input.shuntV / SHUNT_LSB_V[range], -FULL_20 - 1, FULL_20);
      r.set(REG_VSHUNT, encode20(shunt));
    }
    if (channels.bus) r.set(REG_VBUS, encode20(clampCount(input.busV / BUS_LSB_V, 0, FULL_20)));
    if (channels.temperature) {
      r.set(
        REG_DIETEMP,
        clampCount(this.#temperatureC / TEMPERATURE_LSB_C, -32768, 32767) & 0xffff,
      );
    }
    // CURRENT = VSHUNT × 4096 / SHUNT_CAL: what Equation 2 implies (W = CURRENT × CURRENT_LSB).
    const cal = r.get(REG_SHUNT_CAL)!;
    let current = cal === 0 ? 0 : Math.trunc((decode20(r.get(REG_VSHUNT)!) * 4096) / cal);
    let mathOverflow = false;
    if (current > FULL_20 || current < -FULL_20 - 1) {
      [current, mathOverflow] = [current > 0 ? FULL_20 : -FULL_20 - 1, true];
    }
    let power = Math.trunc((Math.abs(current) * decode20(r.get(REG_VBUS)!)) / 16384);
    if (power > 0xffffff) [power, mathOverflow] = [0xffffff, true];
    r.set(REG_CURRENT, encode20(current));
    r.set(REG_POWER, power);
    // Energy = Σ POWER × t / 16 (its LSB is 16 × Power_LSB J); Charge = Σ CURRENT × t.
    const seconds = (count * this.#clock.periodMs) / 1000;
    this.#energy += (power * seconds) / 16;
    this.#charge += current * seconds;
    let diag = r.get(REG_DIAG_ALRT)! & ~DIAG_MATHOF;
    if (this.#energy >= ENERGY_WRAP) {
      [this.#energy, diag] = [this.#energy % ENERGY_WRAP, diag | DIAG_ENERGYOF];
    }
    if (Math.abs(this.#charge) >= ENERGY_WRAP / 2) {
      this.#charge = this.#charge % (ENERGY_WRAP / 2);
      diag |= DIAG_CHARGEOF;
    }
    r.set(REG_ENERGY, Math.floor(this.#energy));
    const charge = Math.trunc(this.#charge);
    r.set(REG_CHARGE, charge < 0 ? charge + ENERGY_WRAP : charge);
    r.set(REG_DIAG_ALRT, diag | DIAG_CNVRF | (mathOverflow ? DIAG_MATHOF : 0));
  }
}
