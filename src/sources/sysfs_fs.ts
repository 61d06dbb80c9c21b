/**
 * Reading sysfs files, links and folders. Deno refuses every path under `/sys`
 * unless run with --allow-all, so {@link systemFs} falls back to the C library
 * (through the FFI the I2C bus already needs) when Deno says no; tests use
 * {@link denoFs} on a folder of their own.
 * @module
 */
import { acquireLibc, cString, errnoName, type Libc, O_CLOEXEC } from "./libc.ts";

/** The three operations sysfs lookups and hwmon reads need; all synchronous. */
export interface SysfsFs {
  /** The text of a file. @throws {Deno.errors.NotFound} when it does not exist. */
  readText(path: string): string;
  /** The target of a symlink, or undefined when there is none. */
  readLink(path: string): string | undefined;
  /** The names in a folder. @throws {Deno.errors.NotFound} when it does not exist. */
  list(dir: string): string[];
}

/** Deno's own file functions. */
export const denoFs: SysfsFs = {
  readText: (path) => Deno.readTextFileSync(path),
  readLink(path) {
    try {
      return Deno.readLinkSync(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return undefined;
      throw error;
    }
  },
  list: (dir) => [...Deno.readDirSync(dir)].map((entry) => entry.name),
};

const ENOENT = 2;
/** `struct dirent` on 64-bit glibc: d_ino (8), d_off (8), d_reclen (2), d_type (1), then d_name. */
const DIRENT_NAME_OFFSET = 19;
const decoder = new TextDecoder();

/** The error of a failed libc call on `path`: NotFound for ENOENT, else the errno named. */
function failure(libc: Libc, what: string, path: string): Error {
  const errno = libc.errno();
  if (errno === ENOENT) return new Deno.errors.NotFound(`${what} ${path}: no such file (ENOENT)`);
  return new Error(`${what} ${path}: ${errnoName(errno)}`);
}

/** Runs `fn` with libc loaded. */
function withLibc<T>(fn: (libc: Libc) => T): T {
  const libc = acquireLibc();
  try {
    return fn(libc);
  } finally {
    libc.release();
  }
}

/** The C library's open/read, readlink and opendir/readdir (needs --allow-ffi). */
export const libcFs: SysfsFs = {
  readText: (path) =>
    withLibc((libc) => {
      const fd = libc.symbols.open(cString(path), O_CLOEXEC, 0); // O_RDONLY is 0
      if (fd < 0) throw failure(libc, "Cannot open", path);
      try {
        // A sysfs attribute is at most a page; reading it is one call.
        const buffer = new Uint8Array(4096);
        const n = Number(libc.symbols.read(fd, buffer, BigInt(buffer.length)));
        if (n < 0) throw failure(libc, "Cannot read", path);
        return decoder.decode(buffer.subarray(0, n));
      } finally {
        libc.symbols.close(fd);
      }
    }),
  readLink: (path) =>
    withLibc((libc) => {
      const buffer = new Uint8Array(4096);
      const n = Number(libc.symbols.readlink(cString(path), buffer, BigInt(buffer.length)));
      if (n >= 0) return decoder.decode(buffer.subarray(0, n));
      const error = failure(libc, "Cannot read the link", path);
      if (error instanceof Deno.errors.NotFound) return undefined;
      throw error;
    }),
  list: (dir) =>
    withLibc((libc) => {
      const handle = libc.symbols.opendir(cString(dir));
      if (handle === null) throw failure(libc, "Cannot list", dir);
      try {
        const names: string[] = [];
        for (;;) {
          const entry = libc.symbols.readdir(handle);
          if (entry === null) break;
          const name = new Deno.UnsafePointerView(entry).getCString(DIRENT_NAME_OFFSET);
          if (name !== "." && name !== "..") names.push(name);
        }
        return names;
      } finally {
        libc.symbols.closedir(handle);
      }
    }),
};

/** Deno's functions where Deno allows them, else the C library's. */
export const systemFs: SysfsFs = {
  readText: (path) => fallback(() => denoFs.readText(path), () => libcFs.readText(path)),
  readLink: (path) => fallback(() => denoFs.readLink(path), () => libcFs.readLink(path)),
  list: (dir) => fallback(() => denoFs.list(dir), () => libcFs.list(dir)),
};

function fallback<T>(deno: () => T, libc: () => T): T {
  try {
    return deno();
  } catch (error) {
    // Deno grants /sys only with --allow-all; libc needs --allow-ffi instead.
    if (error instanceof Deno.errors.NotCapable) return libc();
    throw error;
  }
}
