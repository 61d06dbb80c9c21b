import assert from "node:assert/strict";
import {
  adcConversionMs,
  calibrate,
  CONFIG_POWER_ON,
  conversionTimeMs,
  decodeAdc,
  decodeBusVoltage,
  decodeConfig,
  decodeCurrent,
  decodePower,
  decodeShuntVoltage,
  encodeAdc,
  encodeConfig,
  type Ina219Config,
  MODES,
  pgaFor,
  REG_CALIBRATION,
  REG_CONFIG,
  roundUpNice,
} from "../../src/sources/ina219_registers.ts";

/** §9.2.2.1 Table 8: the datasheet's worked example (10 A through 2 mΩ at 12 V). */
const TABLE_8 = {
  config: 0x019f,
  shunt: 0x07d0,
  bus: 0x5d98,
  calibration: 0x5000,
  current: 0x2710,
  power: 0x1766,
};

const EXAMPLE_CONFIG: Ina219Config = {
  busRangeV: 16,
  pga: 1,
  busAdc: { bits: 12, samples: 1 },
  shuntAdc: { bits: 12, samples: 1 },
  mode: "shunt_bus_continuous",
};

function near(actual: number, expected: number, message?: string) {
  assert.ok(Math.abs(actual - expected) < 1e-9, `${message ?? ""} ${actual} ≠ ${expected}`);
}

Deno.test("encodeConfig() gives the datasheet's example and power-on values", () => {
  assert.equal(encodeConfig(EXAMPLE_CONFIG), TABLE_8.config);
  assert.deepEqual(decodeConfig(TABLE_8.config), EXAMPLE_CONFIG);
  assert.deepEqual(decodeConfig(CONFIG_POWER_ON), { ...EXAMPLE_CONFIG, busRangeV: 32, pga: 8 });
  assert.equal(encodeConfig(decodeConfig(CONFIG_POWER_ON)), CONFIG_POWER_ON);
});

Deno.test("encodeConfig() and decodeConfig() round-trip every field", async (t) => {
  const adcs = [9, 10, 11, 12].map((bits) => ({ bits, samples: 1 }))
    .concat([2, 4, 8, 16, 32, 64, 128].map((samples) => ({ bits: 12, samples }))) as Ina219Config[
      "busAdc"
    ][];
  for (const busRangeV of [16, 32] as const) {
    for (const pga of [1, 2, 4, 8] as const) {
      await t.step(`${busRangeV} V ÷${pga}`, () => {
        for (const [i, adc] of adcs.entries()) {
          for (const mode of MODES) {
            const config = {
              busRangeV,
              pga,
              busAdc: adc,
              shuntAdc: adcs[adcs.length - 1 - i],
              mode,
            };
            const raw = encodeConfig(config);
            assert.ok(raw >= 0 && raw < 0x4000, "bits 15 and 14 stay 0");
            assert.deepEqual(decodeConfig(raw), config);
          }
        }
      });
    }
  }
});

Deno.test("decodeAdc() reads Table 5, including the don't-care bit and 1000", () => {
  assert.deepEqual(decodeAdc(0b0100), { bits: 9, samples: 1 });
  assert.deepEqual(decodeAdc(0b0111), { bits: 12, samples: 1 });
  assert.deepEqual(decodeAdc(0b1000), { bits: 12, samples: 1 });
  assert.deepEqual(decodeAdc(0b1111), { bits: 12, samples: 128 });
  assert.equal(encodeAdc({ bits: 12, samples: 1 }), 0b0011);
  assert.equal(encodeAdc({ bits: 12, samples: 2 }), 0b1001);
  assert.equal(adcConversionMs({ bits: 9, samples: 1 }), 0.084);
  assert.equal(adcConversionMs({ bits: 12, samples: 128 }), 68.1);
  const slow = { ...EXAMPLE_CONFIG, busAdc: decodeAdc(0b1111), shuntAdc: decodeAdc(0b1111) };
  near(conversionTimeMs(slow), 136.2, "shunt then bus");
  near(conversionTimeMs({ ...slow, mode: "bus_continuous" }), 68.1);
  assert.equal(conversionTimeMs({ ...slow, mode: "power_down" }), 0);
});

