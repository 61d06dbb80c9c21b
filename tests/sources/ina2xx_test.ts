import assert from "node:assert/strict";
import { EmulatedI2cBus } from "../../src/sources/i2c_emulated.ts";
import { type AnalogInput, Ina219Chip } from "../../src/sources/ina219_chip.ts";
import type { Ina2xxOptions, Ina2xxSource } from "../../src/sources/ina2xx.ts";
import { ME_CNVR, REG_MASK_ENABLE } from "../../src/sources/ina2xx_registers.ts";
import { Ina226Chip } from "../../src/sources/ina226_chip.ts";
import { Ina226Source } from "../../src/sources/ina226.ts";
import { REG_CALIBRATION, REG_CONFIG } from "../../src/sources/ina226_registers.ts";
import { Ina260Chip } from "../../src/sources/ina260_chip.ts";
import { Ina260Source } from "../../src/sources/ina260.ts";
import { Ina228Chip } from "../../src/sources/ina228_chip.ts";
import { Ina228Source } from "../../src/sources/ina228.ts";
import {
  DIAG_ALATCH,
  DIAG_CNVR,
  REG_ADC_CONFIG,
  REG_DIAG_ALRT,
  REG_SHUNT_CAL,
} from "../../src/sources/ina228_registers.ts";
import { SensorError } from "../../src/sources/source.ts";

/** An emulated chip as the rig needs it. */
interface Chip {
  transfer(bytes: Uint8Array, length: number): Uint8Array;
  powerOn(): void;
  peek(register: number): number;
  readonly periodMs: number;
  readonly conversions: number;
}

/** A chip type: how to build it and its driver, and the bus LSB of its ramp. */
interface Kind {
  name: string;
  chip: (options: { now: () => number; input: (tMs: number) => AnalogInput }) => Chip;
  source: (bus: EmulatedI2cBus, options: Ina2xxOptions & { averages?: number }) => Ina2xxSource;
  busLsbV: number;
  /** Shunt ohms the driver is told (the INA260's own 2 mΩ). */
  shuntOhms: number;
}

const KINDS: Kind[] = [
  {
    name: "INA226",
    chip: (o) => new Ina226Chip(o),
    source: (bus, o) => new Ina226Source(bus, { shuntOhms: 0.1, maxCurrentA: 0.8, ...o }),
    busLsbV: 0.00125,
    shuntOhms: 0.1,
  },
  {
    name: "INA260",
    chip: (o) => new Ina260Chip(o),
    source: (bus, o) => new Ina260Source(bus, o),
    busLsbV: 0.00125,
    shuntOhms: 0.002,
  },
  {
    name: "INA228",
    chip: (o) => new Ina228Chip(o),
    source: (bus, o) => new Ina228Source(bus, { shuntOhms: 0.1, maxCurrentA: 1.6, ...o }),
    busLsbV: 195.3125e-6,
    shuntOhms: 0.1,
  },
];

/** The real driver over an emulated bus and chip on one fake clock. */
function rig(kind: Kind, options: { currentA?: number; busV?: number; averages?: number } = {}) {
  const clock = { ms: 0 };
  const state = {
    input: { shuntV: (options.currentA ?? 0.25) * kind.shuntOhms, busV: options.busV ?? 5.02 },
  };
  /** When on, the n-th conversion's bus voltage is 1 V + 4·n LSB: each one distinct. */
  const ramp = { on: false, n: 0 };
  const chip = kind.chip({
    now: () => clock.ms,
    input: () =>
      ramp.on ? { shuntV: state.input.shuntV, busV: 1 + 4 * kind.busLsbV * ramp.n++ } : state.input,
  });
  const bus = new EmulatedI2cBus({
    devices: new Map([[0x40, chip]]),
    spend: (us) => {
      clock.ms += us / 1000;
    },
  });
  const notices: string[] = [];
  const source = kind.source(bus, {
    averages: options.averages,
    now: () => clock.ms,
    sleep: (ms) => {
      clock.ms += ms;
      return Promise.resolve();
    },
    onNotice: (m) => notices.push(m),
  });
  return { clock, state, ramp, chip, bus, source, notices };
}

Deno.test("Ina226Source writes configuration, calibration and Mask/Enable and reads them back", async () => {
  const { source, chip } = rig(KINDS[0]);
  const lines = await source.open();
  assert.deepEqual(lines, [
    "INA226 at 0x40 on emulated (400 kHz)",
    "INA226 ready - Starting measurements...",
  ]);
  assert.equal(chip.peek(REG_CONFIG), 0x4127);
  assert.equal(chip.peek(REG_CALIBRATION), 1024, "0.00512 / (50 µA × 0.1 Ω)");
  assert.equal(chip.peek(REG_MASK_ENABLE) & ME_CNVR, ME_CNVR);
  assert.deepEqual(await source.read(0), { v: 5.02, a: 0.25, w: 1.255, status: "ok" });
  const details = source.details();
  assert.equal(details.calibration, 1024);
  assert.equal(details.current_lsb_a, 0.00005, "the round LSB above 0.8 A / 32767");
  assert.equal(details.config, "0x4127");
  assert.equal(details.state, "ok");
  await source.close();
});

