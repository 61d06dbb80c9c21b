import assert from "node:assert/strict";
import type { GroupSettings } from "../../src/acquisition/group.ts";
import { busGroups } from "../../src/channels.ts";
import { loadConfig } from "../../src/config.ts";
import { runVirtual } from "./virtual_group.ts";

/** The emulated bus group of a CHANNELS list, every input NORMAL, seeds 1, 2, … */
function emulatedGroup(channels: unknown[], khz = 400): GroupSettings {
  const config = loadConfig({ CHANNELS: JSON.stringify(channels), I2C_EMULATED_KHZ: `${khz}` }, []);
  const [group] = busGroups(config.channels);
  return {
    kind: "i2c",
    bus: group.bus,
    emulatedKhz: group.emulatedKhz,
    channels: group.channels,
    inputs: Object.fromEntries(
      group.channels.map((
        c,
        i,
      ) => [c.name, { mockMode: "NORMAL", mockAutoRotateMs: 0, mockSeed: i + 1 }]),
    ),
  };
}

function ina219s(count: number, intervalMs: number): unknown[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `c${i}`,
    sensor: "ina219",
    i2c_bus: "emulated",
    i2c_address: `0x${(0x40 + i).toString(16)}`,
    sample_interval_ms: intervalMs,
  }));
}

function rates(events: { channel: string; error?: string }[], seconds: number) {
  const counts: Record<string, number> = {};
  for (const e of events) {
    assert.equal(e.error, undefined, `${e.channel}: ${e.error}`);
    counts[e.channel] = (counts[e.channel] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).map(([k, n]) => [k, n / seconds]));
}

Deno.test("four emulated INA219s on one 400 kHz bus at 4 ms each: every channel ~250/s, one fresh conversion per sample", async () => {
  const run = await runVirtual(emulatedGroup(ina219s(4, 4)), { durationMs: 2000 });
  const perSecond = rates(run.events, 2);
  assert.deepEqual(Object.keys(perSecond).sort(), ["c0", "c1", "c2", "c3"]);
  for (const [channel, rate] of Object.entries(perSecond)) {
    assert.ok(rate >= 245 && rate <= 251, `${channel}: ${rate}/s`);
    const details = run.details[channel];
    assert.equal(details.samples, details.reads, `${channel}: one conversion per read`);
    assert.ok(
      (details.skipped_ticks as number) <= 4,
      `${channel}: ${details.skipped_ticks} skipped`,
    );
  }
  assert.ok(run.busyMs < 2000, "the bus has capacity left");
  for (const channel of ["c0", "c1"]) {
    const e = run.events.find((e) => e.channel === channel && e.reading)!;
    assert.ok(e.reading!.v > 4.8 && e.reading!.v < 5.1, `${channel}: ${e.reading!.v} V`);
  }
});

Deno.test("each channel keeps its own interval on a shared bus", async () => {
  const channels = ina219s(3, 4).map((c, i) => ({
    ...(c as object),
    sample_interval_ms: [2, 10, 100][i],
  }));
  const run = await runVirtual(emulatedGroup(channels), { durationMs: 2000 });
  const perSecond = rates(run.events, 2);
  assert.ok(perSecond.c0 >= 480 && perSecond.c0 <= 501, `c0 ${perSecond.c0}`);
  assert.ok(perSecond.c1 >= 98 && perSecond.c1 <= 101, `c1 ${perSecond.c1}`);
  assert.ok(perSecond.c2 >= 9.5 && perSecond.c2 <= 10.5, `c2 ${perSecond.c2}`);
});

Deno.test("a saturated bus (100 kHz, four INA219s at 1 ms) degrades every channel alike", async () => {
  const run = await runVirtual(emulatedGroup(ina219s(4, 1), 100), { durationMs: 2000 });
  const perSecond = rates(run.events, 2);
  const values = Object.values(perSecond);
  assert.equal(values.length, 4);
  const [min, max] = [Math.min(...values), Math.max(...values)];
  assert.ok(max < 1000, `saturated: ${max}/s`);
  assert.ok(max - min <= 0.05 * max, `fair: ${JSON.stringify(perSecond)}`);
  assert.ok(run.busyMs > 0.9 * 2000, `the bus is busy ${run.busyMs} of 2000 ms`);
});

const EVERY_CHIP = [
  { name: "i219", sensor: "ina219", i2c_address: "0x40" },
  { name: "i226", sensor: "ina226", i2c_address: "0x41" },
  { name: "i3221a", sensor: "ina3221", i2c_address: "0x42", chip_channel: 1 },
  { name: "i3221b", sensor: "ina3221", i2c_address: "0x42", chip_channel: 2 },
  { name: "i228", sensor: "ina228", i2c_address: "0x44" },
  { name: "i260", sensor: "ina260", i2c_address: "0x45" },
].map((c) => ({ ...c, i2c_bus: "emulated", sample_interval_ms: 10 }));

