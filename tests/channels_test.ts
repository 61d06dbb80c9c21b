import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../src/config.ts";
import { busGroups, type ChannelConfig, selectChannel } from "../src/channels.ts";

const channelsOf = (env: Record<string, string>, args: string[] = []) =>
  loadConfig(env, args).channels;

const CHANNELS = (entries: unknown[]) => ({ CHANNELS: JSON.stringify(entries) });

const INA219_DEFAULTS = {
  kind: "measured",
  sampleIntervalMs: 1000,
  sensor: "ina219",
  i2cBus: 1,
  i2cEmulatedKhz: 400,
  i2cAddress: 0x40,
  shuntOhms: 0.1,
  maxCurrentA: 3.2,
  busVoltageRange: 32,
  adcSamples: 1,
  shuntRangeMv: 320,
} as const;

/** An emulated chip's analog input under the default MOCK_* settings. */
const EMULATED_INPUT = { mockMode: "NORMAL", mockAutoRotateMs: 30_000, mockSeed: null } as const;

Deno.test("loadConfig() resolves the issue's example CHANNELS", () => {
  const channels = channelsOf({
    CHANNELS:
      '[{"name":"in","sensor":"ina219","i2c_bus":"emulated","i2c_address":"0x40"},{"name":"out","sensor":"ina219","i2c_bus":"emulated","i2c_address":"0x41"},{"name":"sim","sensor":"mock"}]',
  });
  assert.deepEqual(channels, [
    { name: "in", label: "in", ...INA219_DEFAULTS, i2cBus: "emulated", ...EMULATED_INPUT },
    {
      name: "out",
      label: "out",
      ...INA219_DEFAULTS,
      i2cBus: "emulated",
      i2cAddress: 0x41,
      ...EMULATED_INPUT,
    },
    {
      name: "sim",
      label: "sim",
      kind: "measured",
      sampleIntervalMs: 1000,
      sensor: "mock",
      mockMode: "NORMAL",
      mockAutoRotateMs: 30_000,
      mockSeed: null,
    },
  ]);
  assert.ok(Object.isFrozen(channels) && channels.every(Object.isFrozen));
});

Deno.test("loadConfig() makes one channel, main, from the global settings without CHANNELS", () => {
  assert.deepEqual(channelsOf({}), [{
    name: "main",
    label: "main",
    kind: "measured",
    sampleIntervalMs: 1000,
    sensor: "mock",
    mockMode: "NORMAL",
    mockAutoRotateMs: 30_000,
    mockSeed: null,
  }]);
  const env = {
    SENSOR: "ina219",
    I2C_BUS: "0",
    I2C_ADDRESS: "0x4A",
    SHUNT_OHMS: "0.1",
    MAX_CURRENT_A: "1.6",
    ADC_SAMPLES: "128",
    SAMPLE_INTERVAL_MS: "250",
  };
  const config = loadConfig(env, []);
  assert.deepEqual(config.channels, [{
    name: "main",
    label: "main",
    ...INA219_DEFAULTS,
    i2cBus: 0,
    i2cAddress: 0x4a,
    maxCurrentA: 1.6,
    adcSamples: 128,
    shuntRangeMv: 160,
    sampleIntervalMs: 250,
  }]);
  const main = config.channels[0];
  assert.ok(main.kind === "measured" && main.sensor === "ina219");
  // The channel and the flat v1 settings describe the same sensor.
  assert.deepEqual(
    [main.i2cBus, main.i2cAddress, main.shuntRangeMv, main.sampleIntervalMs],
    [config.i2cBus, config.i2cAddress, config.shuntRangeMv, config.sampleIntervalMs],
  );
  assert.deepEqual(
    channelsOf({}, ["--sensor", "serial", "--serial-baud", "9600", "--serial-port", "/dev/x"]),
    [{
      name: "main",
      label: "main",
      kind: "measured",
      sampleIntervalMs: 1000,
      sensor: "serial",
      serialPort: "/dev/x",
      serialBaud: 9600,
    }],
  );
});

