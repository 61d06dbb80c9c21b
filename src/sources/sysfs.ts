/**
 * What Linux's sysfs says about I2C chips: which kernel driver owns one
 * (`/sys/bus/i2c/devices/<bus>-00<addr>/driver`), and which hwmon directory
 * (`/sys/class/hwmon/hwmonN`) belongs to one. The sysfs root is a parameter so
 * tests use a folder of their own.
 * @module
 */
import { hex, I2cError } from "./i2c.ts";
import { type SysfsFs, systemFs } from "./sysfs_fs.ts";

/** Where sysfs is mounted. */
export const SYSFS_ROOT = "/sys";

/** Where sysfs is and how to read it (tests: a temp folder and Deno's functions). */
export interface SysfsOptions {
  /** The mount point (default `/sys`). */
  root?: string;
  /** The file functions (default {@link systemFs}). */
  fs?: SysfsFs;
}

/** The kernel's name of the I2C device at `address` on adapter `bus`: `1-0040`. */
export function i2cDeviceName(bus: number, address: number): string {
  return `${bus}-${address.toString(16).padStart(4, "0")}`;
}

/** The adapter number of `/dev/i2c-N`, or undefined for another path. */
export function adapterNumber(path: string): number | undefined {
  const match = /^\/dev\/i2c-(\d+)$/.exec(path);
  return match ? Number(match[1]) : undefined;
}

/** The last part of a path or link target: `../../drivers/ina2xx` → `ina2xx`. */
function basename(path: string): string {
  return path.replace(/\/+$/, "").split("/").at(-1) ?? path;
}

/**
 * The kernel driver bound to the I2C device at `address` on adapter `bus`
 * (`ina2xx`, `ina3221` …), or undefined when none is.
 */
export function kernelDriverOf(
  bus: number,
  address: number,
  options: SysfsOptions = {},
): string | undefined {
  const { root = SYSFS_ROOT, fs = systemFs } = options;
  const link = fs.readLink(`${root}/bus/i2c/devices/${i2cDeviceName(bus, address)}/driver`);
  return link === undefined ? undefined : basename(link);
}

/**
 * Refuses to drive a chip that a kernel driver owns: `I2C_SLAVE` would answer
 * EBUSY, but `I2C_RDWR` does not check, and two drivers writing one chip's
 * configuration corrupt each other's readings.
 * @throws {I2cError} naming the driver, `sensor: "hwmon"` and the unbind command.
 */
export function checkNoKernelDriver(
  bus: number,
  address: number,
  options: SysfsOptions = {},
): void {
  const sysfsRoot = options.root ?? SYSFS_ROOT;
  const driver = kernelDriverOf(bus, address, options);
  if (driver === undefined) return;
  const device = i2cDeviceName(bus, address);
  throw new I2cError(
    `Cannot use the chip at ${hex(address)} on /dev/i2c-${bus}`,
    `the kernel driver "${driver}" owns it (${sysfsRoot}/bus/i2c/devices/${device}/driver): read it through the kernel with sensor "hwmon" (SENSOR=hwmon), or unbind the driver with "echo ${device} | sudo tee ${sysfsRoot}/bus/i2c/drivers/${driver}/unbind" (and remove its dtoverlay from /boot/firmware/config.txt so it stays unbound)`,
    { bus: `/dev/i2c-${bus}`, address, errno: "EBUSY" },
  );
}

/** One hwmon directory: its path, `name` file, and the I2C device behind it, if any. */
export interface HwmonEntry {
  /** `/sys/class/hwmon/hwmon2`. */
  path: string;
  /** The `name` file: `ina219`, `ina226`, `ina3221`, `cpu_thermal` … */
  name: string;
  /** The `device` link's last part: `1-0040` for an I2C chip. */
  device: string | undefined;
}

/** Every hwmon directory under `<root>/class/hwmon`, sorted by path. */
export function listHwmon(options: SysfsOptions = {}): HwmonEntry[] {
  const { root = SYSFS_ROOT, fs = systemFs } = options;
  const dir = `${root}/class/hwmon`;
  const entries: HwmonEntry[] = [];
  for (const entryName of fs.list(dir)) {
    const path = `${dir}/${entryName}`;
    let name: string;
    try {
      name = fs.readText(`${path}/name`).trim();
    } catch (error) {
      // A device without a name file (or one going away meanwhile) cannot match.
      if (error instanceof Deno.errors.NotFound) continue;
      throw error;
    }
    const link = fs.readLink(`${path}/device`);
    entries.push({ path, name, device: link === undefined ? undefined : basename(link) });
  }
  return entries.sort((a, b) => a.path.localeCompare(b.path, "en", { numeric: true }));
}

/** What {@link findHwmon} looks for. */
export interface HwmonQuery {
  /** The `name` file's content (`ina219`); any name when absent. */
  name?: string;
  /** The I2C adapter number. */
  bus: number;
  /** The 7-bit address. */
  address: number;
}

/**
 * The hwmon directory of the I2C chip at `query.bus`/`query.address`.
 * @throws {Error} listing what there is, when none matches.
 */
export function findHwmon(query: HwmonQuery, options: SysfsOptions = {}): string {
  const sysfsRoot = options.root ?? SYSFS_ROOT;
  const device = i2cDeviceName(query.bus, query.address);
  const entries = listHwmon(options);
  const found = entries.find((e) =>
    e.device === device && (query.name === undefined || e.name === query.name)
  );
  if (found) return found.path;
  const seen = entries.map((e) =>
    `${basename(e.path)} ${e.name}${e.device ? ` (${e.device})` : ""}`
  );
  throw new Error(
    `No hwmon device ${query.name ?? ""}${
      query.name ? " " : ""
    }at ${device} in ${sysfsRoot}/class/hwmon (there: ${
      seen.join(", ") || "nothing"
    }): is the kernel driver bound? (ls ${sysfsRoot}/bus/i2c/devices/${device}/)`,
  );
}
