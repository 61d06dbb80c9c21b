/**
 * WAL checkpoints off the main thread. SQLite's automatic checkpoint runs inside the
 * commit that takes the WAL past 1000 pages, on the thread that commits: copying the
 * pages into the database and the fsync after it held the main thread 10–15 ms every
 * few seconds here with three channels at 1 kHz (docs/benchmarks.md, "Channels"), and
 * an SD card's fsync takes far longer. A {@link Checkpointer} turns the main
 * connection's automatic checkpoints off and has a Worker, with its own connection,
 * run a PASSIVE checkpoint (it never blocks a writer) every
 * {@link CHECKPOINT_PERIOD_MS}. Should the Worker fail to start or a checkpoint fail,
 * or the Worker fall silent for three periods, the automatic checkpoints come back on
 * the main connection, with a health message: the WAL never grows unchecked.
 * @module
 */
import type { DatabaseSync } from "node:sqlite";

/** Time between the Worker's checkpoints: about SQLite's own rhythm at 1–3 kHz of rows. */
export const CHECKPOINT_PERIOD_MS = 5000;

/** Periods without a report after which the Worker counts as hung. */
const SILENT_PERIODS = 3;

/** SQLite's default `wal_autocheckpoint`, restored when the Worker is gone. */
const AUTO_CHECKPOINT_PAGES = 1000;

/**
 * The Worker script: `./checkpoint_worker.ts` beside this module, or in the bundle
 * (`dist/ina219-monitor.js`) the Worker bundled beside it, `dist/checkpoint-worker.js`
 * (tools/bundle.ts).
 */
export const CHECKPOINT_WORKER_URL = new URL(
  import.meta.url.endsWith(".ts") ? "./checkpoint_worker.ts" : "./checkpoint-worker.js",
  import.meta.url,
);

/** What the main thread sends the Worker, once. */
export interface CheckpointStart {
  /** The database file. */
  path: string;
  /** Time between checkpoints, ms. */
  periodMs: number;
}

/** What the Worker sends after each checkpoint, or once when it gives up. */
export type CheckpointReport =
  | { type: "checkpoint"; atMs: number; walFrames: number; copiedFrames: number; busy: boolean }
  | { type: "error"; message: string };

/** Where checkpoints run, for `/status`. */
export interface CheckpointStats {
  /** `worker` (off the main thread) or `main` (SQLite's automatic checkpoints). */
  checkpoints: "worker" | "main";
  /**
   * When the Worker's last checkpoint ran (Unix ms; one that found readers in the way
   * copies what it can and counts too); null before the first or on `main`.
   */
  last_checkpoint_ms: number | null;
}

/** Options of {@link Checkpointer}. */
export interface CheckpointerOptions {
  /** Time between checkpoints (default {@link CHECKPOINT_PERIOD_MS}). */
  periodMs?: number;
  /** Told when checkpoints move back to the main thread, and why. */
  onHealth?: (message: string) => void;
  /** The Worker script (default {@link CHECKPOINT_WORKER_URL}); tests pass a broken one. */
  workerUrl?: URL;
  /** Clock for {@link Checkpointer.check} (default `Date.now`). */
  now?: () => number;
}

/** Runs the WAL checkpoints of `db` (the file `path`) in a Worker while it can. */
export class Checkpointer {
  #db: DatabaseSync;
  #worker: Worker | undefined;
  #onHealth: (message: string) => void;
  #closed = false;
  #stats: CheckpointStats = { checkpoints: "worker", last_checkpoint_ms: null };
  #periodMs: number;
  #now: () => number;
  /** When the Worker last reported (or was started). */
  #heardMs: number;

  /** Turns off `db`'s automatic checkpoints and starts the Worker. */
  constructor(db: DatabaseSync, path: string, options: CheckpointerOptions = {}) {
    this.#db = db;
    this.#onHealth = options.onHealth ?? (() => {});
    this.#periodMs = options.periodMs ?? CHECKPOINT_PERIOD_MS;
    this.#now = options.now ?? Date.now;
    this.#heardMs = this.#now();
    db.exec("PRAGMA wal_autocheckpoint = 0");
    let worker: Worker;
    try {
      worker = new Worker(options.workerUrl ?? CHECKPOINT_WORKER_URL, { type: "module" });
    } catch (error) {
      this.#backToMain((error as Error).message);
      return;
    }
    this.#worker = worker;
    worker.onmessage = (event: MessageEvent<CheckpointReport>) => {
      const report = event.data;
      if (report.type === "error") return this.#backToMain(report.message);
      this.#heardMs = this.#now();
      this.#stats.last_checkpoint_ms = report.atMs;
    };
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      this.#backToMain(event.message);
    };
    const start: CheckpointStart = { path, periodMs: this.#periodMs };
    worker.postMessage(start);
  }

  /** Where checkpoints run now. */
  get stats(): CheckpointStats {
    return { ...this.#stats };
  }

  /**
   * Gives the checkpoints back to the main connection when the Worker has not reported
   * for {@link SILENT_PERIODS} periods (hung, say in an `fsync` that never returns): its
   * WAL must not grow unchecked. The store calls this at each timed flush.
   */
  check(): void {
    const silentMs = this.#now() - this.#heardMs;
    if (this.#worker && silentMs > SILENT_PERIODS * this.#periodMs) {
      this.#backToMain(`no checkpoint for ${Math.round(silentMs / 1000)} s`);
    }
  }

  /** Stops the Worker (before the main connection closes, so that one checkpoints last). */
  close(): void {
    this.#closed = true;
    this.#worker?.terminate();
    this.#worker = undefined;
  }

  #backToMain(reason: string): void {
    this.#worker?.terminate();
    this.#worker = undefined;
    if (this.#closed || this.#stats.checkpoints === "main") return;
    this.#stats = { checkpoints: "main", last_checkpoint_ms: null };
    this.#db.exec(`PRAGMA wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
    this.#onHealth(`Database checkpoints moved back to the main thread: ${reason}`);
  }
}
