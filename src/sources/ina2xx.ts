/**
 * One driver for the INA226, INA260 and INA228 as a {@link Source}, parameterised
 * by a small {@link ChipModel}: it checks the chip's manufacturer and die IDs,
 * writes and reads back the configuration, takes exactly one fresh conversion per
 * sample by polling the conversion-ready flag (which reading the flag register
 * clears), sees a brown-out reset and sets the chip up again, and backs off while
 * the chip does not answer.
 * @module
 */
import { AnalogModes, type ChipDriverOptions, ChipLink } from "./chip_link.ts";
import type { ConversionFound } from "./conversion_pacer.ts";
import { hex, type I2cBus } from "./i2c.ts";
import { type ChipIdentity, identityMatches } from "./ina2xx_registers.ts";
import type { Reading, Source } from "./source.ts";

/** Register reads and writes at the chip's address. */
export interface RegisterIo {
  /** Reads a register of `bytes` bytes (default 2), MSB first, as an unsigned number. */
  read(register: number, bytes?: number): Promise<number>;
  /** Writes a 16-bit register. */
  write(register: number, value: number): Promise<void>;
}

/** A register the driver writes at set-up, and the bits that must read back as written. */
export interface RegisterSetting {
  /** The register's name for messages, e.g. `calibration`. */
  name: string;
  /** Register pointer. */
  register: number;
  /** Value written. */
  value: number;
  /** Bits compared on read-back (default all 16; self-clearing bits excluded). */
  readBack?: number;
}

/** The register holding the conversion-ready flag, and what its bits mean to the driver. */
export interface FlagRegister {
  /** Its pointer (Mask/Enable 06h, or DIAG_ALRT 0Bh on the INA228). */
  register: number;
  /** The conversion-ready flag (CVRF / CNVRF), cleared by reading this register. */
  ready: number;
  /**
   * Bits the driver sets at set-up that read back on every poll (the conversion-ready
   * alert enable): when they are gone the chip has reset, at no extra transfer.
   */
  marker: number;
  /** Calculation-overflow flag (OVF / MATHOF). */
  overflow: number;
}

/** The part of a reading a chip model produces; the driver adds the flags' overflow. */
export interface ChipMeasurement {
  /** Physical values, already rounded to their LSBs. */
  reading: Omit<Reading, "status">;
  /** The shunt (or current) ADC sat at its full scale. */
  clipped: boolean;
}

/** What makes the generic driver an INA226, an INA260 or an INA228. */
export interface ChipModel {
  /** The v1 protocol's `type`, e.g. `INA226`. */
  readonly type: string;
  /** Configuration name, e.g. `ina226`. */
  readonly kind: string;
  /** The ID registers checked at every set-up. */
  readonly identity: ChipIdentity;
  /** Registers written at set-up, in order, then read back. */
  readonly setup: readonly RegisterSetting[];
  /** The conversion-ready flag register. */
  readonly flags: FlagRegister;
  /** Time of one full result in ms. */
  readonly periodMs: number;
  /** The setting behind the period, for warnings: `averaging 1, 1100 µs + 1100 µs`. */
  readonly periodText: string;
  /** Reads the data registers of the conversion the flag announced. */
  measure(io: RegisterIo): Promise<ChipMeasurement>;
  /** Called after each successful set-up (the INA228's accumulators restart there). */
  initialised?(): void;
  /** Chip-specific facts for `/status`. */
  details(): Record<string, unknown>;
}

/** The ADC settings of an INA226, INA228 or INA260: averaging and conversion times. */
export interface AdcSettings {
  /** Samples averaged per result. */
  averages: number;
  /** Bus voltage conversion time in µs. */
  busConversionUs: number;
  /** Shunt voltage (INA260: current) conversion time in µs. */
  shuntConversionUs: number;
}

/** The ADC setting behind a model's period, for warnings: `averaging 1, 1100 µs + 1100 µs`. */
export function adcPeriodText(adc: AdcSettings): string {
  return `averaging ${adc.averages}, ${adc.busConversionUs} µs + ${adc.shuntConversionUs} µs`;
}

/** The ADC facts every model's `/status` details carry, with its configuration word. */
export function adcDetails(adc: AdcSettings, configRaw: number): Record<string, unknown> {
  return {
    averages: adc.averages,
    bus_conversion_us: adc.busConversionUs,
    shunt_conversion_us: adc.shuntConversionUs,
    config: hex(configRaw, 4),
  };
}

/** Options every INA2xx driver takes. */
export interface Ina2xxOptions extends ChipDriverOptions {
  /** 7-bit address, 0x40–0x4F by A0/A1 (default 0x40). */
  address?: number;
}

/** An INA226, INA260 or INA228 on an I2C bus, as described by its {@link ChipModel}. */
export class Ina2xxSource extends AnalogModes implements Source {
  readonly kind: string;
  readonly type: string;
  readonly backfill = false;
  #model: ChipModel;
  #chip: ChipLink;
  #io: RegisterIo;
  #counts = { initialisations: 0, resets: 0 };

