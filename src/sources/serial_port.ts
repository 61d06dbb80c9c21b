/**
 * A serial port (USB CDC-ACM, FTDI, or a pseudo-terminal) through libc: opened
 * non-blocking and without becoming the controlling terminal, set to raw 8N1 at
 * the chosen baud rate with termios, read by polling.
 * @module
 */
import {
  acquireLibc,
  cString,
  errnoName,
  type Libc,
  O_CLOEXEC,
  O_NOCTTY,
  O_NONBLOCK,
  O_RDWR,
} from "./libc.ts";
import type { SerialBaud } from "../hardware/serial_baud.ts";

/**
 * termios.h speed constants (`B115200` = 0o10002), the same on x86_64 and aarch64
 * (asm-generic/termbits.h); cfsetspeed() takes these. One for each of
 * `SERIAL_BAUDS` (src/hardware/serial_baud.ts), no more and no fewer (`satisfies`).
 */
const BAUD_RATES: Readonly<Record<number, number>> = {
  1200: 0o11,
  2400: 0o13,
  4800: 0o14,
  9600: 0o15,
  19200: 0o16,
  38400: 0o17,
  57600: 0o10001,
  115200: 0o10002,
  230400: 0o10003,
  460800: 0o10004,
  500000: 0o10005,
  921600: 0o10007,
  1000000: 0o10010,
} satisfies Record<SerialBaud, number>;

/**
 * glibc's `struct termios` is 60 bytes on x86_64 and aarch64 (four 32-bit flag
 * words, c_line, c_cc[32], two speeds); a larger buffer leaves room to spare.
 */
const TERMIOS_BUFFER_BYTES = 256;
/** Offset of c_cflag: after c_iflag and c_oflag. */
const C_CFLAG_OFFSET = 8;
/** termbits.h: ignore modem control lines; enable the receiver. */
const CLOCAL = 0o4000;
const CREAD = 0o200;
const TCSANOW = 0;
const TCIFLUSH = 0;
const EAGAIN = 11;

/** Opening, configuring, reading or writing a serial port failed. */
export class SerialError extends Error {
  /** Names the error in logs and stack traces. */
  override name = "SerialError";
  /** The serial device path. */
  readonly path: string;
  /** The errno name, e.g. `ENOENT`, if the kernel gave one. */
  readonly errno: string | undefined;

  /** `options` names the port, the errno and the underlying error. */
  constructor(message: string, options: { path: string; errno?: string; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.path = options.path;
    this.errno = options.errno;
  }
}

function openAdvice(errno: string): string {
  switch (errno) {
    case "ENOENT":
    case "ENODEV":
    case "ENXIO":
      return `no such port (${errno}): check the USB cable and SERIAL_PORT (ls /dev/serial/by-id/)`;
    case "EACCES":
    case "EPERM":
      return `permission denied (${errno}): add the user to the dialout group (sudo usermod -aG dialout $USER) and log in again`;
    case "EBUSY":
      return `the port is busy (${errno}): close the other program using it (a serial monitor?)`;
    case "ENOTTY":
      return `not a serial port (${errno}): check SERIAL_PORT`;
    default:
      return `${errno}: check the USB cable and SERIAL_PORT`;
  }
}

/** What a serial source needs of a port: {@link SerialPort}, or a test's stand-in. */
export interface PortLike {
  /** Bytes waiting now, `undefined` for none; throws when the device is gone. */
  read(): Uint8Array | undefined;
  /** Sends text to the device. */
  write(text: string): void;
  /** Closes the port. */
  close(): void;
}

/** An open serial port. */
export class SerialPort implements PortLike {
  /** The serial device path. */
  readonly path: string;
  #libc: Libc;
  #fd: number;
  #chunk = new Uint8Array(4096);

  private constructor(path: string, libc: Libc, fd: number) {
    this.path = path;
    this.#libc = libc;
    this.#fd = fd;
  }

