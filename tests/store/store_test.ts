/**
 * Tests of src/store/store.ts when things go wrong: a full disk (a real SQLITE_FULL through
 * `PRAGMA max_page_count`), a queue that outgrows its bound, a second store on the
 * same file; and a database written before channels, opened with channels.
 * @module
 */
import assert from "node:assert/strict";
import type { DatabaseSync } from "node:sqlite";
import { EnergyIntegrator } from "../../src/analysis/energy.ts";
import type { Sample } from "../../src/sample.ts";
import { StoreError } from "../../src/store/db.ts";
import { Store } from "../../src/store/store.ts";
import { FLUSH_SLICE_ROWS } from "../../src/store/store.ts";
import { ROLLUPS } from "../../src/store/writer.ts";
import { stream, T0 } from "./fixtures.ts";

/** A store on a fresh file, fed as the pipeline feeds it; messages collected. */
async function setup(options: { maxQueue?: number } = {}) {
  const dir = await Deno.makeTempDir();
  const messages: string[] = [];
  const store = new Store({
    path: `${dir}/test.db`,
    rawRetentionMs: 1e12,
    rollupRetentionMs: 1e12,
    flushIntervalMs: 0,
    retentionIntervalMs: 0,
    maxQueue: options.maxQueue,
    onHealth: (m) => messages.push(m),
  });
  const energy = new EnergyIntegrator(() => 5);
  const samples = stream(7);
  let energyJ = 0;
  const feed = (n: number) => {
    for (let i = 0; i < n; i++) {
      const s = samples.next().value as Sample;
      if (s.status === "error") {
        energy.break();
        store.append(s, { energyJ: 0, chargeC: 0 });
      } else {
        const step = energy.add(s.tsMs, s.w, s.a);
        energyJ += step.energyJ;
        store.append(s, step);
      }
    }
  };
  const cleanup = async () => {
    store.close();
    await Deno.remove(dir, { recursive: true });
  };
  return { store, messages, feed, energyJ: () => energyJ, cleanup };
}

/** Makes every write that needs one more page fail with a real SQLITE_FULL. */
function fillDisk(db: DatabaseSync): void {
  const { page_count: pages } = db.prepare("PRAGMA page_count").get() as { page_count: number };
  db.exec(`PRAGMA max_page_count = ${pages}`);
}

function freeDisk(db: DatabaseSync): void {
  db.exec("PRAGMA max_page_count = 1073741823");
}

const close = (a: number | null, b: number | null, what: string) => {
  if (a === null || b === null) return assert.equal(a, b, what);
  assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);
};

/**
 * Every rollup tier equals the same tier recomputed from the raw rows: same buckets,
 * counts, errors and min/max, sums equal up to float rounding.
 */
function assertRollupsMatchRaw(db: DatabaseSync): void {
  for (const { table, widthMs } of ROLLUPS) {
    const w = BigInt(widthMs);
    const raw = db.prepare(
      `SELECT (ts_ms / ?) * ? AS bucket_ms, SUM(status != 1) AS count, SUM(status = 1) AS errors,
         MIN(CASE WHEN status != 1 THEN v END) AS v_min, MAX(CASE WHEN status != 1 THEN v END) AS v_max,
         COALESCE(SUM(CASE WHEN status != 1 THEN v END), 0) AS v_sum,
         MIN(CASE WHEN status != 1 THEN a END) AS a_min, MAX(CASE WHEN status != 1 THEN a END) AS a_max,
         COALESCE(SUM(CASE WHEN status != 1 THEN a END), 0) AS a_sum,
         MIN(CASE WHEN status != 1 THEN w END) AS w_min, MAX(CASE WHEN status != 1 THEN w END) AS w_max,
         COALESCE(SUM(CASE WHEN status != 1 THEN w END), 0) AS w_sum
       FROM samples GROUP BY bucket_ms ORDER BY bucket_ms`,
    ).all(w, w) as Record<string, number | null>[];
    const rolled = db.prepare(
      `SELECT bucket_ms, count, errors, v_min, v_max, v_sum, a_min, a_max, a_sum,
         w_min, w_max, w_sum FROM ${table} ORDER BY bucket_ms`,
    ).all() as Record<string, number | null>[];
    assert.equal(rolled.length, raw.length, `${table}: buckets`);
    rolled.forEach((r, i) => {
      const e = raw[i];
      for (const key of ["bucket_ms", "count", "errors"]) {
        assert.equal(r[key], e[key], `${table} ${e.bucket_ms} ${key}`);
      }
      for (
        const key of [
          "v_min",
          "v_max",
          "a_min",
          "a_max",
          "w_min",
          "w_max",
          "v_sum",
          "a_sum",
          "w_sum",
        ]
      ) {
        close(r[key], e[key], `${table} ${e.bucket_ms} ${key}`);
      }
    });
  }
}

