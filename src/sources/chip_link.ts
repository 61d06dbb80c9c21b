/**
 * What every chip driver (INA219, the INA226 family, INA3221) shares: the options
 * besides the chip's own, the chip at its checked address with its registers, the
 * set-up / retry / back-off life cycle around the driver's own set-up and read, the
 * common `/status` facts, and the modes of an emulated chip's analog input.
 * @module
 */
import type { BackoffOptions } from "./backoff.ts";
import { ConversionPacer } from "./conversion_pacer.ts";
import { hex, type I2cBus } from "./i2c.ts";
import { bytesToUint } from "./ina2xx_registers.ts";
import { RetryGate } from "./retry_gate.ts";
import type { SensorError } from "./source.ts";

/** The mode switch of an emulated chip's analog input (the mock's waveforms). */
export interface AnalogControl {
  /** The current mode. */
  readonly mode: string;
  /** Every mode. */
  readonly modes: readonly string[];
  /** True while the modes rotate by themselves. */
  readonly autoRotate?: boolean;
  /** Switches the mode; throws `RangeError` for an unknown one. */
  setMode(mode: string): void;
  /** Facts for `/status` (seed, rotation). */
  details(): Record<string, unknown>;
}

/** Options every chip driver takes, besides its chip's own settings. */
export interface ChipDriverOptions {
  /** Receives status messages (a chip that reset and was set up again). */
  onNotice?: (message: string) => void;
  /** Clock for retry timing and conversion waits (default `Date.now`). */
  now?: () => number;
  /**
   * Sleeps through most of a conversion before the ready flag is polled (default: a
   * timer, about 1 ms granular; the acquisition Worker passes a sub-millisecond one).
   */
  sleep?: (ms: number) => Promise<void>;
  /** Delays between attempts to reach a failing chip. */
  backoff?: BackoffOptions;
  /**
   * The analog input of an emulated chip (`i2c_bus: "emulated"`): its modes become the
   * source's, so `POST /simulator/mode` switches what the chip measures.
   */
  analog?: AnalogControl;
}

/** The modes of a chip's source: its emulated analog input's, or NORMAL alone. */
export class AnalogModes {
  /** The analog input of an emulated chip, if any. */
  readonly analog: AnalogControl | undefined;

  /** Modes from `analog`, or NORMAL alone without one (a real chip). */
  constructor(analog: AnalogControl | undefined) {
    this.analog = analog;
  }

  /** NORMAL, or the analog input's mode on an emulated chip. */
  get mode(): string {
    return this.analog?.mode ?? "NORMAL";
  }

  /** The modes {@link AnalogModes.setMode} takes. */
  get modes(): readonly string[] {
    return this.analog?.modes ?? ["NORMAL"];
  }

  /** Whether an emulated chip's analog input rotates its modes. */
  get autoRotate(): boolean {
    return this.analog?.autoRotate ?? false;
  }

  /** Switches the analog input's mode; a real chip takes NORMAL alone. */
  setMode(mode: string): void {
    if (this.analog) return this.analog.setMode(mode);
    if (mode !== "NORMAL") throw new RangeError(`Unknown mode "${mode}": expected NORMAL`);
  }

  /** `{ emulated_input }` for `/status` on an emulated chip, else nothing. */
  protected emulatedInput(): Record<string, unknown> {
    return this.analog ? { emulated_input: this.analog.details() } : {};
  }
}

/** Options of {@link ChipLink}: the driver's options and the addresses the chip can have. */
export interface ChipLinkOptions extends ChipDriverOptions {
  /** 7-bit address (default 0x40). */
  address?: number;
  /** The chip's highest address (default 0x4F; the INA3221's is 0x43). */
  maxAddress?: number;
}

/**
 * One chip at one address of a bus, and its life cycle: set up on the first open or
 * read, marked failed (bus closed, backoff started) on any error, set up again only
 * when the backoff allows, and until then refused without touching the bus.
 */
