/**
 * The INA219 as a {@link Source}: configures and calibrates the chip over an
 * injected {@link I2cBus}, reads bus voltage, shunt, current and power on each
 * tick, and rides out faults (backoff, re-initialisation, brown-out resets).
 * @module
 */
import { AnalogModes, type ChipDriverOptions, ChipLink } from "./chip_link.ts";
import type { ConversionFound } from "./conversion_pacer.ts";
import { hex, type I2cBus } from "./i2c.ts";
import {
  adcForSamples,
  BUS_LSB_V,
  type BusRangeV,
  type BusVoltage,
  calibrate,
  type Calibration,
  conversionTimeMs,
  decodeBusVoltage,
  decodeCurrent,
  decodePower,
  decodeShuntVoltage,
  encodeConfig,
  type Ina219Config,
  pgaFor,
  pgaWithHeadroom,
  REG_BUS_VOLTAGE,
  REG_CALIBRATION,
  REG_CONFIG,
  REG_CURRENT,
  REG_POWER,
  REG_SHUNT_VOLTAGE,
  roundToLsb,
  shuntClipped,
  shuntRangeV,
} from "./ina219_registers.ts";
import type { AdcState, Reading, Source } from "./source.ts";

/** Options of {@link Ina219Source}. */
export interface Ina219Options extends ChipDriverOptions {
  /** 7-bit address, 0x40–0x4F by A0/A1 (default 0x40). */
  address?: number;
  /** Shunt resistance in ohms (0.1 on most breakout boards). */
  shuntOhms: number;
  /** Largest current expected; sets the calibration and the PGA range. */
  maxCurrentA: number;
  /** Current register LSB; default: the smallest round value allowed (§8.5.1). */
  currentLsbA?: number;
  /** Bus voltage range, 16 or 32 V (default 32). */
  busRangeV?: BusRangeV;
  /** Samples averaged per conversion, 1–128 (default 1: single 12-bit). */
  adcSamples?: number;
  /** Shunt range; default: the smallest that holds shuntOhms × maxCurrentA. */
  shuntRangeMv?: 40 | 80 | 160 | 320 | "auto";
}

/** The mode switch of an emulated chip's analog input (chip_link.ts). */
export type { AnalogControl } from "./chip_link.ts";

