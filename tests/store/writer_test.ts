import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import type { Sample } from "../../src/sample.ts";
import { openDatabase, SCHEMA_VERSION, StoreError } from "../../src/store/db.ts";
import { planHistory, Queries, RESOLUTIONS } from "../../src/store/queries.ts";
import { Retention } from "../../src/store/retention.ts";
import { SampleWriter } from "../../src/store/writer.ts";
import { EnergyIntegrator } from "../../src/analysis/energy.ts";
import { type Metric, METRICS } from "../../src/analysis/rolling.ts";

/** Feeds samples to a writer with energy integrated as the pipeline does. */
function feeder(writer: SampleWriter, maxGapMs = 5000) {
  const energy = new EnergyIntegrator(() => maxGapMs);
  return (s: Sample) => {
    if (s.status === "error") {
      energy.break();
      writer.append(s, { energyJ: 0, chargeC: 0 });
    } else writer.append(s, energy.add(s.tsMs, s.w, s.a));
  };
}
import { seededRandom } from "../../src/sources/mock.ts";

const T0 = 1_700_000_000_000;

function sample(
  seq: number,
  tsMs: number,
  v = 5,
  a = 0.2,
  status: Sample["status"] = "ok",
): Sample {
  const s: Sample = { tsMs, seq, v, a, w: Math.round(v * a * 1000) / 1000, status, mode: "NORMAL" };
  if (status === "error") Object.assign(s, { v: 0, a: 0, w: 0, error: "read failed" });
  return s;
}

/** A random stream: irregular intervals, runs of equal values, failed reads, gaps. */
function randomStream(seed: number, n: number): Sample[] {
  const random = seededRandom(seed);
  const out: Sample[] = [];
  let t = T0 + Math.floor(random() * 1000);
  let v = 5;
  for (let i = 1; i <= n; i++) {
    t += random() < 0.01 ? 5000 + Math.floor(random() * 90_000) : 1 + Math.floor(random() * 400);
    if (random() < 0.7) v = Math.round((4 + random() * 2) * 1000) / 1000;
    const status = random() < 0.05 ? "error" : "ok";
    out.push(sample(i, t, v, Math.round(random() * 1000) / 1000, status));
  }
  return out;
}

async function tempDb(): Promise<{ path: string; dir: string }> {
  const dir = await Deno.makeTempDir();
  return { dir, path: `${dir}/test.db` };
}

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

