/**
 * Tests of src/store/writer.ts: every sample stored, `seq` kept and reserved ahead across a
 * crash, rollups equal to the raw samples' statistics, failed flushes that lose nothing.
 * @module
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import type { Sample } from "../../src/sample.ts";
import { openDatabase } from "../../src/store/db.ts";
import { Queries } from "../../src/store/queries.ts";
import { SampleWriter, SEQ_BLOCK } from "../../src/store/writer.ts";
import { type Metric, METRICS } from "../../src/analysis/rolling.ts";
import { seededRandom } from "../../src/sources/mock.ts";
import { feeder, randomStream, sample, stream, T0, tempDb } from "./fixtures.ts";

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

Deno.test("SampleWriter.writeInTransaction() keeps rows queued and mode names right until the caller commits", () => {
  const db = openDatabase(":memory:");
  const writer = new SampleWriter(db);
  const append = feeder(writer);
  append({ ...sample(1, T0), mode: "NOISE" });
  db.exec("BEGIN IMMEDIATE");
  writer.writeInTransaction(10);
  db.exec("ROLLBACK");
  assert.equal(writer.pending, 1, "rolled back: still queued");
  assert.equal(writer.written, 0);
  append({ ...sample(2, T0 + 1000), mode: "LOAD_SPIKE" });
  db.exec("BEGIN IMMEDIATE");
  const committed = writer.writeInTransaction(10);
  db.exec("COMMIT");
  committed();
  assert.deepEqual([writer.pending, writer.written], [0, 2]);
  const rows = new Queries(db, writer.channelId).measurements(T0, T0 + 2000, 10);
  assert.deepEqual(rows.map((r) => `${r.seq}:${r.mode}`), ["2:LOAD_SPIKE", "1:NOISE"]);
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

Deno.test("SampleWriter reserves seq ahead, so a reopen after a crash never reuses one", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/test.db`;
  try {
    let db = openDatabase(path);
    let writer = new SampleWriter(db);
    const samples = stream(1);
    const append = (n: number) => {
      for (let i = 0; i < n; i++) {
        writer.append(samples.next().value as Sample, { energyJ: 0, chargeC: 0 });
      }
    };
    append(1);
    assert.equal(writer.reservedSeq, 1 + SEQ_BLOCK, "reserved before the first is handed out");
    append(SEQ_BLOCK + 5);
    assert.equal(writer.reservedSeq, SEQ_BLOCK + 2 + SEQ_BLOCK, "the next block, when crossed");
    writer.flush();
    append(3); // handed out (broadcast), never flushed: then the process dies
    const handedOut = writer.lastSeq;
    db.close();

    db = openDatabase(path);
    writer = new SampleWriter(db);
    assert.ok(writer.lastSeq >= handedOut, `continues after ${writer.lastSeq}, saw ${handedOut}`);
    db.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SampleWriter stores every row of a flush in order whatever its size (multi-row inserts)", async (t) => {
  for (const n of [1, 9, 10, 99, 100, 101, 1234]) {
    await t.step(`${n} rows`, () => {
      const db = openDatabase(":memory:");
      const writer = new SampleWriter(db);
      const append = feeder(writer);
      const samples = randomStream(n, n);
      samples.forEach((s, i) => {
        s.mode = ["NORMAL", "NOISE", "LOAD_SPIKE"][i % 3];
        append(s);
      });
      assert.equal(writer.flush(), n);
      const rows = db.prepare(
        "SELECT ts_ms, seq, v, a, w, status, error, m.name AS mode FROM samples JOIN modes m ON m.id = mode_id ORDER BY samples.id",
      ).all();
      assert.deepEqual(
        rows.map((r) => [r.ts_ms, r.seq, r.v, r.a, r.w, r.error, r.mode]),
        samples.map((s) => [s.tsMs, s.seq, s.v, s.a, s.w, s.error ?? null, s.mode]),
      );
      db.close();
    });
  }
});
