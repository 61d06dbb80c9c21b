/**
 * An emulated INA3221, register-exact for what the driver uses: the register file
 * and pointer, the ID registers, and a conversion engine on an injected clock that
 * cycles through the enabled channels with the datasheet's conversion times and
 * sets CVRF when a cycle completes. The alert limits are kept but raise no alerts.
 * Section numbers refer to TI SBOS576B, like ina3221_registers.ts.
 * @module
 */
import type { AnalogInput, I2cDevice } from "./ina219_chip.ts";
import {
  busRegister,
  type ChipChannel,
  CONFIG_POWER_ON,
  CONFIG_RESET,
  CVRF,
  cycleTimeMs,
  decodeConfig,
  DIE_ID,
  encodeCount,
  type Ina3221Config,
  MANUFACTURER_ID,
  MASK_ENABLE_POWER_ON,
  REG_CONFIG,
  REG_DIE_ID,
  REG_MANUFACTURER_ID,
  REG_MASK_ENABLE,
  shuntRegister,
} from "./ina3221_registers.ts";

/** Options of {@link Ina3221Chip}. */
export interface Ina3221ChipOptions {
  /** The chip's clock in ms (fractional); conversions complete on it. */
  now: () => number;
  /** What chip channel `channel`'s pins see at an instant (ms on the same clock). */
  input: (channel: ChipChannel, tMs: number) => AnalogInput;
}

/** §8.6.2: power-on values of the registers that are not 0. */
const POWER_ON: ReadonlyMap<number, number> = new Map([
  [REG_CONFIG, CONFIG_POWER_ON],
  ...[0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c].map((r) => [r, 0x7ff8] as [number, number]),
  [0x0e, 0x7ffe], // shunt-voltage sum limit
  [REG_MASK_ENABLE, MASK_ENABLE_POWER_ON],
  [0x10, 0x2710], // power-valid upper limit, 10 V
  [0x11, 0x2328], // power-valid lower limit, 9 V
  [REG_MANUFACTURER_ID, MANUFACTURER_ID],
  [REG_DIE_ID, DIE_ID],
]);

/** Registers a host may write, and the bits it may set in each. */
const WRITABLE: ReadonlyMap<number, number> = new Map([
  ...[0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x10, 0x11].map((r) => [r, 0xfff8] as [number, number]),
  [0x0e, 0xfffe],
  [REG_MASK_ENABLE, 0x7c00], // SCC1–3, WEN, CEN; the flags are read-only
]);

/** One conversion inside a cycle: which register it fills and when it ends. */
interface Step {
  channel: ChipChannel;
  kind: "shunt" | "bus";
  endMs: number;
}

/** The INA3221's register file and conversion engine. */
export class Ina3221Chip implements I2cDevice {
  #now: () => number;
  #input: (channel: ChipChannel, tMs: number) => AnalogInput;
  #registers = new Uint16Array(256);
  #pointer = 0;
  #config: Ina3221Config = decodeConfig(CONFIG_POWER_ON);
  #steps: Step[] = [];
  #periodMs = 0;
  /** When the current run of conversions started (configuration write or power-on). */
  #startMs = 0;
  /** Conversions latched into the registers since #startMs. */
  #latched = 0;
  #cycles = 0;

  /** A chip that has just powered on. */
  constructor(options: Ina3221ChipOptions) {
    this.#now = options.now;
    this.#input = options.input;
    this.powerOn();
  }

  /** Power-on or brown-out reset: every register to its power-on value. */
  powerOn(): void {
    this.#registers.fill(0);
    for (const [register, value] of POWER_ON) this.#registers[register] = value;
    this.#pointer = 0;
    this.#setConfig(CONFIG_POWER_ON);
  }

  /** The raw register value now (after any conversion that completed), without side effects. */
  peek(register: number): number {
    this.#catchUp();
    return this.#registers[register];
  }

  /** Complete cycles (every enabled channel converted) in total: for tests. */
  get cycles(): number {
    this.#catchUp();
    return this.#cycles;
  }

  /** The time of one complete cycle in ms for the current configuration (0 when idle). */
  get periodMs(): number {
    return this.#periodMs;
  }

