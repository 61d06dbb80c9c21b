import assert from "node:assert/strict";
import { ConfigError, type ConfigFacts, loadConfig } from "../src/config.ts";
import { fileSettingTexts, parseJsonc } from "../src/config_file.ts";

const LAB = `// the bench
{
  /* every channel, unless an entry sets its own */
  "sample_interval_ms": 100,
  "retention_hours": 72,
  "allowed_hosts": ["pi.example", "192.168.1.20"],
  "metrics_enabled": false,
  "alert_rules": [{ "metric": "a", "danger_high": 0.5, "hysteresis": 0, "for_ms": 0 }],
  "channels": [
    { "name": "battery", "sensor": "ina226", "shunt_ohms": 0.002, "max_current_a": 20 },
    { "name": "rail_5v", "sensor": "ina3221", "i2c_address": "0x41", "chip_channel": 1, },
  ],
}
`;

/** Facts whose file system holds only `files`. */
function withFiles(files: Record<string, string>): ConfigFacts {
  return {
    hostname: null,
    readTextFile: (path) => {
      if (path in files) return files[path];
      throw new Deno.errors.NotFound(`No such file or directory (os error 2): readfile '${path}'`);
    },
  };
}

const failsWith = (run: () => unknown, message: string) =>
  assert.throws(run, (error: Error) => {
    assert.ok(error instanceof ConfigError, String(error));
    assert.equal(error.message, message);
    return true;
  });

Deno.test("parseJsonc() takes comments and trailing commas, and says where JSON breaks", () => {
  assert.deepEqual(parseJsonc('[{"a": 1, /* b */ "c": [2,],}, // d\n]'), [{ a: 1, c: [2] }]);
  assert.throws(() => parseJsonc('{\n  "a": 1\n  "b": 2\n}'), {
    name: "SyntaxError",
    message: "line 3, column 3: comma expected",
  });
  assert.throws(() => parseJsonc(""), /line 1, column 1: value expected/);
});

Deno.test("fileSettingTexts() gives the texts the variables would hold", () => {
  const names = new Set(["port", "metrics_enabled", "allowed_hosts", "alert_rules", "channels"]);
  assert.deepEqual(
    fileSettingTexts({
      port: 9000,
      metrics_enabled: false,
      allowed_hosts: ["a", "b"],
      alert_rules: [{ metric: "v" }],
      channels: ["x"],
    }, names),
    new Map([
      ["port", "9000"],
      ["metrics_enabled", "false"],
      ["allowed_hosts", "a,b"],
      ["alert_rules", '[{"metric":"v"}]'],
      ["channels", '["x"]'],
    ]),
  );
  assert.throws(() => fileSettingTexts([], names), /must hold a JSON object/);
  assert.throws(() => fileSettingTexts({ prot: 1 }, names), /unknown setting "prot"/);
  assert.throws(() => fileSettingTexts({ port: null }, names), /port: must be a value/);
});

Deno.test("loadConfig() reads CONFIG_FILE: settings, channels, comments and trailing commas", () => {
  const config = loadConfig({ CONFIG_FILE: "lab.jsonc" }, [], withFiles({ "lab.jsonc": LAB }));
  assert.equal(config.configFile, "lab.jsonc");
  assert.equal(config.sampleIntervalMs, 100);
  assert.equal(config.rawRetentionMs, 72 * 3_600_000);
  assert.deepEqual(config.allowedHosts, ["pi.example", "192.168.1.20"]);
  assert.equal(config.metricsEnabled, false);
  assert.equal(config.alertRules?.[0].danger_high, 0.5);
  assert.deepEqual(config.channels.map((c) => [c.name, c.kind === "measured" && c.sensor]), [
    ["battery", "ina226"],
    ["rail_5v", "ina3221"],
  ]);
  const battery = config.channels[0];
  assert.ok(battery.kind === "measured" && battery.sensor === "ina226");
  assert.deepEqual(
    [battery.sampleIntervalMs, battery.shuntOhms, battery.maxCurrentA],
    [100, 0.002, 20],
    "the file's sample_interval_ms is the channels' fallback",
  );
  assert.equal(loadConfig({}, [], withFiles({})).configFile, null);
});

