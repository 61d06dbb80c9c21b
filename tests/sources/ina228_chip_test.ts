import assert from "node:assert/strict";
import type { AnalogInput } from "../../src/sources/ina219_chip.ts";
import { Ina228Chip } from "../../src/sources/ina228_chip.ts";
import { bytesToUint, toSigned } from "../../src/sources/ina2xx_registers.ts";
import {
  ADC_CONFIG_POWER_ON,
  CONFIG_ADCRANGE,
  CONFIG_RSTACC,
  decode20,
  DIAG_ALATCH,
  DIAG_CNVR,
  DIAG_CNVRF,
  DIAG_MATHOF,
  DIAG_MEMSTAT,
  encode20,
  REG_ADC_CONFIG,
  REG_CHARGE,
  REG_CONFIG,
  REG_CURRENT,
  REG_DEVICE_ID,
  REG_DIAG_ALRT,
  REG_DIETEMP,
  REG_ENERGY,
  REG_MANUFACTURER_ID,
  REG_POWER,
  REG_SHUNT_CAL,
  REG_VBUS,
  REG_VSHUNT,
  REGISTER_BYTES,
} from "../../src/sources/ina228_registers.ts";

function chipAt(input: AnalogInput) {
  const clock = { ms: 0 };
  const state = { input };
  const chip = new Ina228Chip({ now: () => clock.ms, input: () => state.input });
  const write = (register: number, value: number) =>
    chip.transfer(Uint8Array.of(register, value >> 8, value & 0xff), 0);
  const raw = (register: number, length = REGISTER_BYTES[register] ?? 2) =>
    chip.transfer(Uint8Array.of(register), length);
  const read = (register: number) => bytesToUint(raw(register));
  return { chip, clock, state, write, read, raw };
}

/** Table 8-4's design: 16.2 mΩ, CURRENT_LSB = 10 A / 2^19, so SHUNT_CAL = 4050. */
const SHUNT_OHMS = 0.0162;
const CURRENT_LSB = 10 / 2 ** 19;

Deno.test("Ina228Chip powers on with the datasheet's values and IDs; widths 2, 3 and 5 bytes", () => {
  const { read, raw } = chipAt({ shuntV: 0, busV: 0 });
  assert.equal(read(REG_CONFIG), 0);
  assert.equal(read(REG_ADC_CONFIG), ADC_CONFIG_POWER_ON);
  assert.equal(read(REG_SHUNT_CAL), 0x1000);
  assert.equal(read(REG_DIAG_ALRT), DIAG_MEMSTAT);
  assert.equal(read(REG_MANUFACTURER_ID), 0x5449);
  assert.equal(read(REG_DEVICE_ID), 0x2281);
  assert.equal(raw(REG_VBUS).length, 3);
  assert.equal(raw(REG_ENERGY).length, 5);
  assert.deepEqual([...raw(REG_DEVICE_ID, 4)], [0x22, 0x81, 0, 0], "past the register: zeros");
  assert.deepEqual([...raw(0x20, 2)], [0, 0], "a reserved pointer reads 0");
});

Deno.test("Ina228Chip reproduces Table 8-4's results: 6 A through 16.2 mΩ at 48 V", () => {
  const { chip, clock, write, read } = chipAt({ shuntV: 6 * SHUNT_OHMS, busV: 48 });
  write(REG_SHUNT_CAL, 4050);
  write(REG_ADC_CONFIG, 0xbb68); // continuous shunt + bus, 1052 µs each
  clock.ms += chip.periodMs;
  assert.equal(decode20(read(REG_VSHUNT)), 311040);
  assert.equal(decode20(read(REG_VBUS)), 245760);
  assert.equal(decode20(read(REG_CURRENT)), 314572);
  // 314572 × 245760 / 2^14; the table's 4718604 comes from unrounded values (288.0007 W).
  assert.equal(read(REG_POWER), 4718580);
  assert.ok(Math.abs(read(REG_POWER) * 3.2 * CURRENT_LSB - 288) < 0.002);
  assert.equal(read(REG_VSHUNT) & 0xf, 0, "reserved bits 3..0 read 0");
});

