import assert from "node:assert/strict";
import {
  ADC_CONFIG_POWER_ON,
  calibrate,
  decode20,
  decodeAdcConfig,
  decodeBusVoltage,
  decodeCharge,
  decodeConfig,
  decodeCurrent,
  decodeEnergy,
  decodePower,
  decodeShuntVoltage,
  decodeTemperature,
  encode20,
  encodeAdcConfig,
  encodeConfig,
  MODE_SHUNT_BUS_CONTINUOUS,
  modeChannels,
  periodMs,
  REGISTER_BYTES,
  shuntClipped,
} from "../../src/sources/ina228_registers.ts";

/**
 * The design example's returned values (Table 8-4): 6 A through 16.2 mΩ at 48 V for
 * one hour, CURRENT_LSB = 10 A / 2^19. The 20-bit results as 24-bit registers.
 */
const TABLE_8_4 = {
  shunt: encode20(311040),
  current: encode20(314572),
  bus: encode20(245760),
  power: 4718604,
  energy: 1061683200,
  charge: 1132462080,
  temperature: 3200,
  currentLsbA: 10 / 2 ** 19,
  shuntOhms: 0.0162,
};

function close(actual: number, expected: number, tolerance: number, message = "") {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${message} ${actual} ≠ ${expected}`);
}

Deno.test("INA228 calibrate(): SHUNT_CAL = 13107.2e6 × CURRENT_LSB × R, × 4 at ADCRANGE 1", () => {
  const c = calibrate(TABLE_8_4.shuntOhms, 10, { currentLsbA: TABLE_8_4.currentLsbA });
  assert.equal(c.shuntCal, 4050);
  close(c.powerLsbW, 61.035156e-6, 1e-12, "3.2 × CURRENT_LSB");
  close(c.energyLsbJ, 976.5625e-6, 1e-12, "16 × Power LSB");
  assert.equal(c.chargeLsbC, c.currentLsbA);
  assert.equal(
    calibrate(TABLE_8_4.shuntOhms, 10, { currentLsbA: TABLE_8_4.currentLsbA, adcRange: 1 })
      .shuntCal,
    16200,
  );
  // 20 µA (the round LSB above 10 A / 2^19) × 15 mΩ: SHUNT_CAL 3932.16 → 3932, whose LSB is used.
  const rounded = calibrate(0.015, 10);
  assert.equal(rounded.shuntCal, 3932);
  assert.equal(rounded.currentLsbA, 3932 / (13107.2e6 * 0.015));
  assert.throws(() => calibrate(1, 10), /SHUNT_CAL 262144 is outside 1–32767/);
  assert.throws(() => calibrate(-1, 10), RangeError);
});

Deno.test("INA228 decoders reproduce Table 8-4: 97.2 mV, 6 A, 48 V, 288 W, 1036800 J, 21600 C, 25 °C", () => {
  const lsb = TABLE_8_4.currentLsbA;
  close(decodeShuntVoltage(TABLE_8_4.shunt, 0), 0.0972, 1e-12);
  close(decodeCurrent(TABLE_8_4.current, lsb), 6, 1e-4);
  close(decodeBusVoltage(TABLE_8_4.bus), 48, 1e-12);
  close(decodePower(TABLE_8_4.power, 3.2 * lsb), 288, 1e-3);
  close(decodeEnergy(TABLE_8_4.energy, 16 * 3.2 * lsb), 1036800, 1e-6);
  close(decodeCharge(TABLE_8_4.charge, lsb), 21600, 1e-6);
  assert.equal(decodeTemperature(TABLE_8_4.temperature), 25);
});

Deno.test("INA228 20-bit fields ignore the 4 reserved low bits and are signed", () => {
  assert.equal(decode20(TABLE_8_4.shunt | 0xf), 311040, "bits 3..0 ignored");
  // Table 8-4's negative example: 1011 0100 0001 0000 0000 is −97.2 mV.
  const negative = 0b1011_0100_0001_0000_0000 * 16;
  assert.equal(decode20(negative), -311040);
  close(decodeShuntVoltage(negative, 0), -0.0972, 1e-12);
  close(decodeShuntVoltage(encode20(0x7ffff), 1), 0.04096, 1e-7, "ADCRANGE 1: ±40.96 mV");
  close(decodeBusVoltage(encode20(0x7ffff)), 102.4, 1e-3, "full scale above the 85 V rating");
  assert.equal(decodeCharge(2 ** 40 - 1, 1), -1, "40-bit two's complement");
  assert.ok(shuntClipped(encode20(0x7ffff)) && shuntClipped(encode20(-0x80000)));
  assert.ok(!shuntClipped(TABLE_8_4.shunt));
});

Deno.test("INA228 CONFIG and ADC_CONFIG encode, decode and give the result period", () => {
  assert.equal(encodeConfig({ convDelayMs: 0, tempComp: false, adcRange: 1 }), 0x0010);
  assert.deepEqual(decodeConfig(0x3ff0), { convDelayMs: 510, tempComp: true, adcRange: 1 });
  assert.throws(() => encodeConfig({ convDelayMs: 3, tempComp: false, adcRange: 0 }), /steps of 2/);
  const por = decodeAdcConfig(ADC_CONFIG_POWER_ON);
  assert.deepEqual(por, {
    mode: 0xf,
    busConversionUs: 1052,
    shuntConversionUs: 1052,
    temperatureConversionUs: 1052,
    averages: 1,
  });
  assert.equal(encodeAdcConfig(por), ADC_CONFIG_POWER_ON);
  close(periodMs(por), 3.156, 1e-12, "bus + shunt + temperature");
  const config = { ...por, mode: MODE_SHUNT_BUS_CONTINUOUS, averages: 16 as const };
  assert.equal(encodeAdcConfig(config), 0xbb6a);
  close(periodMs(config), 16 * 2.104, 1e-12, "16 × (1052 + 1052 µs)");
  assert.equal(periodMs({ ...config, mode: 0x8 }), 0, "shutdown");
  assert.deepEqual(modeChannels(0x3), {
    bus: true,
    shunt: true,
    temperature: false,
    continuous: false,
  });
  assert.deepEqual([REGISTER_BYTES[0x04], REGISTER_BYTES[0x09], REGISTER_BYTES[0x3f]], [3, 5, 2]);
});