function energyPerTier(db: DatabaseSync): number[] {
  return ROLLUPS.map(({ table }) =>
    (db.prepare(`SELECT SUM(energy_j) AS e FROM ${table}`).get() as { e: number }).e
  );
}

Deno.test("Store reports a full disk plainly and, once it has room, stores every queued sample in every rollup", async () => {
  const { store, messages, feed, energyJ, cleanup } = await setup();
  try {
    feed(5000);
    assert.equal(store.flush(), true);
    fillDisk(store.db);
    // 75 s of outage at 1 kHz, crossing minute boundaries, one flush attempt a second.
    for (let s = 0; s < 75; s++) {
      feed(1000);
      assert.equal(store.flush(), false);
    }
    const stats = store.stats();
    assert.equal(stats.last_error, "database or disk is full");
    assert.equal(stats.pending, 75_000);
    assert.equal(stats.dropped, 0);
    assert.deepEqual(messages, [
      "Database write failed: database or disk is full (1000 samples queued in memory and retried; beyond 300000 the oldest are dropped)",
    ], "reported once, not at every retry");

    freeDisk(store.db);
    feed(1000);
    // A timer flush drains a backlog a few chunks at a time.
    assert.equal(store.flush(20_000), true);
    assert.equal(store.stats().pending, 76_000 - 20_000);
    assert.equal(store.stats().last_error, null);
    assert.equal(messages.at(-1), "Database writes recovered");
    assert.equal(store.flush(), true);
    assert.equal(store.rows, 81_000);
    const { n } = store.db.prepare("SELECT COUNT(*) AS n FROM samples").get() as { n: number };
    assert.equal(n, 81_000);
    assertRollupsMatchRaw(store.db);
    for (const e of energyPerTier(store.db)) close(e, energyJ(), "energy in each tier");
  } finally {
    await cleanup();
  }
});

Deno.test("Store drops the oldest queued samples past maxQueue and keeps rollups to what is stored", async () => {
  const { store, messages, feed, cleanup } = await setup({ maxQueue: 2000 });
  try {
    feed(2000);
    assert.equal(store.flush(), true);
    fillDisk(store.db);
    for (let s = 0; s < 10; s++) {
      feed(1000);
      store.flush();
    }
    const stats = store.stats();
    assert.ok(stats.pending <= 2000, `${stats.pending} queued`);
    assert.equal(stats.dropped + stats.pending, 10_000);
    assert.equal(messages.filter((m) => m.startsWith("Database queue full")).length, 1);
    freeDisk(store.db);
    assert.equal(store.flush(), true);
    assert.match(
      messages.at(-1)!,
      new RegExp(`^Database writes recovered: ${stats.dropped} queued samples were dropped`),
    );
    const seqs = store.db.prepare("SELECT seq FROM samples ORDER BY seq").all() as {
      seq: number;
    }[];
    assert.equal(seqs.length, 2000 + stats.pending);
    // The newest samples are kept: the stored ones after the gap run up to the last.
    assert.equal(seqs.at(-1)!.seq, 12_000);
    assertRollupsMatchRaw(store.db);
  } finally {
    await cleanup();
  }
});

