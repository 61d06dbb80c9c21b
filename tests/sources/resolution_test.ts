/** Tests of src/sources/resolution.ts: each sensor's step per metric. */
import assert from "node:assert/strict";
import { resolutionOf } from "../../src/sources/resolution.ts";

Deno.test("resolutionOf() takes calibrated chips' current and power LSBs from details", async (t) => {
  await t.step("INA219: 4 mV bus, Current_LSB and Power_LSB as calibrated", () => {
    assert.deepEqual(resolutionOf("ina219", { current_lsb_a: 1e-4, power_lsb_w: 2e-3 }), {
      v: 0.004,
      a: 1e-4,
      w: 2e-3,
    });
  });
  await t.step("INA226 and INA228: their own bus LSBs", () => {
    const details = { current_lsb_a: 1e-5, power_lsb_w: 2.5e-4 };
    assert.equal(resolutionOf("ina226", details)?.v, 0.00125);
    assert.equal(resolutionOf("ina228", details)?.v, 195.3125e-6);
  });
  await t.step("INA3221: power is the product of the bus and current LSBs", () => {
    const r = resolutionOf("ina3221", { current_lsb_a: 40e-6 / 0.1 });
    assert.deepEqual(r, { v: 0.008, a: 4e-4, w: 0.008 * 4e-4 });
  });
  await t.step("INA260: fixed LSBs (1.25 mV, 1.25 mA, 10 mW)", () => {
    assert.deepEqual(resolutionOf("ina260", {}), { v: 0.00125, a: 0.00125, w: 0.01 });
  });
  await t.step("the v1 device, the mock and hwmon: three decimals / mV, mA, µW", () => {
    assert.deepEqual(resolutionOf("mock", {}), { v: 0.001, a: 0.001, w: 0.001 });
    assert.deepEqual(resolutionOf("serial", {}), { v: 0.001, a: 0.001, w: 0.001 });
    assert.deepEqual(resolutionOf("hwmon", {}), { v: 0.001, a: 0.001, w: 1e-6 });
  });
});

Deno.test("resolutionOf() is null when the step is not known", () => {
  assert.equal(resolutionOf("ina219", {}), null, "not calibrated");
  assert.equal(resolutionOf("ina219", { current_lsb_a: 0, power_lsb_w: 1 }), null);
  assert.equal(resolutionOf("ina226", { current_lsb_a: 1e-4 }), null, "no power LSB");
  assert.equal(resolutionOf("thermometer", { current_lsb_a: 1e-4, power_lsb_w: 1 }), null);
});
