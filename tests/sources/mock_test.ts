import assert from "node:assert/strict";
import { MockSource, MODES, seededRandom, startupMessages } from "../../src/sources/mock.ts";
import { SensorError } from "../../src/sources/source.ts";

const T0 = 1_700_000_000_000;

function readMany(source: MockSource, n: number, stepMs = 100) {
  return Array.from({ length: n }, (_, i) => source.read(T0 + i * stepMs));
}

function range(values: number[]): [number, number] {
  return [Math.min(...values), Math.max(...values)];
}

Deno.test("MockSource stays inside each mode's ranges of the v1 mock", async (t) => {
  const limits: Record<string, { v: [number, number]; a: [number, number] }> = {
    NORMAL: { v: [4.95, 5.05], a: [0.08, 0.32] },
    LOAD_SPIKE: { v: [4.5, 4.7], a: [0.8, 1.0] },
    VOLTAGE_DROP: { v: [4.1, 4.3], a: [0.3, 0.4] },
    NOISE: { v: [4.8, 5.2], a: [0.1, 0.3] },
  };
  for (const [mode, limit] of Object.entries(limits)) {
    await t.step(mode, () => {
      const source = new MockSource({ seed: 7 });
      source.setMode(mode);
      const readings = readMany(source, 2000);
      const [vMin, vMax] = range(readings.map((r) => r.v));
      const [aMin, aMax] = range(readings.map((r) => r.a));
      assert.ok(vMin >= limit.v[0] - 1e-9 && vMax <= limit.v[1] + 1e-9, `v ${vMin}..${vMax}`);
      assert.ok(aMin >= limit.a[0] - 1e-9 && aMax <= limit.a[1] + 1e-9, `a ${aMin}..${aMax}`);
      // The values really spread across the range rather than sitting in a corner.
      assert.ok(vMax - vMin > (limit.v[1] - limit.v[0]) * 0.8, "v spreads");
      for (const r of readings) {
        assert.equal(r.status, "ok");
        assert.equal(r.w, Math.round(r.v * r.a * 1000) / 1000);
        assert.equal(r.v, Math.round(r.v * 1000) / 1000, "3 decimals");
      }
    });
  }
});

Deno.test("MockSource NORMAL current follows 0.2 + 0.1·sin(2πt/10 s)", () => {
  const source = new MockSource({ seed: 3 });
  // At a quarter period the sine is +1: 0.3 ± 0.02; at three quarters, 0.1 ± 0.02.
  const quarter = Math.ceil(T0 / 10_000) * 10_000 + 2500;
  const high = source.read(quarter).a;
  const low = source.read(quarter + 5000).a;
  assert.ok(high >= 0.28 && high <= 0.32, `high ${high}`);
  assert.ok(low >= 0.08 && low <= 0.12, `low ${low}`);
});

Deno.test("MockSource ERROR_TEST fails every read with a SensorError", () => {
  const source = new MockSource({ seed: 1, mode: "ERROR_TEST" });
  assert.throws(() => source.read(T0), SensorError);
});

Deno.test("MockSource with one seed repeats the same values", () => {
  const a = readMany(new MockSource({ seed: 99 }), 50);
  const b = readMany(new MockSource({ seed: 99 }), 50);
  const c = readMany(new MockSource({ seed: 100 }), 50);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

Deno.test("seededRandom() yields values in [0, 1)", () => {
  const random = seededRandom(0);
  for (let i = 0; i < 10_000; i++) {
    const x = random();
    assert.ok(x >= 0 && x < 1);
  }
});

Deno.test("MockSource auto-rotates NORMAL → LOAD_SPIKE → VOLTAGE_DROP → NOISE → NORMAL", () => {
  const notices: string[] = [];
  const source = new MockSource({
    seed: 1,
    autoRotateMs: 30_000,
    onNotice: (m) => notices.push(m),
  });
  const modes: string[] = [];
  for (let s = 0; s <= 120; s++) {
    source.read(T0 + s * 1000);
    modes.push(source.mode);
  }
  assert.equal(modes[29], "NORMAL");
  assert.equal(modes[30], "LOAD_SPIKE");
  assert.equal(modes[60], "VOLTAGE_DROP");
  assert.equal(modes[90], "NOISE");
  assert.equal(modes[120], "NORMAL");
  assert.deepEqual(notices, [
    "Auto mode change: LOAD_SPIKE",
    "Auto mode change: VOLTAGE_DROP",
    "Auto mode change: NOISE",
    "Auto mode change: NORMAL",
  ]);
});

Deno.test("MockSource.setMode() keeps the chosen mode and rejects unknown ones", () => {
  const notices: string[] = [];
  const source = new MockSource({ seed: 1, autoRotateMs: 1000, onNotice: (m) => notices.push(m) });
  source.setMode("VOLTAGE_DROP");
  assert.equal(source.autoRotate, false);
  readMany(source, 100, 1000);
  assert.equal(source.mode, "VOLTAGE_DROP");
  assert.deepEqual(notices, ["Simulation Mode: VOLTAGE_DROP"]);
  assert.throws(() => source.setMode("TURBO"), RangeError);
  assert.equal(source.mode, "VOLTAGE_DROP");
});

Deno.test("MockSource.open() announces the v1 simulator's four start-up messages", async () => {
  const source = new MockSource({ mode: "NOISE" });
  assert.deepEqual(await source.open(), startupMessages("NOISE"));
  assert.deepEqual(startupMessages("NORMAL"), [
    "INA219 Power Monitoring Simulator",
    "JSON Protocol v1.0",
    "Simulation Mode: NORMAL",
    "Simulator ready - Starting measurements...",
  ]);
  assert.deepEqual([...source.modes], [...MODES]);
});
