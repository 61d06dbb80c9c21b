/**
 * The INA3221 driver: one {@link Ina3221Driver} per chip sets it up over an injected
 * {@link I2cBus}, waits for each complete conversion cycle (CVRF) and reads every
 * enabled chip channel of it at once; one {@link Ina3221ChannelSource} per chip
 * channel in use hands that channel's share to the sampler, so each chip channel
 * is one of our channels. Current and power are computed here (shunt V / R, V × I).
 * @module
 */
import { secondsText } from "./backoff.ts";
import { type AnalogControl, type ChipDriverOptions, ChipLink } from "./chip_link.ts";
import type { ConversionFound } from "./conversion_pacer.ts";
import { hex, type I2cBus } from "./i2c.ts";
import { roundToLsb } from "./ina219_registers.ts";
import {
  averagesFor,
  BUS_LSB_V,
  busRegister,
  type ChipChannel,
  conversionReady,
  conversionTimeFor,
  cycleTimeMs,
  decodeBusVoltage,
  decodeShuntVoltage,
  DIE_ID,
  encodeConfig,
  type Ina3221Config,
  MANUFACTURER_ID,
  REG_CONFIG,
  REG_DIE_ID,
  REG_MANUFACTURER_ID,
  REG_MASK_ENABLE,
  SHUNT_LSB_V,
  shuntClipped,
  shuntRegister,
} from "./ina3221_registers.ts";
import type { Reading } from "./source.ts";

/** One chip channel in use: which, and the shunt on it. */
export interface Ina3221ChannelOptions {
  /** The chip channel, 1 to 3. */
  chipChannel: ChipChannel;
  /** Shunt resistance in ohms (0.1 on most breakout boards). */
  shuntOhms: number;
  /** The analog input of this chip channel on an emulated chip: its modes become its source's. */
  analog?: AnalogControl;
}

/** Options of {@link Ina3221Driver}. */
export interface Ina3221Options extends ChipDriverOptions {
  /** 7-bit address, 0x40–0x43 by A0 (default 0x40). */
  address?: number;
  /** The chip channels in use; only these are enabled, so a cycle is shorter. */
  channels: readonly Ina3221ChannelOptions[];
  /** Samples averaged per result: 1, 4, 16 … 1024 (default 1). */
  averages?: number;
  /** Bus voltage conversion time in µs, 140 to 8244 (default 1100). */
  busConversionUs?: number;
  /** Shunt voltage conversion time in µs, 140 to 8244 (default 1100). */
  shuntConversionUs?: number;
  /** Cycles a chip channel may fall behind before its oldest unread one is dropped (default 16). */
  queueDepth?: number;
  /** The analog input of an emulated chip, for chip channels without their own. */
  analog?: AnalogControl;
}

/**
 * One INA3221 shared by up to three channel sources. Every bus transaction runs
 * under one lock, so the sources' reads never interleave on the bus; each complete
 * cycle is read once and queued for every open chip channel, so no channel sees a
 * cycle twice or skips one while it keeps up.
 */
export class Ina3221Driver {
  /** The configuration written to the chip. */
  readonly config: Readonly<Ina3221Config>;
  /** The analog input of an emulated chip shared by its chip channels, if any. */
  readonly analog: AnalogControl | undefined;
  #chip: ChipLink;
  #shunts: Map<ChipChannel, number>;
  #analogs = new Map<ChipChannel, AnalogControl>();
  #raw: number;
  #queueDepth: number;
  #queues = new Map<ChipChannel, Reading[]>();
  #lock: Promise<unknown> = Promise.resolve();
  #counts = { initialisations: 0, resets: 0, cycles: 0, dropped_readings: 0 };

