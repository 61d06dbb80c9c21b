/**
 * Tests of src/store/sample_queue.ts: the writer's queue in typed columns gives back
 * every field of every queued sample, in order, across chunk boundaries and drops; and
 * rows written from it are stored with integer times, `seq` and step intervals.
 * @module
 */
import assert from "node:assert/strict";
import type { Sample } from "../../src/sample.ts";
import { openDatabase, STATUS_CODES } from "../../src/store/db.ts";
import { SampleQueue } from "../../src/store/sample_queue.ts";
import { SampleWriter } from "../../src/store/writer.ts";
import { seededRandom } from "../../src/sources/mock.ts";
import { T0, tempDb } from "./fixtures.ts";

interface Row {
  sample: Sample;
  energyJ: number;
  chargeC: number;
  stepMs: number | null;
}

function randomRow(random: () => number, seq: number): Row {
  const status = random() < 0.05 ? "error" : random() < 0.05 ? "overflow" : "ok";
  const sample: Sample = {
    tsMs: T0 + seq * 3,
    seq: 2 ** 40 + seq, // past 32 bits: seq is a Float64 column
    v: status === "error" ? 0 : 4 + random(),
    a: status === "error" ? 0 : random() - 0.5,
    w: status === "error" ? 0 : random() * 3,
    status,
    mode: ["NORMAL", "LOAD_SPIKE", "IDLE"][Math.floor(random() * 3)],
  };
  if (status === "error") sample.error = `read failed ${seq}`;
  const stepMs = random() < 0.1 ? null : Math.floor(random() * 10);
  return { sample, energyJ: random() * 1e-3, chargeC: random() * 1e-4, stepMs };
}

function assertRowsEqual(queue: SampleQueue, rows: readonly Row[]): void {
  assert.equal(queue.length, rows.length);
  rows.forEach(({ sample, energyJ, chargeC, stepMs }, i) => {
    const got = {
      tsMs: queue.tsMs(i),
      seq: queue.seq(i),
      v: queue.v(i),
      a: queue.a(i),
      w: queue.w(i),
      status: queue.status(i),
      mode: queue.modeName(queue.modeIndex(i)),
      error: queue.error(i),
      energyJ: queue.energyJ(i),
      chargeC: queue.chargeC(i),
      stepMs: queue.stepMs(i),
    };
    assert.deepEqual(got, {
      tsMs: sample.tsMs,
      seq: sample.seq,
      v: sample.v,
      a: sample.a,
      w: sample.w,
      status: STATUS_CODES[sample.status],
      mode: sample.mode,
      error: sample.error,
      energyJ,
      chargeC,
      stepMs,
    }, `row ${i}`);
  });
}

Deno.test("SampleQueue gives back every field in order across chunks, pushes and drops", () => {
  const random = seededRandom(7);
  const queue = new SampleQueue();
  let model: Row[] = [];
  let seq = 0;
  // Pushes and drops of every size around the 1024-row chunks, emptying now and then.
  for (let round = 0; round < 40; round++) {
    const pushes = Math.floor(random() * 3000);
    for (let i = 0; i < pushes; i++) {
      const row = randomRow(random, ++seq);
      queue.push(row.sample, row.energyJ, row.chargeC, row.stepMs);
      model.push(row);
    }
    assertRowsEqual(queue, model);
    const drop = round % 7 === 6 ? model.length + 5 : Math.floor(random() * (model.length + 1));
    queue.drop(drop);
    model = model.slice(Math.min(drop, model.length));
    assertRowsEqual(queue, model);
  }
});

Deno.test("SampleQueue: a reused slot does not keep an older row's error text", () => {
  const queue = new SampleQueue();
  const base = { v: 0, a: 0, w: 0, mode: "NORMAL" };
  for (let seq = 1; seq <= 2048; seq++) {
    queue.push(
      { ...base, tsMs: T0 + seq, seq, status: "error", error: `e${seq}` },
      0,
      0,
      null,
    );
  }
  queue.drop(1500); // the first chunk is emptied and kept for reuse
  for (let seq = 2049; seq <= 3072; seq++) {
    queue.push({ ...base, tsMs: T0 + seq, seq, status: "ok" }, 0, 0, 0);
  }
  for (let i = 0; i < queue.length; i++) {
    const seq = queue.seq(i);
    assert.equal(queue.error(i), seq <= 2048 ? `e${seq}` : undefined, `seq ${seq}`);
  }
});

Deno.test("SampleWriter stores times, seq and step intervals as INTEGER, every field as queued", async () => {
  const { dir, path } = await tempDb();
  const db = openDatabase(path);
  try {
    const writer = new SampleWriter(db);
    const random = seededRandom(3);
    const rows: Row[] = [];
    for (let seq = 1; seq <= 1234; seq++) {
      const row = randomRow(random, seq);
      row.sample.seq = seq;
      rows.push(row);
      writer.append(row.sample, {
        energyJ: row.energyJ,
        chargeC: row.chargeC,
        ...(row.stepMs === null ? {} : { dtMs: row.stepMs }),
      });
    }
    assert.equal(writer.flush(), rows.length);
    const types = db.prepare(
      `SELECT DISTINCT typeof(ts_ms) AS t, typeof(seq) AS s, typeof(channel_id) AS c,
         typeof(step_ms) AS step FROM samples ORDER BY step`,
    ).all().map((r) => ({ ...r }));
    assert.deepEqual(types, [
      { t: "integer", s: "integer", c: "integer", step: "integer" },
      { t: "integer", s: "integer", c: "integer", step: "null" },
    ]);
    const stored = db.prepare(
      `SELECT s.ts_ms, s.seq, s.v, s.a, s.w, s.status, m.name AS mode, s.error, s.step_ms,
         s.channel_id FROM samples s JOIN modes m ON m.id = s.mode_id ORDER BY s.seq`,
    ).all();
    assert.equal(stored.length, rows.length);
    stored.forEach((r, i) => {
      const { sample, stepMs } = rows[i];
      assert.deepEqual({ ...r }, {
        ts_ms: sample.tsMs,
        seq: sample.seq,
        v: sample.v,
        a: sample.a,
        w: sample.w,
        status: STATUS_CODES[sample.status],
        mode: sample.mode,
        error: sample.error ?? null,
        step_ms: stepMs,
        channel_id: writer.channelId,
      });
    });
  } finally {
    db.close();
    await Deno.remove(dir, { recursive: true });
  }
});
