import assert from "node:assert/strict";
import { loadConfig } from "../../src/config.ts";
import { buildIna219, ina219Settings } from "../../src/sources/create.ts";
import { I2cError } from "../../src/sources/i2c.ts";
import { EmulatedI2cBus, STUCK_TIMEOUT_MS, transferBits } from "../../src/sources/i2c_emulated.ts";
import { type AnalogInput, Ina219Chip } from "../../src/sources/ina219_chip.ts";
import { Ina219Source } from "../../src/sources/ina219.ts";
import {
  CONFIG_POWER_ON,
  REG_CALIBRATION,
  REG_CONFIG,
} from "../../src/sources/ina219_registers.ts";
import { SensorError } from "../../src/sources/source.ts";

/**
 * The real driver over an emulated bus and chip on one fake clock: transfers and
 * the driver's sleeps move it, so nothing here waits in real time.
 */
function rig(
  input: AnalogInput = { shuntV: 0.025, busV: 5.02 },
  khz: 100 | 400 = 400,
  adcSamples = 1,
) {
  const clock = { ms: 0 };
  const spent: number[] = [];
  const slept: number[] = [];
  const state = { input };
  /** When set, the input of the n-th conversion (n from 0): each one distinct. */
  const ramp = { on: false, n: 0 };
  const chip = new Ina219Chip({
    now: () => clock.ms,
    input: () => ramp.on ? { shuntV: 0.01, busV: 1 + 0.004 * ramp.n++ } : state.input,
  });
  const bus = new EmulatedI2cBus({
    khz,
    devices: new Map([[0x40, chip]]),
    spend: (us) => {
      spent.push(us);
      clock.ms += us / 1000;
    },
  });
  const notices: string[] = [];
  const source = new Ina219Source(bus, {
    shuntOhms: 0.1,
    maxCurrentA: 3.2,
    adcSamples,
    now: () => clock.ms,
    sleep: (ms) => {
      slept.push(ms);
      clock.ms += ms;
      return Promise.resolve();
    },
    onNotice: (m) => notices.push(m),
  });
  return { clock, spent, slept, state, chip, bus, source, notices, ramp };
}

Deno.test("transferBits() counts start, address + ack, bytes × 9, repeated start, stop", () => {
  assert.equal(transferBits(3, 0), 1 + 9 + 27 + 1, "a register write");
  assert.equal(transferBits(1, 2), 1 + 9 + 9 + 1 + 9 + 18 + 1, "a register read");
});

Deno.test("EmulatedI2cBus spends each transfer's bit times at its clock", async () => {
  for (const khz of [100, 400] as const) {
    const { bus, spent } = rig(undefined, khz);
    await bus.writeRead(0x40, Uint8Array.of(REG_CONFIG), 2);
    assert.deepEqual(spent, [(48 * 1000) / khz], `48 bits at ${khz} kHz`);
  }
});

Deno.test("EmulatedI2cBus: the driver's configuration reaches the chip's registers", async () => {
  const { source, chip } = rig();
  await source.open();
  assert.equal(chip.peek(REG_CONFIG), 0x399f);
  assert.equal(chip.peek(REG_CALIBRATION), 4096);
  const reading = await source.read(0);
  // Power = 2500 × 1255 / 5000 = 627.5 → 627 steps of 2 mW: the chip truncates.
  assert.deepEqual(reading, { v: 5.02, a: 0.25, w: 1.254, status: "ok" });
  await source.close();
});

Deno.test("EmulatedI2cBus fails like Linux: ENXIO for an absent address or a NACK, ETIMEDOUT when stuck", async () => {
  const { bus, spent } = rig();
  await assert.rejects(bus.writeRead(0x41, Uint8Array.of(2), 2), (e: I2cError) => {
    assert.equal(e.errno, "ENXIO");
    assert.equal(
      e.message,
      "I2C transfer of register 0x02 at 0x41 on emulated (400 kHz) failed: nothing answers at 0x41 (ENXIO): check the wiring (VCC, GND, SDA, SCL) and the A0/A1 address (I2C_ADDRESS)",
    );
    return true;
  });
  bus.fault = "nack";
  await assert.rejects(bus.writeRead(0x40, Uint8Array.of(2), 2), /ENXIO/);
  bus.fault = "stuck";
  spent.length = 0;
  await assert.rejects(bus.writeRead(0x40, Uint8Array.of(2), 2), /the bus timed out \(ETIMEDOUT\)/);
  assert.deepEqual(spent, [STUCK_TIMEOUT_MS * 1000], "a stuck bus blocks for the timeout");
});