  /**
   * Checks the options; the chip is set up when the first channel opens.
   * @throws {RangeError} for an address, channel, shunt or ADC setting the chip cannot take.
   */
  constructor(bus: I2cBus, options: Ina3221Options) {
    this.#chip = new ChipLink(bus, "INA3221", { ...options, maxAddress: 0x43 });
    this.#shunts = new Map();
    for (const { chipChannel, shuntOhms, analog } of options.channels) {
      if (![1, 2, 3].includes(chipChannel)) {
        throw new RangeError(`Invalid INA3221 chip channel ${chipChannel}: must be 1, 2 or 3`);
      }
      if (this.#shunts.has(chipChannel)) {
        throw new RangeError(`INA3221 chip channel ${chipChannel} is used twice`);
      }
      if (!(shuntOhms > 0)) {
        throw new RangeError(`Invalid shunt ${shuntOhms} Ω on INA3221 chip channel ${chipChannel}`);
      }
      this.#shunts.set(chipChannel, shuntOhms);
      const input = analog ?? options.analog;
      if (input) this.#analogs.set(chipChannel, input);
    }
    if (this.#shunts.size === 0) throw new RangeError("An INA3221 needs at least one chip channel");
    this.config = Object.freeze({
      channels: [...this.#shunts.keys()].sort(),
      averages: averagesFor(options.averages ?? 1),
      busConversionUs: conversionTimeFor(options.busConversionUs ?? 1100),
      shuntConversionUs: conversionTimeFor(options.shuntConversionUs ?? 1100),
      mode: "shunt_bus_continuous",
    });
    this.#raw = encodeConfig(this.config);
    this.#queueDepth = options.queueDepth ?? 16;
    this.analog = options.analog;
  }

  /**
   * How often the fastest of its channels reads, in ms (the acquisition Worker sets
   * it): at two cycles or more the driver may resync (see `ConversionPacer.await` in conversion_pacer.ts).
   * Default 0: never.
   */
  get readIntervalMs(): number {
    return this.#chip.pacer.readIntervalMs;
  }

  set readIntervalMs(ms: number) {
    this.#chip.pacer.readIntervalMs = ms;
  }

  /** `INA3221 at 0x40 on /dev/i2c-1`. */
  get where(): string {
    return this.#chip.where;
  }

  /** The shunt on `channel` in ohms. */
  shuntOhms(channel: ChipChannel): number {
    return this.#shunts.get(channel)!;
  }

  /** The analog input of `channel` on an emulated chip: its own, else the chip's. */
  analogOf(channel: ChipChannel): AnalogControl | undefined {
    return this.#analogs.get(channel);
  }

  /** Opens `channel` for reading; the first to open sets the chip up. */
  open(channel: ChipChannel): Promise<string[]> {
    if (!this.#shunts.has(channel)) this.#refuse(channel);
    return this.#exclusive(async () => {
      this.#queues.set(channel, []);
      const lines = [`${this.where}, chip channel ${channel}: shunt ${this.shuntOhms(channel)} Ω`];
      if (this.#chip.ready) return [...lines, "INA3221 ready - Starting measurements..."];
      const waitMs = this.#chip.retry.waitMs(this.#chip.now());
      if (waitMs > 0) {
        return [
          ...lines,
          `INA3221 not ready: ${this.#chip.retry.lastError}; retrying in ${secondsText(waitMs)}`,
        ];
      }
      const { averages, busConversionUs, shuntConversionUs } = this.config;
      lines.push(
        `Chip channels ${
          this.config.channels.join(", ")
        }, ${averages} sample(s) averaged, ${shuntConversionUs} + ${busConversionUs} µs: a cycle every ${
          cycleTimeMs(this.config)
        } ms`,
      );
      lines.push(await this.#chip.open("INA3221", () => this.#init()));
      return lines;
    });
  }

  /** Closes `channel`; when the last one closes, the bus is released. */
  close(channel: ChipChannel): Promise<void> {
    return this.#exclusive(() => {
      this.#queues.delete(channel);
      if (this.#queues.size > 0) return;
      this.#chip.close();
    });
  }

  /**
   * `channel`'s reading of the oldest cycle it has not seen; reads a fresh cycle
   * (after a failure, only when the backoff allows) when it has seen them all.
   */
  next(channel: ChipChannel): Promise<Reading> {
    return this.#exclusive(async () => {
      const queue = this.#queues.get(channel) ?? this.#refuse(channel, "is not open");
      if (queue.length === 0) await this.#fetch();
      return queue.shift()!;
    });
  }

  /** Start-up advice when the interval is shorter than a cycle. */
  warnings(intervalMs: number): string[] {
    const cycleMs = cycleTimeMs(this.config);
    if (intervalMs >= cycleMs) return [];
    return [
      `SAMPLE_INTERVAL_MS ${intervalMs} is shorter than the INA3221's cycle of ${cycleMs} ms (${this.config.channels.length} chip channel(s) × ${this.config.averages} × (${this.config.shuntConversionUs} + ${this.config.busConversionUs} µs)): each sample waits for a fresh cycle, so samples come at most ${
        Math.floor(1000 / cycleMs)
      } a second`,
    ];
  }

  /** Chip facts for `/status`. */
  details(): Record<string, unknown> {
    return {
      ...this.#chip.head(),
      chip_channels: this.config.channels,
      averages: this.config.averages,
      bus_conversion_us: this.config.busConversionUs,
      shunt_conversion_us: this.config.shuntConversionUs,
      cycle_time_ms: cycleTimeMs(this.config),
      config: hex(this.#raw, 4),
      ...this.#counts,
      ...this.#chip.tail(),
      ...(this.analog ? { emulated_input: this.analog.details() } : {}),
    };
  }

  #refuse(channel: number, why = "is not configured"): never {
    throw new RangeError(`${this.where}: chip channel ${channel} ${why}`);
  }