  transfer(bytes: Uint8Array, length: number): Uint8Array {
    // §8.5.2: the first byte written is the register pointer, then MSB and LSB.
    if (bytes.length >= 1) this.#pointer = bytes[0];
    if (bytes.length >= 3) this.#write(this.#pointer, (bytes[1] << 8) | bytes[2]);
    const out = new Uint8Array(length);
    if (length === 0) return out;
    const value = this.#read(this.#pointer);
    for (let i = 0; i < length; i++) out[i] = i % 2 === 0 ? value >> 8 : value & 0xff;
    return out;
  }

  #read(register: number): number {
    this.#catchUp();
    const value = this.#registers[register];
    // §8.6.2.16: reading Mask/Enable clears CVRF.
    if (register === REG_MASK_ENABLE) this.#registers[REG_MASK_ENABLE] &= ~CVRF;
    return value;
  }

  #write(register: number, value: number): void {
    this.#catchUp();
    if (register === REG_CONFIG) {
      if (value & CONFIG_RESET) return this.powerOn(); // RST: a power-on reset
      return this.#setConfig(value);
    }
    const mask = WRITABLE.get(register);
    if (mask === undefined) return; // data and ID registers are read-only
    this.#registers[register] = (this.#registers[register] & ~mask) | (value & mask);
  }

  #setConfig(value: number): void {
    this.#registers[REG_CONFIG] = value & 0x7fff;
    this.#config = decodeConfig(value);
    // §8.6.2.16: writing the configuration clears CVRF, except when selecting power-down.
    if (this.#config.mode !== "power_down") this.#registers[REG_MASK_ENABLE] &= ~CVRF;
    // §8.6.2.1: a write halts the conversion in progress and starts a new cycle.
    this.#steps = this.#plan();
    this.#periodMs = cycleTimeMs(this.#config);
    this.#startMs = this.#now();
    this.#latched = 0;
  }

  /** The conversions of one cycle in order: each enabled channel's shunt, then its bus. */
  #plan(): Step[] {
    const { channels, averages, mode, shuntConversionUs, busConversionUs } = this.#config;
    const steps: Step[] = [];
    if (mode === "power_down") return steps;
    let endMs = 0;
    for (const channel of channels) {
      if (mode.startsWith("shunt")) {
        endMs += (averages * shuntConversionUs) / 1000;
        steps.push({ channel, kind: "shunt", endMs });
      }
      if (mode.includes("bus")) {
        endMs += (averages * busConversionUs) / 1000;
        steps.push({ channel, kind: "bus", endMs });
      }
    }
    return steps;
  }

  /** Latches every conversion that completed by now and is not latched yet (the newest per register). */
  #catchUp(): void {
    const n = this.#steps.length;
    if (n === 0 || this.#periodMs <= 0) return;
    const elapsedMs = this.#now() - this.#startMs;
    const whole = Math.floor(elapsedMs / this.#periodMs + 1e-9);
    const intoMs = elapsedMs - whole * this.#periodMs;
    let done = whole * n + this.#steps.filter((s) => s.endMs <= intoMs + 1e-9).length;
    if (this.#config.mode.endsWith("triggered")) done = Math.min(done, n); // one cycle
    if (done <= this.#latched) return;
    // Older conversions of the same register were overwritten: only the last n count.
    for (let i = Math.max(this.#latched, done - n); i < done; i++) {
      const step = this.#steps[i % n];
      this.#convert(step, this.#startMs + Math.floor(i / n) * this.#periodMs + step.endMs);
    }
    const cycles = Math.floor(done / n) - Math.floor(this.#latched / n);
    if (cycles > 0) {
      this.#cycles += cycles;
      this.#registers[REG_MASK_ENABLE] |= CVRF; // §8.6.2.16: a complete cycle
    }
    this.#latched = done;
  }

  /** One result: the input at the end of the conversion, quantised as the chip does. */
  #convert(step: Step, tMs: number): void {
    const input = this.#input(step.channel, tMs);
    if (step.kind === "shunt") {
      this.#registers[shuntRegister(step.channel)] = encodeCount(input.shuntV / 40e-6);
    } else {
      this.#registers[busRegister(step.channel)] = encodeCount(input.busV / 0.008);
    }
  }
}
