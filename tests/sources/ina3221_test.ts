import assert from "node:assert/strict";
import { EmulatedI2cBus } from "../../src/sources/i2c_emulated.ts";
import type { AnalogInput, I2cDevice } from "../../src/sources/ina219_chip.ts";
import { Ina219Chip } from "../../src/sources/ina219_chip.ts";
import type { Ina3221Options } from "../../src/sources/ina3221.ts";
import { Ina3221Chip } from "../../src/sources/ina3221_chip.ts";
import {
  type ChipChannel,
  REG_CONFIG,
  REG_MASK_ENABLE,
} from "../../src/sources/ina3221_registers.ts";
import { ina3221Sources } from "../../src/sources/ina3221_source.ts";
import { SensorError } from "../../src/sources/source.ts";

/**
 * An emulated INA3221 at 0x40 on an emulated 400 kHz bus whose transfers move the
 * injected clock by their wire time, so the chip converts while the driver reads.
 */
function setup(options: Partial<Ina3221Options> = {}, device?: I2cDevice) {
  const pointers: number[] = [];
  const clock = { ms: 0 };
  const inputs = new Map<ChipChannel, AnalogInput>([
    [1, { shuntV: 0.05, busV: 5 }],
    [2, { shuntV: 0.05, busV: 12 }],
    [3, { shuntV: -0.02, busV: 3.304 }],
  ]);
  let input = (c: ChipChannel, _tMs: number) => inputs.get(c)!;
  const chip = new Ina3221Chip({ now: () => clock.ms, input: (c, t) => input(c, t) });
  const bus = new EmulatedI2cBus({
    devices: new Map([[0x40, {
      transfer(bytes: Uint8Array, length: number) {
        pointers.push(bytes[0]);
        return (device ?? chip).transfer(bytes, length);
      },
    }]]),
    spend: (us) => clock.ms += us / 1000,
  });
  const notices: string[] = [];
  const sources = ina3221Sources(bus, {
    channels: [
      { chipChannel: 1, shuntOhms: 0.1 },
      { chipChannel: 2, shuntOhms: 0.05 },
      { chipChannel: 3, shuntOhms: 0.1 },
    ],
    now: () => clock.ms,
    sleep: (ms) => {
      clock.ms += ms;
      return Promise.resolve();
    },
    onNotice: (m) => notices.push(m),
    ...options,
  });
  const setInput = (fn: typeof input) => input = fn;
  /** The registers transferred since `from`, without the polls of Mask/Enable. */
  const reads = (from = 0) => pointers.slice(from).filter((p) => p !== REG_MASK_ENABLE);
  return { clock, inputs, chip, bus, sources, notices, setInput, pointers, reads };
}

async function openAll(sources: { open(): Promise<string[]> }[]): Promise<string[][]> {
  const lines = [];
  for (const source of sources) lines.push(await source.open());
  return lines;
}

async function closeAll(sources: { close(): Promise<void> }[]): Promise<void> {
  for (const source of sources) await source.close();
}

Deno.test("Ina3221 sources read each chip channel: V, shunt V / R, V × I", async () => {
  const { sources, chip } = setup();
  const lines = await openAll(sources);
  assert.equal(lines[0][0], "INA3221 at 0x40 on emulated (400 kHz), chip channel 1: shunt 0.1 Ω");
  assert.match(
    lines[0][1],
    /^Chip channels 1, 2, 3, 1 sample\(s\) averaged.*a cycle every 6\.6 ms$/,
  );
  assert.equal(lines[0].at(-1), "INA3221 ready - Starting measurements...");
  assert.equal(lines[2].at(-1), "INA3221 ready - Starting measurements...");
  assert.equal(chip.peek(REG_CONFIG), 0x7127);
  const [one, two, three] = sources;
  assert.deepEqual(await one.read(0), { v: 5, a: 0.5, w: 2.5, status: "ok" });
  assert.deepEqual(await two.read(0), { v: 12, a: 1, w: 12, status: "ok" });
  assert.deepEqual(await three.read(0), { v: 3.304, a: -0.2, w: -0.6608, status: "ok" });
  const details = two.details();
  assert.equal(details.chip_channel, 2);
  assert.equal(details.shunt_ohms, 0.05);
  assert.equal(details.current_lsb_a, 0.0008);
  assert.equal(details.address, "0x40");
  assert.equal(details.state, "ok");
  assert.equal(details.config, "0x7127");
  assert.equal(details.cycle_time_ms, 6.6);
  assert.equal(one.kind, "ina3221");
  assert.equal(one.type, "INA3221");
  await closeAll(sources);
});

Deno.test("Ina3221 sources: a clipped shunt is an overflow", async () => {
  const { sources, inputs } = setup();
  await openAll(sources);
  inputs.set(1, { shuntV: 0.5, busV: 5 });
  assert.deepEqual(await sources[0].read(0), { v: 5, a: 1.638, w: 8.19, status: "overflow" });
  assert.equal((await sources[1].read(0)).status, "ok");
  await closeAll(sources);
});