  /** Runs `fn` after every earlier bus transaction of this chip finished. */
  #exclusive<T>(fn: () => T | Promise<T>): Promise<T> {
    const run = this.#lock.then(fn);
    this.#lock = run.catch(() => {});
    return run;
  }

  async #fetch(): Promise<void> {
    const readings = await this.#chip.read(() => this.#init(), () => this.#measure(true));
    this.#counts.cycles++;
    for (const [channel, queue] of this.#queues) {
      queue.push(readings.get(channel)!);
      if (queue.length > this.#queueDepth) {
        queue.shift();
        this.#counts.dropped_readings++;
      }
    }
  }

  /** A register, MSB first (§8.5.2). */
  #readRegister(register: number): Promise<number> {
    return this.#chip.readRegister(register);
  }

  /** Checks the IDs, writes the configuration, checks it held, waits for a cycle. */
  async #init(): Promise<void> {
    const manufacturer = await this.#readRegister(REG_MANUFACTURER_ID);
    const die = await this.#readRegister(REG_DIE_ID);
    if (manufacturer !== MANUFACTURER_ID || die !== DIE_ID) {
      throw new Error(
        `${this.where} is not an INA3221: manufacturer ID ${hex(manufacturer, 4)}, die ID ${
          hex(die, 4)
        } (expected ${hex(MANUFACTURER_ID, 4)} and ${hex(DIE_ID, 4)}; check I2C_ADDRESS)`,
      );
    }
    const raw = this.#raw;
    const startMs = this.#chip.now(); // the write restarts the cycle and clears CVRF
    await this.#chip.writeRegister(REG_CONFIG, raw);
    const readBack = await this.#readRegister(REG_CONFIG);
    if (readBack !== raw) {
      throw new Error(
        `${this.where} did not keep its configuration: wrote ${hex(raw, 4)}, read ${
          hex(readBack, 4)
        }`,
      );
    }
    this.#chip.pacer.restarted(startMs, cycleTimeMs(this.config));
    this.#chip.pacer.consumed(await this.#awaitCycle(), cycleTimeMs(this.config));
    this.#chip.succeeded();
    this.#counts.initialisations++;
  }

  /**
   * Waits for a cycle completed since CVRF (Mask/Enable bit 0, cleared by that very
   * read, §8.6.2.16) was last polled, paced by {@link ConversionPacer.await}.
   * @throws {Error} when none completes within twice the cycle time + 10 ms.
   */
  #awaitCycle(): Promise<ConversionFound<number>> {
    return this.#chip.pacer.await({
      conversionMs: cycleTimeMs(this.config),
      holdMs: this.#holdMs(),
      poll: () => this.#readRegister(REG_MASK_ENABLE),
      outcome: (mask) => conversionReady(mask) ? "ready" : "busy",
      mayResync: this.#chip.ready,
      timeout: (limitMs) => this.#chip.noConversion(limitMs, "conversion cycle"),
    });
  }

  /**
   * How long a cycle's results all stay in the registers once it completed, ms: the
   * chip latches each conversion as it ends (as the emulated chip does), so the first chip channel's
   * shunt register changes one shunt conversion into the next cycle. A sample read
   * later holds two cycles, and the next sample repeats the newer one's values.
   */
  #holdMs(): number {
    return (this.config.averages * this.config.shuntConversionUs) / 1000;
  }

  /** One cycle: every enabled chip channel's shunt and bus, then the configuration check. */
  async #measure(mayReinit: boolean): Promise<Map<ChipChannel, Reading>> {
    const found = await this.#awaitCycle();
    const raws: [ChipChannel, number, number][] = [];
    for (const channel of this.config.channels) {
      raws.push([
        channel,
        await this.#readRegister(shuntRegister(channel)),
        await this.#readRegister(busRegister(channel)),
      ]);
    }
    this.#chip.pacer.sampled(found, cycleTimeMs(this.config), this.#holdMs());
    // A brown-out resets the configuration to 0x7127 (every channel, 1.1 ms, no averaging).
    const config = await this.#readRegister(REG_CONFIG);
    if (config !== this.#raw) {
      this.#counts.resets++;
      if (!mayReinit) throw new Error(`${this.where} reset again at once: check its power`);
      this.#chip.onNotice(
        `${this.where} had reset (configuration read ${
          hex(config, 4)
        }, a brown-out?): configuration written again`,
      );
      await this.#init();
      return this.#measure(false);
    }
    return new Map(raws.map(([channel, shuntRaw, busRaw]) => {
      const ohms = this.shuntOhms(channel);
      const currentLsbA = SHUNT_LSB_V / ohms;
      const v = roundToLsb(decodeBusVoltage(busRaw), BUS_LSB_V);
      const a = roundToLsb(decodeShuntVoltage(shuntRaw) / ohms, currentLsbA);
      const w = roundToLsb(v * a, BUS_LSB_V * currentLsbA);
      return [channel, { v, a, w, status: shuntClipped(shuntRaw) ? "overflow" : "ok" }];
    }));
  }
}