/** An INA219 on an I2C bus. */
export class Ina219Source extends AnalogModes implements Source {
  readonly kind = "ina219";
  readonly type = "INA219";
  readonly backfill = false;
  /** The calibration written to the chip, and the LSBs readings are scaled by. */
  readonly calibration: Calibration;
  #chip: ChipLink;
  #options: Ina219Options;
  #config: Ina219Config;
  #autoGain: boolean;
  #counts = {
    initialisations: 0,
    resets: 0,
    gain_changes: 0,
  };
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

  /**
   * Checks the options and works out the calibration; the chip is set up on the first read.
   * @throws {RangeError} for an address, shunt or current the chip cannot take.
   */
  constructor(bus: I2cBus, options: Ina219Options) {
    super(options.analog);
    this.#chip = new ChipLink(bus, "INA219", options);
    this.#options = options;
    this.calibration = calibrate(options.shuntOhms, options.maxCurrentA, {
      currentLsbA: options.currentLsbA,
    });
    const range = options.shuntRangeMv;
    this.#autoGain = range === "auto";
    const fitted = pgaFor(options.shuntOhms * options.maxCurrentA);
    const adc = adcForSamples(options.adcSamples ?? 1);
    this.#config = {
      busRangeV: options.busRangeV ?? 32,
      pga: range === "auto" ? 8 : range === undefined ? fitted : pgaFor(range / 1000),
      busAdc: adc,
      shuntAdc: adc,
      mode: "shunt_bus_continuous",
    };
  }

  /** The configuration written to the chip. */
  get config(): Readonly<Ina219Config> {
    return { ...this.#config };
  }

  /** The ADC setting written (or to be written) to the chip. */
  get adc(): AdcState {
    return {
      adcSamples: this.#config.shuntAdc.samples,
      conversionTimeMs: conversionTimeMs(this.#config),
    };
  }

  /**
   * Sets the samples averaged per conversion (shunt and bus alike) and writes the
   * configuration register; the pacing follows the new conversion time. A chip that
   * is failing gets the setting when it is set up again (and this still resolves).
   * @throws {RangeError} for a count that is not 1, 2, 4, … 128; nothing changes then.
   */
  async setAdcSamples(samples: number): Promise<AdcState> {
    const adc = adcForSamples(samples);
    this.#config = { ...this.#config, busAdc: adc, shuntAdc: adc };
    if (this.#chip.ready) {
      try {
        await this.#writeConfig();
      } catch (error) {
        this.#chip.fail(error); // retried, with the new setting, by the next due read
      }
    }
    return this.adc;
  }

  async open(): Promise<string[]> {
    const { shuntOhms, maxCurrentA } = this.#options;
    const { cal, currentLsbA, powerLsbW } = this.calibration;
    return [
      this.#chip.where,
      `Shunt ${shuntOhms} Ω, up to ${maxCurrentA} A: calibration ${cal}, ${currentLsbA} A and ${powerLsbW} W per bit`,
      await this.#chip.open(this.type, () => this.#init()),
    ];
  }

  close(): Promise<void> {
    this.#chip.close();
    return Promise.resolve();
  }

  /** Reads one sample now; after a failure, retries only when the backoff allows. */
  read(_tsMs: number): Promise<Reading> {
    return this.#chip.read(() => this.#init(), () => this.#measure(true));
  }

  warnings(intervalMs: number): string[] {
    const conversionMs = conversionTimeMs(this.#config);
    if (intervalMs >= conversionMs) return [];
    return [
      `SAMPLE_INTERVAL_MS ${intervalMs} is shorter than the INA219's conversion time of ${conversionMs} ms at ADC_SAMPLES ${this.#config.shuntAdc.samples}: each sample waits for a fresh conversion, so samples come at most ${
        Math.floor(1000 / conversionMs)
      } a second; raise SAMPLE_INTERVAL_MS or lower ADC_SAMPLES`,
    ];
  }

  details(): Record<string, unknown> {
    return {
      ...this.#chip.head(),
      shunt_ohms: this.#options.shuntOhms,
      max_current_a: this.#options.maxCurrentA,
      bus_voltage_range_v: this.#config.busRangeV,
      shunt_range_mv: shuntRangeV(this.#config.pga) * 1000,
      auto_gain: this.#autoGain,
      adc_samples: this.#config.shuntAdc.samples,
      conversion_time_ms: conversionTimeMs(this.#config),
      config: hex(encodeConfig(this.#config), 4),
      calibration: this.calibration.cal,
      current_lsb_a: this.calibration.currentLsbA,
      power_lsb_w: this.calibration.powerLsbW,
      ...this.#counts,
      ...this.#chip.tail(),
      ...this.emulatedInput(),
    };
  }

  /** Writes the configuration register, which restarts the conversion (§8.6.3.2: clears CNVR). */
  async #writeConfig(): Promise<void> {
    const startMs = this.#chip.now();
    await this.#chip.writeRegister(REG_CONFIG, encodeConfig(this.#config));
    this.#chip.pacer.restarted(startMs, conversionTimeMs(this.#config));
  }

  /** Writes configuration and calibration, checks they held, waits for a conversion. */
  async #init(): Promise<void> {
    const where = this.#chip.where;
    await this.#writeConfig();
    await this.#chip.writeRegister(REG_CALIBRATION, this.calibration.cal);
    const readBack = await this.#chip.readRegister(REG_CALIBRATION);
    if (readBack !== this.calibration.cal) {
      throw new Error(
        `${where} did not keep its calibration: wrote ${hex(this.calibration.cal, 4)}, read ${
          hex(readBack, 4)
        } (is another chip at this address?)`,
      );
    }
    // Until the first conversion with the new calibration, current and power read 0.
    // That conversion stays unread (CNVR set) for the first sample.
    this.#chip.pacer.consumed(await this.#awaitConversion());
    this.#chip.succeeded();
    this.#counts.initialisations++;
  }

  /**
   * Waits for a conversion completed since the power register was last read (CNVR,
   * bus voltage register bit 1, §8.6.3.2), paced by {@link ConversionPacer.await}
   * (a resync clears CNVR by reading the power register). Returns the bus register.
   * @throws {Error} when none completes within twice the conversion time + 10 ms.
   */
  #awaitConversion(): Promise<ConversionFound<BusVoltage>> {
    return this.#chip.pacer.await({
      conversionMs: conversionTimeMs(this.#config),
      poll: async () => decodeBusVoltage(await this.#chip.readRegister(REG_BUS_VOLTAGE)),
      outcome: (bus) => bus.conversionReady ? "ready" : "busy",
      clear: () => this.#chip.readRegister(REG_POWER),
      mayResync: this.#chip.ready,
      timeout: (limitMs) => this.#chip.noConversion(limitMs),
    });
  }

  async #measure(mayReinit: boolean): Promise<Reading> {
    const found = await this.#awaitConversion();
    const bus = found.value;
    const shuntRaw = await this.#chip.readRegister(REG_SHUNT_VOLTAGE);
    const currentRaw = await this.#chip.readRegister(REG_CURRENT);
    const powerRaw = await this.#chip.readRegister(REG_POWER); // clears CNVR (§8.6.3.2)
    this.#chip.pacer.sampled(found, conversionTimeMs(this.#config));
    if (
      currentRaw === 0 && powerRaw === 0 && await this.#chip.readRegister(REG_CALIBRATION) === 0
    ) {
      // A reset chip (brown-out) reads 0 A whatever flows: set it up again, read anew.
      this.#counts.resets++;
      if (!mayReinit) throw new Error("INA219 reset again at once: check the sensor's power");
      this.#chip.onNotice(
        "INA219 had reset (calibration read 0, a brown-out?): configuration and calibration written again",
      );
      await this.#init();
      return this.#measure(false);
    }
    const clipped = shuntClipped(shuntRaw, this.#config.pga);
    if (this.#autoGain) await this.#adjustGain(shuntRaw, clipped);
    const { currentLsbA, powerLsbW } = this.calibration;
    return {
      v: roundToLsb(bus.busVoltageV, BUS_LSB_V),
      a: roundToLsb(decodeCurrent(currentRaw, currentLsbA), currentLsbA),
      w: roundToLsb(decodePower(powerRaw, powerLsbW), powerLsbW),
      status: bus.overflow || clipped ? "overflow" : "ok",
    };
  }

  /** Automatic gain: ÷8 after a clipped reading, else the finest range with headroom. */
  async #adjustGain(shuntRaw: number, clipped: boolean): Promise<void> {
    const pga = clipped ? 8 : pgaWithHeadroom(Math.abs(decodeShuntVoltage(shuntRaw)));
    if (pga === this.#config.pga || (!clipped && pga > this.#config.pga)) return;
    this.#config = { ...this.#config, pga };
    this.#counts.gain_changes++;
    await this.#writeConfig();
  }
}