export class ChipLink {
  /** The bus the chip is on. */
  readonly bus: I2cBus;
  /** Its 7-bit address. */
  readonly address: number;
  /** `INA226 at 0x40 on /dev/i2c-1`. */
  readonly where: string;
  /** Retries after failures. */
  readonly retry: RetryGate;
  /** Conversion waits and resyncs. */
  readonly pacer: ConversionPacer;
  /** The driver's clock. */
  readonly now: () => number;
  /** Receives status messages. */
  readonly onNotice: (message: string) => void;
  /** Whether the chip is set up and answering. */
  ready = false;

  /**
   * Checks the address.
   * @throws {RangeError} `Invalid INA226 address 80: must be 0x40 to 0x4F`.
   */
  constructor(bus: I2cBus, type: string, options: ChipLinkOptions) {
    const address = options.address ?? 0x40;
    const max = options.maxAddress ?? 0x4f;
    if (!Number.isInteger(address) || address < 0x40 || address > max) {
      throw new RangeError(`Invalid ${type} address ${address}: must be 0x40 to ${hex(max)}`);
    }
    this.bus = bus;
    this.address = address;
    this.where = `${type} at ${hex(address)} on ${bus.name}`;
    this.now = options.now ?? Date.now;
    const sleep = options.sleep ??
      ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    this.onNotice = options.onNotice ?? (() => {});
    this.retry = new RetryGate(options.backoff);
    this.pacer = new ConversionPacer(this.now, sleep);
  }

  /** Reads a register of `bytes` bytes (default 2), MSB first, as an unsigned number. */
  async readRegister(register: number, bytes = 2): Promise<number> {
    return bytesToUint(await this.bus.writeRead(this.address, Uint8Array.of(register), bytes));
  }

  /** Writes a 16-bit register, MSB first. */
  async writeRegister(register: number, value: number): Promise<void> {
    await this.bus.writeRead(this.address, Uint8Array.of(register, value >> 8, value & 0xff), 0);
  }

  /**
   * Tries `setUp` for {@link Source.open}: the line saying the chip is ready, or why it
   * is not (then the first read retries when the backoff allows).
   */
  async open(type: string, setUp: () => Promise<void>): Promise<string> {
    try {
      await setUp();
      return `${type} ready - Starting measurements...`;
    } catch (error) {
      return `${type} not ready: ${this.fail(error).message}`;
    }
  }

  /**
   * Runs `measure` on a set-up chip: sets it up first if needed, unless the backoff
   * still says wait (then the refusal, without touching the bus).
   * @throws {SensorError} saying what failed and when the next attempt comes.
   */
  async read<T>(setUp: () => Promise<void>, measure: () => Promise<T>): Promise<T> {
    if (!this.ready) {
      const refusal = this.retry.refusal(this.now());
      if (refusal) throw refusal;
      try {
        await setUp();
      } catch (error) {
        throw this.fail(error);
      }
    }
    try {
      return await measure();
    } catch (error) {
      throw this.fail(error);
    }
  }

  /** A set-up that held: ready, and the next failure waits the shortest delay. */
  succeeded(): void {
    this.ready = true;
    this.retry.succeed();
  }

  /** A failure: not ready, the bus closed; the error to throw, saying when the next try is. */
  fail(error: unknown): SensorError {
    this.ready = false;
    this.bus.close();
    return this.retry.fail(error, this.now());
  }

  /** Releases the bus; the next open sets the chip up afresh. */
  close(): void {
    this.ready = false;
    this.retry.succeed();
    this.bus.close();
  }

  /** The error of a chip that finished no `what` within `limitMs`: a power problem. */
  noConversion(limitMs: number, what = "conversion"): Error {
    return new Error(
      `${this.where} finished no ${what} within ${
        Math.round(limitMs)
      } ms: check the sensor's power`,
    );
  }

  /** Bus, address and state: the head of every chip's `/status` details. */
  head(): Record<string, unknown> {
    return {
      bus: this.bus.name,
      address: hex(this.address),
      state: this.ready ? "ok" : "retrying",
    };
  }

  /** Pacing counters, last error and next retry: the tail of every chip's details. */
  tail(): Record<string, unknown> {
    return {
      ...this.pacer.details(),
      last_error: this.retry.lastError ?? null,
      retry_in_s: this.ready ? null : this.retry.waitMs(this.now()) / 1000,
    };
  }
}
