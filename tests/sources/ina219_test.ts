import assert from "node:assert/strict";
import type { Sample } from "../../src/sample.ts";
import { Sampler } from "../../src/sampler.ts";
import { type Ina219Options, Ina219Source } from "../../src/sources/ina219.ts";
import {
  REG_BUS_VOLTAGE,
  REG_CALIBRATION,
  REG_CONFIG,
  REG_POWER,
} from "../../src/sources/ina219_registers.ts";
import { SensorError } from "../../src/sources/source.ts";
import { FakeIna219 } from "../fake_ina219.ts";
import { FakeClock } from "../fakes.ts";

const noSleep = () => Promise.resolve();

/** A fake chip on a 0.1 Ω shunt carrying `currentA` at `busV`, and its driver. */
function setup(options: Partial<Ina219Options> = {}, currentA = 0.25, busV = 5.02) {
  const chip = new FakeIna219();
  chip.shuntVoltageV = currentA * (options.shuntOhms ?? 0.1);
  chip.busVoltageV = busV;
  const clock = new FakeClock();
  const notices: string[] = [];
  const source = new Ina219Source(chip, {
    shuntOhms: 0.1,
    maxCurrentA: 3.2,
    now: () => clock.now(),
    sleep: noSleep,
    onNotice: (m) => notices.push(m),
    ...options,
  });
  return { chip, clock, source, notices };
}

Deno.test("Ina219Source reproduces the datasheet's worked example (Table 8)", async () => {
  const { chip, source } = setup(
    {
      shuntOhms: 0.002,
      maxCurrentA: 15,
      currentLsbA: 0.001,
      busRangeV: 16,
      shuntRangeMv: 40,
    },
    10,
    11.98,
  );
  const lines = await source.open();
  assert.equal(lines.at(-1), "INA219 ready - Starting measurements...");
  assert.deepEqual(chip.writes(REG_CONFIG), [0x019f]);
  assert.deepEqual(chip.writes(REG_CALIBRATION), [0x5000]);
  assert.deepEqual(await source.read(0), { v: 11.98, a: 10, w: 119.8, status: "ok" });
  assert.equal(chip.registers[4], 0x2710, "current register as in Table 8");
  assert.equal(chip.registers[REG_POWER], 0x1766, "power register as in Table 8");
  await source.close();
});

Deno.test("Ina219Source reads 0.1 Ω / 3.2 A with 100 µA and 2 mW steps", async () => {
  const { chip, source } = setup();
  await source.open();
  assert.deepEqual(chip.writes(REG_CONFIG), [0x399f], "32 V, ÷8 (320 mV), 12-bit, continuous");
  assert.deepEqual(chip.writes(REG_CALIBRATION), [4096]);
  assert.deepEqual(await source.read(0), { v: 5.02, a: 0.25, w: 1.254, status: "ok" });
  chip.shuntVoltageV = -0.01234; // current flowing backwards
  assert.equal((await source.read(0)).a, -0.1234);
  const details = source.details();
  assert.equal(details.bus, "/dev/i2c-fake");
  assert.equal(details.address, "0x40");
  assert.equal(details.calibration, 4096);
  assert.equal(details.current_lsb_a, 0.0001);
  assert.equal(details.power_lsb_w, 0.002);
  assert.equal(details.config, "0x399F");
  assert.equal(details.state, "ok");
  assert.equal(details.last_error, null);
  await source.close();
});

Deno.test("Ina219Source marks the OVF bit and a clipped shunt as overflow", async () => {
  const { chip, source } = setup({ shuntRangeMv: 40 });
  await source.open();
  chip.shuntVoltageV = 0.05; // beyond ±40 mV: the ADC clips
  assert.equal((await source.read(0)).status, "overflow");
  chip.shuntVoltageV = 0.01;
  assert.equal((await source.read(0)).status, "ok");
  chip.convert();
  chip.autoConvert = false;
  chip.registers[REG_BUS_VOLTAGE] |= 0b11; // CNVR + OVF
  assert.equal((await source.read(0)).status, "overflow");
  await source.close();
});