Deno.test("Ina260Source needs no calibration: 1.25 mA, 1.25 mV and 10 mW steps", async () => {
  const { source, chip, state, clock } = rig(KINDS[1], { currentA: 2.5, busV: 12 });
  await source.open();
  assert.equal(chip.peek(REG_CONFIG), 0x6127);
  assert.deepEqual(await source.read(0), { v: 12, a: 2.5, w: 30, status: "ok" });
  state.input = { shuntV: -1.23456 * 0.002, busV: 3.3 };
  clock.ms += chip.periodMs;
  assert.deepEqual(await source.read(0), { v: 3.3, a: -1.235, w: 4.07, status: "ok" });
  await source.close();
});

Deno.test("Ina228Source sets CONFIG, ADC_CONFIG, SHUNT_CAL and DIAG_ALRT; reads 20-bit values", async () => {
  const { source, chip } = rig(KINDS[2], { currentA: 1.234567, busV: 48.1234 });
  await source.open();
  assert.equal(chip.peek(REG_ADC_CONFIG), 0xbb68, "continuous shunt + bus, 1052 µs, 1 average");
  assert.equal(chip.peek(REG_SHUNT_CAL), 6554, "13107.2e6 × 5 µA × 0.1 Ω, rounded");
  assert.equal(chip.peek(REG_DIAG_ALRT) & 0xf000, DIAG_ALATCH | DIAG_CNVR);
  const reading = await source.read(0);
  assert.ok(Math.abs(reading.v - 48.1234) < 195.3125e-6, `${reading.v}`);
  assert.ok(Math.abs(reading.a - 1.234567) < 6e-6, `${reading.a}: within one LSB`);
  assert.ok(Math.abs(reading.w - 1.234567 * 48.1234) < 0.001, `${reading.w}`);
  assert.equal(reading.status, "ok");
  const details = (source as Ina228Source).details();
  assert.equal(details.shunt_cal, 6554);
  assert.equal(
    details.current_lsb_a,
    6554 / (13107.2e6 * 0.1),
    "the LSB the integer SHUNT_CAL gives",
  );
  assert.equal(details.adc_config, "0xBB68");
  await source.close();
});

Deno.test("Ina2xxSource: each sample is one fresh conversion, none twice, none skipped", async (t) => {
  for (const kind of KINDS) {
    for (const averages of [1, 4]) {
      for (const factor of [1.5, 1, 0.4]) {
        await t.step(
          `${kind.name}, averaging ${averages}, interval ${factor} × conversion`,
          async () => {
            const { source, clock, chip, ramp } = rig(kind, { averages });
            await source.open();
            ramp.on = true;
            const intervalMs = factor * chip.periodMs;
            const values: number[] = [];
            let ticks = 0;
            const t0 = clock.ms;
            // A sampler at `intervalMs` for 3 s: a late read skips missed ticks.
            for (let n = 1; clock.ms - t0 < 3000; n++) {
              const due = t0 + n * intervalMs;
              if (clock.ms >= due) continue;
              clock.ms = due;
              ticks++;
              values.push((await source.read(clock.ms)).v);
            }
            const steps = values.map((v) => Math.round((v - 1) / (4 * kind.busLsbV)));
            assert.equal(new Set(steps).size, steps.length, "no conversion twice");
            if (factor > 1) {
              assert.equal(values.length, ticks, "every tick finds a fresh conversion");
            } else {
              const consecutive = steps.every((k, i) => i === 0 || k === steps[i - 1] + 1);
              assert.ok(consecutive, "no conversion skipped");
              const rate = values.length / ((clock.ms - t0) / 1000);
              assert.ok(rate <= 1000 / chip.periodMs + 1, `${rate}/s ≤ the conversion rate`);
            }
            await source.close();
          },
        );
      }
    }
  }
});

