import assert from "node:assert/strict";
import type { AnalogInput } from "../../src/sources/ina219_chip.ts";
import { Ina226Chip } from "../../src/sources/ina226_chip.ts";
import {
  CONFIG_POWER_ON,
  REG_BUS_VOLTAGE,
  REG_CALIBRATION,
  REG_CONFIG,
  REG_CURRENT,
  REG_POWER,
  REG_SHUNT_VOLTAGE,
} from "../../src/sources/ina226_registers.ts";
import {
  ME_CNVR,
  ME_CVRF,
  ME_OVF,
  REG_ALERT_LIMIT,
  REG_DIE_ID,
  REG_MANUFACTURER_ID,
  REG_MASK_ENABLE,
} from "../../src/sources/ina2xx_registers.ts";

/** A chip on a clock the test moves, with a settable input. */
function chipAt(input: AnalogInput = { shuntV: 0, busV: 0 }) {
  const clock = { ms: 1000 };
  const state = { input };
  const seen: number[] = [];
  const chip = new Ina226Chip({
    now: () => clock.ms,
    input: (tMs) => {
      seen.push(tMs);
      return state.input;
    },
  });
  const write = (register: number, value: number) =>
    chip.transfer(Uint8Array.of(register, value >> 8, value & 0xff), 0);
  const read = (register: number) => {
    const b = chip.transfer(Uint8Array.of(register), 2);
    return (b[0] << 8) | b[1];
  };
  return { chip, clock, state, seen, write, read };
}

Deno.test("Ina226Chip powers on with config 4127h, calibration 0 and its IDs", () => {
  const { read } = chipAt();
  assert.equal(read(REG_CONFIG), CONFIG_POWER_ON);
  assert.equal(read(REG_CALIBRATION), 0);
  assert.equal(read(REG_MASK_ENABLE), 0);
  assert.equal(read(REG_MANUFACTURER_ID), 0x5449);
  assert.equal(read(REG_DIE_ID), 0x2260);
  assert.equal(read(0x20), 0, "an unimplemented pointer reads 0");
});

Deno.test("Ina226Chip reproduces Table 1: 10 A through 2 mΩ at 12 V, CAL 2560", () => {
  const { chip, clock, write, read } = chipAt({ shuntV: 0.02, busV: 11.98 });
  write(REG_CALIBRATION, 0x0a00);
  clock.ms += chip.periodMs;
  assert.equal(read(REG_SHUNT_VOLTAGE), 0x1f40);
  assert.equal(read(REG_BUS_VOLTAGE), 0x2570);
  assert.equal(read(REG_CURRENT), 0x2710);
  assert.equal(read(REG_POWER), 0x12b8);
});

Deno.test("Ina226Chip: current and power stay 0 until calibrated; negative current", () => {
  const { chip, clock, write, read, state } = chipAt({ shuntV: 0.02, busV: 12 });
  clock.ms += chip.periodMs;
  assert.equal(read(REG_SHUNT_VOLTAGE), 8000);
  assert.equal(read(REG_CURRENT), 0);
  assert.equal(read(REG_POWER), 0);
  write(REG_CALIBRATION, 2560);
  state.input = { shuntV: -0.01, busV: 12 };
  clock.ms += chip.periodMs;
  assert.equal(read(REG_CURRENT), 0x10000 - 5000);
  assert.equal(read(REG_POWER), 2400, "power is unsigned: 5 A × 12 V / 25 mW");
});

Deno.test("Ina226Chip quantises and clips: ±81.92 mV shunt, 40.96 V bus", () => {
  const { chip, clock, read, state } = chipAt({ shuntV: 0.2, busV: 50 });
  clock.ms += chip.periodMs;
  assert.equal(read(REG_SHUNT_VOLTAGE), 0x7fff);
  assert.equal(read(REG_BUS_VOLTAGE), 0x7fff);
  state.input = { shuntV: -0.2, busV: -1 };
  clock.ms += chip.periodMs;
  assert.equal(read(REG_SHUNT_VOLTAGE), 0x8000);
  assert.equal(read(REG_BUS_VOLTAGE), 0);
  state.input = { shuntV: 0.00001249, busV: 5.0006 };
  clock.ms += chip.periodMs;
  assert.equal(read(REG_SHUNT_VOLTAGE), 5, "2.5 µV steps");
  assert.equal(read(REG_BUS_VOLTAGE), 4000, "1.25 mV steps");
});

