/** Tests of src/derived/history.ts: derived history from the inputs' buckets and rows. */
import assert from "node:assert/strict";
import { deriveHistory, deriveRows, type InputBucket } from "../../src/derived/history.ts";
import type { MeasurementRow } from "../../src/protocol/history.ts";
import { openDatabase } from "../../src/store/db.ts";
import { Queries } from "../../src/store/queries.ts";
import { close } from "../assertions.ts";
import { REG, sumOf } from "./fixtures.ts";

const T0 = 1_700_000_000_000;
const TOTAL = sumOf("a", "b");

const stat = (min: number, max: number, avg: number) => ({ min, max, avg });

/** A one-second rollup bucket of constant V and A. */
function bucket(tsMs: number, v: number, a: number, extra: Partial<InputBucket> = {}): InputBucket {
  return {
    ts_ms: tsMs,
    count: 10,
    errors: 0,
    v: stat(v, v, v),
    a: stat(a, a, a),
    w: stat(v * a, v * a, v * a),
    energy_j: v * a, // 1 s
    ...extra,
  };
}

function row(tsMs: number, v: number, a: number, w = v * a): MeasurementRow {
  return { ts_ms: tsMs, seq: 0, v, a, w, status: "ok", mode: "NORMAL", error: null };
}

Deno.test("deriveHistory: efficiency of 5 W in, 3.96 W out from rollups is 0.792 by energy", () => {
  const [b, ...rest] = deriveHistory(REG, {
    in: [bucket(T0, 5, 1, { energy_j: 5 })],
    out: [bucket(T0, 3.3, 1.2, { energy_j: 3.96 })],
  });
  assert.equal(rest.length, 0);
  assert.equal(b.ts_ms, T0);
  assert.equal(b.derived, "efficiency");
  assert.equal(b.count, 10);
  assert.equal(b.efficiency_basis, "energy");
  close(b.efficiency!, 0.792, "efficiency");
  close(b.loss_w!, 1.04, "mean loss");
  close(b.loss_j!, 1.04, "energy lost");
  close(b.p_in_w!, 5, "P_in");
  assert.equal(b.energy_j, 3.96, "the output's energy");
  assert.deepEqual([b.v, b.a], [stat(3.3, 3.3, 3.3), stat(1.2, 1.2, 1.2)], "the output's v/a");
});

Deno.test("deriveHistory: energy efficiency is not the mean of the samples' efficiencies", () => {
  // Half a second at 1 W in, 10 % efficient, then half at 10 W in, 90 % efficient.
  const inRows: MeasurementRow[] = [], outRows: MeasurementRow[] = [];
  for (let t = 0; t < 1000; t += 100) {
    const pIn = t < 500 ? 1 : 10;
    inRows.push(row(T0 + t, 10, pIn / 10));
    outRows.push(row(T0 + t + 1, 5, pIn * (t < 500 ? 0.1 : 0.9) / 5));
  }
  const rows = deriveRows(REG, { in: inRows, out: outRows }, { intervalMs: () => 100 });
  assert.equal(rows.length, 10);
  const meanRatio = rows.reduce((s, r) => s + r.efficiency!, 0) / rows.length;
  close(meanRatio, 0.5, "mean of per-sample ratios");
  const [b] = deriveHistory(REG, {
    in: [{ ...bucket(T0, 10, 0.55), energy_j: 5.5 }],
    out: [{ ...bucket(T0, 5, 0.91), energy_j: 4.55 }],
  });
  close(b.efficiency!, 4.55 / 5.5, "E_out / E_in");
  assert.ok(b.efficiency! > 0.82, "83 % of the energy came through");
});

Deno.test("deriveHistory: without energy, or with a failed read, efficiency is mean P_out / mean P_in", () => {
  const noEnergy = deriveHistory(REG, {
    in: [bucket(T0, 5, 1, { energy_j: undefined })],
    out: [bucket(T0, 3.3, 1.2, { energy_j: null })],
  });
  assert.equal(noEnergy[0].efficiency_basis, "mean_power");
  close(noEnergy[0].efficiency!, 0.792, "mean power ratio");
  assert.equal(noEnergy[0].energy_j, null);
  assert.equal(noEnergy[0].loss_j, null);

  // The output failed for part of the bucket: its energy covers less time than the input's.
  const [b] = deriveHistory(REG, {
    in: [bucket(T0, 5, 1, { energy_j: 5 })],
    out: [bucket(T0, 3.3, 1.2, { count: 5, errors: 5, energy_j: 3.96 / 2 })],
  });
  assert.equal(b.efficiency_basis, "mean_power");
  close(b.efficiency!, 0.792, "not 0.396");
  assert.equal(b.count, 5);
  assert.equal(b.errors, 5);
});

