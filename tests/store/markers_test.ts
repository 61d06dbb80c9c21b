/**
 * Tests of src/store/markers.ts: the migration (also over a version-4 file), adding,
 * listing by channel and span, deleting, `markersIn`, and retention leaving them alone.
 * @module
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { SCHEMA_VERSION } from "../../src/store/db.ts";
import { MarkerLog } from "../../src/store/markers.ts";
import { Store } from "../../src/store/store.ts";
import { T0, tempDb } from "./fixtures.ts";

const DAY = 86_400_000;

function open(now = () => T0) {
  const store = new Store({
    path: ":memory:",
    channels: ["main", "out"],
    rawRetentionMs: DAY,
    rollupRetentionMs: 2 * DAY,
    flushIntervalMs: 0,
    retentionIntervalMs: 0,
    now,
  });
  return { store, log: new MarkerLog(store.db) };
}

Deno.test("MarkerLog adds, lists by channel and span oldest first, and deletes", () => {
  const { store, log } = open();
  try {
    const add = (channel: string, tsMs: number, label: string) =>
      log.add({ channel, tsMs, label, source: "user", createdAtMs: T0 + 5 });
    const b = add("main", T0 + 200, "b");
    const a = add("main", T0 + 100, "a");
    const c = add("out", T0 + 150, "c");
    const d = add("main", T0 + 200, "d (same instant as b: by id)");
    assert.deepEqual(a, {
      id: a.id,
      ts_ms: T0 + 100,
      channel: "main",
      label: "a",
      source: "user",
      created_at_ms: T0 + 5,
    });
    const labels = (list: { label: string }[]) => list.map((m) => m.label);
    assert.deepEqual(labels(log.list("main", -Infinity, Infinity, 100)), ["a", "b", d.label]);
    assert.deepEqual(labels(log.list(undefined, -Infinity, Infinity, 100)), [
      "a",
      "c",
      "b",
      d.label,
    ]);
    assert.deepEqual(labels(log.list("main", T0 + 100, T0 + 200, 100)), ["a"], "[from, to)");
    assert.deepEqual(labels(log.list("main", -Infinity, Infinity, 2)), ["a", "b"]);
    assert.deepEqual(labels(log.markersIn("main", T0 + 101, T0 + 201)), ["b", d.label]);
    assert.deepEqual(log.markersIn("out", T0, T0 + 1000), [c]);
    assert.deepEqual(log.get(b.id), b);
    assert.deepEqual(log.delete(b.id), b);
    assert.equal(log.delete(b.id), undefined);
    assert.equal(log.get(b.id), undefined);
    assert.deepEqual(labels(log.list("main", -Infinity, Infinity, 100)), ["a", d.label]);
    assert.throws(
      () => log.add({ channel: "nope", tsMs: T0, label: "x", source: "user", createdAtMs: T0 }),
      /no such channel/,
    );
  } finally {
    store.close();
  }
});

Deno.test("MarkerLog: retention never deletes a marker, however old", async () => {
  let nowMs = T0;
  const { store, log } = open(() => nowMs);
  try {
    log.add({ channel: "main", tsMs: T0, label: "old", source: "alert", createdAtMs: T0 });
    nowMs = T0 + 400 * DAY;
    await store.prune();
    assert.deepEqual(log.list("main", -Infinity, Infinity, 10).map((m) => m.label), ["old"]);
  } finally {
    store.close();
  }
});

Deno.test("The markers migration upgrades a version-4 database and keeps its rows", async () => {
  const { dir, path } = await tempDb();
  try {
    await Deno.copyFile(new URL("./testdata/single_channel.db", import.meta.url), path);
    const store = new Store({
      path,
      rawRetentionMs: 1000 * DAY,
      rollupRetentionMs: 1000 * DAY,
      flushIntervalMs: 0,
      retentionIntervalMs: 0,
    });
    const log = new MarkerLog(store.db);
    const m = log.add({ channel: "main", tsMs: T0, label: "x", source: "user", createdAtMs: T0 });
    assert.equal(store.rows, 1500);
    store.close();
    const raw = new DatabaseSync(path);
    const version = raw.prepare("PRAGMA user_version").get() as { user_version: number };
    assert.equal(version.user_version, SCHEMA_VERSION);
    assert.equal(
      (raw.prepare("SELECT label FROM markers WHERE id = ?").get(m.id) as { label: string }).label,
      "x",
    );
    assert.throws(
      () =>
        raw.exec(
          "INSERT INTO markers (channel_id, ts_ms, label, source, created_at_ms) VALUES (1, 0, 'x', 'robot', 0)",
        ),
      /CHECK constraint/,
    );
    raw.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