Deno.test("loadConfig() fills a channel's unset settings from the global ones, and its own win", () => {
  const [a, b, c] = channelsOf({
    SAMPLE_INTERVAL_MS: "250",
    SHUNT_OHMS: "0.01",
    MAX_CURRENT_A: "10",
    MOCK_SEED: "7",
    MOCK_AUTO_ROTATE_S: "0",
    ...CHANNELS([
      { name: "a", sensor: "ina219", label: " Battery " },
      {
        name: "b",
        sensor: "ina226",
        i2c_address: "0x41",
        sample_interval_ms: 5,
        shunt_ohms: "0.002",
        adc_samples: 64,
      },
      { name: "c", sensor: "mock", mock_seed: 8, mock_mode: "NOISE" },
    ]),
  });
  assert.deepEqual(a, {
    name: "a",
    label: "Battery",
    ...INA219_DEFAULTS,
    sampleIntervalMs: 250,
    shuntOhms: 0.01,
    maxCurrentA: 10,
    shuntRangeMv: 160,
  });
  assert.deepEqual(b, {
    name: "b",
    label: "b",
    kind: "measured",
    sampleIntervalMs: 5,
    sensor: "ina226",
    i2cBus: 1,
    i2cEmulatedKhz: 400,
    i2cAddress: 0x41,
    shuntOhms: 0.002,
    maxCurrentA: 10,
    adcSamples: 64,
  });
  assert.deepEqual(c, {
    name: "c",
    label: "c",
    kind: "measured",
    sampleIntervalMs: 250,
    sensor: "mock",
    mockMode: "NOISE",
    mockAutoRotateMs: 0,
    mockSeed: 8,
  });
  // A flag is a global setting too; SHUNT_RANGE_MV set applies unless the entry sets its own.
  const [d, e] = channelsOf(
    CHANNELS([
      { name: "d", sensor: "ina219", shunt_range_mv: "auto", i2c_address: 0x41 },
      { name: "e", sensor: "ina219" },
    ]),
    ["--shunt-range-mv", "80", "--max-current-a", "0.5"],
  );
  assert.ok(d.kind === "measured" && d.sensor === "ina219");
  assert.ok(e.kind === "measured" && e.sensor === "ina219");
  assert.deepEqual([d.shuntRangeMv, d.i2cAddress, e.shuntRangeMv, e.maxCurrentA], [
    "auto",
    0x41,
    80,
    0.5,
  ]);
});