Deno.test("loadConfig() ranks a flag over a variable over CONFIG_FILE over the default", () => {
  const facts = withFiles({
    "f.json": '{"port": 9001, "host": "127.0.0.1", "retention_hours": 5}',
  });
  const fromFile = loadConfig({ CONFIG_FILE: "f.json" }, [], facts);
  assert.deepEqual([fromFile.port, fromFile.host, fromFile.rawRetentionMs], [
    9001,
    "127.0.0.1",
    5 * 3_600_000,
  ]);
  const env = { CONFIG_FILE: "f.json", PORT: "9002", HOST: "" };
  const overridden = loadConfig(env, ["--retention-hours", "6"], facts);
  assert.deepEqual([overridden.port, overridden.host, overridden.rawRetentionMs], [
    9002,
    "127.0.0.1",
    6 * 3_600_000,
  ], "an empty variable is unset, so the file's value stands");
  assert.equal(loadConfig({ CONFIG_FILE: "f.json" }, [], facts).mqttIntervalMs, 10_000);
  // CHANNELS replaces the file's channels whole; --config-file is the same as CONFIG_FILE.
  const files = withFiles({
    "c.jsonc": '{"channels": [{"name": "a", "sensor": "mock"}, {"name": "b", "sensor": "mock"}]}',
  });
  assert.deepEqual(
    loadConfig({}, ["--config-file", "c.jsonc"], files).channels.map((c) => c.name),
    ["a", "b"],
  );
  const replaced = loadConfig(
    { CHANNELS: '[{"name": "z", "sensor": "mock"}]' },
    ["--config-file", "c.jsonc"],
    files,
  );
  assert.deepEqual(replaced.channels.map((c) => c.name), ["z"]);
});

Deno.test("loadConfig() refuses a bad CONFIG_FILE with one line", async (t) => {
  const facts = withFiles({
    "broken.jsonc": '{\n  "port": 9000\n  "host": "x"\n}',
    "typo.jsonc": '{"sample_intervall_ms": 5}',
    "list.json": "[]",
    "nested.json": '{"config_file": "other.json"}',
    "port.json": '{"port": "http"}',
    "channels.json":
      '{"channels": [{"name": "a", "sensor": "mock"}, {"name": "b", "sensor": "ina3221", "chip_channel": 4}]}',
  });
  const cases: [string, string][] = [
    [
      "missing.jsonc",
      "Invalid CONFIG_FILE \"missing.jsonc\": cannot read it: No such file or directory (os error 2): readfile 'missing.jsonc'",
    ],
    ["broken.jsonc", 'Invalid CONFIG_FILE "broken.jsonc": line 3, column 3: comma expected'],
    [
      "typo.jsonc",
      'Invalid CONFIG_FILE "typo.jsonc": unknown setting "sample_intervall_ms" (settings are spelled like sample_interval_ms)',
    ],
    [
      "list.json",
      'Invalid CONFIG_FILE "list.json": must hold a JSON object, like {"channels": [ … ]}',
    ],
    [
      "nested.json",
      'Invalid CONFIG_FILE "nested.json": config_file: a config file cannot name another',
    ],
    [
      "port.json",
      'Invalid CONFIG_FILE "port.json": port "http": must be an integer from 0 to 65535',
    ],
    [
      "channels.json",
      'Invalid CONFIG_FILE "channels.json": channels: entry 2 ("b"): chip_channel 4: must be one of: 1, 2, 3',
    ],
  ];
  for (const [path, message] of cases) {
    await t.step(
      path,
      () => failsWith(() => loadConfig({ CONFIG_FILE: path }, [], facts), message),
    );
  }
  failsWith(
    () => loadConfig({ CONFIG_FILE: "lab.jsonc" }, []),
    'Invalid CONFIG_FILE "lab.jsonc": this program was started without file access',
  );
});

Deno.test("loadConfig() reads a real CONFIG_FILE from disk", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/lab.jsonc`;
    await Deno.writeTextFile(path, LAB);
    const facts = { hostname: null, readTextFile: Deno.readTextFileSync };
    assert.equal(loadConfig({ CONFIG_FILE: path }, [], facts).channels.length, 2);
    assert.throws(
      () => loadConfig({ CONFIG_FILE: `${dir}/none.jsonc` }, [], facts),
      /^ConfigError: Invalid CONFIG_FILE ".*none.jsonc": cannot read it: No such file/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
