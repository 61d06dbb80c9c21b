import assert from "node:assert/strict";
import type { AnalogInput } from "../../src/sources/ina219_chip.ts";
import { Ina260Chip } from "../../src/sources/ina260_chip.ts";
import {
  CONFIG_POWER_ON,
  REG_BUS_VOLTAGE,
  REG_CONFIG,
  REG_CURRENT,
  REG_POWER,
} from "../../src/sources/ina260_registers.ts";
import {
  ME_CNVR,
  ME_CVRF,
  ME_OVF,
  REG_DIE_ID,
  REG_MANUFACTURER_ID,
  REG_MASK_ENABLE,
} from "../../src/sources/ina2xx_registers.ts";

function chipAt(input: AnalogInput) {
  const clock = { ms: 0 };
  const state = { input };
  const chip = new Ina260Chip({ now: () => clock.ms, input: () => state.input });
  const write = (register: number, value: number) =>
    chip.transfer(Uint8Array.of(register, value >> 8, value & 0xff), 0);
  const read = (register: number) => {
    const b = chip.transfer(Uint8Array.of(register), 2);
    return (b[0] << 8) | b[1];
  };
  return { chip, clock, state, write, read };
}

Deno.test("Ina260Chip powers on with config 6127h and its IDs; it has no calibration register", () => {
  const { read, write } = chipAt({ shuntV: 0, busV: 0 });
  assert.equal(read(REG_CONFIG), CONFIG_POWER_ON);
  assert.equal(read(REG_MANUFACTURER_ID), 0x5449);
  assert.equal(read(REG_DIE_ID), 0x2270);
  write(0x05, 0x1234);
  assert.equal(read(0x05), 0, "05h is not implemented");
});

Deno.test("Ina260Chip measures through its 2 mΩ shunt: 10 A at 12 V → 8000, 9600, 12000", () => {
  const { chip, clock, read, state } = chipAt({ shuntV: 10 * 0.002, busV: 12 });
  clock.ms += chip.periodMs;
  assert.equal(read(REG_CURRENT), 8000);
  assert.equal(read(REG_BUS_VOLTAGE), 9600);
  assert.equal(read(REG_POWER), 12000);
  state.input = { shuntV: -2.5 * 0.002, busV: 5 };
  clock.ms += chip.periodMs;
  assert.equal(read(REG_CURRENT), 0x10000 - 2000, "−2.5 A, two's complement");
  assert.equal(read(REG_POWER), 1250, "12.5 W, unsigned");
});

Deno.test("Ina260Chip: CVRF per result, cleared by reading Mask/Enable; OVF when power overflows", () => {
  const { chip, clock, write, read, state } = chipAt({ shuntV: 0.001, busV: 5 });
  write(REG_MASK_ENABLE, ME_CNVR);
  clock.ms += chip.periodMs;
  assert.equal(read(REG_MASK_ENABLE), ME_CNVR | ME_CVRF);
  assert.equal(read(REG_MASK_ENABLE), ME_CNVR);
  state.input = { shuntV: 0.08, busV: 40 }; // 32000 × 32000 / 6400 > 65535
  clock.ms += chip.periodMs;
  assert.equal(read(REG_MASK_ENABLE) & ME_OVF, ME_OVF);
  assert.equal(read(REG_POWER), 0xffff);
  write(REG_CONFIG, 0x8000);
  assert.equal(read(REG_MASK_ENABLE), 0, "reset clears Mask/Enable");
});

Deno.test("Ina260Chip's period follows AVG and the conversion times", () => {
  const { chip, write } = chipAt({ shuntV: 0, busV: 0 });
  assert.equal(chip.periodMs, 2.2, "power-on: 1 × (1.1 + 1.1) ms");
  write(REG_CONFIG, 0x6000 | (2 << 9) | (0 << 6) | (7 << 3) | 0b111);
  assert.ok(Math.abs(chip.periodMs - 16 * (0.14 + 8.244)) < 1e-9);
});
