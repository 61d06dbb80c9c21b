import assert from "node:assert/strict";
import { ChannelClient } from "../../src/acquisition/client.ts";
import { loadConfig } from "../../src/config.ts";
import { createChannelSources } from "../../src/sources/create_channels.ts";
import { MockSource } from "../../src/sources/mock.ts";
import { fakeSysfs } from "../fake_sysfs.ts";

const EMULATED = [
  { name: "i219", sensor: "ina219", i2c_address: "0x40" },
  { name: "i226", sensor: "ina226", i2c_address: "0x41" },
  { name: "i3221a", sensor: "ina3221", i2c_address: "0x42", chip_channel: 1 },
  { name: "i3221b", sensor: "ina3221", i2c_address: "0x42", chip_channel: 2 },
  { name: "i228", sensor: "ina228", i2c_address: "0x44" },
  { name: "i260", sensor: "ina260", i2c_address: "0x45" },
].map((c) => ({ ...c, i2c_bus: "emulated", sample_interval_ms: 20 }));

Deno.test("createChannelSources(): a source per measured channel in order; one Worker per bus group; the mock on the main thread", async () => {
  await using sysfs = await fakeSysfs();
  const dir = await sysfs.hwmon(3, "ina226");
  const channels = [
    ...EMULATED,
    { name: "sim", sensor: "mock", mock_seed: 5 },
    { name: "kern", sensor: "hwmon", hwmon_path: dir },
    { name: "eff", derived: "efficiency", input: "i219", output: "i226" },
  ];
  const config = loadConfig({ CHANNELS: JSON.stringify(channels), MOCK_SEED: "100" }, []);
  const spawned: string[] = [];
  const sources = createChannelSources(config.channels, {
    spawn: (group) => {
      spawned.push(group.kind === "hwmon" ? "hwmon" : `i2c:${group.bus}`);
      throw new Error("not started in this test");
    },
  });
  assert.deepEqual([...sources.keys()], [...EMULATED.map((c) => c.name), "sim", "kern"]);
  assert.ok(sources.get("sim") instanceof MockSource);
  for (const name of [...EMULATED.map((c) => c.name), "kern"]) {
    assert.ok(sources.get(name) instanceof ChannelClient, name);
  }
  assert.deepEqual(
    [...sources.values()].map((s) => s.type),
    ["INA219", "INA226", "INA3221", "INA3221", "INA228", "INA260", "Mock", "hwmon"],
  );
  // Seeds: MOCK_SEED + the channel's index; the details before the Worker answers say so.
  const i226 = sources.get("i226")!.details();
  assert.deepEqual(i226.emulated_input, { seed: 101, auto_rotate_s: 30 }, "MOCK_AUTO_ROTATE_S");
  assert.deepEqual(i226.thread_channels, EMULATED.map((c) => c.name));
  assert.equal(sources.get("kern")!.details().thread_group, "hwmon");
  assert.deepEqual(spawned, [], "nothing starts before open()");
});

Deno.test("createChannelSources(): real buses are grouped by number, one Worker each", () => {
  const channels = [
    { name: "a", sensor: "ina219", i2c_bus: 1, i2c_address: "0x40" },
    { name: "b", sensor: "ina226", i2c_bus: 3, i2c_address: "0x40" },
    { name: "c", sensor: "ina260", i2c_bus: 1, i2c_address: "0x41" },
  ];
  const config = loadConfig({ CHANNELS: JSON.stringify(channels) }, []);
  const sources = createChannelSources(config.channels);
  const groups = [...sources.values()].map((s) => s.details().thread_group);
  assert.deepEqual(groups, ["i2c:1", "i2c:3", "i2c:1"]);
  assert.deepEqual(sources.get("c")!.details().thread_channels, ["a", "c"]);
  assert.equal(sources.get("b")!.details().bus, "/dev/i2c-3");
});

