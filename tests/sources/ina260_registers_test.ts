import assert from "node:assert/strict";
import {
  CONFIG_POWER_ON,
  currentClipped,
  decodeBusVoltage,
  decodeConfig,
  decodeCurrent,
  decodePower,
  encodeConfig,
  REG_BUS_VOLTAGE,
  REG_CURRENT,
  REG_POWER,
} from "../../src/sources/ina260_registers.ts";

function near(actual: number, expected: number, message = "") {
  assert.ok(Math.abs(actual - expected) < 1e-9, `${message} ${actual} ≠ ${expected}`);
}

Deno.test("INA260 power-on configuration 6127h: 1 average, 1.1 ms each, continuous", () => {
  const config = decodeConfig(CONFIG_POWER_ON);
  assert.deepEqual(config, {
    averages: 1,
    busConversionUs: 1100,
    shuntConversionUs: 1100,
    mode: "shunt_bus_continuous",
  });
  assert.equal(encodeConfig(config), 0x6127, "reserved bits 14..12 read 110b");
  assert.equal(encodeConfig({ ...config, averages: 64, busConversionUs: 140 }), 0x6627);
});

Deno.test("INA260 decoders: fixed LSBs of §8.6.2–8.6.4 (1.25 mA, 1.25 mV, 10 mW)", () => {
  // 10 A at 12 V: 8000 × 1.25 mA, 9600 × 1.25 mV, 12000 × 10 mW.
  near(decodeCurrent(8000), 10);
  near(decodeBusVoltage(9600), 12);
  near(decodePower(12000), 120);
  near(decodeCurrent(0x10000 - 8000), -10, "two's complement");
  near(decodeCurrent(0x7fff), 40.95875);
  near(decodePower(0xffff), 655.35);
  assert.ok(currentClipped(0x8000) && !currentClipped(8000));
  assert.deepEqual([REG_CURRENT, REG_BUS_VOLTAGE, REG_POWER], [0x01, 0x02, 0x03]);
});