Deno.test("SampleWriter stores every sample with integer times and keeps seq across reopen", async () => {
  const { dir, path } = await tempDb();
  try {
    let db = openDatabase(path);
    let writer = new SampleWriter(db);
    const append = feeder(writer);
    for (let i = 1; i <= 10; i++) {
      append(sample(i, T0 + i * 1000, 5, 0.2, i === 4 ? "error" : "ok"));
    }
    assert.equal(writer.pending, 10);
    assert.equal(writer.flush(), 10);
    assert.equal(writer.pending, 0);
    const types = db.prepare("SELECT typeof(ts_ms) t, typeof(seq) s FROM samples GROUP BY 1, 2")
      .all();
    assert.deepEqual(types.map((r) => ({ ...r })), [{ t: "integer", s: "integer" }]);
    const rows = new Queries(db, writer.channelId).measurements(T0, T0 + 20_000, 100);
    assert.equal(rows.length, 10);
    assert.equal(rows[0].seq, 10, "newest first");
    assert.deepEqual(rows.find((r) => r.seq === 4), {
      ts_ms: T0 + 4000,
      seq: 4,
      v: 0,
      a: 0,
      w: 0,
      status: "error",
      mode: "NORMAL",
      error: "read failed",
    });
    db.exec("DELETE FROM samples"); // even with every row gone (retention), seq continues
    writer.release(); // a clean shutdown gives back the unused reservation
    db.close();
    db = openDatabase(path);
    writer = new SampleWriter(db);
    assert.equal(writer.lastSeq, 10);
    db.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** min/max/sum/count of each metric of the ok samples in [start, start + width). */
function naive(samples: Sample[], start: number, width: number) {
  const inside = samples.filter((s) => s.tsMs >= start && s.tsMs < start + width);
  const ok = inside.filter((s) => s.status !== "error");
  const agg = (k: Metric) => ({
    min: ok.length ? Math.min(...ok.map((s) => s[k])) : null,
    max: ok.length ? Math.max(...ok.map((s) => s[k])) : null,
    avg: ok.length ? ok.reduce((sum, s) => sum + s[k], 0) / ok.length : null,
  });
  return {
    count: ok.length,
    errors: inside.length - ok.length,
    v: agg("v"),
    a: agg("a"),
    w: agg("w"),
  };
}

function assertClose(actual: number | null, expected: number | null, what: string) {
  if (expected === null || actual === null) return assert.equal(actual, expected, what);
  assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual} ≠ ${expected}`);
}

Deno.test("rollups equal the statistics of the raw samples (random streams, many windows)", async (t) => {
  for (const seed of [1, 2, 3]) {
    await t.step(`seed ${seed}`, () => {
      const db = openDatabase(":memory:");
      const writer = new SampleWriter(db);
      const append = feeder(writer);
      const samples = randomStream(seed, 6000);
      const random = seededRandom(seed + 100);
      for (const s of samples) {
        append(s);
        if (random() < 0.02) writer.flush(); // flushes split buckets at random places
      }
      writer.flush();
      const queries = new Queries(db, writer.channelId);
      // Aligned to a minute, so every source starts at the same instant.
      const first = Math.floor(samples[0].tsMs / 60_000) * 60_000;
      const last = samples.at(-1)!.tsMs + 1;
      for (
        const [source, widths] of [["100ms", [100, 700]], ["1s", [1000, 7000]], ["1m", [
          60_000,
          300_000,
        ]], ["raw", [
          250,
          1000,
          60_000,
        ]]] as const
      ) {
        for (const bucketMs of widths) {
          const buckets = queries.history(first, last, { source, bucketMs });
          for (const b of buckets) {
            const want = naive(samples, b.ts_ms, bucketMs);
            const where = `${source}/${bucketMs} @${b.ts_ms}`;
            assert.equal(b.count, want.count, `${where} count`);
            assert.equal(b.errors, want.errors, `${where} errors`);
            for (const m of METRICS) {
              assertClose(b[m].min, want[m].min, `${where} ${m}.min`);
              assertClose(b[m].max, want[m].max, `${where} ${m}.max`);
              assertClose(b[m].avg, want[m].avg, `${where} ${m}.avg`);
            }
          }
          const total = buckets.reduce((n, b) => n + b.count + b.errors, 0);
          assert.equal(total, samples.length, `${source}/${bucketMs} covers every sample`);
        }
      }
      db.close();
    });
  }
});

Deno.test("rollups integrate energy and charge, not across gaps or failed reads", () => {
  const db = openDatabase(":memory:");
  const writer = new SampleWriter(db);
  const append = feeder(writer);
  // 1 W (5 V × 0.2 A) for 3600 s at 1 Hz: 1 Wh = 3600 J, 0.2 Ah = 720 C.
  for (let i = 0; i <= 3600; i++) append(sample(i + 1, T0 + i * 1000, 5, 0.2));
  // A 60 s gap, then a failed read between two good ones: neither adds anything.
  append(sample(3602, T0 + 3660_000, 5, 0.2));
  append(sample(3603, T0 + 3661_000, 5, 0.2, "error"));
  append(sample(3604, T0 + 3662_000, 5, 0.2));
  writer.flush();
  const row = db.prepare("SELECT SUM(energy_j) e, SUM(charge_c) c FROM rollup_1m").get() as {
    e: number;
    c: number;
  };
  assert.ok(Math.abs(row.e - 3600) < 1e-6, `energy ${row.e} J`);
  assert.ok(Math.abs(row.c - 720) < 1e-6, `charge ${row.c} C`);
  const s1 = db.prepare("SELECT SUM(energy_j) e FROM rollup_1s").get() as { e: number };
  assert.ok(Math.abs(s1.e - 3600) < 1e-6);
  db.close();
});

Deno.test("Retention removes exactly what is older than each limit, in chunks", async () => {
  const db = openDatabase(":memory:");
  const writer = new SampleWriter(db);
  const append = feeder(writer);
  const nowMs = T0 + 10 * 3_600_000;
  // One sample every 10 s for 10 hours.
  for (let i = 0; i < 3600; i++) append(sample(i + 1, T0 + i * 10_000));
  writer.flush();
  let yields = 0;
  const retention = new Retention(db, {
    rawRetentionMs: 4 * 3_600_000,
    rollupRetentionMs: 6 * 3_600_000,
    chunkRows: 100,
    now: () => nowMs,
    yieldFn: () => {
      yields++;
      return Promise.resolve();
    },
  });
  const result = await retention.run();
  const rawCut = nowMs - 4 * 3_600_000;
  const minuteCut = nowMs - 6 * 3_600_000;
  const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
  assert.equal(count(`SELECT COUNT(*) n FROM samples WHERE ts_ms < ${rawCut}`), 0);
  assert.equal(count(`SELECT COUNT(*) n FROM samples`), 1440, "the last 4 h stay");
  assert.equal(result.samples, 3600 - 1440);
  assert.equal(count(`SELECT COUNT(*) n FROM rollup_1s WHERE bucket_ms < ${rawCut}`), 0);
  assert.equal(count(`SELECT COUNT(*) n FROM rollup_1m WHERE bucket_ms < ${minuteCut}`), 0);
  assert.equal(count(`SELECT COUNT(*) n FROM rollup_1m`), 360, "the last 6 h of minutes stay");
  assert.ok(yields >= 20, `yielded ${yields} times between chunks`);
  assert.deepEqual(await retention.run(), {
    samples: 0,
    rollup_100ms: 0,
    rollup_1s: 0,
    rollup_1m: 0,
    alerts: 0,
  });
  assert.ok((await retention.vacuum()) >= 0);
  db.close();
});

Deno.test("planHistory() picks the cheapest exact source and never exceeds points", async (t) => {
  const cases: [string, number, number, number, string][] = [
    ["48 h, 1000 points", 48 * 3_600_000, 1000, 1, "1m"],
    ["1 h, 1000 points", 3_600_000, 1000, 1, "1s"],
    ["10 min, 1500 points (a live chart at 1 kHz)", 600_000, 1500, 1, "100ms"],
    ["10 s, 500 points", 10_000, 500, 1, "raw"],
    ["30 days, 5000 points", 30 * 86_400_000, 5000, 1, "1m"],
    ["old 2 h, forced minutes", 2 * 3_600_000, 5000, 60_000, "1m"],
  ];
  for (const [name, spanMs, points, minRes, source] of cases) {
    await t.step(name, () => {
      for (const fromMs of [T0, T0 + 123_457, T0 + 59_999]) {
        const plan = planHistory(fromMs, fromMs + spanMs, points, minRes);
        assert.equal(plan.source, source);
        const res = RESOLUTIONS.find((r) => r.name === plan.source)!.widthMs;
        assert.equal(plan.bucketMs % res, 0, "bucket width is a multiple of the source resolution");
        const n = Math.floor((fromMs + spanMs - 1) / plan.bucketMs) -
          Math.floor(fromMs / plan.bucketMs) + 1;
        assert.ok(n <= points, `${n} buckets for ${points} points`);
        assert.ok(n >= points / 3 || plan.bucketMs === res, `not far fewer than asked: ${n}`);
      }
    });
  }
});

Deno.test("history from a mid-second start counts what the raw rows in the window hold", () => {
  const db = openDatabase(":memory:");
  const writer = new SampleWriter(db);
  const append = feeder(writer);
  // Whole-second samples, as a 1 Hz sampler on time writes them.
  for (let i = 0; i < 600; i++) append(sample(i + 1, T0 + i * 1000, 5, i === 10 ? 9 : 0.2));
  writer.flush();
  const queries = new Queries(db, writer.channelId);
  const from = T0 + 10_300; // just after the 9 A sample at T0 + 10 s
  const to = T0 + 500_700;
  const raw = queries.measurements(from, to, 100_000);
  for (const source of ["raw", "1s"] as const) {
    const buckets = queries.history(from, to, { source, bucketMs: 10_000 });
    assert.equal(buckets.reduce((n, b) => n + b.count, 0), raw.length, source);
    assert.equal(Math.max(...buckets.map((b) => b.a.max!)), 0.2, `${source}: 9 A is outside`);
  }
  db.close();
});

Deno.test("Queries.iterate() pages through equal timestamps without loss or repeats", () => {
  const db = openDatabase(":memory:");
  const writer = new SampleWriter(db);
  const append = feeder(writer);
  for (let i = 1; i <= 1000; i++) append(sample(i, T0 + Math.floor(i / 7)));
  writer.flush();
  const queries = new Queries(db, writer.channelId);
  const pages = [...queries.iterate(T0, T0 + 1000, 64)];
  const seqs = pages.flat().map((r) => r.seq);
  assert.deepEqual(seqs, Array.from({ length: 1000 }, (_, i) => i + 1));
  assert.ok(pages.every((p) => p.length <= 64));
  db.close();
});

Deno.test("SampleWriter keeps mode names right after a rolled-back flush", () => {
  const db = openDatabase(":memory:");
  const writer = new SampleWriter(db);
  const append = feeder(writer);
  db.exec(`CREATE TRIGGER fail BEFORE INSERT ON samples WHEN NEW.seq = 2
           BEGIN SELECT RAISE(ABORT, 'disk trouble'); END`);
  append({ ...sample(2, T0), mode: "NOISE" });
  assert.throws(() => writer.flush(), /disk trouble/);
  db.exec("DROP TRIGGER fail");
  append({ ...sample(3, T0 + 1000), mode: "LOAD_SPIKE" });
  assert.equal(writer.flush(), 2, "the queued sample is written with the next flush");
  const rows = new Queries(db, writer.channelId).measurements(T0, T0 + 2000, 10);
  assert.deepEqual(rows.map((r) => `${r.seq}:${r.mode}`), ["3:LOAD_SPIKE", "2:NOISE"]);
  db.close();
});

Deno.test("SampleWriter keeps rollups when the write lock cannot be had", async () => {
  const { dir, path } = await tempDb();
  const db = openDatabase(path);
  const other = new DatabaseSync(path);
  try {
    db.exec("PRAGMA busy_timeout = 50");
    const writer = new SampleWriter(db);
    feeder(writer)(sample(1, T0, 5, 0.2));
    other.exec("BEGIN IMMEDIATE"); // another process holds the write lock
    assert.throws(() => writer.flush(), /locked|busy/i);
    other.exec("ROLLBACK");
    assert.equal(writer.flush(), 1);
    const n = db.prepare("SELECT SUM(count) AS n FROM rollup_1s").get() as { n: number };
    assert.equal(n.n, 1, "the sample's rollup was not lost");
  } finally {
    other.close();
    db.close();
    await Deno.remove(dir, { recursive: true });
  }
});