Deno.test({
  name: "createChannelSources() says which channel needs --allow-ffi",
  permissions: { ffi: false, read: true, env: true },
  fn: () => {
    const config = loadConfig({
      CHANNELS: JSON.stringify([
        { name: "sim", sensor: "mock" },
        { name: "out", sensor: "ina226", i2c_bus: 1, i2c_address: "0x41" },
      ]),
    }, []);
    assert.throws(
      () => createChannelSources(config.channels),
      /^RangeError: Cannot use the INA226 on \/dev\/i2c-1 \(channel "out"\): Deno was not granted FFI access/,
    );
  },
});

Deno.test("createChannelSources() with real Workers: every chip type on the emulated bus, the mock and hwmon on a fake sysfs give fresh readings of the right size", async () => {
  await using sysfs = await fakeSysfs();
  const dir = await sysfs.hwmon(3, "ina226");
  for (
    const [file, value] of Object.entries({
      in1_input: 12004,
      curr1_input: 1500,
      power1_input: 18006000,
    })
  ) {
    await Deno.writeTextFile(`${dir}/${file}`, `${value}\n`);
  }
  const channels = [
    ...EMULATED,
    { name: "sim", sensor: "mock", sample_interval_ms: 20 },
    { name: "kern", sensor: "hwmon", hwmon_path: dir, sample_interval_ms: 20 },
  ];
  const { code, stdout } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-env",
      new URL("../acquisition/channels_run.ts", import.meta.url).href,
      JSON.stringify(channels),
      sysfs.root,
      "1500",
    ],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  assert.equal(code, 0);
  const run: Record<string, {
    kind: string;
    samples: { seq: number; status: string; error?: string; v: number; a: number; w: number }[];
    statuses: string[];
    details: Record<string, unknown>;
  }> = JSON.parse(new TextDecoder().decode(stdout));
  for (const channel of channels) {
    const { samples, details } = run[channel.name];
    const ok = samples.filter((s) => s.status === "ok");
    assert.ok(ok.length >= 20, `${channel.name}: ${ok.length} samples in 1.5 s at 20 ms`);
    assert.deepEqual(samples.map((s) => s.seq), samples.map((_, i) => i + 1), channel.name);
    const [vLow, vHigh, aLow, aHigh] = channel.name === "kern"
      ? [12, 12.01, 1.49, 1.51]
      : channel.name === "i226"
      ? [4.85, 5.15, 0.04, 0.25]
      : [4.85, 5.15, 0.07, 0.33];
    for (const s of ok) {
      assert.ok(s.v >= vLow && s.v <= vHigh, `${channel.name}: ${s.v} V`);
      assert.ok(s.a >= aLow && s.a <= aHigh, `${channel.name}: ${s.a} A`);
    }
    if (channel.name !== "sim") assert.equal(details.thread, "worker", channel.name);
  }
  assert.equal(run.i228.details.energy_j !== undefined, true, "the INA228's accumulators");
});

Deno.test("createChannelSources(): each emulated chip's input is its channel's mock settings (an INA3221's chip channels each their own)", () => {
  const channels = [
    { ...EMULATED[0], mock_seed: 9, mock_mode: "NOISE", mock_auto_rotate_s: 0 },
    EMULATED[1],
    { ...EMULATED[2], mock_seed: 20, mock_mode: "LOAD_SPIKE" },
    { ...EMULATED[3], mock_seed: 21 },
  ];
  const config = loadConfig({ CHANNELS: JSON.stringify(channels), MOCK_SEED: "100" }, []);
  const sources = createChannelSources(config.channels);
  const input = (name: string) => {
    const source = sources.get(name)!;
    return { mode: source.mode, ...source.details().emulated_input as object };
  };
  assert.deepEqual(input("i219"), { mode: "NOISE", seed: 9, auto_rotate_s: 0 });
  assert.deepEqual(input("i226"), { mode: "NORMAL", seed: 101, auto_rotate_s: 30 });
  assert.deepEqual(input("i3221a"), { mode: "LOAD_SPIKE", seed: 20, auto_rotate_s: 30 });
  assert.deepEqual(input("i3221b"), { mode: "NORMAL", seed: 21, auto_rotate_s: 30 });
});