Deno.test("calibrate() follows §8.5.1: 0.1 Ω and 3.2 A give Cal 4096", () => {
  const c = calibrate(0.1, 3.2);
  assert.equal(c.cal, 4096);
  near(c.currentLsbA, 0.0001);
  near(c.powerLsbW, 0.002);
  // Table 8 chose a 1 mA LSB for 2 mΩ: Cal = 0x5000.
  assert.equal(calibrate(0.002, 15, { currentLsbA: 0.001 }).cal, TABLE_8.calibration);
});

Deno.test("calibrate() keeps Current_LSB between Imax/32767 and Imax/4096", async (t) => {
  for (const shuntOhms of [0.001, 0.01, 0.05, 0.1, 0.5, 1]) {
    for (const maxCurrentA of [0.1, 0.4, 1, 2, 3.2, 10]) {
      if (shuntOhms * maxCurrentA > 0.32) continue;
      await t.step(`${shuntOhms} Ω ${maxCurrentA} A`, () => {
        const { cal, currentLsbA, powerLsbW } = calibrate(shuntOhms, maxCurrentA);
        assert.ok(currentLsbA >= maxCurrentA / 32767, "no current register overflow");
        // A tiny shunt × current may need a coarser LSB to fit the 15-bit register.
        const fitsA = 0.04096 / (0xfffe * shuntOhms);
        if (fitsA <= maxCurrentA / 4096) {
          assert.ok(currentLsbA <= maxCurrentA / 4096, "at least 12 bits of resolution");
        } else assert.ok(currentLsbA <= fitsA * 1.01, "no coarser than the register forces");
        assert.equal(cal, Math.trunc(0.04096 / (currentLsbA * shuntOhms) + 1e-9) & 0xfffe);
        assert.ok(cal % 2 === 0 && cal <= 0xfffe);
        near(powerLsbW, 20 * currentLsbA);
      });
    }
  }
  assert.throws(() => calibrate(0, 1), RangeError);
  assert.throws(() => calibrate(0.1, -1), RangeError);
});

Deno.test("roundUpNice() picks 1, 2 or 5 × 10^n", () => {
  assert.equal(roundUpNice(0.0000977), 0.0001);
  assert.equal(roundUpNice(0.00011), 0.0002);
  assert.equal(roundUpNice(0.0003), 0.0005);
  assert.equal(roundUpNice(0.0001), 0.0001);
});

Deno.test("decoders turn Table 8's raw registers into 20 mV, 11.98 V, 10 A and 119.8 W", () => {
  near(decodeShuntVoltage(TABLE_8.shunt), 0.02);
  assert.deepEqual(decodeBusVoltage(TABLE_8.bus), {
    busVoltageV: 11.98,
    conversionReady: false,
    overflow: false,
  });
  near(decodeCurrent(TABLE_8.current, 0.001), 10);
  near(decodePower(TABLE_8.power, 0.02), 119.8);
});

Deno.test("decodeBusVoltage() ignores the CNVR and OVF bits", () => {
  for (const flags of [0b00, 0b01, 0b10, 0b11]) {
    const bus = decodeBusVoltage(TABLE_8.bus | flags);
    assert.equal(bus.busVoltageV, 11.98);
    assert.equal(bus.conversionReady, (flags & 0b10) !== 0);
    assert.equal(bus.overflow, (flags & 0b01) !== 0);
  }
  assert.equal(decodeBusVoltage(0xfff8).busVoltageV, 32.764);
});

Deno.test("decodeShuntVoltage() and decodeCurrent() are signed", () => {
  near(decodeShuntVoltage(0xf830), -0.02);
  near(decodeShuntVoltage(0x8300), -0.32);
  near(decodeCurrent(0xd8f0, 0.001), -10);
  near(decodePower(0xffff, 0.002), 131.07);
});

Deno.test("pgaFor() picks the smallest shunt range that holds the voltage", () => {
  assert.equal(pgaFor(0.02), 1);
  assert.equal(pgaFor(0.04), 1);
  assert.equal(pgaFor(0.05), 2);
  assert.equal(pgaFor(0.32), 8);
  assert.throws(
    () => pgaFor(0.5),
    /^RangeError: 500 mV across the shunt exceeds the INA219.s 320 mV range: lower MAX_CURRENT_A/,
  );
});

Deno.test("register pointers are the datasheet's", () => {
  assert.equal(REG_CONFIG, 0x00);
  assert.equal(REG_CALIBRATION, 0x05);
});