  /**
   * Checks the address; the chip is set up on {@link Ina2xxSource.open} or the first read.
   * @throws {RangeError} for an address outside 0x40–0x4F.
   */
  constructor(bus: I2cBus, model: ChipModel, options: Ina2xxOptions = {}) {
    super(options.analog);
    this.#model = model;
    this.kind = model.kind;
    this.type = model.type;
    this.#chip = new ChipLink(bus, model.type, options);
    this.#io = {
      read: (register, bytes) => this.#chip.readRegister(register, bytes),
      write: (register, value) => this.#chip.writeRegister(register, value),
    };
  }

  /**
   * How often the caller reads, in ms (the acquisition Worker sets its interval):
   * at two conversions or more the driver may resync (see `ConversionPacer.await` in conversion_pacer.ts).
   * Default 0: never.
   */
  get readIntervalMs(): number {
    return this.#chip.pacer.readIntervalMs;
  }

  set readIntervalMs(ms: number) {
    this.#chip.pacer.readIntervalMs = ms;
  }

  /** The time of one full result in ms (the pacing's conversion time). */
  get periodMs(): number {
    return this.#model.periodMs;
  }

  async open(): Promise<string[]> {
    return [this.#chip.where, await this.#chip.open(this.type, () => this.#init())];
  }

  close(): Promise<void> {
    this.#chip.close();
    return Promise.resolve();
  }

  /** Reads one fresh conversion now; after a failure, retries only when the backoff allows. */
  read(_tsMs: number): Promise<Reading> {
    return this.#chip.read(() => this.#init(), () => this.#measure(true));
  }

  warnings(intervalMs: number): string[] {
    const periodMs = this.#model.periodMs;
    if (intervalMs >= periodMs) return [];
    return [
      `SAMPLE_INTERVAL_MS ${intervalMs} is shorter than the ${this.type}'s conversion time of ${periodMs} ms (${this.#model.periodText}): each sample waits for a fresh conversion, so samples come at most ${
        Math.floor(1000 / periodMs)
      } a second; raise SAMPLE_INTERVAL_MS or lower the averaging or conversion times`,
    ];
  }

  details(): Record<string, unknown> {
    return {
      ...this.#chip.head(),
      conversion_time_ms: this.#model.periodMs,
      ...this.#model.details(),
      ...this.#counts,
      ...this.#chip.tail(),
      ...this.emulatedInput(),
    };
  }

  /** Checks the IDs, writes the set-up registers, reads them back, waits for a conversion. */
  async #init(): Promise<void> {
    const { identity, setup } = this.#model;
    const manufacturer = await this.#io.read(identity.manufacturerRegister);
    const device = await this.#io.read(identity.deviceRegister);
    if (!identityMatches(identity, manufacturer, device)) {
      throw new Error(
        `${this.#chip.where} is not an ${this.type}: manufacturer ID ${
          hex(manufacturer, 4)
        }, device ID ${hex(device, 4)} (expected 0x5449 and 0x${
          identity.deviceId.toString(16).toUpperCase()
        }x): check I2C_ADDRESS and the sensor type`,
      );
    }
    // The configuration write restarts the conversion (and clears the flag).
    const startMs = this.#chip.now();
    for (const { register, value } of setup) await this.#io.write(register, value);
    this.#chip.pacer.restarted(startMs, this.#model.periodMs);
    for (const { name, register, value, readBack = 0xffff } of setup) {
      const got = await this.#io.read(register);
      if ((got & readBack) !== (value & readBack)) {
        throw new Error(
          `${this.#chip.where} did not keep its ${name}: wrote ${hex(value, 4)}, read ${
            hex(got, 4)
          }`,
        );
      }
    }
    const found = await this.#awaitConversion();
    if (found.value === "reset") {
      throw new Error(`${this.#chip.where} reset during set-up: check the sensor's power`);
    }
    this.#chip.pacer.consumed(found, this.#model.periodMs);
    this.#chip.succeeded();
    this.#counts.initialisations++;
    this.#model.initialised?.();
  }

  /**
   * Waits for a conversion completed since the flag register was last read (the read
   * clears the flag), paced by {@link ConversionPacer.await}. Returns the flags, or
   * `reset` when the marker bits are gone.
   * @throws {Error} when none completes within twice the conversion time + 10 ms.
   */
  #awaitConversion(): Promise<ConversionFound<number | "reset">> {
    const { register, ready, marker } = this.#model.flags;
    return this.#chip.pacer.await<number | "reset">({
      conversionMs: this.#model.periodMs,
      poll: async () => {
        const flags = await this.#io.read(register);
        return (flags & marker) === marker ? flags : "reset";
      },
      outcome: (flags) => flags === "reset" ? "final" : flags & ready ? "ready" : "busy",
      mayResync: this.#chip.ready,
      timeout: (limitMs) => this.#chip.noConversion(limitMs),
    });
  }

  async #measure(mayReinit: boolean): Promise<Reading> {
    const found = await this.#awaitConversion();
    const flags = found.value;
    if (flags === "reset") {
      // A reset chip lost the marker with the rest of its set-up: set it up again, read anew.
      this.#counts.resets++;
      if (!mayReinit) throw new Error(`${this.type} reset again at once: check the sensor's power`);
      this.#chip.onNotice(
        `${this.type} had reset (its alert configuration read back empty, a brown-out?): configuration written again`,
      );
      await this.#init();
      return this.#measure(false);
    }
    const { reading, clipped } = await this.#model.measure(this.#io);
    this.#chip.pacer.sampled(found, this.#model.periodMs);
    const overflow = clipped || (flags & this.#model.flags.overflow) !== 0;
    return { ...reading, status: overflow ? "overflow" : "ok" };
  }
}