Deno.test("deriveHistory: null efficiency when P_in ≤ 0; null figures where an input has no data", () => {
  const [zero, gap, failed] = deriveHistory(REG, {
    in: [
      bucket(T0, 5, 0, { energy_j: 0 }),
      bucket(T0 + 1000, 5, 1),
      { ...bucket(T0 + 2000, 5, 1), count: 0, errors: 10, v: stat(0, 0, 0) },
    ],
    out: [bucket(T0, 3.3, 0.1), bucket(T0 + 2000, 3.3, 1.2)],
  });
  assert.equal(zero.efficiency, null);
  assert.equal(zero.efficiency_basis, "energy");
  close(zero.loss_w!, -0.33, "loss");
  const empty = { min: null, max: null, avg: null };
  assert.deepEqual(gap, {
    ts_ms: T0 + 1000,
    count: 0,
    errors: 0,
    v: empty,
    a: empty,
    w: empty,
    derived: "efficiency",
    energy_j: null,
    efficiency: null,
    efficiency_basis: null,
    loss_w: null,
    p_in_w: null,
    loss_j: null,
  }, "the output has no bucket there");
  assert.equal(failed.count, 0);
  assert.equal(failed.errors, 10);
  assert.equal(failed.efficiency, null);
});

Deno.test("deriveHistory: sum adds mean power, current and energy; min/max unknown", () => {
  const out = deriveHistory(TOTAL, {
    a: [bucket(T0 + 1000, 5, 1), bucket(T0, 5, 2)],
    b: [bucket(T0, 12, 0.5, { count: 4 })],
  });
  assert.deepEqual(out.map((b) => b.ts_ms), [T0, T0 + 1000], "oldest first");
  const [b] = out;
  assert.equal(b.derived, "sum");
  assert.equal(b.count, 4, "the slower input's count");
  assert.deepEqual(b.w, { min: null, max: null, avg: 16 });
  assert.deepEqual(b.a, { min: null, max: null, avg: 2.5 });
  assert.deepEqual(b.v, { min: null, max: null, avg: 8.5 });
  assert.equal(b.energy_j, 16);
  assert.equal(b.efficiency, undefined);
  assert.equal(out[1].count, 0, "b has no bucket at T0+1000");
});

Deno.test("deriveHistory works on what the store's history query returns", () => {
  const db = openDatabase(":memory:");
  try {
    db.exec(`INSERT INTO channels (id, name) VALUES (1, 'in'), (2, 'out');
             INSERT INTO modes (id, name) VALUES (1, 'NORMAL')`);
    const insert = db.prepare(
      `INSERT INTO samples (channel_id, ts_ms, seq, v, a, w, status, mode_id, error, step_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, 100)`,
    );
    for (let i = 0; i < 20; i++) {
      const t = T0 + 100 * i;
      insert.run(1, t, i + 1, 5, 1, 5, 0, null);
      if (i === 15) insert.run(2, t + 1, i + 1, 0, 0, 0, 1, "I2C read failed");
      else insert.run(2, t + 1, i + 1, 3.3, 1.2, 3.96, 0, null);
    }
    const plan = { source: "raw" as const, bucketMs: 1000 };
    const [first, second] = deriveHistory(REG, {
      in: new Queries(db, 1).history(T0, T0 + 2000, plan),
      out: new Queries(db, 2).history(T0, T0 + 2000, plan),
    });
    close(first.efficiency!, 0.792, "first second");
    assert.equal(first.efficiency_basis, "mean_power", "the history query carries no energy");
    assert.deepEqual([first.count, first.errors], [10, 0]);
    assert.deepEqual([second.count, second.errors], [9, 1]);
    close(second.efficiency!, 0.792, "the failed read is left out, not counted as 0 W");
  } finally {
    db.close();
  }
});

Deno.test("deriveRows replays stored rows as the live channel computed them", () => {
  const inRows = [row(T0, 5, 1, 5), row(T0 + 10, 5, 1, 5), row(T0 + 20, 5, 1, 5)];
  const outRows = [
    row(T0 + 11, 3.3, 1.2, 3.96),
    { ...row(T0 + 1, 0, 0, 0), status: "error" as const, error: "I2C read failed" },
  ];
  // Newest first, as GET /api/measurements reads them: the order does not matter.
  const rows = deriveRows(REG, { in: inRows.toReversed(), out: outRows }, {
    intervalMs: () => 10,
  });
  assert.deepEqual(rows.map((r) => [r.ts_ms - T0, r.seq, r.status, r.error]), [
    [0, 1, "error", 'input "out": I2C read failed'],
    [10, 2, "ok", null],
  ], "in@T0+20 has no output sample after it in the rows: left out");
  close(rows[1].efficiency!, 0.792, "efficiency");
  close(rows[1].loss_w!, 1.04, "loss");
  assert.equal(rows[1].p_in_w, 5);
  assert.equal(rows[0].efficiency, null);
});
