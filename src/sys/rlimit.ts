/**
 * Raises this process's open-file limit (RLIMIT_NOFILE) from its soft value to
 * its hard one at start-up, as Go's runtime does: every client costs a descriptor.
 * @module
 */
import { acquireLibc, errnoName, ffiAllowed } from "../sources/libc.ts";

/** RLIMIT_NOFILE on Linux (asm-generic/resource.h; the same on x86_64 and aarch64). */
const RLIMIT_NOFILE = 7;

/** The open-file limit before and after {@link raiseOpenFileLimit}. */
export interface OpenFileLimit {
  /** The soft limit found. */
  before: number;
  /** The soft limit now in force. */
  after: number;
  /** The hard limit (the ceiling an unprivileged process may raise to). */
  hard: number;
}

/**
 * Sets the soft RLIMIT_NOFILE to the hard limit. Returns `undefined` where it cannot
 * ask (not Linux, or no `--allow-ffi`); the process then keeps the limit it has.
 * @throws {Error} when getrlimit/setrlimit fails, naming the errno.
 */
export function raiseOpenFileLimit(): OpenFileLimit | undefined {
  if (Deno.build.os !== "linux" || !ffiAllowed()) return undefined;
  const libc = acquireLibc();
  try {
    // struct rlimit { rlim_t rlim_cur; rlim_t rlim_max; }, rlim_t = unsigned long (64-bit).
    const limit = new BigUint64Array(2);
    const bytes = new Uint8Array(limit.buffer);
    if (libc.symbols.getrlimit(RLIMIT_NOFILE, bytes) !== 0) {
      throw new Error(`Cannot read the open-file limit: getrlimit: ${errnoName(libc.errno())}`);
    }
    const [before, hard] = limit;
    if (before < hard) {
      limit[0] = hard;
      if (libc.symbols.setrlimit(RLIMIT_NOFILE, bytes) !== 0) {
        throw new Error(`Cannot raise the open-file limit: setrlimit: ${errnoName(libc.errno())}`);
      }
    }
    return { before: toNumber(before), after: toNumber(limit[0]), hard: toNumber(hard) };
  } finally {
    libc.release();
  }
}

/** RLIM_INFINITY (all ones) and other huge values as Infinity. */
function toNumber(value: bigint): number {
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Infinity : Number(value);
}
