/**
 * The source factory: `SENSOR` and its settings → the mock, the INA219 on Linux
 * I2C, or the v1 Arduino device on a serial port.
 * @module
 */
import { AcquisitionClient } from "../acquisition/client.ts";
import type { Ina219Settings } from "../acquisition/protocol.ts";
import type { Config } from "../config.ts";
import { Ina219Source } from "./ina219.ts";
import { LinuxI2cBus } from "./i2c_linux.ts";
import { EmulatedI2cBus } from "./i2c_emulated.ts";
import { Ina219Chip } from "./ina219_chip.ts";
import { ffiAllowed } from "./libc.ts";
import { MockSource } from "./mock.ts";
import { SerialSource } from "./serial.ts";
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

/**
 * Builds the configured source; opens nothing yet.
 * @throws {RangeError} with a one-line message for a person, e.g. when the real
 * sensors lack `--allow-ffi`.
 */
export function createSource(config: Config, options: CreateSourceOptions = {}): Source {
  const { onNotice } = options;
  switch (config.sensor) {
    case "mock":
      return new MockSource({
        seed: config.mockSeed ?? undefined,
        mode: config.mockMode,
        autoRotateMs: config.mockAutoRotateMs,
        onNotice,
      });
    case "ina219":
      if (config.i2cBus !== "emulated") requireFfi(`the INA219 on /dev/i2c-${config.i2cBus}`);
      return new AcquisitionClient(ina219Settings(config), { onNotice });
    case "serial":
      requireFfi(`the serial port ${config.serialPort}`);
      return new SerialSource({
        path: config.serialPort,
        baud: config.serialBaud,
        intervalMs: config.sampleIntervalMs,
        onNotice,
      });
  }
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
 * The INA219 driver over its bus: `/dev/i2c-N`, or for `I2C_BUS=emulated` an
 * in-process bus holding an emulated chip at `I2C_ADDRESS`, whose input is the
 * mock's waveform (`MOCK_MODE`, `MOCK_AUTO_ROTATE_S`, `MOCK_SEED`): the bus
 * voltage, and the current through `SHUNT_OHMS`. ERROR_TEST makes the chip stop
 * answering. The acquisition Worker runs it; {@link AcquisitionClient} builds one
 * that it never opens, for its checks, warnings and details before the Worker answers.
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

function requireFfi(what: string): void {
  if (ffiAllowed()) return;
  throw new RangeError(
    `Cannot use ${what}: Deno was not granted FFI access (the monitor reaches the device through the C library): run with --allow-ffi (deno task start and the compiled binaries have it)`,
  );
}