Deno.test("Ina226Chip sets CVRF per result; reading Mask/Enable or writing config clears it", () => {
  const { chip, clock, write, read } = chipAt({ shuntV: 0.01, busV: 5 });
  write(REG_MASK_ENABLE, ME_CNVR | ME_CVRF | ME_OVF);
  assert.equal(read(REG_MASK_ENABLE), ME_CNVR, "flags are read-only, CNVR writable");
  clock.ms += chip.periodMs - 0.001;
  assert.equal(read(REG_MASK_ENABLE) & ME_CVRF, 0);
  clock.ms += 0.001;
  assert.equal(read(REG_MASK_ENABLE), ME_CNVR | ME_CVRF);
  assert.equal(read(REG_MASK_ENABLE), ME_CNVR, "the read cleared CVRF");
  read(REG_POWER);
  read(REG_CURRENT);
  clock.ms += chip.periodMs;
  read(REG_CURRENT); // reading data registers does not clear it
  assert.equal(chip.peek(REG_MASK_ENABLE) & ME_CVRF, ME_CVRF);
  write(REG_CONFIG, CONFIG_POWER_ON);
  assert.equal(read(REG_MASK_ENABLE) & ME_CVRF, 0, "a configuration write clears it");
});

Deno.test("Ina226Chip sets OVF when current overflows", () => {
  const { chip, clock, write, read } = chipAt({ shuntV: 0.08, busV: 5 });
  write(REG_CALIBRATION, 0x7fff); // 32000 × 32767 / 2048 ≫ 32767
  clock.ms += chip.periodMs;
  assert.equal(read(REG_MASK_ENABLE) & ME_OVF, ME_OVF);
  assert.equal(read(REG_CURRENT), 32767);
  write(REG_CALIBRATION, 512);
  clock.ms += chip.periodMs;
  assert.equal(read(REG_MASK_ENABLE) & ME_OVF, 0);
});

Deno.test("Ina226Chip: reset bit restores power-on values; calibration bit 15 does not exist", () => {
  const { write, read } = chipAt();
  write(REG_CALIBRATION, 0xffff);
  assert.equal(read(REG_CALIBRATION), 0x7fff);
  write(REG_ALERT_LIMIT, 0x1234);
  write(REG_MASK_ENABLE, ME_CNVR);
  write(REG_CONFIG, 0x0fff); // reserved bits written 0 still read 100b
  assert.equal(read(REG_CONFIG), 0x4fff);
  write(REG_CONFIG, 0x8000);
  assert.deepEqual(
    [REG_CONFIG, REG_CALIBRATION, REG_MASK_ENABLE, REG_ALERT_LIMIT].map(read),
    [CONFIG_POWER_ON, 0, 0, 0],
  );
  write(REG_DIE_ID, 0);
  assert.equal(read(REG_DIE_ID), 0x2260, "read-only");
});

Deno.test("Ina226Chip converts every averages × (VBUSCT + VSHCT); a CVRF poll sees each once", async (t) => {
  for (const [averages, code] of [[1, 0], [4, 1], [16, 2], [64, 3]] as const) {
    for (const [ct, ctCode] of [[140, 0], [1100, 4]] as const) {
      await t.step(`${averages} × (${ct} + ${ct}) µs`, () => {
        const { chip, clock, write, read, seen } = chipAt({ shuntV: 0.01, busV: 5 });
        write(REG_CONFIG, 0x4007 | (code << 9) | (ctCode << 6) | (ctCode << 3));
        const periodMs = chip.periodMs;
        assert.ok(Math.abs(periodMs - (averages * 2 * ct) / 1000) < 1e-9);
        const start = clock.ms;
        let fresh = 0;
        for (let i = 0; i < 2000 / 0.05; i++) {
          clock.ms = start + i * 0.05;
          if (read(REG_MASK_ENABLE) & ME_CVRF) fresh++;
        }
        const expected = Math.floor((clock.ms - start) / periodMs + 1e-9);
        assert.equal(fresh, expected, "one fresh result per conversion, none missed");
        assert.equal(new Set(seen).size, seen.length, "each result samples a new instant");
      });
    }
  }
});

Deno.test("Ina226Chip: a triggered mode converts once; power-down converts nothing", () => {
  const { chip, clock, write, read } = chipAt({ shuntV: 0.01, busV: 5 });
  write(REG_CONFIG, 0x4123); // shunt and bus, triggered
  clock.ms += 10 * chip.periodMs;
  assert.equal(chip.conversions, 1);
  write(REG_CONFIG, 0x4120); // power-down
  clock.ms += 100;
  read(REG_MASK_ENABLE);
  assert.equal(chip.conversions, 1);
});