Deno.test("loadConfig() resolves every sensor type and both derived kinds", () => {
  const channels = channelsOf(CHANNELS([
    { name: "a", sensor: "ina219", i2c_address: "0x40" },
    { name: "b", sensor: "ina226", i2c_address: "0x41" },
    { name: "c", sensor: "ina228", i2c_address: "0x42", adc_samples: 1024 },
    { name: "d", sensor: "ina260", i2c_address: "0x43" },
    { name: "e1", sensor: "ina3221", i2c_address: "0x44", chip_channel: 1, shunt_ohms: 0.05 },
    { name: "e3", sensor: "ina3221", i2c_address: "0x44", chip_channel: "3" },
    { name: "f", sensor: "hwmon", hwmon_path: "/sys/class/hwmon/hwmon2" },
    { name: "g", sensor: "hwmon", i2c_bus: 3, i2c_address: "0x45" },
    { name: "h", sensor: "serial", serial_port: "/dev/ttyUSB0", serial_baud: 9600 },
    { name: "i", sensor: "mock" },
    { name: "reg", label: "Regulator", derived: "efficiency", input: "a", output: "b" },
    { name: "total", derived: "sum", inputs: ["a", "b", "i"] },
  ]));
  const pick = (c: ChannelConfig) => {
    const { name: _n, label: _l, kind: _k, sampleIntervalMs: _s, ...rest } = c as ChannelConfig & {
      sampleIntervalMs?: number;
    };
    return rest;
  };
  const i2c = (address: number) => ({ i2cBus: 1, i2cEmulatedKhz: 400, i2cAddress: address });
  assert.deepEqual(channels.map(pick), [
    {
      sensor: "ina219",
      ...i2c(0x40),
      shuntOhms: 0.1,
      maxCurrentA: 3.2,
      busVoltageRange: 32,
      adcSamples: 1,
      shuntRangeMv: 320,
    },
    { sensor: "ina226", ...i2c(0x41), shuntOhms: 0.1, maxCurrentA: 3.2, adcSamples: 1 },
    { sensor: "ina228", ...i2c(0x42), shuntOhms: 0.1, maxCurrentA: 3.2, adcSamples: 1024 },
    { sensor: "ina260", ...i2c(0x43), adcSamples: 1 },
    { sensor: "ina3221", ...i2c(0x44), chipChannel: 1, shuntOhms: 0.05, adcSamples: 1 },
    { sensor: "ina3221", ...i2c(0x44), chipChannel: 3, shuntOhms: 0.1, adcSamples: 1 },
    { sensor: "hwmon", hwmonPath: "/sys/class/hwmon/hwmon2", i2cBus: 1, i2cAddress: 0x40 },
    { sensor: "hwmon", hwmonPath: null, i2cBus: 3, i2cAddress: 0x45 },
    { sensor: "serial", serialPort: "/dev/ttyUSB0", serialBaud: 9600 },
    { sensor: "mock", mockMode: "NORMAL", mockAutoRotateMs: 30_000, mockSeed: null },
    { derived: "efficiency", input: "a", output: "b" },
    { derived: "sum", inputs: ["a", "b", "i"] },
  ]);
  assert.deepEqual(channels.map((c) => c.kind), [
    ...Array(10).fill("measured"),
    "derived",
    "derived",
  ]);
  assert.equal(channels[10].label, "Regulator");
  assert.ok(Object.isFrozen((channels[11] as { inputs: readonly string[] }).inputs));
});

