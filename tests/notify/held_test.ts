/**
 * HeldWrites: the notifier's outbox writes queued while the database refuses them —
 * the row limit drops the oldest, each rule keeps only its newest window, an attempt's
 * unwritten outcome holds its row back, and one transaction writes it all.
 * @module
 */
import assert from "node:assert/strict";
import { HeldWrites, MAX_HELD_ROWS } from "../../src/notify/held.ts";
import type { RuleWindow } from "../../src/notify/limiter.ts";
import { type NewRow, Outbox, type OutboxRow } from "../../src/notify/outbox.ts";
import { openDatabase } from "../../src/store/db.ts";

const T0 = 1_700_000_000_000;

function row(rule: string, n: number): NewRow {
  return {
    destination: "webhook-00000000",
    rule,
    eventId: `e${n}`,
    idempotencyKey: `e${n}.webhook-00000000`,
    kind: "raised",
    body: "{}",
  };
}

const window = (rule: string, sent: number): RuleWindow => ({
  rule,
  windowStartMs: T0,
  sent,
  suppressed: 0,
});

Deno.test("HeldWrites trims the oldest rows over the limit and keeps one window per rule", () => {
  const held = new HeldWrites();
  assert.equal(held.empty, true);
  for (let i = 0; i < 5000; i++) held.add([], window("main/v", i), T0 + i); // a flapping rule
  assert.deepEqual([held.rows, held.dropped, held.empty], [0, 0, false]);
  for (let i = 0; i < MAX_HELD_ROWS + 3; i++) held.add([row(`c${i}/v`, i)], undefined, T0 + i);
  assert.deepEqual([held.rows, held.dropped], [MAX_HELD_ROWS + 3, 0], "trimmed only when told");
  held.trim();
  assert.deepEqual([held.rows, held.dropped], [MAX_HELD_ROWS, 3]);

  const db = openDatabase(":memory:");
  try {
    const outbox = new Outbox(db);
    held.writeTo(outbox);
    assert.deepEqual([held.rows, held.empty], [0, true]);
    const rules = (db.prepare("SELECT rule FROM notify_outbox ORDER BY id").all() as {
      rule: string;
    }[]).map((r) => r.rule);
    assert.deepEqual(rules.slice(0, 2), ["c3/v", "c4/v"]);
    assert.equal(rules.length, MAX_HELD_ROWS);
    assert.deepEqual(outbox.rules(), [window("main/v", 4999)]);
  } finally {
    db.close();
  }
});

Deno.test("HeldWrites holds a row back until its outcome is written; a refusal keeps everything", () => {
  const db = openDatabase(":memory:");
  try {
    const outbox = new Outbox(db);
    outbox.write({ batches: [{ rows: [row("main/v", 1)], atMs: T0 }] });
    const [pending] = outbox.due(T0) as OutboxRow[];
    const held = new HeldWrites();
    held.record(pending.id, { result: "retry", attempts: 1, nextMs: T0 + 1000, error: "503" });
    assert.equal(held.holdsBack(pending, T0 + 999), true);
    assert.equal(held.holdsBack(pending, T0 + 1000), false, "a retry comes due");
    assert.equal(held.attempts(pending), 1);
    held.record(pending.id, { result: "delivered", attempts: 2, atMs: T0 + 1000 });
    assert.equal(held.holdsBack(pending, T0 + 10_000), true, "delivered: never again");

    db.exec("PRAGMA query_only = ON");
    held.add([row("main/a", 2)], window("main/a", 1), T0 + 2000);
    assert.throws(() => held.writeTo(outbox), /readonly/);
    assert.deepEqual([held.rows, held.empty], [1, false]);
    db.exec("PRAGMA query_only = OFF");
    held.writeTo(outbox);
    assert.equal(held.empty, true);
    assert.deepEqual(outbox.counts().get("webhook-00000000"), {
      pending: 1,
      delivered: 1,
      failed: 0,
    });
    const attempts = db.prepare("SELECT attempts FROM notify_outbox WHERE id = ?").get(pending.id);
    assert.deepEqual({ ...attempts }, { attempts: 2 });
  } finally {
    db.close();
  }
});
