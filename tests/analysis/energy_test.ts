/** Tests of src/analysis/energy.ts: the integrator and the energy totals. */
import assert from "node:assert/strict";
import { EnergyIntegrator, EnergyTotals } from "../../src/analysis/energy.ts";
import { close } from "../assertions.ts";

const T0 = 1_700_000_000_000;

Deno.test("EnergyIntegrator: 1 W for an hour is 1 Wh; a known waveform matches its integral", () => {
  const e = new EnergyIntegrator(() => 5000);
  let joules = 0, coulombs = 0;
  for (let s = 0; s <= 3600; s++) {
    const step = e.add(T0 + s * 1000, 1, 0.2);
    joules += step.energyJ;
    coulombs += step.chargeC;
  }
  close(joules / 3600, 1, "Wh");
  close(coulombs / 3600, 0.2, "Ah");

  // w(t) = 2 + sin(2πt/10 s) over 10 s at 1 ms: the integral is 20 J.
  const wave = new EnergyIntegrator(() => 5);
  let waveJ = 0;
  for (let ms = 0; ms <= 10_000; ms++) {
    waveJ += wave.add(T0 + ms, 2 + Math.sin(2 * Math.PI * ms / 10_000), 0).energyJ;
  }
  close(waveJ, 20, "sine energy", 1e-6);
});

Deno.test("EnergyIntegrator skips gaps longer than the limit and restarts after a break", () => {
  const e = new EnergyIntegrator(() => 2500);
  e.add(T0, 1, 1);
  assert.deepEqual(e.add(T0 + 3000, 1, 1), { energyJ: 0, chargeC: 0 }, "3 s gap > 2.5 s");
  assert.deepEqual(e.add(T0 + 4000, 1, 1), { energyJ: 1, chargeC: 1, dtMs: 1000 });
  e.break();
  assert.deepEqual(e.add(T0 + 5000, 1, 1), { energyJ: 0, chargeC: 0 }, "after a failed read");
});

Deno.test("EnergyTotals.reset() zeroes the since-reset counters but not the totals", () => {
  const totals = new EnergyTotals(undefined, T0);
  totals.add({ energyJ: 3600, chargeC: 720 });
  totals.reset(T0 + 1);
  const snap = totals.figures();
  assert.equal(snap.energy_wh, 0);
  assert.equal(snap.energy_total_wh, 1);
  assert.equal(snap.charge_total_ah, 0.2);
  assert.equal(snap.energy_since_ms, T0 + 1);
});