Deno.test("loadConfig() refuses a bad channel list with one line naming the entry and the field", async (t) => {
  const mock = (name: string, more = {}) => ({ name, sensor: "mock", ...more });
  const cases: [Record<string, string>, string[], string][] = [
    [{ CHANNELS: "{}" }, [], "Invalid CHANNELS: must be a JSON array of channels"],
    [{ CHANNELS: "[]" }, [], "Invalid CHANNELS: must list at least one channel"],
    [
      { CHANNELS: '[{"name":"a","sensor":"mock"' },
      [],
      "Invalid CHANNELS: must be JSON: line 1, column 29: close brace expected",
    ],
    [
      CHANNELS([42]),
      [],
      "Invalid CHANNELS: entry 1: must be an object with a name and a sensor or derived",
    ],
    [CHANNELS([{ sensor: "mock" }]), [], "Invalid CHANNELS: entry 1: name: missing"],
    [
      CHANNELS([mock("a"), mock("Out")]),
      [],
      'Invalid CHANNELS: entry 2: name "Out": must be 1 to 32 of a-z, 0-9, _ and -',
    ],
    [
      CHANNELS([mock("x".repeat(33))]),
      [],
      `Invalid CHANNELS: entry 1: name "${"x".repeat(33)}": must be 1 to 32 of a-z, 0-9, _ and -`,
    ],
    [
      CHANNELS([mock("a"), mock("b"), mock("a")]),
      [],
      'Invalid CHANNELS: entry 3 ("a"): name "a": already used by entry 1',
    ],
    [
      CHANNELS([mock("a", { label: "" })]),
      [],
      'Invalid CHANNELS: entry 1 ("a"): label "": must be text of 1 to 64 characters',
    ],
    [
      CHANNELS([{ name: "a" }]),
      [],
      'Invalid CHANNELS: entry 1 ("a"): needs "sensor" (one of: ina219, ina226, ina260, ina3221, ina228, hwmon, serial, mock) or "derived" (efficiency or sum)',
    ],
    [
      CHANNELS([{ name: "a", sensor: "ina999" }]),
      [],
      'Invalid CHANNELS: entry 1 ("a"): sensor "ina999": must be one of: ina219, ina226, ina260, ina3221, ina228, hwmon, serial, mock',
    ],
    [
      CHANNELS([mock("a"), mock("sim", { mock_sed: 1 })]),
      [],
      'Invalid CHANNELS: entry 2 ("sim"): unknown field "mock_sed"',
    ],
    [
      CHANNELS([{ name: "in", sensor: "ina219", chip_channel: 1 }]),
      [],
      'Invalid CHANNELS: entry 1 ("in"): chip_channel: not a setting of ina219 channels (only of: ina3221)',
    ],
    [
      CHANNELS([{ name: "in", sensor: "ina260", shunt_ohms: 0.002 }]),
      [],
      'Invalid CHANNELS: entry 1 ("in"): shunt_ohms: not a setting of ina260 channels (only of: ina219, ina226, ina3221, ina228)',
    ],
    [
      CHANNELS([mock("a", { port: 80 })]),
      [],
      'Invalid CHANNELS: entry 1 ("a"): port: not a setting of mock channels',
    ],
    [
      CHANNELS([mock("a"), { name: "out", sensor: "ina219", i2c_address: "0x80" }]),
      [],
      'Invalid CHANNELS: entry 2 ("out"): i2c_address "0x80": must be 0x40 to 0x4F',
    ],
    [
      CHANNELS([mock("a", { sample_interval_ms: 0 })]),
      [],
      'Invalid CHANNELS: entry 1 ("a"): sample_interval_ms 0: must be an integer from 1 to 10000',
    ],
    [
      CHANNELS([mock("a", { mock_seed: true })]),
      [],
      'Invalid CHANNELS: entry 1 ("a"): mock_seed true: must be a string or a number',
    ],
    [
      CHANNELS([{ name: "a", sensor: "ina226", adc_samples: 2 }]),
      [],
      'Invalid CHANNELS: entry 1 ("a"): adc_samples 2: must be one of: 1, 4, 16, 64, 128, 256, 512, 1024',
    ],
    [
      {
        ADC_SAMPLES: "8",
        ...CHANNELS([{ name: "a", sensor: "ina219" }, {
          name: "b",
          sensor: "ina260",
          i2c_address: 0x41,
        }]),
      },
      [],
      'Invalid CHANNELS: entry 2 ("b"): adc_samples "8" (from ADC_SAMPLES): must be one of: 1, 4, 16, 64, 128, 256, 512, 1024',
    ],
    [
      CHANNELS([{ name: "a", sensor: "ina219", shunt_ohms: 1, max_current_a: 1 }]),
      [],
      'Invalid CHANNELS: entry 1 ("a"): shunt_ohms 1 with max_current_a 1: 1000 mV across the shunt exceeds the INA219\'s 320 mV range: lower MAX_CURRENT_A or use a smaller SHUNT_OHMS',
    ],
    [
      CHANNELS([{ name: "a", sensor: "ina3221" }]),
      [],
      'Invalid CHANNELS: entry 1 ("a"): chip_channel: missing: must be 1, 2 or 3',
    ],
    [
      CHANNELS([{ name: "a", sensor: "ina3221", chip_channel: 4 }]),
      [],
      'Invalid CHANNELS: entry 1 ("a"): chip_channel 4: must be one of: 1, 2, 3',
    ],
    [
      CHANNELS([{ name: "a", sensor: "hwmon", i2c_bus: "emulated" }]),
      [],
      'Invalid CHANNELS: entry 1 ("a"): i2c_bus "emulated": must be an integer from 0 to 255: the kernel\'s driver is on a real bus',
    ],
    [
      CHANNELS([{ name: "a", sensor: "hwmon", hwmon_path: "hwmon2" }]),
      [],
      'Invalid CHANNELS: entry 1 ("a"): hwmon_path "hwmon2": must be an absolute path like /sys/class/hwmon/hwmon2',
    ],
    [
      {},
      [
        "--channels",
        JSON.stringify([{ name: "in", sensor: "ina219" }, { name: "out", sensor: "ina226" }]),
      ],
      'Invalid --channels: entry 2 ("out"): i2c_address 0x40 on bus 1: already used by entry 1 ("in")',
    ],
    [
      CHANNELS([
        { name: "in", sensor: "ina219", i2c_bus: "emulated", i2c_address: "0x4F" },
        { name: "out", sensor: "ina219", i2c_bus: "emulated", i2c_address: 79 },
      ]),
      [],
      'Invalid CHANNELS: entry 2 ("out"): i2c_address 0x4F on bus emulated: already used by entry 1 ("in")',
    ],
    [
      CHANNELS([
        { name: "in", sensor: "ina219", i2c_bus: 1 },
        { name: "k", sensor: "hwmon", i2c_bus: 1, i2c_address: "0x40" },
      ]),
      [],
      'Invalid CHANNELS: entry 2 ("k"): i2c_address 0x40 on bus 1: already used by entry 1 ("in")',
    ],
    [
      CHANNELS([
        { name: "in", sensor: "ina219", i2c_bus: "emulated" },
        {
          name: "out",
          sensor: "ina226",
          i2c_bus: "emulated",
          i2c_address: "0x41",
          i2c_emulated_khz: 100,
        },
      ]),
      [],
      'Invalid CHANNELS: entry 2 ("out"): i2c_emulated_khz 100: differs from entry 1 ("in") (400), on the same emulated bus',
    ],
    [
      CHANNELS([
        { name: "a", sensor: "ina3221", chip_channel: 1 },
        { name: "b", sensor: "ina3221", chip_channel: 1 },
      ]),
      [],
      'Invalid CHANNELS: entry 2 ("b"): chip_channel 1 of the INA3221 at 0x40 on bus 1: already used by entry 1 ("a")',
    ],
    [
      CHANNELS([
        { name: "a", sensor: "ina3221", chip_channel: 1 },
        { name: "b", sensor: "ina3221", chip_channel: 2, adc_samples: 16 },
      ]),
      [],
      'Invalid CHANNELS: entry 2 ("b"): adc_samples 16: differs from entry 1 ("a"), on the same INA3221 (i2c_address 0x40 on bus 1), which averages all its channels alike',
    ],
    [
      CHANNELS([
        { name: "a", sensor: "serial" },
        { name: "b", sensor: "serial", serial_port: "/dev/ttyACM0" },
      ]),
      [],
      'Invalid CHANNELS: entry 2 ("b"): serial_port: already used by entry 1 ("a")',
    ],
    [
      CHANNELS([
        { name: "reg", derived: "efficiency", input: "a", output: "b" },
        mock("a"),
        mock("b"),
      ]),
      [],
      'Invalid CHANNELS: entry 1 ("reg"): the first channel is the one v1 clients see: it must be measured',
    ],
    [
      CHANNELS([mock("in"), { name: "reg", derived: "efficiency", input: "in", output: "out2" }]),
      [],
      'Invalid CHANNELS: entry 2 ("reg"): output "out2": no such channel (the measured ones: in)',
    ],
    [
      CHANNELS([mock("in"), { name: "reg", derived: "efficiency", input: "in" }]),
      [],
      'Invalid CHANNELS: entry 2 ("reg"): output: missing: the name of a measured channel',
    ],
    [
      CHANNELS([
        mock("a"),
        mock("b"),
        { name: "reg", derived: "efficiency", input: "a", output: "b" },
        { name: "total", derived: "sum", inputs: ["a", "reg"] },
      ]),
      [],
      'Invalid CHANNELS: entry 4 ("total"): inputs[1] "reg": is derived: derived channels are computed from measured ones only',
    ],
    [
      CHANNELS([mock("a"), { name: "total", derived: "sum", inputs: ["a", "total"] }]),
      [],
      'Invalid CHANNELS: entry 2 ("total"): inputs[1] "total": cannot refer to itself',
    ],
    [
      CHANNELS([mock("a"), { name: "total", derived: "sum", inputs: ["a", "a"] }]),
      [],
      'Invalid CHANNELS: entry 2 ("total"): inputs[1] "a": is listed twice',
    ],
    [
      CHANNELS([mock("a"), { name: "total", derived: "sum", inputs: ["a"] }]),
      [],
      'Invalid CHANNELS: entry 2 ("total"): inputs ["a"]: must list at least two measured channels',
    ],
    [
      CHANNELS([mock("a"), { name: "r", derived: "ratio" }]),
      [],
      'Invalid CHANNELS: entry 2 ("r"): derived "ratio": must be one of: efficiency, sum',
    ],
    [
      CHANNELS([mock("a"), mock("b"), {
        name: "r",
        derived: "efficiency",
        input: "a",
        output: "b",
        sensor: "mock",
      }]),
      [],
      'Invalid CHANNELS: entry 3 ("r"): sensor: not a setting of derived efficiency channels',
    ],
    [
      CHANNELS([mock("a"), mock("b"), {
        name: "r",
        derived: "sum",
        inputs: ["a", "b"],
        input: "a",
      }]),
      [],
      'Invalid CHANNELS: entry 3 ("r"): unknown field "input"',
    ],
  ];
  for (const [env, args, message] of cases) {
    await t.step(message, () => {
      assert.throws(() => loadConfig(env, args), (error: Error) => {
        assert.ok(error instanceof ConfigError, String(error));
        assert.equal(error.message, message);
        assert.ok(!error.message.includes("\n"), "one line");
        return true;
      });
    });
  }
});

