/**
 * One monitor per database: an exclusive, non-blocking lock on `<database>.lock`, held
 * for the store's lifetime. The operating system releases it when the process ends,
 * however it ends, so a SIGKILL never leaves a stale lock; the pid in the file only
 * names the holder in the error message.
 * @module
 */
import { StoreError } from "./db.ts";

/** A held database lock; {@link DatabaseLock.release} gives it up. */
export interface DatabaseLock {
  /** The lock file. */
  readonly path: string;
  /** Gives the lock up; the file stays for the next holder. */
  release(): void;
}

/**
 * Takes the lock of the database at `dbPath`, or throws at once (never waits).
 *
 * @throws {StoreError} `Database "<path>" is in use by another ina219-monitor (pid N)`
 * when another process (or another store in this one) holds it, or when the lock
 * file cannot be opened.
 */
export function lockDatabase(dbPath: string): DatabaseLock {
  const path = `${dbPath}.lock`;
  let file: Deno.FsFile;
  try {
    // No truncation on open: the holder's pid must still be readable when we lose.
    file = Deno.openSync(path, { read: true, write: true, create: true });
  } catch (error) {
    throw new StoreError(`Cannot open lock file "${path}": ${(error as Error).message}`);
  }
  let locked: boolean;
  try {
    locked = file.tryLockSync(true);
  } catch (error) {
    file.close();
    throw new StoreError(`Cannot lock "${path}": ${(error as Error).message}`);
  }
  if (!locked) {
    const holder = readPid(file);
    file.close();
    throw new StoreError(
      `Database "${dbPath}" is in use by another ina219-monitor (${
        holder === undefined ? "pid unknown" : `pid ${holder}`
      })`,
    );
  }
  file.truncateSync(0);
  file.writeSync(new TextEncoder().encode(`${Deno.pid}\n`));
  return {
    path,
    release() {
      // The file stays: removing it would let a third process lock a new inode while a
      // second one still holds the old.
      file.close();
    },
  };
}

function readPid(file: Deno.FsFile): number | undefined {
  const buffer = new Uint8Array(32);
  const n = file.readSync(buffer) ?? 0;
  const text = new TextDecoder().decode(buffer.subarray(0, n)).trim();
  return /^\d+$/.test(text) ? Number(text) : undefined;
}