Deno.test("Ina219Source over the emulated chip: CNVR-fresh reads when paced at the conversion time", async () => {
  const { source, clock, chip } = rig();
  await source.open();
  const before = chip.conversions;
  for (let i = 0; i < 200; i++) {
    clock.ms += chip.periodMs; // pace reads at the conversion time
    await source.read(clock.ms);
  }
  assert.equal(source.details().samples, 200);
  assert.ok(chip.conversions - before >= 200);
});

Deno.test("Ina219Source over the emulated chip: each sample is one fresh conversion, none twice, none skipped", async (t) => {
  for (const adcSamples of [1, 2, 16]) {
    for (const factor of [1.5, 1, 0.4]) {
      await t.step(`ADC_SAMPLES ${adcSamples}, interval ${factor} × conversion`, async () => {
        const { source, clock, chip, ramp } = rig(undefined, 400, adcSamples);
        await source.open();
        ramp.on = true;
        const intervalMs = factor * chip.periodMs;
        const first = chip.conversions; // latches the conversion due now, if any
        const values: number[] = [];
        let ticks = 0;
        const t0 = clock.ms;
        // A sampler at `intervalMs`: reads at t0 + n·interval; a late read skips missed ticks.
        for (let n = 1; clock.ms - t0 < 500; n++) {
          const due = t0 + n * intervalMs;
          if (clock.ms >= due) continue;
          clock.ms = due;
          ticks++;
          values.push((await source.read(clock.ms)).v);
        }
        assert.equal(new Set(values).size, values.length, "no conversion twice");
        // values[0] is the conversion left from start-up; the ramp begins after it.
        const steps = values.slice(1).map((v) => Math.round((v - 1) / 0.004));
        const consecutive = steps.every((k, i) => i === 0 || k === steps[i - 1] + 1);
        if (factor > 1) {
          assert.equal(values.length, ticks, "every tick finds a fresh conversion");
        } else {
          // As fast as the chip or faster: every conversion once, at the conversion rate.
          assert.ok(consecutive, "no conversion skipped");
          const rate = values.length / ((clock.ms - t0) / 1000);
          assert.ok(rate <= 1000 / chip.periodMs + 2, `${rate}/s ≤ the conversion rate`);
        }
        assert.ok(chip.conversions - first >= values.length - 1);
        await source.close();
      });
    }
  }
});

Deno.test("Ina219Source over the emulated chip sleeps through a conversion and polls CNVR only near its end", async () => {
  const { source, clock, bus, chip, spent, slept, ramp } = rig();
  await source.open();
  await source.read(0);
  // Reads back to back, as the acquisition Worker at SAMPLE_INTERVAL_MS=1.
  ramp.on = true;
  const t0 = clock.ms;
  const transfers = bus.counts.transfers;
  const busyBefore = spent.reduce((a, b) => a + b, 0);
  const sleptBefore = slept.reduce((a, b) => a + b, 0);
  const values: number[] = [];
  for (let i = 0; i < 500; i++) values.push((await source.read(clock.ms)).v);
  const elapsedMs = clock.ms - t0;
  const steps = values.map((v) => Math.round((v - 1) / 0.004));
  assert.ok(steps.every((k, i) => i === 0 || k === steps[i - 1] + 1), "every conversion once");
  assert.ok(values.length / (elapsedMs / 1000) <= 1000 / chip.periodMs + 1, "≤ conversion rate");
  const perSample = (bus.counts.transfers - transfers) / values.length;
  // Polling back to back made 9 transfers a sample (6 CNVR polls); now it wakes 0.1 ms
  // early (what a real sub-millisecond sleep overshoots): at most 3 polls on this exact clock.
  assert.ok(perSample <= 6.1, `${perSample} transfers a sample`);
  const busyMs = (spent.reduce((a, b) => a + b, 0) - busyBefore) / 1000;
  // Polling back to back kept the thread busy the whole time.
  assert.ok(busyMs / elapsedMs < 0.75, `busy ${busyMs} of ${elapsedMs} ms`);
  const sleptMs = slept.reduce((a, b) => a + b, 0) - sleptBefore;
  assert.ok(sleptMs / elapsedMs > 0.25, `slept ${sleptMs} of ${elapsedMs} ms`);
  const details = source.details();
  assert.ok((details.polls_per_sample as number) <= 3.1, `${details.polls_per_sample} polls`);
  assert.equal(details.torn_reads, 0, "400 kHz: a sample's reads fit in one conversion");
  await source.close();
});