Deno.test("busGroups() groups the I2C channels by bus, in configuration order", () => {
  const channels = channelsOf(CHANNELS([
    { name: "sim", sensor: "mock" },
    { name: "a", sensor: "ina219", i2c_bus: 1, i2c_address: "0x40" },
    { name: "e1", sensor: "ina226", i2c_bus: "emulated", i2c_emulated_khz: 100 },
    { name: "b", sensor: "ina260", i2c_bus: 0, i2c_address: "0x41" },
    { name: "c", sensor: "ina3221", i2c_bus: 1, i2c_address: "0x41", chip_channel: 2 },
    { name: "k", sensor: "hwmon", i2c_bus: 1, i2c_address: "0x42" },
    {
      name: "e2",
      sensor: "ina219",
      i2c_bus: "emulated",
      i2c_address: "0x41",
      i2c_emulated_khz: 100,
    },
    { name: "d", sensor: "ina3221", i2c_bus: 1, i2c_address: "0x41", chip_channel: 1 },
    { name: "s", sensor: "serial" },
    { name: "total", derived: "sum", inputs: ["a", "b"] },
  ]));
  const groups = busGroups(channels);
  assert.deepEqual(
    groups.map((g) => [g.bus, g.emulatedKhz, g.channels.map((c) => c.name)]),
    [
      [1, 400, ["a", "c", "d"]],
      ["emulated", 100, ["e1", "e2"]],
      [0, 400, ["b"]],
    ],
  );
  assert.equal(groups[0].channels[0], channels[1], "the channels themselves, not copies");
  assert.deepEqual(busGroups(channelsOf({})), [], "the mock is on no bus");
  assert.deepEqual(
    busGroups(channelsOf({ SENSOR: "ina219", I2C_BUS: "emulated" })).map((g) => g.bus),
    ["emulated"],
  );
});

