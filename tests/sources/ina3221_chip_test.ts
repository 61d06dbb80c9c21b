import assert from "node:assert/strict";
import type { AnalogInput } from "../../src/sources/ina219_chip.ts";
import { Ina3221Chip } from "../../src/sources/ina3221_chip.ts";
import {
  type ChipChannel,
  CONFIG_POWER_ON,
  decodeBusVoltage,
  decodeShuntVoltage,
  DIE_ID,
  MANUFACTURER_ID,
  MASK_ENABLE_POWER_ON,
  REG_CONFIG,
  REG_DIE_ID,
  REG_MANUFACTURER_ID,
  REG_MASK_ENABLE,
} from "../../src/sources/ina3221_registers.ts";

/** A chip on a clock the test moves, with settable inputs per chip channel. */
function chipAt() {
  const clock = { ms: 1000 };
  const inputs = new Map<ChipChannel, AnalogInput>([
    [1, { shuntV: 0.05, busV: 5 }],
    [2, { shuntV: 0.01, busV: 12 }],
    [3, { shuntV: -0.02, busV: 3.304 }],
  ]);
  const chip = new Ina3221Chip({ now: () => clock.ms, input: (c) => inputs.get(c)! });
  const write = (register: number, value: number) =>
    chip.transfer(Uint8Array.of(register, value >> 8, value & 0xff), 0);
  const read = (register: number) => {
    const b = chip.transfer(Uint8Array.of(register), 2);
    return (b[0] << 8) | b[1];
  };
  return { chip, clock, inputs, write, read };
}

Deno.test("Ina3221Chip powers on with config 0x7127, Mask/Enable 0x0002 and its IDs", () => {
  const { read } = chipAt();
  assert.equal(read(REG_CONFIG), CONFIG_POWER_ON);
  assert.equal(read(REG_MASK_ENABLE), MASK_ENABLE_POWER_ON);
  assert.equal(read(REG_MANUFACTURER_ID), MANUFACTURER_ID);
  assert.equal(read(REG_DIE_ID), DIE_ID);
  assert.equal(read(0x07), 0x7ff8, "critical limit at full scale");
  assert.equal(read(0x10), 0x2710, "power-valid upper limit 10 V");
  assert.equal(read(0x01), 0, "no conversion yet");
});

Deno.test("Ina3221Chip converts channel by channel and sets CVRF once per full cycle", () => {
  const { chip, clock, read } = chipAt();
  // Power-on: 3 channels × (1.1 ms shunt + 1.1 ms bus) = 6.6 ms per cycle.
  assert.equal(chip.periodMs, 6.6);
  clock.ms += 1.1;
  assert.equal(decodeShuntVoltage(chip.peek(0x01)), 0.05, "channel 1 shunt after 1.1 ms");
  assert.equal(chip.peek(0x02), 0, "channel 1 bus not yet");
  clock.ms += 1.1;
  assert.equal(decodeBusVoltage(chip.peek(0x02)), 5);
  assert.equal(chip.peek(0x03), 0, "channel 2 not yet");
  assert.equal(read(REG_MASK_ENABLE) & 1, 0, "no CVRF before the cycle completes");
  clock.ms += 4.4;
  assert.equal(decodeBusVoltage(chip.peek(0x06)), 3.304);
  assert.equal(decodeShuntVoltage(chip.peek(0x05)), -0.02);
  assert.equal(chip.cycles, 1);
  assert.equal(read(REG_MASK_ENABLE) & 1, 1, "CVRF after the cycle");
  assert.equal(read(REG_MASK_ENABLE) & 1, 0, "reading Mask/Enable cleared it");
  clock.ms += 6.6 * 3;
  assert.equal(chip.cycles, 4);
  assert.equal(read(REG_MASK_ENABLE), MASK_ENABLE_POWER_ON | 1);
});

Deno.test("Ina3221Chip converts only the enabled channels, with averaging", () => {
  const { chip, clock, write, read } = chipAt();
  write(REG_CONFIG, 0x2327); // channel 2 only, 4 samples, 1.1 ms + 1.1 ms
  assert.equal(chip.periodMs, 8.8);
  clock.ms += 8.7;
  assert.equal(read(REG_MASK_ENABLE) & 1, 0);
  clock.ms += 0.1;
  assert.equal(read(REG_MASK_ENABLE) & 1, 1);
  assert.equal(decodeBusVoltage(read(0x04)), 12);
  assert.equal(read(0x02), 0, "channel 1 is not converted");
  assert.equal(read(0x06), 0, "channel 3 is not converted");
});

Deno.test("Ina3221Chip: a configuration write clears CVRF and restarts the cycle", () => {
  const { chip, clock, write, read } = chipAt();
  clock.ms += 6.6;
  write(REG_CONFIG, 0x4127); // channel 1 only: 2.2 ms
  assert.equal(read(REG_MASK_ENABLE) & 1, 0, "cleared by the write");
  clock.ms += 2.1;
  assert.equal(read(REG_MASK_ENABLE) & 1, 0);
  clock.ms += 0.1;
  assert.equal(read(REG_MASK_ENABLE) & 1, 1);
  assert.equal(chip.cycles, 2);
  write(REG_CONFIG, 0x4123); // triggered: one cycle, then idle
  clock.ms += 100;
  assert.equal(chip.cycles, 3);
  write(REG_CONFIG, 0xc127); // RST
  assert.equal(read(REG_CONFIG), CONFIG_POWER_ON);
  assert.equal(read(0x01), 0, "registers back to their power-on values");
});

Deno.test("Ina3221Chip quantises to 40 µV and 8 mV and clips at full scale", () => {
  const { clock, inputs, read } = chipAt();
  inputs.set(1, { shuntV: 0.2, busV: 40 });
  inputs.set(2, { shuntV: 0.000061, busV: 11.987 });
  clock.ms += 6.6;
  assert.equal(read(0x01), 0x7ff8, "163.8 mV at most");
  assert.equal(read(0x02), 0x7ff8, "32.76 V at most");
  assert.equal(decodeShuntVoltage(read(0x03)), 0.00008, "61 µV rounds to 2 LSBs");
  assert.equal(decodeBusVoltage(read(0x04)), 11.984, "rounds to 8 mV");
});

Deno.test("Ina3221Chip keeps the writable bits of the limit and Mask/Enable registers", () => {
  const { write, read } = chipAt();
  write(0x07, 0x1237);
  assert.equal(read(0x07), 0x1230, "bits 2..0 are reserved");
  write(REG_MASK_ENABLE, 0xffff);
  assert.equal(read(REG_MASK_ENABLE), 0x7c00 | MASK_ENABLE_POWER_ON, "flags are read-only");
  write(REG_MANUFACTURER_ID, 0);
  assert.equal(read(REG_MANUFACTURER_ID), MANUFACTURER_ID);
  write(0x02, 0x1234);
  assert.equal(read(0x02), 0, "data registers are read-only");
});