Deno.test("Ina219Source over the emulated chip marks OVF as overflow", async () => {
  const { source, state, clock, chip } = rig();
  await source.open();
  state.input = { shuntV: 0.5, busV: 26 }; // beyond 320 mV: clipped at full scale
  clock.ms += 2;
  const reading = await source.read(0);
  assert.equal(reading.status, "overflow");
  assert.equal(reading.a, 3.2, "32000 × 4096 / 4096 steps of 100 µA");
  assert.equal(chip.peek(REG_CALIBRATION), 4096);
  await source.close();
});

Deno.test("Ina219Source re-initialises an emulated chip after a brown-out", async () => {
  const { source, chip, clock, notices } = rig();
  await source.open();
  clock.ms += 2;
  assert.equal((await source.read(0)).a, 0.25);
  chip.powerOn(); // brown-out: config 0x399F, calibration 0
  assert.equal(chip.peek(REG_CALIBRATION), 0);
  assert.equal(chip.peek(REG_CONFIG), CONFIG_POWER_ON);
  clock.ms += 2;
  const reading = await source.read(0);
  assert.equal(reading.a, 0.25, "read anew after setting the chip up again, never 0 A");
  assert.equal(chip.peek(REG_CALIBRATION), 4096);
  assert.equal(source.details().resets, 1);
  assert.equal(source.details().initialisations, 2);
  assert.match(notices.join("\n"), /INA219 had reset/);
});

Deno.test("Ina219Source on an emulated bus: NACK and a stuck bus are sensor errors, retried with backoff", async () => {
  for (const fault of ["nack", "stuck"] as const) {
    const { source, bus, clock } = rig();
    await source.open();
    bus.fault = fault;
    await assert.rejects(
      source.read(0),
      (e: SensorError) =>
        e instanceof SensorError &&
        (fault === "nack" ? /ENXIO/ : /ETIMEDOUT/).test(e.message) &&
        /retrying in 1 s/.test(e.message),
    );
    const transfers = bus.counts.transfers;
    await assert.rejects(source.read(0), /retrying in/);
    assert.equal(bus.counts.transfers, transfers, "no bus traffic before the retry is due");
    bus.fault = undefined;
    clock.ms += 1000;
    const reading = await source.read(0);
    assert.equal(reading.a, 0.25);
    assert.equal(source.details().state, "ok");
    await source.close();
  }
});

Deno.test("SENSOR=ina219 I2C_BUS=emulated builds (in the acquisition Worker) the driver over the emulated chip; modes switch its input", async () => {
  const config = loadConfig({
    SENSOR: "ina219",
    I2C_BUS: "emulated",
    I2C_EMULATED_KHZ: "100",
    MOCK_SEED: "7",
    MOCK_MODE: "VOLTAGE_DROP",
    DB_PATH: ":memory:",
  }, []);
  assert.equal(config.i2cBus, "emulated");
  assert.equal(config.i2cEmulatedKhz, 100);
  const notices: string[] = [];
  const source = buildIna219(ina219Settings(config), { onNotice: (m) => notices.push(m) });
  assert.equal(source.kind, "ina219");
  assert.equal(source.mode, "VOLTAGE_DROP");
  assert.ok(source.modes.includes("LOAD_SPIKE"));
  const lines = await source.open();
  assert.equal(lines.at(-1), "INA219 ready - Starting measurements...");
  assert.equal(lines[0], "INA219 at 0x40 on emulated (100 kHz)");
  const drop = await source.read(Date.now());
  assert.ok(drop.v > 4.05 && drop.v < 4.35, `VOLTAGE_DROP bus voltage ${drop.v}`);
  assert.equal(Math.round(drop.v * 1000) % 4, 0, "4 mV steps");
  source.setMode("LOAD_SPIKE");
  assert.equal(source.mode, "LOAD_SPIKE");
  await new Promise((r) => setTimeout(r, 3)); // a fresh conversion
  const spike = await source.read(Date.now());
  assert.ok(spike.a >= 0.79 && spike.a <= 1.01, `LOAD_SPIKE current ${spike.a}`);
  source.setMode("ERROR_TEST");
  await assert.rejects(Promise.resolve(source.read(Date.now())), /ENXIO/);
  assert.throws(() => source.setMode("BOGUS"), RangeError);
  assert.ok(notices.includes("Simulation Mode: LOAD_SPIKE"));
  await source.close();
});