Deno.test("selectChannel() picks a channel by name, the first without one, and lists the names", () => {
  const channels = channelsOf(CHANNELS([
    { name: "in", sensor: "mock" },
    { name: "out", sensor: "mock" },
  ]));
  assert.equal(selectChannel(channels), channels[0]);
  assert.equal(selectChannel(channels, "out"), channels[1]);
  assert.throws(() => selectChannel(channels, "main"), {
    name: "RangeError",
    message: 'unknown channel "main": the channels are in, out',
  });
  assert.equal(selectChannel(channelsOf({})).name, "main");
});

Deno.test("loadConfig(): mock_mode, mock_auto_rotate_s and mock_seed per mock channel and emulated chip, else MOCK_* (seed + the entry's position)", () => {
  const channels = channelsOf({
    MOCK_SEED: "100",
    MOCK_MODE: "NOISE",
    MOCK_AUTO_ROTATE_S: "5",
    ...CHANNELS([
      { name: "a", sensor: "ina219", i2c_bus: "emulated", mock_seed: 7, mock_mode: "LOAD_SPIKE" },
      { name: "b", sensor: "ina226", i2c_bus: "emulated", i2c_address: "0x41" },
      {
        name: "c",
        sensor: "ina3221",
        i2c_bus: "emulated",
        i2c_address: "0x42",
        chip_channel: 1,
        mock_auto_rotate_s: 0,
      },
      { name: "d", sensor: "mock" },
      { name: "e", sensor: "mock", mock_seed: "3" },
      { name: "f", sensor: "ina260", i2c_bus: 1, i2c_address: "0x43" },
    ]),
  });
  const signal = (c: ChannelConfig) =>
    c.kind === "measured" && "mockMode" in c
      ? { mode: c.mockMode, rotateMs: c.mockAutoRotateMs, seed: c.mockSeed }
      : undefined;
  assert.deepEqual(channels.map(signal), [
    { mode: "LOAD_SPIKE", rotateMs: 5000, seed: 7 },
    { mode: "NOISE", rotateMs: 5000, seed: 101 },
    { mode: "NOISE", rotateMs: 0, seed: 102 },
    { mode: "NOISE", rotateMs: 5000, seed: 103 },
    { mode: "NOISE", rotateMs: 5000, seed: 3 },
    undefined, // a chip on a real bus has no analog input
  ]);
  // Without MOCK_SEED an unset seed is random (drawn when the sources are built).
  const [random] = channelsOf(CHANNELS([{ name: "a", sensor: "ina219", i2c_bus: "emulated" }]));
  assert.equal(signal(random)?.seed, null);
});

