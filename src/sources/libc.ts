/**
 * The one place that loads native code: the system C library through Deno's FFI,
 * for `/dev/i2c-N` (ioctl), serial ports (termios) and sysfs (which Deno opens
 * only with --allow-all). Loaded while something
 * uses it and unloaded when the last user lets go.
 * @module
 */

/**
 * The libc functions used, with their Linux signatures. `open` and `ioctl` are
 * variadic in C; calling them with fixed arguments is sound on x86_64 and aarch64
 * Linux, where variadic integer and pointer arguments travel in the same registers.
 */
export const SYMBOLS = {
  open: { parameters: ["buffer", "i32", "u32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  /** ioctl(fd, request, struct *) — I2C_RDWR. */
  ioctlPointer: { name: "ioctl", parameters: ["i32", "u64", "pointer"], result: "i32" },
  /** ioctl(fd, request, long) — I2C_SLAVE. */
  ioctlValue: { name: "ioctl", parameters: ["i32", "u64", "u64"], result: "i32" },
  tcgetattr: { parameters: ["i32", "buffer"], result: "i32" },
  tcsetattr: { parameters: ["i32", "i32", "buffer"], result: "i32" },
  tcflush: { parameters: ["i32", "i32"], result: "i32" },
  cfmakeraw: { parameters: ["buffer"], result: "void" },
  cfsetspeed: { parameters: ["buffer", "u32"], result: "i32" },
  __errno_location: { parameters: [], result: "pointer" },
  /** readlink(path, buf, size) — sysfs links (`driver`, `device`), which Deno reads only with --allow-all. */
  readlink: { parameters: ["buffer", "buffer", "usize"], result: "isize" },
  /** opendir/readdir/closedir — listing `/sys/class/hwmon`. */
  opendir: { parameters: ["buffer"], result: "pointer" },
  readdir: { parameters: ["pointer"], result: "pointer" },
  closedir: { parameters: ["pointer"], result: "i32" },
} as const;

/** The loaded functions. */
export type LibcSymbols = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

/** open(2) flags, identical on x86_64 and aarch64 Linux (asm-generic/fcntl.h). */
export const O_RDWR = 0o2;
/** open(2) flag: the port does not become the controlling terminal. */
export const O_NOCTTY = 0o400;
/** open(2) flag: reads and writes never block. */
export const O_NONBLOCK = 0o4000;
/** open(2) flag: the descriptor is not inherited by child processes. */
export const O_CLOEXEC = 0o2000000;

/** errno values of Linux (asm-generic/errno*.h, the same on x86_64 and aarch64). */
const ERRNO_NAMES: Readonly<Record<number, string>> = {
  1: "EPERM",
  2: "ENOENT",
  5: "EIO",
  6: "ENXIO",
  11: "EAGAIN",
  13: "EACCES",
  16: "EBUSY",
  19: "ENODEV",
  22: "EINVAL",
  25: "ENOTTY",
  71: "EPROTO",
  95: "EOPNOTSUPP",
  110: "ETIMEDOUT",
  121: "EREMOTEIO",
};

/** `EIO`, or `errno 42` for one without a name here. */
export function errnoName(errno: number): string {
  return ERRNO_NAMES[errno] ?? `errno ${errno}`;
}

/** A handle on the loaded library; {@link Libc.release} once per {@link acquireLibc}. */
export interface Libc {
  /** The loaded C functions. */
  readonly symbols: LibcSymbols;
  /**
   * errno of the calling thread. Read it right after the failed call: the calls
   * here are synchronous, so they run on this thread and nothing runs in between.
   */
  errno(): number;
  /** Lets go of the library; the last release unloads it. */
  release(): void;
}

let library: Deno.DynamicLibrary<typeof SYMBOLS> | undefined;
let users = 0;

/**
 * Loads libc (or shares the loaded one).
 * @throws {Deno.errors.NotCapable} without `--allow-ffi`.
 */
export function acquireLibc(): Libc {
  library ??= Deno.dlopen("libc.so.6", SYMBOLS);
  users++;
  const lib = library;
  let released = false;
  return {
    symbols: lib.symbols,
    errno: () => new Deno.UnsafePointerView(lib.symbols.__errno_location()!).getInt32(),
    release: () => {
      if (released) return;
      released = true;
      if (--users === 0) {
        library = undefined;
        lib.close();
      }
    },
  };
}

/** A NUL-terminated copy of `text` for a `const char *` parameter. */
export function cString(text: string): Uint8Array<ArrayBuffer> {
  const bytes = new TextEncoder().encode(text);
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  return out;
}

/** Whether this process may load native libraries (`--allow-ffi`). */
export function ffiAllowed(): boolean {
  return Deno.permissions.querySync({ name: "ffi" }).state === "granted";
}
