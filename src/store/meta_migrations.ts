/**
 * Forward-only migrations of a group of tables that live in the store's database but
 * keep their own schema version under a key of its `meta` table (the recordings', the
 * notification outbox's), so they never clash with the store's `PRAGMA user_version`.
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import { rollbackAfter, StoreError } from "./db.ts";

/** One group of tables: its `meta` key, its name in messages and its migrations. */
export interface TableGroup {
  /** The `meta` key holding the group's version, e.g. `recordings_schema`. */
  key: string;
  /** What the error names, e.g. "Recordings". */
  name: string;
  /** `migrations[i]` takes the group from version i to i + 1. */
  migrations: readonly string[];
}

/**
 * Brings `group`'s tables in `db` up to date, each step in its own transaction.
 *
 * @throws {StoreError} when the tables were written by a newer version of this program.
 */
export function migrateGroup(db: DatabaseSync, group: TableGroup): void {
  const row = db.prepare("SELECT value FROM meta WHERE key = ?").get(group.key) as
    | { value: number }
    | undefined;
  const version = row?.value ?? 0;
  const latest = group.migrations.length;
  if (version > latest) {
    throw new StoreError(
      `${group.name} schema version ${version} is newer than this program's ${latest}: upgrade ina219-monitor`,
    );
  }
  for (let v = version; v < latest; v++) {
    db.exec("BEGIN IMMEDIATE");
    try {
      db.exec(group.migrations[v]);
      db.prepare(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      ).run(group.key, v + 1);
      db.exec("COMMIT");
    } catch (error) {
      rollbackAfter(db, error as Error);
      throw error;
    }
  }
}
