/**
 * The alert history in SQLite: every alert transition, written as it happens (they
 * are rare), read back by window and severity, and pruned with the rollups.
 * @module
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { AlertData, AlertEvent } from "../protocol/alerts.ts";

/** Writes and reads alert transitions of one channel. */
export class AlertLog {
  #channelId: number;
  #insert: StatementSync;
  #select: StatementSync;
  #selectSeverity: StatementSync;

  /** Prepares the statements for `channelId`'s alerts. */
  constructor(db: DatabaseSync, channelId: number) {
    this.#channelId = channelId;
    this.#insert = db.prepare(
      `INSERT INTO alerts (channel_id, ts_ms, metric, severity, state, value, limit_value, message)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const select = (extra: string) =>
      db.prepare(
        `SELECT id, ts_ms, metric, severity, state, value, limit_value AS "limit", message
         FROM alerts WHERE channel_id = ? AND ts_ms >= ? AND ts_ms < ? ${extra}
         ORDER BY ts_ms DESC, id DESC LIMIT ?`,
      );
    this.#select = select("");
    this.#selectSeverity = select("AND severity = ?");
  }

  /** Stores one transition; returns its id. */
  add(e: AlertEvent): number {
    const { lastInsertRowid } = this.#insert.run(
      this.#channelId,
      BigInt(e.ts_ms),
      e.metric,
      e.severity,
      e.state,
      e.value,
      e.limit,
      e.message,
    );
    return Number(lastInsertRowid);
  }

  /** Transitions in [from, to), newest first, optionally of one severity. */
  list(fromMs: number, toMs: number, limit: number, severity?: string): AlertData[] {
    const rows = severity === undefined
      ? this.#select.all(this.#channelId, BigInt(fromMs), BigInt(toMs), BigInt(limit))
      : this.#selectSeverity.all(
        this.#channelId,
        BigInt(fromMs),
        BigInt(toMs),
        severity,
        BigInt(limit),
      );
    return rows.map((r) => ({ ...r })) as unknown as AlertData[];
  }
}
