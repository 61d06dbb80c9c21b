/**
 * What the recordings need of the store, and that view of a {@link Store}.
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import type { Store } from "../store/store.ts";

/** What the recordings need of the store. */
export interface RecordingsStore {
  /** The open database (the recordings' tables are created in it). */
  readonly db: DatabaseSync;
  /** How long raw samples are kept: older spans cannot be copied. */
  readonly rawRetentionMs: number;
  /** Writes every queued sample. */
  flush(): boolean;
  /** Calls `listener` after each flush that committed rows; returns the unsubscribe. */
  onWritten(listener: () => void): () => void;
  /** The store's id of a measured channel. */
  channelId(name: string): number;
}

/** The {@link RecordingsStore} view of a {@link Store}. */
export function recordingsStore(store: Store): RecordingsStore {
  return {
    db: store.db,
    rawRetentionMs: store.retention.rawRetentionMs,
    flush: () => store.flush(),
    onWritten: (listener) => store.onWritten(listener),
    channelId: (name) => store.channel(name).id,
  };
}