Deno.test("I2C_BUS takes a number or emulated, I2C_EMULATED_KHZ 100 or 400", () => {
  assert.equal(loadConfig({ DB_PATH: ":memory:" }, []).i2cEmulatedKhz, 400);
  assert.equal(loadConfig({ I2C_BUS: "3", DB_PATH: ":memory:" }, []).i2cBus, 3);
  assert.throws(() => loadConfig({ I2C_BUS: "virtual", DB_PATH: ":memory:" }, []), /I2C_BUS/);
  assert.throws(
    () => loadConfig({ I2C_EMULATED_KHZ: "1000", DB_PATH: ":memory:" }, []),
    /I2C_EMULATED_KHZ/,
  );
});

Deno.test("Ina219Source counts torn reads: at 100 kHz four register reads outlast a 12-bit conversion", async (t) => {
  for (
    const [khz, adcSamples, torn] of [[400, 1, false], [100, 1, true], [100, 4, false]] as const
  ) {
    await t.step(`${khz} kHz, ADC_SAMPLES ${adcSamples}: ${torn ? "torn" : "whole"}`, async () => {
      const { source, clock } = rig(undefined, khz, adcSamples);
      await source.open();
      for (let i = 0; i < 50; i++) await source.read(clock.ms); // back to back
      const { samples, torn_reads } = source.details();
      assert.equal(samples, 50);
      // The first sample reads the conversion left from start-up, whose latch is known.
      if (torn) assert.ok((torn_reads as number) >= 49, `${torn_reads} torn`);
      else assert.equal(torn_reads, 0);
      await source.close();
    });
  }
});

Deno.test("Ina219Source read long after the last conversion clears CNVR and waits for the next (not torn)", async () => {
  const { source, clock, chip } = rig();
  source.readIntervalMs = 1000; // as the acquisition Worker tells it
  await source.open();
  await source.read(clock.ms);
  for (let i = 0; i < 10; i++) {
    clock.ms += 1000 + 0.3 * i; // 1 Hz, at every phase of the conversion
    const before = chip.conversions;
    await source.read(clock.ms);
    // One may latch before the poll (read, then cleared); the sample is the one after the clear.
    assert.ok(chip.conversions - before <= 2, "no later conversion");
  }
  const details = source.details();
  assert.equal(details.resyncs, 10);
  assert.equal(details.torn_reads, 0);
  // At 100 kHz a sample's reads outlast a conversion: a resync would not help.
  const slow = rig(undefined, 100);
  slow.source.readIntervalMs = 1000;
  await slow.source.open();
  await slow.source.read(slow.clock.ms);
  slow.clock.ms += 1000;
  await slow.source.read(slow.clock.ms);
  assert.equal(slow.source.details().resyncs, 0);
  assert.equal(slow.source.details().torn_reads, 2);
  await source.close();
  await slow.source.close();
});

Deno.test("Ina219Source.setAdcSamples() rewrites the configuration and the pacing follows", async () => {
  const { source, clock, chip } = rig();
  await source.open();
  await source.read(clock.ms);
  assert.deepEqual(await source.setAdcSamples(4), { adcSamples: 4, conversionTimeMs: 4.26 });
  assert.equal(chip.peek(REG_CONFIG), 0x3d57, "BADC = SADC = 1010 (4 samples)");
  assert.equal(chip.periodMs, 4.26);
  const t0 = clock.ms;
  for (let i = 0; i < 20; i++) await source.read(clock.ms);
  const perSampleMs = (clock.ms - t0) / 20;
  assert.ok(Math.abs(perSampleMs - 4.26) < 0.1, `${perSampleMs} ms a sample`);
  assert.equal(source.details().adc_samples, 4);
  assert.equal(source.details().conversion_time_ms, 4.26);
  await assert.rejects(source.setAdcSamples(3), RangeError);
  await assert.rejects(source.setAdcSamples(256), RangeError);
  assert.equal(chip.peek(REG_CONFIG), 0x3d57, "unchanged");
  await source.close();
});
