/** Tests of src/store/db.ts: WAL, migrations, and a newer schema refused. */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { openDatabase, SCHEMA_VERSION, StoreError } from "../../src/store/db.ts";
import { tempDb } from "./fixtures.ts";

Deno.test("openDatabase() enables WAL, migrates once, and refuses a newer schema", async () => {
  const { dir, path } = await tempDb();
  try {
    let db = openDatabase(path);
    assert.equal(
      (db.prepare("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode,
      "wal",
    );
    assert.equal(
      (db.prepare("PRAGMA synchronous").get() as { synchronous: number }).synchronous,
      1,
    );
    assert.equal(
      (db.prepare("PRAGMA user_version").get() as { user_version: number }).user_version,
      SCHEMA_VERSION,
    );
    db.close();
    db = openDatabase(path); // second open: no migration runs again
    db.close();
    const raw = new DatabaseSync(path);
    raw.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    assert.throws(
      () => openDatabase(path),
      (e: Error) => e instanceof StoreError && /newer/.test(e.message),
    );
    assert.throws(() => openDatabase(`${dir}/missing/x.db`), StoreError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