Deno.test("every chip type on one emulated bus: fresh readings of the mock's rail, scaled to each chip's range; a mode switches one chip's input", async () => {
  const run = await runVirtual(emulatedGroup(EVERY_CHIP), {
    durationMs: 1000,
    at: [{ ms: 500, run: (runner) => runner.setMode("i226", "LOAD_SPIKE") }],
  });
  const before = run.events.filter((e) => e.tsMs < 1_000_000 + 500);
  const after = run.events.filter((e) => e.tsMs > 1_000_000 + 510);
  for (const name of EVERY_CHIP.map((c) => c.name)) {
    const mine = before.filter((e) => e.channel === name);
    let torn = 0;
    assert.ok(mine.length >= 45, `${name}: ${mine.length} readings in 0.5 s at 10 ms`);
    for (const e of mine) {
      assert.equal(e.error, undefined, `${name}: ${e.error}`);
      const { v, a, w, status } = e.reading!;
      assert.equal(status, "ok", name);
      assert.ok(v > 4.9 && v < 5.1, `${name}: ${v} V`);
      // NORMAL: 0.2 A ± 0.12; the INA226 (81.92 mV over 0.1 Ω) scales it by 0.737.
      const [low, high] = name === "i226" ? [0.04, 0.25] : [0.07, 0.33];
      assert.ok(a > low && a < high, `${name}: ${a} A`);
      if (Math.abs(w - v * a) > 0.05 * v * a + 0.01) torn++; // power of the next conversion
    }
    assert.ok(torn <= mine.length / 4, `${name}: ${torn} of ${mine.length} torn`);
    assert.equal(run.details[name].samples ?? run.details[name].reads, run.details[name].reads);
  }
  const spikes = after.filter((e) => e.channel === "i226").map((e) => e.reading!.a);
  assert.ok(spikes.length > 40 && spikes.every((a) => a > 0.55 && a < 0.75), `${spikes}`);
  assert.ok(after.filter((e) => e.channel === "i219").every((e) => e.reading!.a < 0.33));
  assert.equal(after.find((e) => e.channel === "i226")!.mode, "LOAD_SPIKE");
  const energy = run.events.filter((e) => e.channel === "i228").map((e) =>
    e.reading ? e.accumulators!.energyJ : NaN
  );
  assert.ok(energy.at(-1)! > energy[0] && energy.at(-1)! < 1.5, `INA228 energy ${energy.at(-1)} J`);
  assert.deepEqual(run.details.i3221a.chip_channels, [1, 2]);
});

Deno.test("an emulated chip in ERROR_TEST stops answering: its channel reads errors, the others go on", async () => {
  const run = await runVirtual(emulatedGroup(EVERY_CHIP.slice(0, 2)), {
    durationMs: 600,
    at: [{ ms: 200, run: (runner) => runner.setMode("i219", "ERROR_TEST") }],
  });
  const late = run.events.filter((e) => e.tsMs > 1_000_000 + 220);
  assert.ok(late.some((e) => e.channel === "i219" && /ENXIO/.test(e.error ?? "")));
  const i226 = late.filter((e) => e.channel === "i226");
  assert.ok(i226.length > 30 && i226.every((e) => e.reading), "the other chip reads on");
});

Deno.test("an emulated INA3221's chip channels each have their own input: own signal, own mode", async () => {
  const chip = [1, 2, 3].map((n) => ({
    name: `ch${n}`,
    sensor: "ina3221",
    i2c_bus: "emulated",
    i2c_address: "0x42",
    chip_channel: n,
    sample_interval_ms: 10,
  }));
  const run = await runVirtual(emulatedGroup(chip), {
    durationMs: 1000,
    at: [{ ms: 500, run: (runner) => runner.setMode("ch2", "LOAD_SPIKE") }],
  });
  const currents = (name: string, from: number, to: number) =>
    run.events.filter((e) =>
      e.channel === name && e.tsMs > 1_000_000 + from && e.tsMs < 1_000_000 + to
    ).map((e) => e.reading!.a);
  const before = ["ch1", "ch2", "ch3"].map((name) => currents(name, 0, 500));
  for (const series of before) {
    assert.ok(series.length >= 40 && series.every((a) => a > 0.07 && a < 0.33), `${series}`);
  }
  // Seeds 1, 2, 3: three noise streams, not one signal shown three times.
  assert.notDeepEqual(before[0], before[1]);
  assert.notDeepEqual(before[1], before[2]);
  assert.ok(currents("ch2", 520, 1000).every((a) => a > 0.8), "ch2 in LOAD_SPIKE");
  for (const name of ["ch1", "ch3"]) {
    assert.ok(currents(name, 520, 1000).every((a) => a < 0.33), `${name} stays NORMAL`);
  }
  const modes = (name: string) => run.events.filter((e) => e.channel === name).at(-1)!.mode;
  assert.deepEqual(["ch1", "ch2", "ch3"].map(modes), ["NORMAL", "LOAD_SPIKE", "NORMAL"]);
  assert.deepEqual(
    ["ch1", "ch2", "ch3"].map((name) =>
      (run.details[name].emulated_input as { seed: number }).seed
    ),
    [1, 2, 3],
  );
});
