/**
 * Tests of src/recordings/battery.ts and compare.ts: battery life arithmetic and the
 * deltas of a comparison, on hand-made figures.
 * @module
 */
import assert from "node:assert/strict";
import type { SpanResponse } from "../../src/protocol/span.ts";
import { BATTERY_ASSUMPTION, batteryLife } from "../../src/recordings/battery.ts";
import { compare } from "../../src/recordings/compare.ts";

function span(a: number | null, w: number | null, extra: Partial<SpanResponse> = {}): SpanResponse {
  const stat = (x: number | null) => ({
    min: x,
    max: x,
    avg: x,
    p2p: x === null ? null : 0,
    rms: x === null ? null : Math.abs(x),
    sd: x === null ? null : 0,
  });
  return {
    from_ms: 0,
    to_ms: 1000,
    duration_ms: 1000,
    count: 1000,
    errors: 0,
    v: stat(3.7),
    a: stat(a),
    w: stat(w),
    energy_j: 1,
    energy_wh: 1 / 3600,
    charge_c: 0.1,
    charge_ah: 0.1 / 3600,
    source: { exact: true, from_ms: 0, to_ms: 1000, parts: [], steps_unknown: 0 },
    ...extra,
  };
}

Deno.test("batteryLife() divides capacity by the average current, and energy by the average power", async (t) => {
  await t.step("2000 mAh at 100 mA: 20 h; at 3.7 V and 0.5 W: 14.8 h", () => {
    const b = batteryLife(span(0.1, 0.5), 2000, 3.7);
    assert.equal(b.runtime_h_from_current, 20);
    assert.equal(b.runtime_h_from_energy, 2 * 3.7 / 0.5);
    assert.deepEqual([b.capacity_mah, b.nominal_v, b.avg_current_a, b.avg_power_w], [
      2000,
      3.7,
      0.1,
      0.5,
    ]);
    assert.equal(b.assumption, BATTERY_ASSUMPTION);
    assert.match(b.assumption, /No chemistry model/);
  });
  await t.step("without a nominal voltage: no runtime from energy", () => {
    const b = batteryLife(span(0.002, 0.0066), 220);
    assert.equal(b.runtime_h_from_current, 110);
    assert.equal(b.runtime_h_from_energy, null);
    assert.equal(b.nominal_v, null);
  });
  await t.step("no draw, a negative or a missing average: null, never Infinity", () => {
    for (const a of [0, -0.01, null]) {
      const b = batteryLife(span(a, a), 1000, 3.7);
      assert.equal(b.runtime_h_from_current, null);
      assert.equal(b.runtime_h_from_energy, null);
    }
  });
  await t.step("bad capacity or voltage: RangeError", () => {
    assert.throws(() => batteryLife(span(0.1, 0.5), 0), RangeError);
    assert.throws(() => batteryLife(span(0.1, 0.5), Number.NaN), RangeError);
    assert.throws(() => batteryLife(span(0.1, 0.5), 100, -1), RangeError);
  });
});

Deno.test("compare() gives each item's deltas from the first, absolute and in per cent", () => {
  const out = compare([
    { id: 4, name: "A", channel: "main", span: span(0.1, 0.5) },
    {
      id: 9,
      name: "B",
      channel: "main",
      span: span(0.125, 0.4, { energy_j: 0, duration_ms: 1500 }),
    },
  ]);
  assert.equal(out.base_id, 4);
  const [a, b] = out.items;
  for (const d of Object.values(a.deltas)) assert.deepEqual(d, { abs: 0, pct: 0 });
  assert.deepEqual(b.deltas.a_avg, { abs: 0.125 - 0.1, pct: (0.125 - 0.1) / 0.1 * 100 });
  assert.deepEqual(b.deltas.w_max, { abs: 0.4 - 0.5, pct: (0.4 - 0.5) / 0.5 * 100 });
  assert.deepEqual(b.deltas.energy_j, { abs: -1, pct: -100 });
  assert.deepEqual(b.deltas.duration_ms, { abs: 500, pct: 50 });
  assert.equal(b.figures.a_avg, 0.125);
  assert.equal(b.name, "B");
  // A base of 0 has no per cent; a missing figure no delta.
  const zero = compare([
    { id: 1, name: "0", channel: "main", span: span(0, null, { energy_j: 0 }) },
    { id: 2, name: "1", channel: "main", span: span(0.1, 0.5) },
  ]);
  assert.deepEqual(zero.items[1].deltas.a_avg, { abs: 0.1, pct: null });
  assert.deepEqual(zero.items[1].deltas.w_avg, { abs: null, pct: null });
  assert.throws(() => compare([]), RangeError);
});
