/**
 * An in-process I2C bus, like Linux's i2c-stub: transfers go by address to emulated
 * devices (an {@link Ina219Chip}) and take the time they would on the wire, spent
 * busy like the blocking `ioctl` of {@link LinuxI2cBus}. Tests can make it fail
 * the ways a real bus does: no acknowledge, or a stuck bus.
 * @module
 */
import { checkAddress, type I2cBus, transferError } from "./i2c.ts";
import type { I2cDevice } from "./ina219_chip.ts";

/** The bus clocks `I2C_EMULATED_KHZ` allows (standard and fast mode). */
export type I2cKhz = 100 | 400;

/**
 * SMBus's clock-low timeout (tTIMEOUT, 25–35 ms): how long a stuck bus blocks a
 * transfer before it fails with ETIMEDOUT.
 */
export const STUCK_TIMEOUT_MS = 35;

/** A fault a test injects: `nack` (nothing answers, ENXIO) or `stuck` (ETIMEDOUT). */
export type I2cFault = "nack" | "stuck";

/** Options of {@link EmulatedI2cBus}. */
export interface EmulatedI2cOptions {
  /** Bus clock in kHz (default 400). */
  khz?: I2cKhz;
  /** Devices by 7-bit address. */
  devices: ReadonlyMap<number, I2cDevice>;
  /** Spends `us` microseconds (default: busy-waits, as a real ioctl blocks). */
  spend?: (us: number) => void;
  /** Whether the device at `address` answers now (default: always). */
  answers?: (address: number) => boolean;
}

/**
 * Bit times of one transfer: start, address byte + ack, each written byte + ack,
 * then for a read a repeated start, address + ack and each read byte + ack, and stop.
 */
export function transferBits(written: number, length: number): number {
  const write = 1 + 9 + 9 * written;
  const read = length > 0 ? 1 + 9 + 9 * length : 0;
  return write + read + 1;
}

/** Busy-waits `us` microseconds on this thread. */
function busyWait(us: number): void {
  const end = performance.now() + us / 1000;
  while (performance.now() < end) {
    // spin: the thread is as blocked as in a real ioctl
  }
}

/** An {@link I2cBus} whose devices are emulated in this process. */
export class EmulatedI2cBus implements I2cBus {
  readonly name: string;
  /** The bus clock in kHz. */
  readonly khz: I2cKhz;
  /** A fault injected by a test; applies to every transfer until cleared. */
  fault: I2cFault | undefined;
  /** Transfers done, and bit times spent on them. */
  readonly counts = { transfers: 0, bits: 0 };
  #devices: ReadonlyMap<number, I2cDevice>;
  #spend: (us: number) => void;
  #answers: (address: number) => boolean;

  /** A bus at `options.khz` with `options.devices` on it. */
  constructor(options: EmulatedI2cOptions) {
    this.khz = options.khz ?? 400;
    this.name = `emulated (${this.khz} kHz)`;
    this.#devices = options.devices;
    this.#spend = options.spend ?? busyWait;
    this.#answers = options.answers ?? (() => true);
  }

  writeRead(address: number, bytes: Uint8Array, length: number): Promise<Uint8Array> {
    try {
      return Promise.resolve(this.#transfer(address, bytes, length));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  close(): void {}

  #transfer(address: number, bytes: Uint8Array, length: number): Uint8Array {
    checkAddress(address);
    const fail = (errno: string) => transferError(this.name, address, bytes[0], errno);
    this.counts.transfers++;
    if (this.fault === "stuck") {
      this.#spend(STUCK_TIMEOUT_MS * 1000);
      throw fail("ETIMEDOUT");
    }
    const device = this.#devices.get(address);
    if (this.fault === "nack" || !device || !this.#answers(address)) {
      // The address byte is not acknowledged: start, 9 bits, stop.
      this.#spend((11 * 1000) / this.khz);
      this.counts.bits += 11;
      throw fail("ENXIO");
    }
    const bits = transferBits(bytes.length, length);
    this.#spend((bits * 1000) / this.khz);
    this.counts.bits += bits;
    return device.transfer(bytes, length);
  }
}
