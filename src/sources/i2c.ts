/**
 * The I2C bus as the INA219 driver sees it: one primitive transfer that writes
 * bytes and reads bytes back, and one error type for every way that fails.
 * @module
 */

/** A bus that moves bytes to and from 7-bit addresses. */
export interface I2cBus {
  /** What `/status` shows, e.g. `/dev/i2c-1`. */
  readonly name: string;
  /**
   * Writes `bytes` to `address` and then, with a repeated start, reads `length`
   * bytes (none when 0).
   * @throws {I2cError}
   */
  writeRead(address: number, bytes: Uint8Array, length: number): Promise<Uint8Array>;
  /** Releases the adapter; the next transfer opens it again. */
  close(): void;
}

/** Options of {@link I2cError}. */
export interface I2cErrorOptions {
  /** The bus, e.g. `/dev/i2c-1`. */
  bus: string;
  /** The 7-bit device address, when the failure concerns one device. */
  address?: number;
  /** The register pointer of the transfer (its first written byte). */
  register?: number;
  /** `ENXIO`, `EREMOTEIO`, `ETIMEDOUT`, `EIO`, `ENOENT`, `EACCES`… */
  errno?: string;
  /** The underlying error, kept for debugging. */
  cause?: unknown;
}

/** `0x40`. */
export function hex(value: number, digits = 2): string {
  return `0x${value.toString(16).toUpperCase().padStart(digits, "0")}`;
}

/**
 * An I2C transfer or the adapter failed. The message says what failed, the detail
 * after a colon, and what a person can do about it.
 */
export class I2cError extends Error {
  /** Names the error in logs and stack traces. */
  override name = "I2cError";
  /** The bus, e.g. `/dev/i2c-1`. */
  readonly bus: string;
  /** The 7-bit device address, if the failure concerns one device. */
  readonly address: number | undefined;
  /** The register pointer of the failed transfer, if any. */
  readonly register: number | undefined;
  /** The errno name, e.g. `EREMOTEIO`, if the kernel gave one. */
  readonly errno: string | undefined;

  /** The message is `what`, a colon, then `detail`. */
  constructor(what: string, detail: string, options: I2cErrorOptions) {
    super(`${what}: ${detail}`, { cause: options.cause });
    this.bus = options.bus;
    this.address = options.address;
    this.register = options.register;
    this.errno = options.errno;
  }
}

/** What failed, in words: `I2C read of register 0x02 at 0x40 on /dev/i2c-1`. */
function transferText(bus: string, address: number, register?: number): string {
  const reg = register === undefined ? "" : ` of register ${hex(register)}`;
  return `I2C transfer${reg} at ${hex(address)} on ${bus} failed`;
}

/** The error of a transfer to `address` (first byte `register`) that failed with `errno`. */
export function transferError(
  bus: string,
  address: number,
  register: number | undefined,
  errno: string,
): I2cError {
  return new I2cError(transferText(bus, address, register), transferAdvice(errno, address), {
    bus,
    address,
    register,
    errno,
  });
}

/** Refuses a 7-bit address outside the range a device may use (0x03–0x77). */
export function checkAddress(address: number): void {
  if (!Number.isInteger(address) || address < 0x03 || address > 0x77) {
    throw new RangeError(`Invalid I2C address ${address}: must be 0x03 to 0x77`);
  }
}

/** The detail and advice for a transfer that failed with `errno`. */
export function transferAdvice(errno: string, address: number): string {
  switch (errno) {
    case "ENXIO":
    case "EREMOTEIO":
      return `nothing answers at ${
        hex(address)
      } (${errno}): check the wiring (VCC, GND, SDA, SCL) and the A0/A1 address (I2C_ADDRESS)`;
    case "ETIMEDOUT":
      return `the bus timed out (${errno}): check SDA and SCL and their pull-ups; a stuck bus may need the sensor's power cycled`;
    case "EIO":
      return `I/O error (${errno}): check the wiring and the sensor's power`;
    case "EBUSY":
      return `a kernel driver owns ${
        hex(address)
      } (${errno}): remove the ina2xx overlay from /boot/firmware/config.txt`;
    case "ENOTTY":
    case "EINVAL":
      return `not an I2C adapter (${errno}): check I2C_BUS`;
    default:
      return `${errno}: check the wiring and the sensor's power`;
  }
}

/** The detail and advice for an adapter that cannot be opened. */
export function openAdvice(errno: string, bus: string): string {
  switch (errno) {
    case "ENOENT":
      return `no such device (${errno}): enable I2C with raspi-config (Interface Options → I2C) and reboot, or check I2C_BUS`;
    case "EACCES":
    case "EPERM":
      return `permission denied (${errno}): add the user to the i2c group (sudo usermod -aG i2c $USER) and log in again`;
    case "ENODEV":
    case "ENXIO":
      return `the adapter is gone (${errno}): check that ${bus} exists`;
    default:
      return `${errno}: check that ${bus} is an I2C adapter`;
  }
}