Deno.test("loadConfig() refuses a bad mock setting on a channel with one line naming the entry and field", async (t) => {
  const cases: [string, Record<string, unknown>, string][] = [
    [
      "a mode that does not exist",
      { name: "x", sensor: "ina226", i2c_bus: "emulated", mock_mode: "LOUD" },
      'entry 1 ("x"): mock_mode "LOUD": ',
    ],
    [
      "a negative rotation",
      { name: "x", sensor: "mock", mock_auto_rotate_s: -1 },
      'entry 1 ("x"): mock_auto_rotate_s -1: ',
    ],
    [
      "a seed out of range",
      { name: "x", sensor: "ina3221", i2c_bus: "emulated", chip_channel: 2, mock_seed: 2 ** 32 },
      'entry 1 ("x"): mock_seed 4294967296: ',
    ],
    [
      "a mock setting on a real bus",
      { name: "x", sensor: "ina219", i2c_bus: 1, mock_seed: 4 },
      'entry 1 ("x"): mock_seed: only for a chip on i2c_bus "emulated" (its analog input); a chip on bus 1 measures its rail',
    ],
    [
      "a mock setting on the serial device",
      { name: "x", sensor: "serial", mock_mode: "NOISE" },
      'entry 1 ("x"): mock_mode: not a setting of serial channels (only of: ina219, ina226, ina260, ina3221, ina228, mock)',
    ],
  ];
  for (const [what, entry, message] of cases) {
    await t.step(what, () => {
      assert.throws(
        () => channelsOf(CHANNELS([entry])),
        (error: Error) => {
          assert.ok(
            error.message.startsWith(`Invalid CHANNELS: ${message}`),
            `${error.message}\n does not start with\nInvalid CHANNELS: ${message}`,
          );
          assert.ok(!error.message.includes("\n"), "one line");
          return true;
        },
      );
    });
  }
});
