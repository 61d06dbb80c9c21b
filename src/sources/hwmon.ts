/**
 * A chip the kernel already drives, as a {@link Source}: reads the hwmon sysfs
 * files of Linux's `ina2xx` (or `ina3221`) driver, `in1_input` (bus, mV),
 * `curr1_input` (mA) and `power1_input` (µW), from a given directory or the one
 * found by the chip's name and I2C address. Each read of a file is a fresh
 * register read over I2C in the kernel; there is no conversion-ready flag.
 * @module
 */
import { Backoff, type BackoffOptions, secondsText } from "./backoff.ts";
import { hex } from "./i2c.ts";
import { roundToLsb } from "./ina219_registers.ts";
import { type Reading, SensorError, type Source } from "./source.ts";
import { findHwmon, i2cDeviceName, type SysfsOptions } from "./sysfs.ts";
import { systemFs } from "./sysfs_fs.ts";

/** Options of {@link HwmonSource}. */
export interface HwmonOptions {
  /** The hwmon directory, e.g. `/sys/class/hwmon/hwmon2`; else found by the next three. */
  hwmonPath?: string;
  /** The hwmon device's `name` (`ina219`, `ina226`, `ina3221` …); any when absent. */
  name?: string;
  /** The I2C adapter number the chip is on. */
  i2cBus?: number;
  /** The chip's 7-bit I2C address. */
  i2cAddress?: number;
  /** Which input: `in<N>_input`, `curr<N>_input`, `power<N>_input` (default 1; 1–3 on an INA3221). */
  index?: number;
  /** Where sysfs is and how to read it (tests: a temp folder). */
  sysfs?: SysfsOptions;
  /** Clock for retry timing (default `Date.now`). */
  now?: () => number;
  /** Delays between attempts after a failed read. */
  backoff?: BackoffOptions;
}

/** What the directory holds, found when it is (re)opened. */
interface Resolved {
  path: string;
  name: string;
  /** `power<N>_input` exists (the ina3221 driver has none: power is V × I then). */
  hasPower: boolean;
  /** `update_interval` in ms, where the driver offers it. */
  updateIntervalMs: number | undefined;
}

/** The hwmon files of a chip bound to a kernel driver. */
export class HwmonSource implements Source {
  readonly kind = "hwmon";
  readonly type = "hwmon";
  readonly backfill = false;
  readonly mode = "NORMAL";
  readonly modes: readonly string[] = ["NORMAL"];
  #options: HwmonOptions;
  #index: number;
  #fs;
  #resolved: Resolved | undefined;
  #backoff: Backoff;
  #now: () => number;
  #lastError: string | undefined;
  #counts = { reads: 0, failures: 0 };

