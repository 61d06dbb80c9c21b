/** Tests of static/units.js: the prefix and decimals chosen per value (Deno, no browser). */
import assert from "node:assert/strict";
import { decimalsFor, formatUnit, prefixFor, scaled } from "../../static/units.js";

Deno.test("formatUnit() switches prefix at the right magnitudes", async (t) => {
  const cases: [number, "V" | "A" | "W", string][] = [
    [0.00015, "A", "150.0 µA"],
    [0.000999, "A", "999.0 µA"],
    [0.001, "A", "1.000 mA"],
    [0.213, "A", "213.0 mA"],
    [0.9999, "A", "999.9 mA"],
    [0.99996, "A", "1.000 A"], // rounds to 1000 mA: shown as 1.000 A instead
    [1.5, "A", "1.500 A"],
    [5.012, "V", "5.012 V"],
    [0.5, "V", "500.0 mV"],
    [0.0004, "V", "0.400 mV"], // V stops at mV
    [0.0000025, "W", "2.500 µW"],
    [0.997, "W", "997.0 mW"],
    [1500, "W", "1.500 kW"],
    [-0.00015, "A", "-150.0 µA"],
  ];
  for (const [value, unit, want] of cases) {
    await t.step(`${value} ${unit} → ${want}`, () => assert.equal(formatUnit(value, unit), want));
  }
});

Deno.test("scaled() never shows more decimals than the sensor resolves", async (t) => {
  await t.step("150 µA on a 1 mA sensor (the mock): no decimals, never 0.000 A", () => {
    assert.deepEqual(
      [scaled(0.00015, "A", { resolution: 0.001 }).text, scaled(0.00015, "A").unit],
      ["150", "µA"],
    );
  });
  await t.step("an INA219 with a 100 µA LSB: 213.4 mA keeps one decimal", () => {
    assert.equal(formatUnit(0.2134, "A", { resolution: 1e-4 }), "213.4 mA");
  });
  await t.step("4 mV bus steps: 5.012 V keeps three decimals, 0.512 V none in mV", () => {
    assert.equal(formatUnit(5.012, "V", { resolution: 0.004 }), "5.012 V");
    assert.equal(formatUnit(0.512, "V", { resolution: 0.004 }), "512 mV");
  });
  await t.step("an INA228's fine LSB does not add digits beyond four", () => {
    assert.equal(formatUnit(0.2134567, "A", { resolution: 1e-7 }), "213.5 mA");
  });
  await t.step("decimalsFor() directly", () => {
    assert.equal(decimalsFor(150, 1e-6, 0.001), 0);
    assert.equal(decimalsFor(5.012, 1, 0.001), 3);
    assert.equal(decimalsFor(5.012, 1), 3);
  });
});

Deno.test("scaled() without a finite number is an em dash in the base unit", () => {
  for (const value of [null, undefined, NaN, Infinity, "5"]) {
    assert.deepEqual(scaled(value, "A"), { text: "—", unit: "A", decimals: 0, factor: 1 });
  }
  assert.equal(formatUnit(0, "A"), "0.000 A", "zero takes the base unit");
  assert.equal(prefixFor(0, "W").prefix, "");
});

Deno.test("scaled() uses the formatter it is given (the page's language)", () => {
  const calls: [number, number][] = [];
  const s = scaled(0.00015, "A", {
    format: (v, d) => {
      calls.push([v, d]);
      return `<${v.toFixed(d)}>`;
    },
  });
  assert.equal(s.text, "<150.0>");
  assert.equal(calls.length, 1);
  assert.ok(Math.abs(calls[0][0] - 150) < 1e-9);
});