Deno.test("Ina3221 sources get every cycle once, none twice, none skipped", async (t) => {
  const settings: [string, Partial<Ina3221Options>, ChipChannel[]][] = [
    ["3 channels, 1.1 ms", {}, [1, 2, 3]],
    ["1 channel, 4 × 140 µs", { averages: 4, busConversionUs: 140, shuntConversionUs: 140 }, [2]],
    ["2 channels, 16 × 204 µs (sleeps)", { averages: 16, shuntConversionUs: 204 }, [1, 3]],
  ];
  for (const [name, options, channels] of settings) {
    await t.step(name, async () => {
      const { sources, chip, setInput, clock } = setup({
        ...options,
        channels: channels.map((chipChannel) => ({ chipChannel, shuntOhms: 0.1 })),
      });
      // The bus voltage counts half cycles in 8 mV steps: each cycle reads higher.
      setInput((_c, tMs) => ({ shuntV: 0.01, busV: 0.008 * Math.floor(2 * tMs / chip.periodMs) }));
      await openAll(sources);
      const seen = sources.map(() => [] as number[]);
      const rounds = 200;
      for (let i = 0; i < rounds; i++) {
        for (const [k, source] of sources.entries()) seen[k].push((await source.read(0)).v);
      }
      for (const values of seen) {
        assert.equal(values.length, rounds);
        for (let i = 1; i < values.length; i++) assert.ok(values[i] > values[i - 1], "fresh");
      }
      const details = sources[0].details();
      assert.equal(details.cycles, rounds, "one cycle read per round");
      // Every cycle the chip finished went to the driver: the one after set-up, then one per round.
      assert.equal(chip.cycles, rounds + 1, `no cycle skipped (clock at ${clock.ms} ms)`);
      assert.equal(details.samples, rounds);
      assert.equal(details.torn_reads, 0);
      // Asleep through the cycle, then a poll or two: not one every 0.1 ms.
      assert.ok((details.polls_per_sample as number) <= 3, `${details.polls_per_sample} polls`);
      await closeAll(sources);
    });
  }
});

Deno.test("Ina3221 sources never repeat a cycle when sleeps overshoot (late reads were torn)", async () => {
  const { sources, setInput, clock } = setup({
    // Every sleep 0.25 ms late (the Worker's sub-millisecond sleep overshoots about 0.1 ms).
    sleep: (ms) => {
      clock.ms += ms + 0.25;
      return Promise.resolve();
    },
  });
  // Every conversion sees a different shunt voltage (one 40 µV step per 0.1 ms).
  setInput((_c, tMs) => ({ shuntV: 40e-6 * (Math.round(tMs * 10) % 4000), busV: 5 }));
  await openAll(sources);
  const seen = sources.map(() => [] as number[]);
  for (let i = 0; i < 200; i++) {
    for (const [k, source] of sources.entries()) seen[k].push((await source.read(0)).a);
  }
  for (const [k, values] of seen.entries()) {
    const repeats = values.filter((a, i) => i > 0 && a === values[i - 1]).length;
    assert.equal(repeats, 0, `chip channel ${k + 1} repeated a conversion ${repeats} times`);
  }
  assert.equal(sources[0].details().torn_reads, 0);
  await closeAll(sources);
});

Deno.test("Ina3221 enables only the chip channels in use", async () => {
  const { sources, chip, pointers, reads } = setup({
    channels: [{ chipChannel: 3, shuntOhms: 0.1 }],
  });
  assert.equal(sources.length, 1);
  await sources[0].open();
  assert.equal(chip.peek(REG_CONFIG), 0x1127, "CH3en only");
  assert.equal(chip.periodMs, 2.2);
  assert.deepEqual(await sources[0].read(0), { v: 3.304, a: -0.2, w: -0.6608, status: "ok" });
  assert.equal(chip.peek(0x02), 0, "channel 1 never converted");
  const from = pointers.length;
  await sources[0].read(0);
  // Polls of Mask/Enable, channel 3's shunt and bus, then the configuration check.
  assert.deepEqual(reads(from), [0x05, 0x06, REG_CONFIG]);
  await sources[0].close();
});

Deno.test("Ina3221 sources read concurrently share one cycle, transfers never interleaved", async () => {
  const { sources, pointers, reads } = setup();
  await openAll(sources);
  const from = pointers.length;
  const readings = await Promise.all(sources.map((s) => s.read(0)));
  assert.deepEqual(readings.map((r) => r.v), [5, 12, 3.304]);
  assert.deepEqual(reads(from), [1, 2, 3, 4, 5, 6, REG_CONFIG], "one cycle read in order, once");
  await closeAll(sources);
});

