import assert from "node:assert/strict";
import {
  calibrate,
  CONFIG_POWER_ON,
  decodeBusVoltage,
  decodeConfig,
  decodeCurrent,
  decodePower,
  decodeShuntVoltage,
  encodeConfig,
  REG_CALIBRATION,
  REG_CURRENT,
  REG_POWER,
  shuntClipped,
} from "../../src/sources/ina226_registers.ts";
import { REG_DIE_ID, REG_MASK_ENABLE } from "../../src/sources/ina2xx_registers.ts";

/** SBOS547 Table 1, Configure/Measure/Calculate Example: 10 A through 2 mΩ at 12 V. */
const TABLE_1 = {
  config: 0x4127,
  shunt: 0x1f40,
  bus: 0x2570,
  calibration: 0x0a00,
  current: 0x2710,
  power: 0x12b8,
};

function near(actual: number, expected: number, message = "") {
  assert.ok(Math.abs(actual - expected) < 1e-9, `${message} ${actual} ≠ ${expected}`);
}

Deno.test("INA226 encodeConfig() gives Table 1's and the power-on configuration", () => {
  const config = decodeConfig(TABLE_1.config);
  assert.deepEqual(config, {
    averages: 1,
    busConversionUs: 1100,
    shuntConversionUs: 1100,
    mode: "shunt_bus_continuous",
  });
  assert.equal(encodeConfig(config), CONFIG_POWER_ON);
  assert.equal(encodeConfig({ ...config, averages: 1024 }), 0x4f27);
});

Deno.test("INA226 calibrate() follows §7.5.1: 2 mΩ with a 1 mA LSB gives CAL 2560 (Table 1)", () => {
  const c = calibrate(0.002, 15, { currentLsbA: 0.001 });
  assert.equal(c.cal, TABLE_1.calibration);
  near(c.powerLsbW, 0.025);
  const auto = calibrate(0.1, 3.2);
  near(auto.currentLsbA, 0.0001, "smallest round LSB ≥ 3.2 A / 2^15");
  assert.equal(auto.cal, 512);
  assert.equal(calibrate(0.002, 15).cal, 5120, "500 µA for 15 A");
});

Deno.test("INA226 calibrate() keeps CAL in 15 bits and refuses what cannot fit", () => {
  const tiny = calibrate(0.1, 0.001); // 1 mA full scale: a fine LSB, CAL at its limit
  assert.ok(tiny.cal <= 0x7fff && tiny.cal >= 1);
  assert.throws(
    () => calibrate(0.1, 1, { currentLsbA: 1e-7 }),
    /calibration 512000 is outside 1–32767/,
  );
  assert.throws(() => calibrate(0, 1), RangeError);
});

Deno.test("INA226 decoders turn Table 1's registers into 20 mV, 11.98 V, 10 A and 119.8 W", () => {
  near(decodeShuntVoltage(TABLE_1.shunt), 0.02);
  near(decodeBusVoltage(TABLE_1.bus), 11.98);
  near(decodeCurrent(TABLE_1.current, 0.001), 10);
  near(decodePower(TABLE_1.power, 0.025), 119.8);
  // §7.5.1 Equations 3–4: Current = Shunt × CAL / 2048, Power = Current × Bus / 20000.
  assert.equal(Math.trunc((TABLE_1.shunt * TABLE_1.calibration) / 2048), TABLE_1.current);
  assert.equal(Math.trunc((TABLE_1.current * TABLE_1.bus) / 20000), TABLE_1.power);
});

Deno.test("INA226 decoders: negative shunt and current, full scale, bit 15 of the bus register", () => {
  near(decodeShuntVoltage(0xe0c0), -0.02);
  near(decodeShuntVoltage(0x7fff), 0.0819175);
  near(decodeShuntVoltage(0x8000), -0.08192);
  near(decodeCurrent(0xd8f0, 0.001), -10);
  near(decodeBusVoltage(0x7fff), 40.95875);
  near(decodeBusVoltage(0xffff), 40.95875, "bit 15 is always 0 and ignored");
  near(decodePower(0xffff, 0.025), 1638.375);
  assert.ok(shuntClipped(0x7fff) && shuntClipped(0x8000) && !shuntClipped(0x1f40));
});

Deno.test("INA226 register pointers are the datasheet's", () => {
  assert.deepEqual([REG_POWER, REG_CURRENT, REG_CALIBRATION, REG_MASK_ENABLE, REG_DIE_ID], [
    0x03,
    0x04,
    0x05,
    0x06,
    0xff,
  ]);
});