Deno.test("Ina2xxSource marks a clipped shunt and a calculation overflow as overflow", async () => {
  for (const kind of KINDS) {
    const { source, state, clock, chip } = rig(kind);
    await source.open();
    state.input = { shuntV: 0.5, busV: 30 }; // beyond every shunt ADC's full scale
    clock.ms += chip.periodMs;
    assert.equal((await source.read(0)).status, "overflow", kind.name);
    state.input = { shuntV: 0.001, busV: 5 };
    clock.ms += chip.periodMs;
    assert.equal((await source.read(0)).status, "ok", kind.name);
    await source.close();
  }
  // The INA226's OVF: a calibration too large for the current makes the current overflow.
  const { source, chip, clock, state } = rig(KINDS[0]);
  await source.open();
  chip.transfer(Uint8Array.of(REG_CALIBRATION, 0x7f, 0xff), 0);
  state.input = { shuntV: 0.05, busV: 5 };
  clock.ms += chip.periodMs;
  const overflow = await source.read(0);
  assert.equal(overflow.status, "overflow", "OVF in Mask/Enable");
});

Deno.test("Ina2xxSource re-initialises a chip after a brown-out, with a notice", async () => {
  for (const kind of KINDS) {
    const { source, chip, clock, notices } = rig(kind);
    await source.open();
    clock.ms += chip.periodMs;
    const before = await source.read(0);
    chip.powerOn(); // brown-out: every register back to its power-on value
    clock.ms += 2 * chip.periodMs;
    const after = await source.read(0);
    assert.deepEqual(after, before, `${kind.name}: read anew after the set-up, never 0 A`);
    assert.equal(source.details().resets, 1);
    assert.equal(source.details().initialisations, 2);
    assert.match(notices.join("\n"), new RegExp(`^${kind.name} had reset`));
    await source.close();
  }
});

Deno.test("Ina2xxSource on a NACKing or stuck bus: sensor errors, backoff, then recovery", async () => {
  for (const [kind, fault] of KINDS.flatMap((k) => [[k, "nack"], [k, "stuck"]] as const)) {
    const { source, bus, clock } = rig(kind);
    await source.open();
    bus.fault = fault;
    const errno = fault === "nack" ? /ENXIO/ : /ETIMEDOUT/;
    await assert.rejects(
      source.read(0),
      (e: SensorError) =>
        e instanceof SensorError && errno.test(e.message) && /retrying in 1 s$/.test(e.message),
    );
    const transfers = bus.counts.transfers;
    await assert.rejects(source.read(0), /retrying in/);
    assert.equal(bus.counts.transfers, transfers, "no bus traffic before the retry is due");
    assert.equal(source.details().state, "retrying");
    bus.fault = undefined;
    clock.ms += 1000;
    const { a } = await source.read(0);
    assert.ok(Math.abs(a - 0.25) < 1e-4, `${kind.name}: ${a}`);
    assert.equal(source.details().state, "ok");
    await source.close();
  }
});

Deno.test("Ina2xxSource refuses a chip whose IDs are another part's", async () => {
  const { bus } = rig(KINDS[1]); // an INA260 at 0x40
  const wrong = new Ina226Source(bus, {
    shuntOhms: 0.1,
    maxCurrentA: 1,
    sleep: () => Promise.resolve(),
  });
  const lines = await wrong.open();
  assert.match(
    lines.at(-1)!,
    /^INA226 not ready: INA226 at 0x40 on emulated \(400 kHz\) is not an INA226: manufacturer ID 0x5449, device ID 0x2270 \(expected 0x5449 and 0x226x\)/,
  );
  const ina219 = new Ina219Chip({ now: () => 0, input: () => ({ shuntV: 0, busV: 0 }) });
  const old = new EmulatedI2cBus({ devices: new Map([[0x40, ina219]]), spend: () => {} });
  const lines219 = await new Ina228Source(old, { shuntOhms: 0.1, maxCurrentA: 1 }).open();
  assert.match(lines219.at(-1)!, /is not an INA228: manufacturer ID 0x0000/);
  await wrong.close();
});

Deno.test("Ina2xxSource rejects a chip that does not keep what was written", async () => {
  const { source, chip } = rig(KINDS[0]);
  const transfer = chip.transfer.bind(chip);
  // Writes to the calibration register are lost (another device answering at 0x40?).
  chip.transfer = (bytes, length) =>
    transfer(
      bytes[0] === REG_CALIBRATION && bytes.length === 3 ? bytes.slice(0, 1) : bytes,
      length,
    );
  const lines = await source.open();
  assert.match(
    lines.at(-1)!,
    /did not keep its calibration: wrote 0x0400, read 0x0000; retrying in 1 s$/,
  );
  assert.equal(source.details().state, "retrying");
});

