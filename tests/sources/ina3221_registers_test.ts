import assert from "node:assert/strict";
import {
  averagesFor,
  busRegister,
  channelEnableBit,
  CONFIG_POWER_ON,
  conversionReady,
  conversionTimeFor,
  cycleTimeMs,
  decodeBusVoltage,
  decodeConfig,
  decodeShuntVoltage,
  encodeConfig,
  encodeCount,
  type Ina3221Config,
  MASK_ENABLE_POWER_ON,
  shuntClipped,
  shuntRegister,
} from "../../src/sources/ina3221_registers.ts";

const POWER_ON: Ina3221Config = {
  channels: [1, 2, 3],
  averages: 1,
  busConversionUs: 1100,
  shuntConversionUs: 1100,
  mode: "shunt_bus_continuous",
};

function near(actual: number, expected: number) {
  assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} ≠ ${expected}`);
}

Deno.test("decodeConfig() reads the power-on value 0x7127 as the datasheet describes it", () => {
  assert.deepEqual(decodeConfig(CONFIG_POWER_ON), POWER_ON);
  assert.equal(encodeConfig(POWER_ON), 0x7127);
  assert.equal(decodeConfig(0xf127).channels.length, 3, "RST (bit 15) is not a field");
});

Deno.test("encodeConfig() places CH1en–CH3en at bits 14–12 and round-trips every field", () => {
  assert.deepEqual([1, 2, 3].map((c) => channelEnableBit(c as 1 | 2 | 3)), [
    0x4000,
    0x2000,
    0x1000,
  ]);
  assert.equal(encodeConfig({ ...POWER_ON, channels: [1, 3] }), 0x5127);
  assert.equal(encodeConfig({ ...POWER_ON, averages: 1024, mode: "power_down" }), 0x7f20);
  for (let raw = 0; raw < 0x8000; raw += 7) {
    const config = decodeConfig(raw);
    // 000 and 100 are both power-down: only those two codes do not round-trip.
    if ((raw & 0b111) !== 0b100) assert.equal(encodeConfig(config), raw);
  }
});

Deno.test("cycleTimeMs() follows the datasheet's timing examples", () => {
  // §8.4.2.2: data every 2 ms with all three channels: 332 µs conversions (3 × 664 µs).
  near(cycleTimeMs({ ...POWER_ON, busConversionUs: 332, shuntConversionUs: 332 }), 1.992);
  // §8.4.2.2: 4.156 ms shunt with 588 µs bus for a ~5 ms update (one channel).
  near(
    cycleTimeMs({ ...POWER_ON, channels: [1], busConversionUs: 588, shuntConversionUs: 4156 }),
    4.744,
  );
  near(cycleTimeMs(POWER_ON), 6.6);
  near(cycleTimeMs({ ...POWER_ON, averages: 4 }), 26.4);
  near(cycleTimeMs({ ...POWER_ON, mode: "bus_continuous" }), 3.3);
  assert.equal(cycleTimeMs({ ...POWER_ON, mode: "power_down" }), 0);
});

Deno.test("decodeBusVoltage() gives 8 mV per bit in bits 15..3 (datasheet register values)", () => {
  near(decodeBusVoltage(0x2710), 10); // §8.6.2.17: power-valid upper limit 2710h = 10.000 V
  near(decodeBusVoltage(0x2328), 9); // §8.6.2.18: lower limit 2328h = 9.000 V
  near(decodeBusVoltage(0x7ff8), 32.76); // §8.3: full-scale register value = 32.76 V
  near(decodeBusVoltage(0x7ffd), 32.76); // bits 2..0 are not data
  near(decodeBusVoltage(0x8008), -32.76);
});

Deno.test("decodeShuntVoltage() gives 40 µV per bit, signed, full scale ±163.8 mV", () => {
  near(decodeShuntVoltage(0x7ff8), 0.1638);
  near(decodeShuntVoltage(0x8008), -0.1638);
  near(decodeShuntVoltage(0x0008), 0.00004);
  near(decodeShuntVoltage(0xfff8), -0.00004);
  near(decodeShuntVoltage(0x2710), 0.05); // 0.5 A through 0.1 Ω
  assert.ok(shuntClipped(0x7ff8) && shuntClipped(0x8008) && !shuntClipped(0x7ff0));
});

Deno.test("encodeCount() clamps to ±4095 in bits 15..3", () => {
  assert.equal(encodeCount(1250), 0x2710);
  assert.equal(encodeCount(-1), 0xfff8);
  assert.equal(encodeCount(9999), 0x7ff8);
  assert.equal(encodeCount(-9999), 0x8008);
});

Deno.test("register pointers, CVRF and the option checks", () => {
  assert.deepEqual([1, 2, 3].map((c) => shuntRegister(c as 1 | 2 | 3)), [1, 3, 5]);
  assert.deepEqual([1, 2, 3].map((c) => busRegister(c as 1 | 2 | 3)), [2, 4, 6]);
  assert.equal(conversionReady(MASK_ENABLE_POWER_ON), false);
  assert.equal(conversionReady(0x0003), true);
  assert.equal(averagesFor(64), 64);
  assert.throws(() => averagesFor(2), /Invalid INA3221 averaging 2: must be one of 1, 4, 16/);
  assert.equal(conversionTimeFor(8244), 8244);
  assert.throws(() => conversionTimeFor(1000), /Invalid INA3221 conversion time 1000 µs/);
});