Deno.test("Ina3221 keeps a bounded queue for a channel that falls behind", async () => {
  const { sources } = setup({ queueDepth: 4 });
  await openAll(sources);
  for (let i = 0; i < 10; i++) await sources[0].read(0);
  assert.equal(sources[1].details().dropped_readings, 2 * 6, "6 dropped for each of 2 and 3");
  await closeAll(sources);
});

Deno.test("Ina3221 refuses a chip that is not an INA3221", async () => {
  const ina219 = new Ina219Chip({ now: () => 0, input: () => ({ shuntV: 0, busV: 0 }) });
  const { sources } = setup({}, ina219);
  const [lines, second] = await openAll(sources);
  assert.match(
    lines.at(-1)!,
    /^INA3221 not ready: INA3221 at 0x40 on emulated \(400 kHz\) is not an INA3221: manufacturer ID 0x0000, die ID 0x0000 \(expected 0x5449 and 0x3220; check I2C_ADDRESS\); retrying in 1 s$/,
  );
  assert.match(second.at(-1)!, /^INA3221 not ready: .* retrying in 1 s$/, "no second attempt");
  await assert.rejects(sources[2].read(0), SensorError);
  await closeAll(sources);
});

Deno.test("Ina3221 backs off after a NACK for every channel and recovers", async () => {
  const { sources, bus, clock } = setup();
  await openAll(sources);
  bus.fault = "nack";
  await assert.rejects(sources[0].read(0), (error: Error) => {
    assert.ok(error instanceof SensorError);
    assert.match(error.message, /nothing answers at 0x40 \(ENXIO\).*; retrying in 1 s$/);
    return true;
  });
  const before = bus.counts.transfers;
  await assert.rejects(sources[1].read(0), /retrying in 1 s$/);
  await assert.rejects(sources[2].read(0), /retrying in 1 s$/);
  assert.equal(bus.counts.transfers, before, "no bus traffic before the retry is due");
  assert.equal(sources[2].details().state, "retrying");
  clock.ms += 1000;
  await assert.rejects(sources[1].read(0), /retrying in 2 s$/);
  bus.fault = undefined;
  clock.ms += 2000;
  assert.deepEqual(await sources[2].read(0), { v: 3.304, a: -0.2, w: -0.6608, status: "ok" });
  assert.equal((await sources[0].read(0)).v, 5);
  assert.equal(sources[0].details().initialisations, 2);
  assert.equal(sources[0].details().last_error !== null, true);
  await closeAll(sources);
});

Deno.test("Ina3221 writes its configuration again after a brown-out", async () => {
  const { sources, chip, notices } = setup({ averages: 4 });
  await openAll(sources);
  assert.equal(chip.peek(REG_CONFIG), 0x7327);
  for (const source of sources) await source.read(0);
  chip.powerOn(); // back to 0x7127: 1 sample instead of 4
  assert.deepEqual(await sources[1].read(0), { v: 12, a: 1, w: 12, status: "ok" });
  assert.equal(chip.peek(REG_CONFIG), 0x7327, "configured again");
  assert.equal(notices.length, 1);
  assert.match(
    notices[0],
    /^INA3221 at 0x40 on emulated \(400 kHz\) had reset \(configuration read 0x7127, a brown-out\?\)/,
  );
  assert.equal(sources[0].details().resets, 1);
  assert.equal((await sources[2].read(0)).v, 3.304);
  await closeAll(sources);
});

Deno.test("Ina3221 gives up when no cycle completes (power-down)", async () => {
  const { sources, chip } = setup();
  await openAll(sources);
  chip.transfer(Uint8Array.of(REG_CONFIG, 0x71, 0x20), 0); // someone else powered it down
  await assert.rejects(sources[0].read(0), /finished no conversion cycle within 23 ms/);
  assert.equal(chip.peek(REG_MASK_ENABLE) & 1, 0);
  await closeAll(sources);
});

Deno.test("Ina3221 checks its options and warns about short intervals", () => {
  const bus = new EmulatedI2cBus({ devices: new Map() });
  const one = [{ chipChannel: 1 as const, shuntOhms: 0.1 }];
  assert.throws(() => ina3221Sources(bus, { channels: one, address: 0x44 }), /0x40 to 0x43/);
  assert.throws(
    () => ina3221Sources(bus, { channels: [{ chipChannel: 4 as 1, shuntOhms: 0.1 }] }),
    /chip channel 4: must be 1, 2 or 3/,
  );
  assert.throws(() => ina3221Sources(bus, { channels: [...one, ...one] }), /used twice/);
  assert.throws(() => ina3221Sources(bus, { channels: [] }), /at least one chip channel/);
  assert.throws(() => ina3221Sources(bus, { channels: one, averages: 3 }), /averaging 3/);
  const [source] = ina3221Sources(bus, { channels: one });
  assert.deepEqual(source.warnings(5), []);
  assert.match(
    source.warnings(1)[0],
    /shorter than the INA3221's cycle of 2\.2 ms.*at most 454 a second/,
  );
});