Deno.test("Ina2xxSource waits for a fresh conversion and fails, never repeats, when none comes", async () => {
  const { source, chip } = rig(KINDS[0]);
  await source.open();
  chip.transfer(Uint8Array.of(REG_CONFIG, 0x41, 0x20), 0); // power-down: no more results
  await assert.rejects(
    source.read(0),
    /finished no conversion within 14 ms: check the sensor's power/,
  );
  const details = source.details();
  assert.equal(details.samples, 0);
  assert.ok((details.early_polls as number) >= 2, `${details.early_polls} polls found it running`);
  assert.equal(details.polls_per_sample, null);
});

Deno.test("Ina2xxSource sleeps until just before each conversion ends, then polls: one sample each", async (t) => {
  for (const kind of KINDS) {
    await t.step(kind.name, async () => {
      const { source, clock, chip } = rig(kind);
      await source.open();
      const t0 = clock.ms;
      const rounds = 50;
      for (let i = 0; i < rounds; i++) await source.read(clock.ms); // back to back
      const details = source.details();
      assert.equal(details.samples, rounds);
      assert.equal(details.torn_reads, 0);
      assert.equal(details.resyncs, 0);
      // Asleep through the conversion: a poll or two a sample, not one every 0.1 ms.
      assert.ok((details.polls_per_sample as number) <= 3, `${details.polls_per_sample}`);
      const perSampleMs = (clock.ms - t0) / rounds;
      assert.ok(Math.abs(perSampleMs - chip.periodMs) < 0.1, `${perSampleMs} ms a sample`);
      await source.close();
    });
  }
});

Deno.test("Ina2xxSource read long after the last conversion waits for the next one (resync)", async () => {
  const { source, clock } = rig(KINDS[0]);
  source.readIntervalMs = 1000; // as the acquisition Worker tells it
  await source.open();
  await source.read(clock.ms);
  for (let i = 0; i < 10; i++) {
    clock.ms += 1000 + 0.3 * i; // 1 Hz, at every phase of the conversion
    await source.read(clock.ms);
  }
  const details = source.details();
  assert.equal(details.resyncs, 10);
  assert.equal(details.torn_reads, 0);
  assert.equal(details.samples, 11);
  await source.close();
});

Deno.test("Ina228Source.accumulators(): the chip's energy and charge, carried over a brown-out", async () => {
  const { source, clock, chip } = rig(KINDS[2], { currentA: 0.5, busV: 12 });
  const ina228 = source as Ina228Source;
  await ina228.open();
  assert.deepEqual(ina228.accumulators(), { energyJ: 0, chargeC: 0 });
  const t0 = clock.ms;
  for (let i = 0; i < 100; i++) {
    clock.ms += 100;
    await ina228.read(clock.ms);
  }
  const seconds = (clock.ms - t0) / 1000;
  const first = ina228.accumulators();
  assert.ok(
    Math.abs(first.energyJ - 6 * seconds) < 0.01,
    `${first.energyJ} J ≈ 6 W × ${seconds} s`,
  );
  assert.ok(Math.abs(first.chargeC - 0.5 * seconds) < 0.001, `${first.chargeC} C`);
  chip.powerOn();
  for (let i = 0; i < 100; i++) {
    clock.ms += 100;
    await ina228.read(clock.ms);
  }
  const total = ina228.accumulators();
  assert.ok(total.energyJ > first.energyJ + 5.9, "the count goes on after the re-initialisation");
  // What flowed between the reset and the next read (the chip counted it with its
  // power-on SHUNT_CAL, then RSTACC) is lost: one 100 ms interval here.
  const countedSeconds = (clock.ms - t0) / 1000 - 0.1;
  assert.ok(Math.abs(total.energyJ - 6 * countedSeconds) < 0.05, `${total.energyJ} J`);
  assert.ok(Math.abs(total.chargeC - 0.5 * countedSeconds) < 0.005, `${total.chargeC} C`);
  assert.equal(ina228.details().energy_j, total.energyJ);
});

Deno.test("Ina2xxSource warns when the interval is shorter than a conversion; checks options", () => {
  const { source } = rig(KINDS[0], { averages: 16 });
  assert.deepEqual(source.warnings(100), []);
  assert.match(
    source.warnings(10)[0],
    /^SAMPLE_INTERVAL_MS 10 is shorter than the INA226's conversion time of 35.2 ms \(averaging 16, 1100 µs \+ 1100 µs\)/,
  );
  assert.throws(() => rig(KINDS[1], { averages: 8 }), /Invalid averaging 8/);
  const bus = new EmulatedI2cBus({ devices: new Map(), spend: () => {} });
  assert.throws(
    () => new Ina260Source(bus, { address: 0x50 }),
    /INA260 address 80: must be 0x40 to 0x4F/,
  );
  assert.throws(
    () => new Ina228Source(bus, { shuntOhms: 0.1, maxCurrentA: 1, busConversionUs: 1100 }),
    /1100 µs/,
  );
});
