/**
 * The checkpoint Worker of {@link ./checkpointer.ts}: its own connection to the
 * history database and, every `periodMs`, a PASSIVE WAL checkpoint, so copying the
 * WAL's pages into the database and the fsync after it block this thread, not the
 * main one; the first one at once. Gets one {@link CheckpointStart}; answers each checkpoint with a
 * {@link CheckpointReport}, and a failure with an `error` report, after which it stops.
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import type { CheckpointReport, CheckpointStart } from "./checkpointer.ts";

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<CheckpointStart>) => void) | null;
  postMessage(report: CheckpointReport): void;
};

scope.onmessage = (event) => {
  scope.onmessage = null;
  const { path, periodMs } = event.data;
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path);
    // A TRUNCATE checkpoint of the main thread (after a vacuum) may hold the lock a moment.
    db.exec("PRAGMA busy_timeout = 1000");
  } catch (error) {
    scope.postMessage({ type: "error", message: (error as Error).message });
    return;
  }
  const checkpoint = db.prepare("PRAGMA wal_checkpoint(PASSIVE)");
  let timer: ReturnType<typeof setInterval> | undefined;
  const run = () => {
    try {
      const row = checkpoint.get() as { busy: number; log: number; checkpointed: number };
      scope.postMessage({
        type: "checkpoint",
        atMs: Date.now(),
        walFrames: row.log,
        copiedFrames: row.checkpointed,
        busy: row.busy === 1,
      });
    } catch (error) {
      clearInterval(timer);
      try {
        db.close();
      } catch {
        // Closing is all that is left to try.
      }
      scope.postMessage({ type: "error", message: (error as Error).message });
      return false;
    }
    return true;
  };
  // One at once: what accrued before the main thread turned its own off, and a first report.
  if (run()) timer = setInterval(run, periodMs);
};
