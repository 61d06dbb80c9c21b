import assert from "node:assert/strict";
import { MeasurementJson } from "../src/measurement_json.ts";
import { measurementMessage } from "../src/protocol/ws.ts";
import type { Sample } from "../src/sample.ts";
import { seededRandom } from "../src/sources/mock.ts";

function sample(over: Partial<Sample>): Sample {
  return {
    tsMs: 1_764_500_000_123,
    seq: 1,
    v: 5.012,
    a: 0.2,
    w: 1.002,
    status: "ok",
    mode: "NORMAL",
    ...over,
  };
}

const expected = (s: Sample) => JSON.stringify(measurementMessage(s));

Deno.test("MeasurementJson.text() is JSON.stringify(measurementMessage()) for 1 kHz streams", () => {
  const json = new MeasurementJson();
  const random = seededRandom(7);
  let tsMs = 1_764_499_999_990;
  for (let seq = 1; seq <= 20_000; seq++) {
    tsMs += random() < 0.01 ? -1500 : 1; // now and then the clock steps back
    const s = sample({
      tsMs,
      seq,
      v: Math.round(random() * 6000) / 1000,
      a: random() < 0.1 ? -random() : random() * 1e-7,
      w: random() < 0.05 ? 0 : random() * 40,
      status: random() < 0.05 ? "overflow" : "ok",
      mode: ["NORMAL", "NOISE", "LOAD_SPIKE"][seq % 3],
    });
    assert.equal(json.text(s), expected(s));
  }
});

Deno.test("MeasurementJson.text() matches on the edge cases", async (t) => {
  const json = new MeasurementJson();
  const cases: Record<string, Partial<Sample>> = {
    "ms 0": { tsMs: 1_764_500_000_000 },
    "ms 7": { tsMs: 1_764_500_000_007 },
    "ms 42": { tsMs: 1_764_500_000_042 },
    "ms 999": { tsMs: 1_764_500_000_999 },
    "epoch": { tsMs: 0 },
    "before the epoch": { tsMs: -1001 },
    "fractional time": { tsMs: 1_764_500_000_000.5 },
    "year 10000": { tsMs: 253_402_300_800_000 },
    "negative zero": { v: -0, a: -0, w: -0 },
    "exponent": { a: 1e-7, w: 1e21 },
    "NaN": { v: NaN },
    "Infinity": { w: Infinity },
    "failed read": { v: 0, a: 0, w: 0, status: "error", error: 'Sensor "x" failed\n' },
    "mode to escape": { mode: 'A "mode"\\ é \u2028' },
  };
  for (const [name, over] of Object.entries(cases)) {
    await t.step(name, () => {
      const s = sample(over);
      assert.equal(json.text(s), expected(s));
    });
  }
});

Deno.test("MeasurementJson.text() stays right with more modes than it caches", () => {
  const json = new MeasurementJson();
  for (let i = 0; i < 1000; i++) {
    const s = sample({ mode: `MODE_${i}` });
    assert.equal(json.text(s), expected(s));
  }
});

Deno.test("MeasurementJson.text() of a channel carries data.channel, as measurementMessage(s, channel)", () => {
  const json = new MeasurementJson("in-1");
  for (const over of [{}, { status: "error" as const, v: 0, a: 0, w: 0, error: "gone" }]) {
    const s = sample(over);
    assert.equal(json.text(s), JSON.stringify(measurementMessage(s, "in-1")));
    assert.equal(JSON.parse(json.text(s)).data.channel, "in-1");
  }
});
