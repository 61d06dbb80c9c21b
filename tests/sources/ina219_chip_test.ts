import assert from "node:assert/strict";
import { type AnalogInput, Ina219Chip } from "../../src/sources/ina219_chip.ts";
import {
  adcConversionMs,
  type AdcSetting,
  CONFIG_POWER_ON,
  conversionTimeMs,
  decodeBusVoltage,
  encodeConfig,
  type Ina219Config,
  REG_BUS_VOLTAGE,
  REG_CALIBRATION,
  REG_CONFIG,
  REG_CURRENT,
  REG_POWER,
  REG_SHUNT_VOLTAGE,
} from "../../src/sources/ina219_registers.ts";

/** A chip on a clock the test moves, with a settable input. */
function chipAt(input: AnalogInput = { shuntV: 0, busV: 0 }) {
  const clock = { ms: 1000 };
  const seen: number[] = [];
  const state = { input };
  const chip = new Ina219Chip({
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
  return { chip, clock, seen, state, write, read };
}

/** §9.2.2.1 Table 8: 10 A through 2 mΩ at 12 V (11.98 V at IN−), Cal 0x5000, 16 V, ÷1. */
const TABLE_8 = {
  config: 0x019f,
  shunt: 0x07d0,
  bus: 0x5d98,
  calibration: 0x5000,
  current: 0x2710,
  power: 0x1766,
};

Deno.test("Ina219Chip powers on with config 0x399F and calibration 0", () => {
  const { read } = chipAt();
  assert.equal(read(REG_CONFIG), CONFIG_POWER_ON);
  assert.equal(read(REG_CALIBRATION), 0);
  assert.equal(read(REG_CURRENT), 0);
});

Deno.test("Ina219Chip reproduces the datasheet's worked example (Table 8)", () => {
  const { clock, write, read, chip } = chipAt({ shuntV: 0.02, busV: 11.98 });
  write(REG_CONFIG, TABLE_8.config);
  write(REG_CALIBRATION, TABLE_8.calibration);
  clock.ms += chip.periodMs;
  assert.equal(read(REG_SHUNT_VOLTAGE), TABLE_8.shunt);
  // Table 8 lists the bus register with CNVR and OVF clear.
  assert.equal(read(REG_BUS_VOLTAGE) & ~0b11, TABLE_8.bus);
  assert.equal(read(REG_CURRENT), TABLE_8.current);
  assert.equal(read(REG_POWER), TABLE_8.power);
  assert.equal(read(REG_CALIBRATION), TABLE_8.calibration);
});

Deno.test("Ina219Chip quantises: 10 µV shunt, 4 mV bus, PGA and BRNG clip", () => {
  const { clock, write, read, chip, state } = chipAt({ shuntV: 0.0123456, busV: 5.0031 });
  write(REG_CONFIG, 0x399f); // 32 V, ÷8
  clock.ms += chip.periodMs;
  assert.equal(read(REG_SHUNT_VOLTAGE), 1235);
  assert.equal(read(REG_BUS_VOLTAGE) >> 3, 1251); // 5.004 V
  state.input = { shuntV: -0.5, busV: 40 };
  clock.ms += chip.periodMs;
  assert.equal(read(REG_SHUNT_VOLTAGE), (-32000) & 0xffff); // −320 mV full scale
  assert.equal(read(REG_BUS_VOLTAGE) >> 3, 8000); // 32 V
  write(REG_CONFIG, 0x019f); // 16 V, ÷1
  clock.ms += chip.periodMs;
  assert.equal(read(REG_SHUNT_VOLTAGE), (-4000) & 0xffff); // −40 mV
  assert.equal(read(REG_BUS_VOLTAGE) >> 3, 4000); // 16 V
});

Deno.test("Ina219Chip sets CNVR when a conversion completes; reading power or writing config clears it", () => {
  const { clock, write, read, chip } = chipAt({ shuntV: 0.01, busV: 5 });
  write(REG_CALIBRATION, 4096);
  assert.equal(decodeBusVoltage(read(REG_BUS_VOLTAGE)).conversionReady, false);
  clock.ms += chip.periodMs - 0.001;
  assert.equal(decodeBusVoltage(read(REG_BUS_VOLTAGE)).conversionReady, false);
  clock.ms += 0.001;
  assert.equal(decodeBusVoltage(read(REG_BUS_VOLTAGE)).conversionReady, true);
  assert.equal(
    decodeBusVoltage(read(REG_BUS_VOLTAGE)).conversionReady,
    true,
    "reading bus keeps it",
  );
  read(REG_CURRENT);
  assert.equal(decodeBusVoltage(read(REG_BUS_VOLTAGE)).conversionReady, true);
  read(REG_POWER);
  assert.equal(decodeBusVoltage(read(REG_BUS_VOLTAGE)).conversionReady, false);
  clock.ms += chip.periodMs;
  assert.equal(decodeBusVoltage(read(REG_BUS_VOLTAGE)).conversionReady, true);
  write(REG_CONFIG, CONFIG_POWER_ON);
  assert.equal(decodeBusVoltage(read(REG_BUS_VOLTAGE)).conversionReady, false);
});

Deno.test("Ina219Chip sets OVF when current or power overflows", () => {
  const { clock, write, read, chip, state } = chipAt({ shuntV: 0.3, busV: 5 });
  write(REG_CALIBRATION, 0xfffe); // 30000 × 65534 / 4096 ≫ 32767
  clock.ms += chip.periodMs;
  const bus = decodeBusVoltage(read(REG_BUS_VOLTAGE));
  assert.equal(bus.overflow, true);
  assert.equal(read(REG_CURRENT), 32767);
  state.input = { shuntV: 0.001, busV: 5 };
  write(REG_CALIBRATION, 4096);
  clock.ms += chip.periodMs;
  assert.equal(decodeBusVoltage(read(REG_BUS_VOLTAGE)).overflow, false);
  assert.equal(read(REG_CURRENT), 100);
});

Deno.test("Ina219Chip: the reset bit restores power-on values; calibration bit 0 does not exist", () => {
  const { write, read } = chipAt();
  write(REG_CALIBRATION, 4097);
  assert.equal(read(REG_CALIBRATION), 4096);
  write(REG_CONFIG, 0x019f);
  write(REG_CONFIG, 0x8000);
  assert.equal(read(REG_CONFIG), CONFIG_POWER_ON);
  assert.equal(read(REG_CALIBRATION), 0);
});

Deno.test("Ina219Chip: a triggered conversion runs once; power-down converts nothing", () => {
  const { clock, write, read, chip } = chipAt({ shuntV: 0.01, busV: 5 });
  write(REG_CONFIG, (CONFIG_POWER_ON & ~0b111) | 0b011); // shunt and bus, triggered
  clock.ms += 10 * chip.periodMs;
  assert.equal(chip.conversions, 1);
  read(REG_POWER);
  clock.ms += 10 * chip.periodMs;
  assert.equal(decodeBusVoltage(read(REG_BUS_VOLTAGE)).conversionReady, false);
  write(REG_CONFIG, CONFIG_POWER_ON & ~0b111); // power-down
  clock.ms += 100;
  read(REG_BUS_VOLTAGE);
  assert.equal(chip.conversions, 1);
});

const ADC: AdcSetting[] = [
  { bits: 9, samples: 1 },
  { bits: 10, samples: 1 },
  { bits: 11, samples: 1 },
  { bits: 12, samples: 1 },
  { bits: 12, samples: 2 },
  { bits: 12, samples: 8 },
  { bits: 12, samples: 128 },
];

Deno.test("Ina219Chip converts on its clock at Table 5's times: a CNVR poll sees each conversion once", async (t) => {
  for (const adc of ADC) {
    await t.step(`${adc.bits}-bit × ${adc.samples}`, () => {
      const { clock, write, read, chip, seen } = chipAt({ shuntV: 0.01, busV: 5 });
      const config: Ina219Config = {
        busRangeV: 32,
        pga: 8,
        busAdc: adc,
        shuntAdc: adc,
        mode: "shunt_bus_continuous",
      };
      write(REG_CONFIG, encodeConfig(config));
      const periodMs = chip.periodMs;
      assert.equal(periodMs, conversionTimeMs(config));
      assert.equal(periodMs, 2 * adcConversionMs(adc), "shunt + bus");
      const start = clock.ms;
      let fresh = 0;
      // Poll every 37 µs for 3 s of chip time; reading power after each fresh one.
      for (let i = 0; i < 3000 / 0.037; i++) {
        clock.ms = start + i * 0.037;
        if (decodeBusVoltage(read(REG_BUS_VOLTAGE)).conversionReady) {
          fresh++;
          read(REG_POWER);
        }
      }
      const expected = Math.floor((clock.ms - start) / periodMs + 1e-9);
      assert.equal(fresh, expected, "one fresh result per conversion, none missed");
      assert.equal(chip.conversions, expected);
      assert.equal(new Set(seen).size, seen.length, "each conversion samples a new instant");
      for (let i = 1; i < seen.length; i++) {
        assert.ok(Math.abs(seen[i] - seen[i - 1] - periodMs) < 1e-6);
      }
    });
  }
});

Deno.test("Ina219Chip: a slow reader gets the newest conversion only", () => {
  const clock = { ms: 0 };
  const instants: number[] = [];
  const chip = new Ina219Chip({
    now: () => clock.ms,
    input: (tMs) => {
      instants.push(tMs);
      return { shuntV: 0, busV: 1 };
    },
  });
  clock.ms = 5.5 * chip.periodMs;
  const b = chip.transfer(Uint8Array.of(REG_BUS_VOLTAGE), 2);
  assert.equal(((b[0] << 8) | b[1]) >> 3, 250);
  assert.equal(chip.conversions, 5);
  assert.deepEqual(instants, [5 * chip.periodMs], "the 5th conversion's instant");
});