Deno.test("Ina228Chip integrates ENERGY and CHARGE on every conversion: one hour → Table 8-4", () => {
  const { chip, clock, write, read } = chipAt({ shuntV: 6 * SHUNT_OHMS, busV: 48 });
  write(REG_SHUNT_CAL, 4050);
  write(REG_ADC_CONFIG, 0xbb6f); // 1024 averages: a result every 2.154 s
  write(REG_CONFIG, CONFIG_RSTACC);
  const conversions = Math.round(3_600_000 / chip.periodMs); // 1671 results ≈ one hour
  const seconds = (conversions * chip.periodMs) / 1000;
  clock.ms += conversions * chip.periodMs;
  const energyJ = read(REG_ENERGY) * 16 * 3.2 * CURRENT_LSB;
  const chargeC = toSigned(read(REG_CHARGE), 40) * CURRENT_LSB;
  const powerW = read(REG_POWER) * 3.2 * CURRENT_LSB;
  const currentA = decode20(read(REG_CURRENT)) * CURRENT_LSB;
  assert.ok(Math.abs(energyJ - powerW * seconds) < 0.01, `${energyJ} J = POWER × t`);
  assert.ok(Math.abs(chargeC - currentA * seconds) < 0.001, `${chargeC} C = CURRENT × t`);
  // Table 8-4: 1036800 J and 21600 C after one hour at 288 W and 6 A.
  assert.ok(Math.abs(energyJ / 1036800 - seconds / 3600) < 1e-5, `${energyJ} J`);
  assert.ok(Math.abs(chargeC / 21600 - seconds / 3600) < 1e-5, `${chargeC} C`);
  write(REG_CONFIG, CONFIG_RSTACC);
  assert.equal(read(REG_ENERGY), 0, "RSTACC clears the accumulators");
  assert.equal(read(REG_CHARGE), 0);
  assert.equal(read(REG_CONFIG) & CONFIG_RSTACC, 0, "and clears itself");
});

Deno.test("Ina228Chip: CHARGE counts down for a negative current; ADCRANGE 1 quarters the shunt LSB", () => {
  const { chip, clock, write, read, state } = chipAt({ shuntV: -0.01, busV: 12 });
  write(REG_SHUNT_CAL, 4096); // CURRENT = VSHUNT
  write(REG_ADC_CONFIG, 0xbb68);
  clock.ms += 10 * chip.periodMs;
  assert.equal(decode20(read(REG_CURRENT)), -32000);
  assert.ok(toSigned(read(REG_CHARGE), 40) < 0);
  assert.ok(read(REG_POWER) > 0, "power is unsigned");
  write(REG_CONFIG, CONFIG_ADCRANGE);
  state.input = { shuntV: 0.01, busV: 12 };
  clock.ms += chip.periodMs;
  assert.equal(decode20(read(REG_VSHUNT)), 128000, "78.125 nV steps");
  state.input = { shuntV: 0.05, busV: 90 };
  clock.ms += chip.periodMs;
  assert.equal(read(REG_VSHUNT), encode20(0x7ffff), "clipped at +40.96 mV");
});

Deno.test("Ina228Chip: CNVRF set per result and cleared by reading DIAG_ALRT; MATHOF on overflow", () => {
  const { chip, clock, write, read } = chipAt({ shuntV: 0.16, busV: 85 });
  write(REG_DIAG_ALRT, DIAG_ALATCH | DIAG_CNVR | 0x0fff);
  assert.equal(read(REG_DIAG_ALRT), DIAG_ALATCH | DIAG_CNVR | DIAG_MEMSTAT, "flags are read-only");
  write(REG_ADC_CONFIG, 0xbb68);
  clock.ms += chip.periodMs - 0.001;
  assert.equal(read(REG_DIAG_ALRT) & DIAG_CNVRF, 0);
  clock.ms += 0.001;
  assert.equal(read(REG_DIAG_ALRT) & DIAG_CNVRF, DIAG_CNVRF);
  assert.equal(read(REG_DIAG_ALRT) & DIAG_CNVRF, 0, "the read cleared it");
  write(REG_SHUNT_CAL, 1); // CURRENT = VSHUNT × 4096: far beyond 20 bits
  clock.ms += chip.periodMs;
  assert.equal(read(REG_DIAG_ALRT) & DIAG_MATHOF, DIAG_MATHOF);
  assert.equal(decode20(read(REG_CURRENT)), 0x7ffff);
});

Deno.test("Ina228Chip: reset, CONVDLY, shutdown, the temperature channel", () => {
  const { chip, clock, write, read } = chipAt({ shuntV: 0.01, busV: 5 });
  clock.ms += chip.periodMs;
  assert.equal(read(REG_DIETEMP), 3200, "25 °C in mode Fh");
  write(REG_SHUNT_CAL, 1234);
  write(REG_CONFIG, 0x8000);
  assert.equal(read(REG_SHUNT_CAL), 0x1000);
  write(REG_CONFIG, 5 << 6); // CONVDLY 10 ms
  write(REG_ADC_CONFIG, 0xbb68);
  const before = chip.conversions;
  clock.ms += 10 + chip.periodMs - 0.01;
  assert.equal(chip.conversions, before);
  clock.ms += 0.01;
  assert.equal(chip.conversions, before + 1);
  write(REG_ADC_CONFIG, 0x0b68); // shutdown
  clock.ms += 1000;
  assert.equal(chip.conversions, before + 1);
});