  /**
   * Opens `path` raw 8N1 at `baud`, dropping whatever waited in the input buffer.
   * @throws {SerialError} saying what to do.
   */
  static open(path: string, baud: number): SerialPort {
    const speed = BAUD_RATES[baud];
    if (speed === undefined) {
      throw new RangeError(
        `Invalid baud rate ${baud}: expected one of ${Object.keys(BAUD_RATES).join(", ")}`,
      );
    }
    const what = `Cannot open serial port "${path}"`;
    let libc: Libc;
    try {
      libc = acquireLibc();
    } catch (error) {
      const detail = error instanceof Deno.errors.NotCapable
        ? "Deno was not granted FFI access: run with --allow-ffi"
        : (error as Error).message;
      throw new SerialError(`${what}: ${detail}`, { path, cause: error });
    }
    const flags = O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC;
    const fd = libc.symbols.open(cString(path), flags, 0);
    if (fd < 0) {
      const errno = errnoName(libc.errno());
      libc.release();
      throw new SerialError(`${what}: ${openAdvice(errno)}`, { path, errno });
    }
    const termios = new Uint8Array(TERMIOS_BUFFER_BYTES);
    const s = libc.symbols;
    let ok = s.tcgetattr(fd, termios) === 0;
    if (ok) {
      s.cfmakeraw(termios);
      const view = new DataView(termios.buffer);
      view.setUint32(C_CFLAG_OFFSET, view.getUint32(C_CFLAG_OFFSET, true) | CLOCAL | CREAD, true);
      ok = s.cfsetspeed(termios, speed) === 0 && s.tcsetattr(fd, TCSANOW, termios) === 0 &&
        s.tcflush(fd, TCIFLUSH) === 0;
    }
    if (!ok) {
      const errno = errnoName(libc.errno());
      s.close(fd);
      libc.release();
      throw new SerialError(`Cannot configure serial port "${path}": ${openAdvice(errno)}`, {
        path,
        errno,
      });
    }
    return new SerialPort(path, libc, fd);
  }

  /**
   * The bytes waiting now; `undefined` when there are none.
   * @throws {SerialError} when the device is gone (end of file, EIO).
   */
  read(): Uint8Array | undefined {
    if (this.#fd < 0) {
      throw new SerialError(`Serial port "${this.path}" is closed`, { path: this.path });
    }
    const n = Number(this.#libc.symbols.read(this.#fd, this.#chunk, BigInt(this.#chunk.length)));
    if (n > 0) return this.#chunk.slice(0, n);
    const errno = n < 0 ? this.#libc.errno() : 0;
    if (n < 0 && errno === EAGAIN) return undefined;
    const why = n === 0 ? "end of file" : errnoName(errno);
    throw new SerialError(
      `Serial port "${this.path}" disconnected (${why}): check the USB cable; it is reopened when it returns`,
      { path: this.path, errno: n === 0 ? undefined : errnoName(errno) },
    );
  }

  /** Writes `text` (a short command line) in full. */
  write(text: string): void {
    const bytes = new TextEncoder().encode(text);
    let done = 0;
    for (let attempt = 0; done < bytes.length && attempt < 100; attempt++) {
      const n = Number(
        this.#libc.symbols.write(this.#fd, bytes.subarray(done), BigInt(bytes.length - done)),
      );
      const errno = n < 0 ? this.#libc.errno() : 0;
      if (n > 0) done += n;
      else if (n < 0 && errno !== EAGAIN) {
        throw new SerialError(`Cannot write to serial port "${this.path}": ${errnoName(errno)}`, {
          path: this.path,
          errno: errnoName(errno),
        });
      }
    }
    if (done < bytes.length) {
      throw new SerialError(`Cannot write to serial port "${this.path}": output stays full`, {
        path: this.path,
      });
    }
  }

  /** Closes the descriptor; later calls do nothing. */
  close(): void {
    if (this.#fd < 0) return;
    this.#libc.symbols.close(this.#fd);
    this.#fd = -1;
    this.#libc.release();
  }
}
