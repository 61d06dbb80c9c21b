/**
 * The single-sensor source factory: `SENSOR` and its settings → the mock, a chip
 * read in an acquisition Worker, or the v1 Arduino device on a serial port; and
 * {@link buildIna219}, the INA219 driver over its bus on this thread.
 * @module
 */
import type { Config } from "../config.ts";
import { createChannelSources } from "./create_channels.ts";
import { Ina219Source } from "./ina219.ts";
import { LinuxI2cBus } from "./i2c_linux.ts";
import { EmulatedI2cBus } from "./i2c_emulated.ts";
import { Ina219Chip } from "./ina219_chip.ts";
import { MockSource } from "./mock.ts";
import type { Source } from "./source.ts";

/** Options of {@link createSource}. */
export interface CreateSourceOptions {
  /** Receives the device's own status messages (mode changes, resets, status lines). */
  onNotice?: (message: string) => void;
}

/** Options of {@link buildIna219}. */
export interface BuildIna219Options extends CreateSourceOptions {
  /** How the driver sleeps through a conversion (the Worker's is sub-millisecond). */
  sleep?: (ms: number) => Promise<void>;
}

/** The settings {@link buildIna219} takes: plain, cloneable data. */
export type Ina219Settings = Pick<
  Config,
  | "i2cBus"
  | "i2cEmulatedKhz"
  | "i2cAddress"
  | "shuntOhms"
  | "maxCurrentA"
  | "busVoltageRange"
  | "adcSamples"
  | "shuntRangeMv"
  | "mockSeed"
  | "mockMode"
  | "mockAutoRotateMs"
  | "sampleIntervalMs"
>;

/**
 * Builds the source of the first channel (`main` without CHANNELS) through
 * {@link createChannelSources}; opens nothing yet.
 * @throws {RangeError} with a one-line message for a person, e.g. when the real
 * sensors lack `--allow-ffi`.
 */
export function createSource(config: Config, options: CreateSourceOptions = {}): Source {
  const first = config.channels[0];
  const sources = createChannelSources([first], {
    onNotice: (_channel, message) => options.onNotice?.(message),
  });
  return sources.get(first.name)!;
}

/** The settings {@link buildIna219} takes, picked from `config` (plain, cloneable data). */
export function ina219Settings(config: Config): Ina219Settings {
  return {
    i2cBus: config.i2cBus,
    i2cEmulatedKhz: config.i2cEmulatedKhz,
    i2cAddress: config.i2cAddress,
    shuntOhms: config.shuntOhms,
    maxCurrentA: config.maxCurrentA,
    busVoltageRange: config.busVoltageRange,
    adcSamples: config.adcSamples,
    shuntRangeMv: config.shuntRangeMv,
    mockSeed: config.mockSeed,
    mockMode: config.mockMode,
    mockAutoRotateMs: config.mockAutoRotateMs,
    sampleIntervalMs: config.sampleIntervalMs,
  };
}

/**
 * The INA219 driver over its bus on this thread: `/dev/i2c-N`, or for
 * `I2C_BUS=emulated` an in-process bus holding an emulated chip at `I2C_ADDRESS`,
 * whose input is the mock's waveform (`MOCK_MODE`, `MOCK_AUTO_ROTATE_S`,
 * `MOCK_SEED`): the bus voltage, and the current through `SHUNT_OHMS`. ERROR_TEST
 * makes the chip stop answering. (The monitor reads chips in acquisition Workers,
 * built by ../acquisition/group.ts the same way.)
 * @throws {RangeError} for an address, shunt or current the chip cannot take.
 */
export function buildIna219(
  settings: Ina219Settings,
  options: BuildIna219Options = {},
): Ina219Source {
  const { onNotice, sleep } = options;
  const driverOptions = {
    address: settings.i2cAddress,
    shuntOhms: settings.shuntOhms,
    maxCurrentA: settings.maxCurrentA,
    busRangeV: settings.busVoltageRange,
    adcSamples: settings.adcSamples,
    shuntRangeMv: settings.shuntRangeMv,
    onNotice,
    sleep,
    // Sub-millisecond: the driver times its CNVR polls against the conversion time.
    now: () => performance.timeOrigin + performance.now(),
  };
  if (settings.i2cBus !== "emulated") {
    return new Ina219Source(new LinuxI2cBus(settings.i2cBus), driverOptions);
  }
  const analog = new MockSource({
    seed: settings.mockSeed ?? undefined,
    mode: settings.mockMode,
    autoRotateMs: settings.mockAutoRotateMs,
    onNotice,
  });
  const chip = new Ina219Chip({
    now: () => performance.timeOrigin + performance.now(),
    input: (tMs) => {
      const { v, a } = analog.signal(tMs);
      return { busV: v, shuntV: a * settings.shuntOhms };
    },
  });
  const bus = new EmulatedI2cBus({
    khz: settings.i2cEmulatedKhz,
    devices: new Map([[settings.i2cAddress, chip]]),
    answers: () => analog.mode !== "ERROR_TEST",
  });
  return new Ina219Source(bus, { ...driverOptions, analog });
}