  /**
   * Checks the options; the directory is looked up on open.
   * @throws {RangeError} without `hwmonPath` or an I2C bus and address.
   */
  constructor(options: HwmonOptions) {
    this.#options = options;
    this.#index = options.index ?? 1;
    if (!Number.isInteger(this.#index) || this.#index < 1) {
      throw new RangeError(`Invalid hwmon input index ${options.index}: must be 1 or more`);
    }
    if (!options.hwmonPath && (options.i2cBus === undefined || options.i2cAddress === undefined)) {
      throw new RangeError(
        "The hwmon sensor needs hwmon_path (e.g. /sys/class/hwmon/hwmon2), or i2c_bus and i2c_address to find it",
      );
    }
    this.#fs = options.sysfs?.fs ?? systemFs;
    this.#now = options.now ?? Date.now;
    this.#backoff = new Backoff(options.backoff);
  }

  /** The files read: `in1_input`, `curr1_input`, `power1_input`. */
  get files(): { bus: string; current: string; power: string } {
    const n = this.#index;
    return { bus: `in${n}_input`, current: `curr${n}_input`, power: `power${n}_input` };
  }

  open(): Promise<string[]> {
    try {
      const { path, name, hasPower, updateIntervalMs } = this.#resolve();
      const { bus, current, power } = this.files;
      return Promise.resolve([
        `hwmon ${name} at ${path}`,
        `Reading ${bus} (mV), ${current} (mA) and ${
          hasPower ? `${power} (µW)` : `no ${power}: power is V × I`
        }${
          updateIntervalMs === undefined
            ? ""
            : `; the driver's update_interval is ${updateIntervalMs} ms`
        }`,
        "hwmon ready - Starting measurements...",
      ]);
    } catch (error) {
      return Promise.resolve([`hwmon not ready: ${this.#fail(error).message}`]);
    }
  }

  /** Reads the three files now; after a failure, tries again only when the backoff allows. */
  read(_tsMs: number): Reading {
    if (!this.#resolved) {
      const waitMs = this.#backoff.waitMs(this.#now());
      if (waitMs > 0) {
        throw new SensorError(`${this.#lastError}; retrying in ${secondsText(waitMs)}`);
      }
    }
    try {
      const resolved = this.#resolved ?? this.#resolve();
      const { bus, current, power } = this.files;
      const mV = this.#readInt(resolved.path, bus);
      const mA = this.#readInt(resolved.path, current);
      const v = mV / 1000;
      const a = mA / 1000;
      const w = resolved.hasPower
        ? this.#readInt(resolved.path, power) / 1_000_000
        : roundToLsb(v * a, 1e-6);
      this.#counts.reads++;
      this.#backoff.succeed();
      return { v, a, w, status: "ok" };
    } catch (error) {
      throw this.#fail(error);
    }
  }

  setMode(mode: string): void {
    if (mode !== "NORMAL") throw new RangeError(`Unknown mode "${mode}": expected NORMAL`);
  }

  close(): Promise<void> {
    this.#resolved = undefined;
    this.#backoff.succeed();
    return Promise.resolve();
  }

  warnings(intervalMs: number): string[] {
    const updateMs = this.#resolved?.updateIntervalMs;
    if (updateMs === undefined || intervalMs >= updateMs) return [];
    return [
      `SAMPLE_INTERVAL_MS ${intervalMs} is shorter than the hwmon driver's update_interval of ${updateMs} ms: hwmon has no conversion-ready flag, so samples between conversions repeat the last one`,
    ];
  }

  details(): Record<string, unknown> {
    const { i2cBus, i2cAddress, name } = this.#options;
    return {
      hwmon_path: this.#resolved?.path ?? this.#options.hwmonPath ?? null,
      name: this.#resolved?.name ?? name ?? null,
      ...(i2cBus !== undefined && i2cAddress !== undefined
        ? { i2c_device: i2cDeviceName(i2cBus, i2cAddress), address: hex(i2cAddress) }
        : {}),
      files: this.#resolved?.hasPower === false
        ? [this.files.bus, this.files.current]
        : Object.values(this.files),
      power: this.#resolved?.hasPower === false ? "computed (V × I)" : "power_input",
      update_interval_ms: this.#resolved?.updateIntervalMs ?? null,
      state: this.#resolved ? "ok" : "retrying",
      ...this.#counts,
      last_error: this.#lastError ?? null,
      retry_in_s: this.#resolved ? null : this.#backoff.waitMs(this.#now()) / 1000,
    };
  }

  /** Finds the directory and what it offers. */
  #resolve(): Resolved {
    const { hwmonPath, name, i2cBus, i2cAddress, sysfs } = this.#options;
    const path = hwmonPath ??
      findHwmon({ name, bus: i2cBus!, address: i2cAddress! }, sysfs);
    const found = this.#fs.readText(`${path}/name`).trim();
    if (name !== undefined && found !== name) {
      throw new Error(`${path} is "${found}", not "${name}"`);
    }
    this.#readInt(path, this.files.bus); // the inputs are there and readable
    this.#readInt(path, this.files.current);
    this.#resolved = {
      path,
      name: found,
      hasPower: this.#exists(path, this.files.power),
      updateIntervalMs: this.#exists(path, "update_interval")
        ? this.#readInt(path, "update_interval")
        : undefined,
    };
    return this.#resolved;
  }

  #exists(path: string, file: string): boolean {
    try {
      this.#fs.readText(`${path}/${file}`);
      return true;
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return false;
      throw error;
    }
  }

  /** One integer file; says which file and why when it cannot be read. */
  #readInt(path: string, file: string): number {
    let text: string;
    try {
      text = this.#fs.readText(`${path}/${file}`);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) {
        // The kernel answers a failed I2C transfer with EIO, ENXIO or EREMOTEIO.
        throw new Error(
          `Cannot read ${path}/${file}: ${
            (error as Error).message
          } (the kernel driver could not reach the chip: check the wiring and its power)`,
          { cause: error },
        );
      }
      if (!this.#exists(path, "name")) {
        throw new Error(
          `hwmon device ${path} is gone: the kernel driver was unbound or the chip removed`,
          { cause: error },
        );
      }
      throw new Error(`hwmon device ${path} has no ${file}: is it an ina2xx or ina3221 device?`, {
        cause: error,
      });
    }
    const trimmed = text.trim();
    if (!/^-?\d+$/.test(trimmed)) {
      throw new Error(`Unexpected content in ${path}/${file}: "${trimmed.slice(0, 40)}"`);
    }
    return Number(trimmed);
  }

  #fail(error: unknown): SensorError {
    if (error instanceof SensorError) return error;
    // A driver re-bound later may get another hwmonN: look it up again next time.
    this.#resolved = undefined;
    this.#counts.failures++;
    const delayMs = this.#backoff.fail(this.#now());
    this.#lastError = error instanceof Error ? error.message : String(error);
    return new SensorError(`${this.#lastError}; retrying in ${secondsText(delayMs)}`, {
      cause: error,
    });
  }
}
