/**
 * Tests of src/store/channel_store.ts and of the Store holding several channels: each
 * channel's rows, rollups, alerts, seq and settings apart; one transaction for every
 * channel's queue; one queue bound for them all; stats and retention over every channel.
 * @module
 */
import assert from "node:assert/strict";
import type { EnergyStep } from "../../src/analysis/energy.ts";
import type { Sample } from "../../src/sample.ts";
import { channelSettingKey, type ChannelStore } from "../../src/store/channel_store.ts";
import { Store, type StoreOptions } from "../../src/store/store.ts";
import { sample, T0, tempDb } from "./fixtures.ts";

const NO_STEP: EnergyStep = { energyJ: 0, chargeC: 0 };

function open(path: string, channels: string[], extra: Partial<StoreOptions> = {}): Store {
  return new Store({
    path,
    channels,
    rawRetentionMs: 1e12,
    rollupRetentionMs: 1e12,
    flushIntervalMs: 0,
    retentionIntervalMs: 0,
    ...extra,
  });
}

/** `n` samples at 1 kHz from `fromSeq`, all at `v` volts. */
function run(fromSeq: number, n: number, v: number, t0 = T0): Sample[] {
  return Array.from({ length: n }, (_, i) => sample(fromSeq + i, t0 + fromSeq + i, v));
}

const count = (store: Store, channel: string) =>
  (store.db.prepare(
    "SELECT COUNT(*) AS n FROM samples JOIN channels ON channels.id = channel_id WHERE name = ?",
  ).get(channel) as { n: number }).n;

/** The per-minute rollups of a channel around T0. */
const minutes = (c: ChannelStore) =>
  c.queries.minutes(T0 - 60_000, T0 + 60_000).map((m) => ({ count: m.count, vMax: m.v.max }));

Deno.test("channelSettingKey() keeps main's plain keys and scopes every other channel's", () => {
  assert.equal(channelSettingKey("energy", "main"), "energy");
  assert.equal(channelSettingKey("alert_rules", "main"), "alert_rules");
  assert.equal(channelSettingKey("energy", "in"), "energy:in");
  assert.equal(channelSettingKey("alert_rules", "out_2"), "alert_rules:out_2");
});

