/**
 * Every REST answer that carries computed figures (moving averages, history and
 * statistics buckets, spans, power efficiency, the energy reset) rounds them for the
 * wire (src/protocol/figures.ts); stored samples are answered as they are.
 */
import assert from "node:assert/strict";
import type { MeasurementRow } from "../../src/protocol/history.ts";
import { fakeApp } from "../fakes.ts";

/** Float noise as averaging and summing leave it: (0.1 + 0.2) / 2 and 0.1 + 0.2. */
const AVG = (0.1 + 0.2) / 2;
const SUM = 0.1 + 0.2;
const NOISY = { min: 0.1, max: 0.2, avg: AVG };
const CLEAN = { min: 0.1, max: 0.2, avg: 0.15 };

async function body(res: Response) {
  assert.equal(res.status, 200);
  return await res.json();
}

Deno.test("REST figures are rounded for the wire: a noisy average answers 0.15", async (t) => {
  const { app, fakes, nowMs } = fakeApp();
  fakes.analysis.movingAverages = () => ({ ma_1m: AVG, ma_5m: AVG, ma_15m: null });
  fakes.history.buckets = [{
    ts_ms: nowMs - 60_000,
    count: 2,
    errors: 0,
    v: NOISY,
    a: NOISY,
    w: NOISY,
  }];
  fakes.spans.answer = {
    ...fakes.spans.answer,
    count: 2,
    v: { ...NOISY, p2p: NOISY.avg, rms: NOISY.avg, sd: NOISY.avg },
    a: { ...NOISY, p2p: NOISY.avg, rms: NOISY.avg, sd: NOISY.avg },
    w: { ...NOISY, p2p: NOISY.avg, rms: NOISY.avg, sd: NOISY.avg },
    energy_j: SUM,
    energy_wh: SUM,
    charge_c: SUM,
    charge_ah: SUM,
  };
  fakes.energy.sinceResetJ = SUM * 3600;
  fakes.energy.sinceResetC = SUM * 3600;

  await t.step("GET /api/analysis/moving-averages", async () => {
    const b = await body(await app.request("/api/analysis/moving-averages"));
    for (const m of ["v", "a", "w"]) {
      assert.deepEqual(b[m], { ma_1m: 0.15, ma_5m: 0.15, ma_15m: null });
    }
  });
  for (const path of ["/api/history", "/api/statistics"]) {
    await t.step(`GET ${path}`, async () => {
      const b = await body(await app.request(path));
      assert.deepEqual([b.data[0].v, b.data[0].a, b.data[0].w], [CLEAN, CLEAN, CLEAN]);
    });
  }
  await t.step("GET /api/span", async () => {
    const b = await body(await app.request(`/api/span?from=${nowMs - 1000}&to=${nowMs}`));
    const clean = { ...CLEAN, p2p: 0.15, rms: 0.15, sd: 0.15 };
    assert.deepEqual([b.v, b.a, b.w], [clean, clean, clean]);
    assert.deepEqual([b.energy_j, b.energy_wh, b.charge_c, b.charge_ah], [0.3, 0.3, 0.3, 0.3]);
  });
  await t.step("GET /api/power-efficiency", async () => {
    const b = await body(await app.request("/api/power-efficiency"));
    assert.deepEqual(
      [b.avg_power_w, b.avg_voltage_v, b.avg_current_a, b.peak_power_w, b.energy_wh, b.charge_ah],
      [0.15, 0.15, 0.15, 0.2, 0.3, 0.3],
    );
  });
  await t.step("POST /api/energy/reset", async () => {
    const b = await body(await app.request("/api/energy/reset", { method: "POST" }));
    assert.deepEqual(b.previous, { energy_wh: 0.3, charge_ah: 0.3 });
  });
});

Deno.test("stored samples are answered as measured, not rounded", async () => {
  const { app, fakes, nowMs } = fakeApp();
  const row: MeasurementRow = {
    ts_ms: nowMs - 1000,
    seq: 1,
    v: 12.0000004,
    a: 0.1234567891,
    w: SUM,
    status: "ok",
    mode: "NORMAL",
    error: null,
  };
  fakes.history.rows = [row];
  const b = await body(await app.request("/api/measurements"));
  assert.deepEqual(b.data, [row]);
});
