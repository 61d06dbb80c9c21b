/**
 * The source factory: `SENSOR` and its settings → the mock, the INA219 on Linux
 * I2C, or the v1 Arduino device on a serial port.
 * @module
 */
import type { Config } from "../config.ts";
import { Ina219Source } from "./ina219.ts";
import { LinuxI2cBus } from "./i2c_linux.ts";
import { ffiAllowed } from "./libc.ts";
import { MockSource } from "./mock.ts";
import { SerialSource } from "./serial.ts";
import type { Source } from "./source.ts";

/** Options of {@link createSource}. */
export interface CreateSourceOptions {
  /** Receives the device's own status messages (mode changes, resets, status lines). */
  onNotice?: (message: string) => void;
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
      requireFfi(`the INA219 on /dev/i2c-${config.i2cBus}`);
      return new Ina219Source(new LinuxI2cBus(config.i2cBus), {
        address: config.i2cAddress,
        shuntOhms: config.shuntOhms,
        maxCurrentA: config.maxCurrentA,
        busRangeV: config.busVoltageRange,
        adcSamples: config.adcSamples,
        shuntRangeMv: config.shuntRangeMv,
        onNotice,
      });
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

function requireFfi(what: string): void {
  if (ffiAllowed()) return;
  throw new RangeError(
    `Cannot use ${what}: Deno was not granted FFI access (the monitor reaches the device through the C library): run with --allow-ffi (deno task start and the compiled binaries have it)`,
  );
}