Deno.test("Store keeps each channel's samples, rollups, alerts, seq and settings apart", async () => {
  const { dir, path } = await tempDb();
  try {
    let store = open(path, ["in", "out", "sim"]);
    assert.deepEqual(store.channels.map((c) => c.name), ["in", "out", "sim"]);
    const [inp, out] = [store.channel("in"), store.channel("out")];
    for (const s of run(1, 300, 5)) inp.append(s, NO_STEP);
    for (const s of run(1, 200, 3.3)) out.append(s, NO_STEP);
    inp.alerts.add({
      ts_ms: T0 + 5,
      metric: "v",
      severity: "warning",
      state: "raised",
      value: 5,
      limit: 4.9,
      message: "in high",
    });
    let energy = { totalJ: 1 };
    out.saveWithEveryFlush("energy", () => energy);
    inp.setSetting("alert_rules", [{ metric: "w" }]);
    assert.equal(store.flush(), true);

    assert.equal(inp.rows, 300);
    assert.equal(out.rows, 200);
    assert.equal(store.channel("sim").rows, 0);
    assert.equal(store.rows, 500);
    assert.deepEqual(minutes(inp), [{ count: 300, vMax: 5 }]);
    assert.deepEqual(minutes(out), [{ count: 200, vMax: 3.3 }]);
    assert.equal(inp.queries.measurements(T0, T0 + 1000, 1000).length, 300);
    assert.equal(out.alerts.list(0, T0 + 1e6, 10).length, 0);
    assert.equal(inp.alerts.list(0, T0 + 1e6, 10)[0].message, "in high");
    assert.deepEqual(store.getSetting("alert_rules"), [{ metric: "w" }], "first channel: in");
    assert.deepEqual(out.getSetting("energy"), { totalJ: 1 });
    assert.equal(inp.getSetting("energy"), undefined);
    assert.deepEqual(
      store.db.prepare("SELECT key FROM settings ORDER BY key").all().map((r) => r.key),
      ["alert_rules:in", "energy:out"],
    );
    energy = { totalJ: 2 };
    store.close();

    // Each channel's seq goes on from its own last one.
    store = open(path, ["in", "out", "sim"]);
    assert.equal(store.channel("in").writer.lastSeq, 300);
    assert.equal(store.channel("out").writer.lastSeq, 200);
    assert.equal(store.channel("sim").writer.lastSeq, 0);
    assert.equal(store.writer, store.channel("in").writer, "the v1 API is the first channel's");
    assert.deepEqual(store.channel("out").getSetting("energy"), { totalJ: 1 });
    assert.equal(store.channel("in").rows, 300);
    assert.equal(store.rows, 500);
    store.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Store names unknown and repeated channels plainly", async () => {
  const { dir, path } = await tempDb();
  try {
    assert.throws(() => open(path, ["in", "out", "in"]), {
      name: "RangeError",
      message: 'Invalid store channels: "in" is given twice',
    });
    assert.throws(() => open(path, []), { name: "RangeError" });
    const store = open(path, ["in", "out"]);
    assert.throws(() => store.channel("main"), {
      name: "RangeError",
      message: 'Unknown store channel "main": expected one of in, out',
    });
    store.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Store writes every channel's queued rows in one transaction: a failing one stores none", async () => {
  const { dir, path } = await tempDb();
  const messages: string[] = [];
  const store = open(path, ["in", "out"], { onHealth: (m) => messages.push(m) });
  try {
    const [inp, out] = [store.channel("in"), store.channel("out")];
    inp.saveWithEveryFlush("energy", () => ({ totalJ: 7 }));
    // Only out's rows fail, after in's are already inserted in the same transaction.
    store.db.exec(`CREATE TEMP TRIGGER refuse_out BEFORE INSERT ON samples
      WHEN NEW.channel_id = ${out.id} BEGIN SELECT RAISE(ABORT, 'out refused'); END`);
    for (const s of run(1, 100, 5)) inp.append(s, NO_STEP);
    for (const s of run(1, 50, 3)) out.append(s, NO_STEP);
    assert.equal(store.flush(), false);
    assert.equal(count(store, "in"), 0, "in's rows rolled back with out's");
    assert.deepEqual(minutes(inp), [], "no rollup either");
    assert.equal(inp.getSetting("energy"), undefined, "nor the counters");
    assert.deepEqual([inp.writer.pending, out.writer.pending], [100, 50]);
    assert.equal(store.stats().last_error, "out refused");

    store.db.exec("DROP TRIGGER refuse_out");
    assert.equal(store.flush(), true);
    assert.deepEqual([count(store, "in"), count(store, "out")], [100, 50]);
    assert.deepEqual([inp.rows, out.rows], [100, 50]);
    assert.deepEqual(minutes(inp), [{ count: 100, vMax: 5 }]);
    assert.deepEqual(inp.getSetting("energy"), { totalJ: 7 });
    assert.equal(messages.at(-1), "Database writes recovered");
  } finally {
    store.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Store shares one transaction of at most CHUNK_ROWS rows among the channels", async () => {
  const { dir, path } = await tempDb();
  const store = open(path, ["a", "b", "c"]);
  try {
    for (const s of run(1, 25_000, 5)) store.channel("a").append(s, NO_STEP);
    for (const s of run(1, 100, 5)) store.channel("b").append(s, NO_STEP);
    for (const s of run(1, 9_000, 5)) store.channel("c").append(s, NO_STEP);
    // One timer flush's budget: two chunks of 10 000 rows, every channel in the first.
    assert.equal(store.flush(20_000), true);
    const rows = store.channels.map((c) => c.rows);
    assert.equal(rows[0] + rows[1] + rows[2], 20_000);
    assert.equal(rows[1], 100, "the short queue is written whole");
    assert.ok(rows[0] >= 9_000 && rows[2] >= 9_000, `shared evenly: ${rows}`);
    assert.equal(store.flush(), true);
    assert.deepEqual(store.channels.map((c) => c.rows), [25_000, 100, 9_000]);
  } finally {
    store.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Store bounds the queue of all channels together; the longest queue gives way", async () => {
  const { dir, path } = await tempDb();
  const messages: string[] = [];
  const store = open(path, ["fast", "slow"], {
    maxQueue: 1000,
    onHealth: (m) => messages.push(m),
  });
  try {
    const [fast, slow] = [store.channel("fast"), store.channel("slow")];
    for (const s of run(1, 100, 5)) slow.append(s, NO_STEP);
    for (const s of run(1, 3000, 5)) fast.append(s, NO_STEP);
    assert.ok(store.pending <= 1000, `${store.pending} queued`);
    assert.equal(slow.writer.pending, 100, "the short queue keeps its samples");
    assert.equal(slow.writer.dropped, 0);
    assert.equal(fast.writer.dropped + fast.writer.pending, 3000);
    assert.equal(store.flush(), true);
    const stats = store.stats();
    assert.equal(stats.dropped, fast.writer.dropped);
    assert.equal(stats.rows, 100 + fast.writer.written);
    // The newest are kept.
    const seqs = fast.queries.measurements(T0, T0 + 1e6, 5000).map((r) => r.seq);
    assert.equal(Math.max(...seqs), 3000);
    assert.equal(Math.min(...seqs), 3001 - seqs.length, "a run up to the newest");
    assert.equal(messages.filter((m) => m.startsWith("Database queue full (1000")).length, 1);
  } finally {
    store.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Store.stats() gives every channel's figures and the totals, stored-only channels last", async () => {
  const { dir, path } = await tempDb();
  try {
    let store = open(path, ["gone", "in"]);
    for (const s of run(1, 10, 5)) store.channel("gone").append(s, NO_STEP);
    store.close();
    store = open(path, ["in", "out"]);
    for (const s of run(1, 30, 5, T0 + 1000)) store.channel("in").append(s, NO_STEP);
    for (const s of run(1, 5, 5)) store.channel("out").append(s, NO_STEP);
    store.channel("out").writer.append(sample(6, T0 + 6), NO_STEP);
    assert.equal(store.flush(), true);
    store.channel("out").append(sample(7, T0 + 7), NO_STEP);
    const stats = store.stats();
    assert.deepEqual(
      stats.channels!.map((c) => [c.name, c.configured, c.rows, c.pending, c.last_seq]),
      [["in", true, 30, 0, 30], ["out", true, 6, 1, 7], ["gone", false, 10, 0, 10]],
    );
    assert.equal(stats.channels![0].oldest_ts_ms, T0 + 1001);
    assert.equal(stats.rows, 46);
    assert.equal(stats.pending, 1);
    assert.equal(stats.written, 36);
    assert.equal(stats.oldest_ts_ms, T0 + 1, "the oldest of any channel");
    assert.equal(stats.newest_ts_ms, T0 + 1030);
    store.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Store retention removes old rows of every channel, configured or no longer", async () => {
  const { dir, path } = await tempDb();
  try {
    let store = open(path, ["in", "out"]);
    for (const s of run(1, 500, 5)) store.channel("in").append(s, NO_STEP);
    for (const s of run(1, 500, 5)) store.channel("out").append(s, NO_STEP);
    store.channel("in").alerts.add({
      ts_ms: T0,
      metric: "v",
      severity: "warning",
      state: "raised",
      value: 5,
      limit: 4.9,
      message: "old",
    });
    store.close();
    // `in` is no longer configured: its rows stay until retention takes them.
    let nowMs = T0 + 1000;
    store = open(path, ["out"], {
      rawRetentionMs: 10_000,
      rollupRetentionMs: 25_000,
      now: () => nowMs,
    });
    await store.prune();
    assert.equal(count(store, "in"), 500, "nothing old yet");
    nowMs = T0 + 30_000;
    const deleted = await store.prune();
    assert.equal(deleted.samples, 1000);
    assert.equal(deleted.alerts, 1);
    assert.equal(deleted.rollup_1m, 2);
    assert.equal(count(store, "in"), 0);
    assert.equal(store.rows, 0);
    assert.deepEqual(store.stats().channels!.map((c) => [c.name, c.rows]), [["out", 0]]);
    store.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