Deno.test("Ina219Source writes configuration and calibration again after a brown-out", async () => {
  const { chip, source, notices } = setup();
  await source.open();
  chip.powerOn(); // the chip reset: calibration 0, current and power read 0
  assert.deepEqual(await source.read(0), { v: 5.02, a: 0.25, w: 1.254, status: "ok" });
  assert.deepEqual(chip.writes(REG_CALIBRATION), [4096, 4096]);
  assert.equal(notices.length, 1);
  assert.match(notices[0], /^INA219 had reset \(calibration read 0, a brown-out\?\)/);
  assert.equal(source.details().resets, 1);
  // No load is not a reset: the calibration register is still set.
  chip.shuntVoltageV = 0;
  assert.deepEqual(await source.read(0), { v: 5.02, a: 0, w: 0, status: "ok" });
  assert.equal(chip.writes(REG_CALIBRATION).length, 2);
  await source.close();
});

Deno.test("Ina219Source backs off 1 s, 2 s, 4 s … 30 s and fails fast in between", async () => {
  const { chip, clock, source } = setup();
  await source.open();
  chip.fault = "nack";
  await assert.rejects(source.read(0), (error: Error) => {
    assert.ok(error instanceof SensorError);
    assert.match(error.message, /nothing answers|ENXIO/);
    assert.match(error.message, /; retrying in 1 s$/);
    return true;
  });
  const delays: number[] = [];
  for (let i = 0; i < 7; i++) {
    const before = chip.transfers.length;
    clock.nowMs += 500;
    await assert.rejects(source.read(0), /retrying in/);
    assert.equal(chip.transfers.length, before, "no bus traffic before the retry is due");
    clock.nowMs += source.details().retry_in_s as number * 1000;
    await assert.rejects(source.read(0), (e: Error) => {
      delays.push(Number(/retrying in ([\d.]+) s$/.exec(e.message)![1]));
      return true;
    });
    assert.ok(chip.transfers.length > before, "an attempt was made");
  }
  assert.deepEqual(delays, [2, 4, 8, 16, 30, 30, 30]);
  assert.equal(source.details().state, "retrying");
  assert.ok(chip.closes >= 8, "the bus is closed after each failure");
  // The fault clears: the next due attempt sets the chip up again and reads real values.
  chip.fault = undefined;
  chip.powerOn();
  clock.nowMs += 30_000;
  assert.deepEqual(await source.read(0), { v: 5.02, a: 0.25, w: 1.254, status: "ok" });
  assert.equal(chip.registers[REG_CALIBRATION], 4096, "re-initialised");
  assert.equal(source.details().state, "ok");
  await source.close();
});

Deno.test("Ina219Source.open() reports a missing chip and keeps going", async () => {
  const { chip, source } = setup({ address: 0x41 });
  chip.fault = "timeout";
  const lines = await source.open();
  assert.match(lines.at(-1)!, /^INA219 not ready: .*ETIMEDOUT.*; retrying in 1 s$/);
  await assert.rejects(source.read(0), SensorError);
  await source.close();
});

Deno.test("Ina219Source rejects a chip that does not keep its calibration", async () => {
  const { chip, source } = setup();
  chip.address = 0x40;
  const original = chip.writeRead.bind(chip);
  chip.writeRead = (address, bytes, length) =>
    original(
      address,
      bytes[0] === REG_CALIBRATION && bytes.length === 3 ? bytes.slice(0, 1) : bytes,
      length,
    );
  const lines = await source.open();
  assert.match(lines.at(-1)!, /did not keep its calibration: wrote 0x1000, read 0x0000/);
  await source.close();
});

Deno.test("Ina219Source waits for a fresh conversion and fails, never repeats, when none comes", async () => {
  const { chip, source } = setup();
  chip.autoConvert = false;
  assert.match((await source.open()).at(-1)!, /finished no conversion within 12 ms/);
  chip.autoConvert = true;
  const late = setup({ backoff: { baseMs: 0 } });
  await late.source.open();
  late.chip.autoConvert = false; // reads come faster than conversions
  await late.source.read(0);
  await assert.rejects(
    Promise.resolve(late.source.read(0)),
    /finished no conversion within 12 ms: check the sensor's power/,
    "no conversion since the last read: no sample from old registers",
  );
  assert.ok((late.source.details().early_polls as number) > 1, "polled until the limit");
  assert.equal(late.source.details().samples, 1);
  await source.close();
  await late.source.close();
});

