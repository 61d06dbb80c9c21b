/**
 * {@link I2cBus} on Linux's i2c-dev (`/dev/i2c-N`) through libc: `open`, one
 * `ioctl(I2C_RDWR)` per transfer (register pointer write + repeated-start read),
 * `I2C_SLAVE` + `write` + `read` where the adapter cannot combine messages.
 * @module
 */
import { checkAddress, type I2cBus, I2cError, openAdvice, transferError } from "./i2c.ts";
import { acquireLibc, cString, errnoName, type Libc, O_CLOEXEC, O_RDWR } from "./libc.ts";
import { adapterNumber, checkNoKernelDriver, SYSFS_ROOT } from "./sysfs.ts";

/** linux/i2c-dev.h: use this slave address for plain read/write. */
export const I2C_SLAVE = 0x0703;
/** linux/i2c-dev.h: combined transfer of several messages. */
export const I2C_RDWR = 0x0707;
/** linux/i2c.h: the message is a read. */
export const I2C_M_RD = 0x0001;
/**
 * `struct i2c_msg { __u16 addr; __u16 flags; __u16 len; __u8 *buf; }` on 64-bit
 * Linux: the pointer is aligned to 8, so `buf` sits at offset 8 and the struct is
 * 16 bytes (x86_64 and aarch64 alike; Deno has no 32-bit builds).
 */
export const I2C_MSG_BYTES = 16;
/** `struct i2c_rdwr_ioctl_data { struct i2c_msg *msgs; __u32 nmsgs; }`: 16 bytes. */
const I2C_RDWR_DATA_BYTES = 16;
const EOPNOTSUPP = 95;

/** Options of {@link LinuxI2cBus}. */
export interface LinuxI2cOptions {
  /** `rdwr` (default): combined transfers; `simple`: I2C_SLAVE + write + read. */
  method?: "rdwr" | "simple";
  /** Where sysfs is mounted (default `/sys`), for the kernel-driver check. */
  sysfsRoot?: string;
}

function address64(buffer: Uint8Array<ArrayBuffer>): bigint {
  return BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(buffer)));
}

/** Packs `messages` as an array of `struct i2c_msg` (little-endian, 64-bit). */
export function packMessages(
  address: number,
  messages: { flags: number; buffer: Uint8Array<ArrayBuffer> }[],
): Uint8Array<ArrayBuffer> {
  const packed = new Uint8Array(I2C_MSG_BYTES * messages.length);
  const view = new DataView(packed.buffer);
  messages.forEach(({ flags, buffer }, i) => {
    const at = i * I2C_MSG_BYTES;
    view.setUint16(at, address, true);
    view.setUint16(at + 2, flags, true);
    view.setUint16(at + 4, buffer.length, true);
    view.setBigUint64(at + 8, address64(buffer), true);
  });
  return packed;
}

/**
 * `/dev/i2c-N`, opened on the first transfer. Transfers are synchronous calls (a
 * few hundred µs at 100 kHz; at most the adapter's timeout on a stuck bus), which
 * keeps errno on this thread.
 */
export class LinuxI2cBus implements I2cBus {
  readonly name: string;
  #method: "rdwr" | "simple";
  #libc: Libc | undefined;
  #fd = -1;
  #slave = -1;
  #sysfsRoot: string;
  /** Addresses checked for a kernel driver since the bus was opened. */
  #checked = new Set<number>();

  /** `bus` is the adapter number (`1` → `/dev/i2c-1`) or a device path. */
  constructor(bus: number | string, options: LinuxI2cOptions = {}) {
    this.name = typeof bus === "number" ? `/dev/i2c-${bus}` : bus;
    this.#method = options.method ?? "rdwr";
    this.#sysfsRoot = options.sysfsRoot ?? SYSFS_ROOT;
  }

  writeRead(address: number, bytes: Uint8Array, length: number): Promise<Uint8Array> {
    try {
      return Promise.resolve(this.#transfer(address, bytes, length));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  close(): void {
    if (this.#fd >= 0) this.#libc?.symbols.close(this.#fd);
    this.#fd = -1;
    this.#slave = -1;
    this.#checked.clear();
    this.#libc?.release();
    this.#libc = undefined;
  }

  #open(): { libc: Libc; fd: number } {
    if (this.#libc && this.#fd >= 0) return { libc: this.#libc, fd: this.#fd };
    const what = `Cannot open I2C bus "${this.name}"`;
    try {
      this.#libc ??= acquireLibc();
    } catch (error) {
      const detail = error instanceof Deno.errors.NotCapable
        ? "Deno was not granted FFI access: run with --allow-ffi"
        : `cannot load the C library: ${(error as Error).message}`;
      throw new I2cError(what, detail, { bus: this.name, cause: error });
    }
    const fd = this.#libc.symbols.open(cString(this.name), O_RDWR | O_CLOEXEC, 0);
    if (fd < 0) {
      const errno = errnoName(this.#libc.errno());
      this.close();
      throw new I2cError(what, openAdvice(errno, this.name), { bus: this.name, errno });
    }
    this.#fd = fd;
    return { libc: this.#libc, fd };
  }

  #checkOwner(adapter: number, address: number): void {
    try {
      checkNoKernelDriver(adapter, address, { root: this.#sysfsRoot });
    } catch (error) {
      // Without --allow-ffi (or --allow-all) sysfs cannot be read, and then the
      // adapter cannot be opened either: #open() says what to grant.
      if (!(error instanceof Deno.errors.NotCapable)) throw error;
    }
  }

  #transfer(address: number, bytes: Uint8Array, length: number): Uint8Array {
    checkAddress(address);
    if (!this.#checked.has(address)) {
      // Never fight a kernel driver for a chip: I2C_RDWR does not check ownership.
      const adapter = adapterNumber(this.name);
      if (adapter !== undefined) this.#checkOwner(adapter, address);
      this.#checked.add(address);
    }
    const { libc, fd } = this.#open();
    const out = new Uint8Array(length);
    const fail = (errno: string) => transferError(this.name, address, bytes[0], errno);
    const write = new Uint8Array(bytes);
    if (this.#method === "rdwr") {
      const messages = [];
      if (write.length > 0) messages.push({ flags: 0, buffer: write });
      if (length > 0) messages.push({ flags: I2C_M_RD, buffer: out });
      const packed = packMessages(address, messages);
      const data = new Uint8Array(I2C_RDWR_DATA_BYTES);
      const view = new DataView(data.buffer);
      view.setBigUint64(0, address64(packed), true);
      view.setUint32(8, messages.length, true);
      if (libc.symbols.ioctlPointer(fd, BigInt(I2C_RDWR), Deno.UnsafePointer.of(data)) >= 0) {
        return out;
      }
      const errno = libc.errno();
      if (errno !== EOPNOTSUPP) throw fail(errnoName(errno));
      // This adapter cannot combine messages: plain write and read from now on.
      this.#method = "simple";
    }
    if (this.#slave !== address) {
      if (libc.symbols.ioctlValue(fd, BigInt(I2C_SLAVE), BigInt(address)) < 0) {
        throw fail(errnoName(libc.errno()));
      }
      this.#slave = address;
    }
    if (write.length > 0) {
      const n = Number(libc.symbols.write(fd, write, BigInt(write.length)));
      if (n !== write.length) throw fail(n < 0 ? errnoName(libc.errno()) : "EIO");
    }
    if (length > 0) {
      const n = Number(libc.symbols.read(fd, out, BigInt(length)));
      if (n !== length) throw fail(n < 0 ? errnoName(libc.errno()) : "EIO");
    }
    return out;
  }
}
