/**
 * Tests of src/store/checkpointer.ts: the WAL checkpoints run in a Worker with its own
 * connection (the main connection's automatic ones off), and come back to the main
 * connection when the Worker cannot run.
 * @module
 */
import assert from "node:assert/strict";
import type { DatabaseSync } from "node:sqlite";
import { Checkpointer, type CheckpointerOptions } from "../../src/store/checkpointer.ts";
import { openDatabase } from "../../src/store/db.ts";
import { Store } from "../../src/store/store.ts";
import { stream } from "./fixtures.ts";

function autoCheckpoint(db: DatabaseSync): number {
  return (db.prepare("PRAGMA wal_autocheckpoint").get() as { wal_autocheckpoint: number })
    .wal_autocheckpoint;
}

/** Writes enough rows that the WAL holds many pages the database file does not. */
function fill(db: DatabaseSync): void {
  db.exec("CREATE TABLE IF NOT EXISTS t (x BLOB)");
  const insert = db.prepare("INSERT INTO t VALUES (randomblob(1000))");
  db.exec("BEGIN");
  for (let i = 0; i < 5000; i++) insert.run();
  db.exec("COMMIT");
}

async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Runs `body` with a fresh database and a {@link Checkpointer} on it made with `options`
 * (its health messages collected), then closes both and removes the folder.
 */
async function withCheckpointer(
  options: CheckpointerOptions,
  body: (
    t: { db: DatabaseSync; path: string; checkpointer: Checkpointer; messages: string[] },
  ) => void | Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/c.db`;
  const db = openDatabase(path);
  const messages: string[] = [];
  const checkpointer = new Checkpointer(db, path, {
    ...options,
    onHealth: (m) => messages.push(m),
  });
  try {
    await body({ db, path, checkpointer, messages });
  } finally {
    checkpointer.close();
    db.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("Checkpointer copies the WAL into the database from its Worker; the main connection's automatic checkpoints stay off", async () => {
  await withCheckpointer({
    periodMs: 1000,
  }, async ({ db, path, checkpointer, messages }) => {
    assert.equal(autoCheckpoint(db), 0);
    // The Worker's first checkpoint comes at once, the next a period later.
    await until(() => checkpointer.stats.last_checkpoint_ms !== null, "its first report");
    const first = checkpointer.stats.last_checkpoint_ms!;
    const before = Deno.statSync(path).size;
    fill(db);
    // 5 MB of rows, past SQLite's 1000-page threshold: only a checkpoint moves them.
    assert.equal(Deno.statSync(path).size, before, "no checkpoint in the commit");
    await until(() => Deno.statSync(path).size > 4_000_000, "the Worker's checkpoint");
    await until(() => checkpointer.stats.last_checkpoint_ms! > first, "its next report");
    assert.equal(checkpointer.stats.checkpoints, "worker");
    assert.deepEqual(messages, []);
  });
});

Deno.test("Checkpointer whose Worker cannot start gives the checkpoints back to the main connection, and says so", async () => {
  await withCheckpointer({
    periodMs: 50,
    // A Worker script that fails as it loads (as a missing or unreadable one would).
    workerUrl: new URL(`data:text/javascript,throw new Error("no checkpoints here")`),
  }, async ({ db, path, checkpointer, messages }) => {
    await until(() => messages.length > 0, "the health message");
    assert.match(
      messages[0],
      /^Database checkpoints moved back to the main thread: .*no checkpoints here/,
    );
    assert.equal(checkpointer.stats.checkpoints, "main");
    assert.equal(autoCheckpoint(db), 1000);
    fill(db);
    // SQLite's own checkpoint ran in the commit that crossed 1000 pages.
    assert.ok(Deno.statSync(path).size > 4_000_000, "checkpointed in the commit");
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(messages.length, 1, "said once");
  });
});

Deno.test("Store starts the checkpoint Worker at the first timed flush after samples came at the given rate", async () => {
  const dir = await Deno.makeTempDir();
  const store = new Store({
    path: `${dir}/s.db`,
    rawRetentionMs: 1e12,
    rollupRetentionMs: 1e12,
    flushIntervalMs: 100,
    retentionIntervalMs: 0,
    checkpointWorkerFromRowsPerS: 500, // 50 rows per 100 ms flush
  });
  const samples = stream(3);
  const feed = (n: number) => {
    for (let i = 0; i < n; i++) store.append(samples.next().value!, { energyJ: 0, chargeC: 0 });
  };
  try {
    feed(10);
    await new Promise((resolve) => setTimeout(resolve, 250));
    assert.equal(store.summary().rows, 10, "flushed by the timer");
    assert.equal(store.summary().checkpoints, "main", "10 rows per flush: SQLite's own");
    feed(60);
    await until(() => store.summary().last_checkpoint_ms !== null, "the Worker's first checkpoint");
    assert.equal(store.summary().checkpoints, "worker");
    assert.equal(store.stats().checkpoints, "worker");
  } finally {
    store.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Checkpointer whose Worker falls silent for three periods gives the checkpoints back", async () => {
  let nowMs = 1_000_000;
  await withCheckpointer({
    periodMs: 5000,
    now: () => nowMs,
    // A Worker that takes the start message and never reports (hung in an fsync, say).
    workerUrl: new URL("data:text/javascript,self.onmessage = () => {};"),
  }, ({ db, checkpointer, messages }) => {
    nowMs += 15_000;
    checkpointer.check();
    assert.equal(checkpointer.stats.checkpoints, "worker", "three periods: not yet");
    nowMs += 1;
    checkpointer.check();
    assert.equal(checkpointer.stats.checkpoints, "main");
    assert.deepEqual(messages, [
      "Database checkpoints moved back to the main thread: no checkpoint for 15 s",
    ]);
    assert.equal(autoCheckpoint(db), 1000);
  });
});
