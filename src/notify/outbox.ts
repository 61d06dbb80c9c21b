/**
 * The notification outbox in SQLite: one row per (event × destination), written in the
 * same moment as the alert, so a notification survives a crash or restart and is sent
 * until acknowledged; and the rate limiter's state per rule. Its tables have their own
 * forward-only migrations (version in the store's `meta` table), so the history schema in
 * src/store/db.ts and this one evolve apart.
 * @module
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { RuleWindow } from "./limiter.ts";
import { migrateGroup } from "../store/meta_migrations.ts";

/** A row's state. Never renumber: stored. */
export const ROW_STATUS = Object.freeze({ pending: 0, delivered: 1, failed: 2 });

/** `meta` key holding the outbox schema version. */
const VERSION_KEY = "notify_schema_version";

/** `MIGRATIONS[i]` takes the outbox schema from version i to i + 1; never edit one. */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE notify_outbox (
    id INTEGER PRIMARY KEY,
    destination TEXT NOT NULL,
    rule TEXT NOT NULL,
    event_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    status INTEGER NOT NULL,
    attempts INTEGER NOT NULL,
    next_ms INTEGER NOT NULL,
    done_ms INTEGER,
    last_error TEXT
  );
  CREATE INDEX notify_outbox_queue ON notify_outbox (status, destination, rule, id);
  CREATE TABLE notify_rules (
    rule TEXT PRIMARY KEY,
    window_start_ms INTEGER NOT NULL,
    sent INTEGER NOT NULL,
    suppressed INTEGER NOT NULL,
    last TEXT
  ) WITHOUT ROWID;
  `,
];

/** A row to send. */
export interface OutboxRow {
  /** The row id (its place in the queue). */
  id: number;
  /** The destination id. */
  destination: string;
  /** `<channel>/<metric>`: rows of one rule and destination leave in order. */
  rule: string;
  /** The delivery's key, the same on every retry. */
  idempotencyKey: string;
  /** `raised`, `escalated`, `cleared` or `summary`. */
  kind: string;
  /** The webhook body (JSON), exactly as sent and signed. */
  body: string;
  /** When it was queued. */
  createdMs: number;
  /** Attempts made so far. */
  attempts: number;
}

/** One new delivery. */
export interface NewRow {
  /** The destination id. */
  destination: string;
  /** `<channel>/<metric>`: rows of one rule and destination leave in order. */
  rule: string;
  /** The event, the same at every destination. */
  eventId: string;
  /** The delivery's key, the same on every retry. */
  idempotencyKey: string;
  /** `raised`, `escalated`, `cleared` or `summary`. */
  kind: string;
  /** The webhook body (JSON), exactly as sent and signed. */
  body: string;
}

/** Row counts of one destination. */
export interface OutboxCounts {
  /** Waiting for (another) attempt. */
  pending: number;
  /** Acknowledged. */
  delivered: number;
  /** Given up. */
  failed: number;
}

/** Brings the outbox tables up to date on `db` (the store's database). */
function migrate(db: DatabaseSync): void {
  migrateGroup(db, { key: VERSION_KEY, name: "Outbox", migrations: MIGRATIONS });
}

/** How an attempt on a row ended, as the row keeps it. */
export type Outcome =
  | { result: "delivered"; attempts: number; atMs: number }
  | { result: "retry"; attempts: number; nextMs: number; error: string }
  | { result: "failed"; attempts: number; atMs: number; error: string };

/** What {@link Outbox.write} writes (in this order). */
export interface OutboxWrites {
  /** Outcomes of attempts, by row id. */
  outcomes?: Iterable<[number, Outcome]>;
  /** New rows, each batch due at `atMs` (also its creation time). */
  batches?: Iterable<{ rows: readonly NewRow[]; atMs: number }>;
  /** Rules' windows of the rate limit. */
  windows?: Iterable<RuleWindow>;
}

/** The outbox tables of one database. */
export class Outbox {
  #db: DatabaseSync;
  #insert: StatementSync;
  #due: StatementSync;
  #nextDue: StatementSync;
  #delivered: StatementSync;
  #retry: StatementSync;
  #failed: StatementSync;
  #counts: StatementSync;
  #saveRule: StatementSync;
  #prune: StatementSync;

  /** Migrates the outbox tables in `db` and prepares its statements. */
  constructor(db: DatabaseSync) {
    this.#db = db;
    migrate(db);
    this.#insert = db.prepare(
      `INSERT INTO notify_outbox (destination, rule, event_id, idempotency_key, kind, body,
         created_ms, status, attempts, next_ms) VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, ?)`,
    );
    // The head of each (destination, rule) queue: a rule's notifications leave in order,
    // and one destination's outage holds back only that destination.
    const heads = `SELECT o.* FROM notify_outbox o
      WHERE o.status = 0 AND o.id = (SELECT MIN(id) FROM notify_outbox q
        WHERE q.status = 0 AND q.destination = o.destination AND q.rule = o.rule)`;
    this.#due = db.prepare(`${heads} AND o.next_ms <= ? ORDER BY o.id`);
    this.#nextDue = db.prepare(`SELECT MIN(next_ms) AS next FROM (${heads})`);
    this.#delivered = db.prepare(
      "UPDATE notify_outbox SET status = 1, attempts = ?, done_ms = ?, last_error = NULL WHERE id = ?",
    );
    this.#retry = db.prepare(
      "UPDATE notify_outbox SET attempts = ?, next_ms = ?, last_error = ? WHERE id = ?",
    );
    this.#failed = db.prepare(
      "UPDATE notify_outbox SET status = 2, attempts = ?, done_ms = ?, last_error = ? WHERE id = ?",
    );
    this.#counts = db.prepare(
      "SELECT destination, status, COUNT(*) AS n FROM notify_outbox GROUP BY destination, status",
    );
    this.#saveRule = db.prepare(
      `INSERT INTO notify_rules (rule, window_start_ms, sent, suppressed, last) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (rule) DO UPDATE SET window_start_ms = excluded.window_start_ms,
         sent = excluded.sent, suppressed = excluded.suppressed, last = excluded.last`,
    );
    this.#prune = db.prepare("DELETE FROM notify_outbox WHERE status != 0 AND done_ms < ?");
  }

  /**
   * Writes in one transaction: the outcomes of attempts, new rows (each batch due at
   * its own time) and the rules' new windows. Once this returns they are durable; if it
   * throws, nothing was written.
   */
  write(w: OutboxWrites): void {
    // Inside someone else's transaction (none today), the writes join it.
    const own = !this.#db.isTransaction;
    if (own) this.#db.exec("BEGIN IMMEDIATE");
    try {
      for (const [id, o] of w.outcomes ?? []) {
        if (o.result === "delivered") this.#delivered.run(o.attempts, o.atMs, id);
        else if (o.result === "retry") this.#retry.run(o.attempts, o.nextMs, o.error, id);
        else this.#failed.run(o.attempts, o.atMs, o.error, id);
      }
      for (const { rows, atMs } of w.batches ?? []) {
        for (const r of rows) {
          this.#insert.run(
            r.destination,
            r.rule,
            r.eventId,
            r.idempotencyKey,
            r.kind,
            r.body,
            atMs,
            atMs,
          );
        }
      }
      for (const window of w.windows ?? []) this.#writeRule(window);
      if (own) this.#db.exec("COMMIT");
    } catch (error) {
      if (own && this.#db.isTransaction) this.#db.exec("ROLLBACK");
      throw error;
    }
  }

  #writeRule(w: RuleWindow): void {
    this.#saveRule.run(
      w.rule,
      w.windowStartMs,
      w.sent,
      w.suppressed,
      w.last === undefined ? null : JSON.stringify(w.last),
    );
  }

  /** Every rule's saved window. */
  rules(): RuleWindow[] {
    const rows = this.#db.prepare(
      "SELECT rule, window_start_ms, sent, suppressed, last FROM notify_rules",
    ).all() as {
      rule: string;
      window_start_ms: number;
      sent: number;
      suppressed: number;
      last: string | null;
    }[];
    return rows.map((r) => ({
      rule: r.rule,
      windowStartMs: r.window_start_ms,
      sent: r.sent,
      suppressed: r.suppressed,
      ...(r.last === null ? {} : { last: JSON.parse(r.last) }),
    }));
  }

  /** Rows whose turn it is at `nowMs`: the head of each (destination, rule) queue. */
  due(nowMs: number): OutboxRow[] {
    return (this.#due.all(nowMs) as Record<string, number | string>[]).map((r) => ({
      id: Number(r.id),
      destination: String(r.destination),
      rule: String(r.rule),
      idempotencyKey: String(r.idempotency_key),
      kind: String(r.kind),
      body: String(r.body),
      createdMs: Number(r.created_ms),
      attempts: Number(r.attempts),
    }));
  }

  /** When the next queue head falls due; undefined when nothing is pending. */
  nextDueMs(): number | undefined {
    const row = this.#nextDue.get() as { next: number | null };
    return row.next ?? undefined;
  }

  /** Makes every pending row due at `nowMs` (at start-up: try at once after a restart). */
  wakeAll(nowMs: number): void {
    this.#db.prepare("UPDATE notify_outbox SET next_ms = ? WHERE status = 0 AND next_ms > ?")
      .run(nowMs, nowMs);
  }

  /** Gives up every pending row of a destination no longer configured. */
  failDestinationsExcept(keep: readonly string[], nowMs: number): number {
    const marks = keep.map(() => "?").join(", ");
    const { changes } = this.#db.prepare(
      `UPDATE notify_outbox SET status = 2, done_ms = ?, last_error = 'destination no longer configured'
       WHERE status = 0 ${keep.length ? `AND destination NOT IN (${marks})` : ""}`,
    ).run(nowMs, ...keep);
    return Number(changes);
  }

  /** Row counts per destination. */
  counts(): Map<string, OutboxCounts> {
    const out = new Map<string, OutboxCounts>();
    for (const r of this.#counts.all() as { destination: string; status: number; n: number }[]) {
      const c = out.get(r.destination) ?? { pending: 0, delivered: 0, failed: 0 };
      if (r.status === ROW_STATUS.pending) c.pending = r.n;
      else if (r.status === ROW_STATUS.delivered) c.delivered = r.n;
      else c.failed = r.n;
      out.set(r.destination, c);
    }
    return out;
  }

  /** Deletes delivered and failed rows finished before `beforeMs`. */
  prune(beforeMs: number): number {
    return Number(this.#prune.run(beforeMs).changes);
  }
}