Deno.test("Ina219Source: a thread preempted right after a not-ready poll is no sensor error", async () => {
  const { chip, clock, source } = setup();
  await source.open();
  await source.read(0);
  chip.autoConvert = false;
  const writeRead = chip.writeRead.bind(chip);
  let preempted = false;
  chip.writeRead = async (address, bytes, length) => {
    const out = await writeRead(address, bytes, length);
    if (bytes[0] === REG_BUS_VOLTAGE && length === 2 && !preempted) {
      preempted = true;
      clock.nowMs += 30; // the OS runs something else for 30 ms after this poll
      chip.convert(); // ... while the chip finishes its conversion
    }
    return out;
  };
  const reading = await source.read(0);
  assert.equal(reading.status, "ok");
  assert.equal(source.details().state, "ok");
  await source.close();
});

Deno.test("Ina219Source automatic gain finds the finest range and escapes clipping", async () => {
  const { chip, source } = setup({ shuntRangeMv: "auto" }, 0.05);
  await source.open();
  assert.equal(source.config.pga, 8, "starts at 320 mV, which cannot clip");
  assert.equal((await source.read(0)).a, 0.05);
  assert.equal(source.config.pga, 1, "5 mV fits the 40 mV range");
  chip.shuntVoltageV = 0.1; // 1 A: clips at 40 mV
  assert.equal((await source.read(0)).status, "overflow");
  assert.equal(source.config.pga, 8);
  assert.deepEqual(await source.read(0), { v: 5.02, a: 1, w: 5.02, status: "ok" });
  assert.equal(source.config.pga, 4, "100 mV fits 160 mV with headroom");
  assert.equal(source.details().gain_changes, 3);
  await source.close();
});

Deno.test("Ina219Source warns when the interval is shorter than a conversion", () => {
  const { source } = setup({ adcSamples: 128 });
  assert.deepEqual(source.warnings(1000), []);
  assert.match(
    source.warnings(100)[0],
    /^SAMPLE_INTERVAL_MS 100 is shorter than the INA219's conversion time of 136.2 ms at ADC_SAMPLES 128/,
  );
  assert.throws(() => setup({ address: 0x50 }), /must be 0x40 to 0x4F/);
  assert.throws(() => setup({ shuntOhms: 1, maxCurrentA: 1 }), /1000 mV across the shunt exceeds/);
  assert.throws(() => setup({ adcSamples: 3 }), /ADC sample count 3/);
});

Deno.test("Sampler + Ina219Source: SDA pulled mid-run gives error samples, then recovers", async () => {
  const { chip, clock, source } = setup();
  const samples: Sample[] = [];
  const statuses: string[] = [];
  const sampler = new Sampler(source, {
    intervalMs: 1000,
    clock,
    onSample: (s) => samples.push(s),
    onStatus: (m) => statuses.push(m),
  });
  await sampler.start();
  await clock.advance(3000);
  chip.fault = "nack";
  await clock.advance(10_000);
  chip.fault = undefined;
  await clock.advance(20_000);
  await sampler.stop();
  const errors = samples.filter((s) => s.status === "error");
  assert.ok(errors.length >= 10, `${errors.length} error samples`);
  for (const s of errors) assert.deepEqual([s.v, s.a, s.w], [0, 0, 0], "no invented numbers");
  for (const s of samples.filter((s) => s.status === "ok")) assert.equal(s.a, 0.25);
  assert.equal(samples.at(-1)!.status, "ok");
  assert.deepEqual(samples.map((s) => s.seq), samples.map((_, i) => i + 1));
  assert.equal(statuses.filter((s) => s.startsWith("Sensor error")).length, 1);
  assert.equal(statuses.filter((s) => s === "Sensor recovered").length, 1);
  // Set-up at open; the read at 4 s fails; attempts at 5, 7 and 11 s fail (1, 2, 4 s
  // apart), the one at 19 s (8 s later, after the fault cleared at 13 s) succeeds.
  assert.equal(chip.writes(REG_CONFIG).length, 5);
  const firstOk = samples.findIndex((s, i) => i > 3 && s.status === "ok");
  assert.equal(samples[firstOk].tsMs - samples[0].tsMs, 19_000);
});
