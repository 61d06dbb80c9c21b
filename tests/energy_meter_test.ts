/** The energy meter: integration, counters, persistence with the store, reset. */
import assert from "node:assert/strict";
import type { EnergyCounters } from "../src/analysis/energy.ts";
import { ENERGY_KEY, EnergyMeter, type EnergyStorage } from "../src/energy_meter.ts";
import type { StatusMessage } from "../src/protocol/ws.ts";
import type { Sample } from "../src/sample.ts";
import { Store } from "../src/store/store.ts";

const T0 = 1_700_000_000_000;

/** Settings in a map; `flush()` writes what was registered, as the store does. */
class FakeStorage implements EnergyStorage {
  values = new Map<string, unknown>();
  #onFlush = new Map<string, () => unknown>();
  writes = 0;

  getSetting(key: string): unknown {
    return this.values.get(key);
  }

  setSetting(key: string, value: unknown): void {
    this.writes++;
    this.values.set(key, structuredClone(value));
  }

  saveWithEveryFlush(key: string, read: () => unknown): void {
    this.#onFlush.set(key, read);
  }

  flush(): void {
    for (const [key, read] of this.#onFlush) this.values.set(key, structuredClone(read()));
  }
}

function ok(tsMs: number, w = 1, a = 0.2): Sample {
  return { tsMs, seq: 0, v: 5, a, w, status: "ok", mode: "NORMAL" };
}

function failed(tsMs: number): Sample {
  return { tsMs, seq: 0, v: 0, a: 0, w: 0, status: "error", mode: "NORMAL", error: "x" };
}

function meter(storage = new FakeStorage(), maxGapMs = () => 5000) {
  const announced: StatusMessage[] = [];
  const m = new EnergyMeter({
    storage,
    maxGapMs,
    announce: (message) => announced.push(message),
    now: () => T0 + 60_000,
  });
  return { meter: m, storage, announced };
}

Deno.test("EnergyMeter.add() integrates ok samples and starts a new segment after a failed read", () => {
  const { meter: m } = meter();
  assert.deepEqual(m.add(ok(T0)), { energyJ: 0, chargeC: 0 }, "the first sample has no step");
  assert.deepEqual(m.add(ok(T0 + 1000)), { energyJ: 1, chargeC: 0.2, dtMs: 1000 });
  assert.deepEqual(m.add(failed(T0 + 2000)), { energyJ: 0, chargeC: 0 });
  assert.deepEqual(m.add(ok(T0 + 3000)), { energyJ: 0, chargeC: 0 }, "not across the failure");
  assert.deepEqual(m.add(ok(T0 + 4000, 3, 0.6)), { energyJ: 2, chargeC: 0.4, dtMs: 1000 });
  const c = m.counters;
  assert.deepEqual([c.totalJ, c.sinceResetJ, c.resetAtMs], [3, 3, T0 + 60_000]);
  assert.ok(Math.abs(c.totalC - 0.6) < 1e-12 && c.sinceResetC === c.totalC);
});

Deno.test("EnergyMeter follows a changing gap limit (the sample interval)", () => {
  let maxGapMs = 5000;
  const { meter: m } = meter(undefined, () => maxGapMs);
  m.add(ok(T0));
  assert.equal(m.add(ok(T0 + 4000)).energyJ, 4);
  maxGapMs = 500;
  assert.equal(m.add(ok(T0 + 5000)).energyJ, 0, "1 s is a gap at a 100 ms interval");
  assert.equal(m.add(ok(T0 + 5100)).energyJ, 0.1);
});

Deno.test("EnergyMeter restores the saved counters and saves them with every flush", () => {
  const storage = new FakeStorage();
  const saved: EnergyCounters = {
    totalJ: 7200,
    totalC: 1,
    sinceResetJ: 3600,
    sinceResetC: 0.5,
    resetAtMs: T0 - 1,
  };
  storage.values.set(ENERGY_KEY, saved);
  const { meter: m } = meter(storage);
  assert.deepEqual(m.figures(), {
    energy_wh: 1,
    charge_ah: 0.5 / 3600,
    energy_total_wh: 2,
    charge_total_ah: 1 / 3600,
    energy_since_ms: T0 - 1,
  });
  m.add(ok(T0));
  m.add(ok(T0 + 1000));
  assert.deepEqual(storage.values.get(ENERGY_KEY), saved, "nothing written between flushes");
  storage.flush();
  assert.equal((storage.values.get(ENERGY_KEY) as EnergyCounters).totalJ, 7201);
  assert.equal(storage.writes, 0, "flushes write through the store's own transaction");
});

Deno.test("EnergyMeter.reset() zeroes the since-reset counters, saves them at once and announces it", () => {
  const { meter: m, storage, announced } = meter();
  m.add(ok(T0));
  m.add(ok(T0 + 1000));
  const { previous, resetAtMs } = m.reset();
  assert.equal(previous.sinceResetJ, 1);
  assert.equal(resetAtMs, T0 + 60_000);
  assert.deepEqual(storage.values.get(ENERGY_KEY), {
    totalJ: 1,
    totalC: 0.2,
    sinceResetJ: 0,
    sinceResetC: 0,
    resetAtMs: T0 + 60_000,
  });
  assert.equal(announced.length, 1);
  assert.equal(announced[0].event, "energy_reset");
  assert.equal(announced[0].message, "Energy counters reset");
  assert.equal(m.figures().energy_total_wh, 1 / 3600, "the total keeps counting");
});

Deno.test("Store.saveWithEveryFlush() commits the value with the samples it was derived from", () => {
  const store = new Store({
    path: ":memory:",
    rawRetentionMs: 3_600_000,
    rollupRetentionMs: 86_400_000,
    flushIntervalMs: 0,
    retentionIntervalMs: 0,
  });
  try {
    const m = new EnergyMeter({ storage: store, maxGapMs: () => 5000, announce: () => {} });
    const sample = { ...ok(T0), seq: 1 };
    store.append(sample, m.add(sample));
    const next = { ...ok(T0 + 1000), seq: 2 };
    store.append(next, m.add(next));
    assert.equal(store.getSetting(ENERGY_KEY), undefined);
    store.flush();
    assert.deepEqual(store.getSetting(ENERGY_KEY), m.counters);
  } finally {
    store.close();
  }
});

Deno.test("EnergyMeter takes a chip's accumulator step where it gives one, integrates otherwise", () => {
  const steps: (undefined | { energyJ: number; chargeC: number })[] = [
    undefined,
    { energyJ: 7, chargeC: 2 },
    undefined,
  ];
  const m = new EnergyMeter({
    storage: new FakeStorage(),
    maxGapMs: () => 5000,
    announce: () => {},
    now: () => T0,
    accumulator: () => steps.shift(),
  });
  assert.deepEqual(m.add(ok(T0)), { energyJ: 0, chargeC: 0 }, "integrated: nothing before");
  assert.deepEqual(m.add(ok(T0 + 1000)), { energyJ: 7, chargeC: 2 }, "the chip's step");
  const integrated = m.add(ok(T0 + 2000));
  assert.equal(integrated.energyJ, 1, "1 W over the 1 s since the last sample");
  assert.equal(m.counters.totalJ, 8);
});