Deno.test("Store refuses a database another store holds, and frees it on close", async () => {
  const dir = await Deno.makeTempDir();
  const options = {
    path: `${dir}/test.db`,
    rawRetentionMs: 1e12,
    rollupRetentionMs: 1e12,
    flushIntervalMs: 0,
    retentionIntervalMs: 0,
  };
  try {
    const first = new Store(options);
    assert.throws(
      () => new Store(options),
      (e: Error) =>
        e instanceof StoreError &&
        e.message ===
          `Database "${dir}/test.db" is in use by another ina219-monitor (pid ${Deno.pid})`,
    );
    first.close();
    new Store(options).close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** A copy of the single-channel database made before channels, and what it holds. */
async function singleChannelDb() {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/test.db`;
  await Deno.copyFile(new URL("testdata/single_channel.db", import.meta.url), path);
  const expected = JSON.parse(
    await Deno.readTextFile(new URL("testdata/single_channel.json", import.meta.url)),
  );
  const open = (channels: string[]) =>
    new Store({
      path,
      channels,
      rawRetentionMs: 1e12,
      rollupRetentionMs: 1e12,
      flushIntervalMs: 0,
      retentionIntervalMs: 0,
    });
  return { dir, expected, open };
}

Deno.test("Store configured as main and out keeps all of a single-channel database's main; out starts empty", async () => {
  const { dir, expected, open } = await singleChannelDb();
  try {
    const store = open(["main", "out"]);
    const main = store.channel("main");
    assert.equal(main.rows, expected.rows);
    assert.equal(main.writer.lastSeq, expected.last_seq);
    assert.deepEqual(main.getSetting("energy"), expected.energy);
    assert.deepEqual(main.getSetting("alert_rules"), expected.rules);
    assert.deepEqual(main.alerts.list(0, T0 + 1e6, 100), expected.alerts);
    assert.deepEqual(main.queries.minutes(T0 - 60_000, T0 + 180_000), expected.minutes);
    assert.deepEqual(main.queries.measurements(T0, T0 + 5, 10), expected.measurements);
    // The v1 API is main's.
    assert.deepEqual(store.getSetting("energy"), expected.energy);
    assert.equal(store.writer.lastSeq, expected.last_seq);

    const out = store.channel("out");
    assert.equal(out.rows, 0);
    assert.equal(out.writer.lastSeq, 0);
    assert.equal(out.getSetting("energy"), undefined);
    assert.equal(out.getSetting("alert_rules"), undefined);
    assert.deepEqual(out.alerts.list(0, T0 + 1e6, 100), []);
    assert.deepEqual(out.queries.minutes(T0 - 60_000, T0 + 180_000), []);
    // main goes on where it stopped; out starts at 1.
    const next = {
      tsMs: T0 + 200_000,
      v: 5,
      a: 0.1,
      w: 0.5,
      status: "ok",
      mode: "NORMAL",
    } as const;
    main.append({ ...next, seq: expected.last_seq + 1 }, { energyJ: 0, chargeC: 0 });
    out.append({ ...next, seq: 1 }, { energyJ: 0, chargeC: 0 });
    assert.equal(store.flush(), true);
    assert.deepEqual([main.rows, out.rows], [expected.rows + 1, 1]);
    store.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Store configured without main leaves a single-channel database's data under main, untouched", async () => {
  const { dir, expected, open } = await singleChannelDb();
  try {
    let store = open(["in", "out"]);
    for (const c of store.channels) {
      assert.deepEqual([c.name, c.rows, c.writer.lastSeq], [c.name, 0, 0]);
      // The first channel is not main: main's counters and rules are not its.
      assert.equal(c.getSetting("energy"), undefined);
      assert.equal(c.getSetting("alert_rules"), undefined);
      assert.deepEqual(c.alerts.list(0, T0 + 1e6, 100), []);
    }
    const stats = store.stats();
    assert.deepEqual(
      stats.channels!.map((c) => [c.name, c.configured, c.rows, c.last_seq]),
      [["in", true, 0, 0], ["out", true, 0, 0], ["main", false, expected.rows, expected.last_seq]],
    );
    assert.equal(stats.rows, expected.rows);
    store.channel("in").saveWithEveryFlush("energy", () => ({ totalJ: 1 }));
    store.channel("in").append(
      { tsMs: T0 + 200_000, seq: 1, v: 5, a: 0.1, w: 0.5, status: "ok", mode: "NORMAL" },
      { energyJ: 0, chargeC: 0 },
    );
    store.close();

    // Configured again, main has everything it had.
    store = open(["main", "in", "out"]);
    const main = store.channel("main");
    assert.equal(main.rows, expected.rows);
    assert.equal(main.writer.lastSeq, expected.last_seq);
    assert.deepEqual(main.getSetting("energy"), expected.energy);
    assert.deepEqual(main.getSetting("alert_rules"), expected.rules);
    assert.deepEqual(main.alerts.list(0, T0 + 1e6, 100), expected.alerts);
    assert.deepEqual(main.queries.minutes(T0 - 60_000, T0 + 180_000), expected.minutes);
    assert.deepEqual(store.channel("in").getSetting("energy"), { totalJ: 1 });
    assert.equal(store.channel("in").writer.lastSeq, 1);
    store.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Store.summary() gives /status the same figures as stats(), queued, flushed and dropped", async () => {
  const { store, feed, cleanup } = await setup({ maxQueue: 1000 });
  try {
    const pick = () => {
      const s = store.stats();
      return {
        path: s.path,
        rows: s.rows,
        file_bytes: s.file_bytes,
        pending: s.pending,
        dropped: s.dropped,
        last_flush_ms: s.last_flush_ms,
        last_error: s.last_error,
        checkpoints: s.checkpoints,
        last_checkpoint_ms: s.last_checkpoint_ms,
      };
    };
    assert.deepEqual(store.summary(), pick());
    feed(1500); // past maxQueue: some dropped
    assert.deepEqual(store.summary(), pick());
    assert.ok(store.summary().dropped > 0 && store.summary().pending > 0);
    store.flush();
    assert.deepEqual(store.summary(), pick());
    assert.ok(store.summary().rows > 0 && store.summary().last_flush_ms !== null);
  } finally {
    await cleanup();
  }
});

Deno.test("a timed flush writes in slices of FLUSH_SLICE_ROWS with event-loop turns between; close() mid-way writes the rest", async () => {
  for (const closeMidway of [false, true]) {
    const dir = await Deno.makeTempDir();
    const options = {
      path: `${dir}/test.db`,
      rawRetentionMs: 1e12,
      rollupRetentionMs: 1e12,
      retentionIntervalMs: 0,
    };
    const store = new Store({ ...options, flushIntervalMs: 50 });
    const samples = stream(5);
    const slices: number[] = [];
    let turns = 0;
    store.onWritten(() => {
      slices.push(store.summary().rows);
      // Counted only if the event loop ran between two slices.
      setTimeout(() => turns++, 0);
      if (closeMidway && slices.length === 1) store.close();
    });
    const total = 2.5 * FLUSH_SLICE_ROWS;
    try {
      for (let i = 0; i < total; i++) {
        store.append(samples.next().value as Sample, { energyJ: 0, chargeC: 0 });
      }
      const end = Date.now() + 5000;
      while (slices.length < (closeMidway ? 1 : 3) && Date.now() < end) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      if (closeMidway) {
        // close() wrote what was still queued at once, and left no slice timer behind
        // (the test's timer sanitizer would fail on one).
        assert.equal(slices[0], FLUSH_SLICE_ROWS);
        const reopened = new Store({ ...options, flushIntervalMs: 0 });
        assert.equal(reopened.summary().rows, total);
        reopened.close();
      } else {
        assert.deepEqual(slices, [FLUSH_SLICE_ROWS, 2 * FLUSH_SLICE_ROWS, total]);
        assert.ok(turns >= 2, `${turns} event-loop turns between the slices`);
        store.close();
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
});
