/**
 * The checkpoint Worker of {@link ./checkpointer.ts}: every `periodMs` (the first at
 * once) it opens the history database, runs a PASSIVE WAL checkpoint and closes it
 * again, so copying the WAL's pages into the database and the fsync after it block
 * this thread, not the main one, and no connection of its own outlives a checkpoint
 * (the main thread may close and reopen the file at any time). Gets one
 * {@link CheckpointStart}; answers each checkpoint with a {@link CheckpointReport}, and a
 * failure with an `error` report, after which it stops.
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import type { CheckpointReport, CheckpointStart } from "./checkpointer.ts";

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<CheckpointStart>) => void) | null;
  postMessage(report: CheckpointReport): void;
};

/** One checkpoint on a connection of its own; throws what SQLite throws. */
function checkpoint(path: string): CheckpointReport {
  const db = new DatabaseSync(path);
  try {
    // The main thread's TRUNCATE checkpoint (after a vacuum) may hold the lock a moment.
    db.exec("PRAGMA busy_timeout = 1000");
    const row = db.prepare("PRAGMA wal_checkpoint(PASSIVE)").get() as {
      busy: number;
      log: number;
      checkpointed: number;
    };
    return {
      type: "checkpoint",
      atMs: Date.now(),
      walFrames: row.log,
      copiedFrames: row.checkpointed,
      busy: row.busy === 1,
    };
  } finally {
    db.close();
  }
}

scope.onmessage = (event) => {
  scope.onmessage = null;
  const { path, periodMs } = event.data;
  let timer: ReturnType<typeof setInterval> | undefined;
  const run = () => {
    try {
      scope.postMessage(checkpoint(path));
      return true;
    } catch (error) {
      clearInterval(timer);
      scope.postMessage({ type: "error", message: (error as Error).message });
      return false;
    }
  };
  if (run()) timer = setInterval(run, periodMs);
};
