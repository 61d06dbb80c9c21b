import assert from "node:assert/strict";
import {
  type Config,
  ConfigError,
  defaultDeviceId,
  HelpRequested,
  helpText,
  loadConfig,
} from "../src/config.ts";

Deno.test("loadConfig() gives the documented defaults", () => {
  const config = loadConfig({}, []);
  assert.equal(config.port, 8000);
  assert.equal(config.host, "0.0.0.0");
  assert.equal(config.sensor, "mock");
  assert.equal(config.sampleIntervalMs, 1000);
  assert.equal(config.mockAutoRotateMs, 30_000);
  assert.equal(config.mockSeed, null);
  assert.equal(config.mockMode, "NORMAL");
  assert.equal(config.dataDir, "./data");
  assert.equal(config.dbPath, "./data/ina219.db");
  assert.equal(config.apiToken, null);
  assert.deepEqual(config.allowedOrigins, []);
  assert.equal(config.statusIntervalMs, 5000);
  assert.equal(config.rawRetentionMs, 48 * 3_600_000);
  assert.equal(config.rollupRetentionMs, 30 * 86_400_000);
  assert.equal(config.wsStuckCloseMs, 10_000);
  assert.equal(config.mqttIntervalMs, 10_000);
  assert.equal(config.mqttUrl, null);
  assert.equal(config.deviceId, "ina219-monitor");
  assert.equal(config.mqttTopicPrefix, "ina219/ina219-monitor");
  assert.ok(Object.isFrozen(config));
  assert.ok(Object.isFrozen(config.allowedOrigins));
});

Deno.test("loadConfig() reads variables, and flags win over them", () => {
  const env = {
    PORT: "9000",
    SAMPLE_INTERVAL_MS: "250",
    DATA_DIR: "/var/lib/ina",
    MOCK_SEED: "42",
    ALLOWED_ORIGINS: "http://a.example:3000/, https://b.example ,",
    API_TOKEN: "0123456789",
  };
  const config = loadConfig(env, ["--port", "9100", "--mock-mode=NOISE"]);
  assert.equal(config.port, 9100);
  assert.equal(config.sampleIntervalMs, 250);
  assert.equal(config.mockMode, "NOISE");
  assert.equal(config.mockSeed, 42);
  assert.equal(config.dbPath, "/var/lib/ina/ina219.db");
  assert.deepEqual(config.allowedOrigins, ["http://a.example:3000", "https://b.example"]);
  assert.equal(config.apiToken, "0123456789");
  assert.equal(loadConfig({ DB_PATH: "/tmp/x.db" }, []).dbPath, "/tmp/x.db");
});

Deno.test("loadConfig() treats an empty variable as unset", () => {
  const config = loadConfig({ PORT: "", API_TOKEN: "", DB_PATH: "" }, []);
  assert.equal(config.port, 8000);
  assert.equal(config.apiToken, null);
  assert.equal(config.dbPath, "./data/ina219.db");
});

Deno.test("loadConfig() rejects bad values with one line naming the setting", async (t) => {
  const cases: [Record<string, string>, string[], RegExp][] = [
    [{ SAMPLE_INTERVAL_MS: "0" }, [], /^Invalid SAMPLE_INTERVAL_MS "0": .*1 to 10000/],
    [{ SAMPLE_INTERVAL_MS: "10001" }, [], /SAMPLE_INTERVAL_MS/],
    [{ SAMPLE_INTERVAL_MS: "1.5" }, [], /SAMPLE_INTERVAL_MS "1.5": must be an integer/],
    [{ PORT: "abc" }, [], /^Invalid PORT "abc"/],
    [{ PORT: "70000" }, [], /PORT/],
    [{ SENSOR: "foo" }, [], /^Invalid SENSOR "foo": must be one of: mock/],
    [{ MOCK_MODE: "TURBO" }, [], /MOCK_MODE.*NORMAL, LOAD_SPIKE/],
    [{ MOCK_AUTO_ROTATE_S: "-1" }, [], /MOCK_AUTO_ROTATE_S/],
    [{ API_TOKEN: "short" }, [], /API_TOKEN.*at least 8/],
    [{ ALLOWED_ORIGINS: "evil" }, [], /ALLOWED_ORIGINS/],
    [{ ALLOWED_HOSTS: "pi.example:8000" }, [], /ALLOWED_HOSTS.*without a port/],
    [{ READ_TOKEN_REQUIRED: "yes" }, [], /READ_TOKEN_REQUIRED.*true or false/],
    [{ READ_TOKEN_REQUIRED: "true" }, [], /READ_TOKEN_REQUIRED.*needs API_TOKEN/],
    [{}, ["--sample-interval-ms", "99999"], /^Invalid --sample-interval-ms "99999"/],
    [{}, ["--no-such-flag", "1"], /^Invalid command line: .*no-such-flag/],
    [{}, ["--port", "8080", "--"], /^Invalid command line: Unexpected argument '--'/],
    [{}, ["--", "--port", "8080"], /^Invalid command line: Unexpected argument/],
    [{}, ["--port", "8080", "--", "x"], /^Invalid command line: Unexpected argument/],
  ];
  for (const [env, args, pattern] of cases) {
    await t.step(`${JSON.stringify(env)} ${args.join(" ")}`, () => {
      assert.throws(() => loadConfig(env, args), (error: Error) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, pattern);
        assert.ok(!error.message.includes("\n"), "one line");
        return true;
      });
    });
  }
});

Deno.test("loadConfig() answers --help with every setting and its default", () => {
  assert.throws(() => loadConfig({}, ["--help"]), HelpRequested);
  const text = helpText();
  for (
    const name of [
      "PORT, default: 8000",
      "HOST, default: 0.0.0.0",
      "SENSOR, default: mock",
      "SAMPLE_INTERVAL_MS, default: 1000",
      "MOCK_AUTO_ROTATE_S, default: 30",
      "MOCK_SEED, default: unset",
      "DATA_DIR, default: ./data",
      "DB_PATH, default: <DATA_DIR>/ina219.db",
      "API_TOKEN, default: unset",
      "ALLOWED_ORIGINS, default: empty",
      "STATUS_INTERVAL_S, default: 5",
      "--config-file <value>  (CONFIG_FILE, default: unset)",
      "--channels <value>  (CHANNELS, default: one channel, main)",
    ]
  ) assert.ok(text.includes(name), name);
});

Deno.test("loadConfig() reads ALERT_RULES as validated JSON", () => {
  const rules = [{ metric: "a", warning_high: 0.4, danger_high: 0.5, hysteresis: 0, for_ms: 0 }];
  assert.deepEqual(loadConfig({ ALERT_RULES: JSON.stringify(rules) }, []).alertRules, [
    { ...rules[0], enabled: true },
  ]);
  assert.equal(loadConfig({}, []).alertRules, null);
  assert.throws(() => loadConfig({ ALERT_RULES: "[{" }, []), /ALERT_RULES .*must be JSON/);
  const unordered = [{
    metric: "a",
    warning_high: 0.6,
    danger_high: 0.5,
    hysteresis: 0,
    for_ms: 0,
  }];
  assert.throws(
    () => loadConfig({ ALERT_RULES: JSON.stringify(unordered) }, []),
    /ALERT_RULES .* at 0: limits must be ordered/,
  );
  const huge = [{ metric: "v", danger_high: 1e308, hysteresis: 0, for_ms: 0 }];
  assert.throws(
    () => loadConfig({ ALERT_RULES: JSON.stringify(huge) }, []),
    /^ConfigError: Invalid ALERT_RULES .* at 0\.danger_high: danger_high 1e\+308 V is not a physical voltage limit: must be within -40…100 V$/,
  );
});

Deno.test("loadConfig() has the real sensors' settings with their defaults", () => {
  const config = loadConfig({}, []);
  assert.equal(config.i2cBus, 1);
  assert.equal(config.i2cAddress, 0x40);
  assert.equal(config.shuntOhms, 0.1);
  assert.equal(config.maxCurrentA, 3.2);
  assert.equal(config.busVoltageRange, 32);
  assert.equal(config.adcSamples, 1);
  assert.equal(config.shuntRangeMv, 320, "0.1 Ω × 3.2 A = 320 mV");
  assert.equal(config.serialPort, "/dev/ttyACM0");
  assert.equal(config.serialBaud, 115200);
  const ina = loadConfig({
    SENSOR: "ina219",
    I2C_BUS: "0",
    I2C_ADDRESS: "0x4A",
    SHUNT_OHMS: "0.01",
    MAX_CURRENT_A: "10",
    BUS_VOLTAGE_RANGE: "16",
    ADC_SAMPLES: "128",
    SHUNT_RANGE_MV: "auto",
  }, []);
  assert.deepEqual(
    [ina.sensor, ina.i2cBus, ina.i2cAddress, ina.shuntOhms, ina.maxCurrentA],
    ["ina219", 0, 0x4a, 0.01, 10],
  );
  assert.deepEqual([ina.busVoltageRange, ina.adcSamples, ina.shuntRangeMv], [16, 128, "auto"]);
  assert.equal(loadConfig({ I2C_ADDRESS: "65", SHUNT_RANGE_MV: "80" }, []).i2cAddress, 0x41);
  const serial = loadConfig({ SENSOR: "serial", SERIAL_PORT: "/dev/ttyUSB0" }, [
    "--serial-baud",
    "9600",
  ]);
  assert.deepEqual([serial.sensor, serial.serialPort, serial.serialBaud], [
    "serial",
    "/dev/ttyUSB0",
    9600,
  ]);
});

Deno.test("loadConfig() rejects real-sensor settings the hardware cannot take", async (t) => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ I2C_ADDRESS: "0x50" }, /^Invalid I2C_ADDRESS "0x50": must be 0x40 to 0x4F$/],
    [{ I2C_ADDRESS: "forty" }, /I2C_ADDRESS .*0x40 to 0x4F/],
    [{ I2C_BUS: "-1" }, /I2C_BUS/],
    [{ SHUNT_OHMS: "0" }, /^Invalid SHUNT_OHMS "0": must be a resistance above 0/],
    [{ MAX_CURRENT_A: "-2" }, /MAX_CURRENT_A/],
    [{ BUS_VOLTAGE_RANGE: "24" }, /BUS_VOLTAGE_RANGE "24": must be one of: 16, 32/],
    [{ ADC_SAMPLES: "3" }, /ADC_SAMPLES "3": must be one of: 1, 2, 4/],
    [{ SHUNT_RANGE_MV: "100" }, /SHUNT_RANGE_MV .*40, 80, 160, 320, auto/],
    [{ SERIAL_BAUD: "12345" }, /SERIAL_BAUD "12345": must be one of: .*115200/],
    [
      { SENSOR: "ina219", SHUNT_OHMS: "1", MAX_CURRENT_A: "1" },
      /^Invalid SHUNT_OHMS 1 with MAX_CURRENT_A 1: 1000 mV across the shunt exceeds the INA219's 320 mV range/,
    ],
  ];
  for (const [env, pattern] of cases) {
    await t.step(JSON.stringify(env), () => {
      assert.throws(() => loadConfig(env, []), (error: Error) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, pattern);
        return true;
      });
    });
  }
  // The shunt check applies only to the INA219.
  assert.equal(loadConfig({ SHUNT_OHMS: "1", MAX_CURRENT_A: "1" }, []).sensor, "mock");
  for (
    const name of [
      "I2C_BUS, default: 1",
      "I2C_ADDRESS, default: 0x40",
      "SERIAL_BAUD, default: 115200",
    ]
  ) {
    assert.ok(helpText().includes(name), name);
  }
});

Deno.test("loadConfig() refuses an API_TOKEN a bearer header cannot carry, without showing it", async (t) => {
  for (const token of ["my secret!pass", "pässwort-123", "token=with=inner", " spaced-token "]) {
    await t.step(JSON.stringify(token), () => {
      assert.throws(() => loadConfig({ API_TOKEN: token }, []), (error: Error) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /^Invalid API_TOKEN: must use only A-Z a-z 0-9/);
        assert.ok(!error.message.includes(token.trim()), "the token is not printed");
        assert.ok(!error.message.includes("\n"), "one line");
        return true;
      });
    });
  }
  assert.throws(() => loadConfig({}, ["--api-token", "short"]), (error: Error) => {
    assert.match(error.message, /^Invalid --api-token: must be at least 8/);
    assert.ok(!error.message.includes("short"));
    return true;
  });
  for (const token of ["0123456789", "a-b.c_d~e+f/g==", "Zm9vYmFyYmF6cXV4"]) {
    assert.equal(loadConfig({ API_TOKEN: token }, []).apiToken, token);
  }
});

Deno.test("loadConfig() reads ALLOWED_HOSTS and READ_TOKEN_REQUIRED", () => {
  const config = loadConfig({
    ALLOWED_HOSTS: "pi.example, 192.168.1.20,::1",
    API_TOKEN: "0123456789",
    READ_TOKEN_REQUIRED: "true",
  }, []);
  assert.deepEqual(config.allowedHosts, ["pi.example", "192.168.1.20", "::1"]);
  assert.ok(Object.isFrozen(config.allowedHosts));
  assert.equal(config.readTokenRequired, true);
  assert.deepEqual(loadConfig({ ALLOWED_HOSTS: "*" }, []).allowedHosts, ["*"]);
  assert.equal(loadConfig({}, []).readTokenRequired, false);
});

/** Paths of every `undefined` in `value` and of every object in it that is not frozen. */
function walk(value: unknown, path = "config"): { undefinedAt: string[]; unfrozenAt: string[] } {
  const found = { undefinedAt: [] as string[], unfrozenAt: [] as string[] };
  if (value === undefined) found.undefinedAt.push(path);
  if (typeof value !== "object" || value === null) return found;
  if (!Object.isFrozen(value)) found.unfrozenAt.push(path);
  for (const [key, inner] of Object.entries(value)) {
    const sub = walk(inner, `${path}.${key}`);
    found.undefinedAt.push(...sub.undefinedAt);
    found.unfrozenAt.push(...sub.unfrozenAt);
  }
  return found;
}

/** Configurations that exercise every kind of setting: defaults, all set, each sensor. */
const SAMPLES: Record<string, [Record<string, string>, string[]]> = {
  defaults: [{}, []],
  "every optional setting": [{
    MOCK_SEED: "7",
    API_TOKEN: "0123456789",
    READ_TOKEN_REQUIRED: "true",
    ALERT_RULES: JSON.stringify([{
      metric: "a",
      warning_high: 0.4,
      danger_high: 0.5,
      hysteresis: 0,
      for_ms: 0,
    }]),
    MQTT_URL: "mqtt://broker:1883",
    MQTT_USERNAME: "pi",
    MQTT_PASSWORD: "secret",
    DEVICE_ID: "bench",
    MQTT_TOPIC_PREFIX: "lab/bench",
    ALLOWED_HOSTS: "pi.example",
    ALLOWED_ORIGINS: "http://a.example",
    SHUNT_RANGE_MV: "auto",
    DB_PATH: "/tmp/x.db",
  }, []],
  ina219: [{ SENSOR: "ina219", SHUNT_OHMS: "0.01", MAX_CURRENT_A: "10" }, []],
  serial: [{}, ["--sensor", "serial", "--serial-baud", "9600"]],
  "a channel of every kind": [{
    CHANNELS: JSON.stringify([
      { name: "a", sensor: "ina219" },
      { name: "b", sensor: "ina226", i2c_address: "0x41" },
      { name: "c", sensor: "ina228", i2c_address: "0x42" },
      { name: "d", sensor: "ina260", i2c_address: "0x43" },
      { name: "e", sensor: "ina3221", i2c_address: "0x44", chip_channel: 2 },
      { name: "f", sensor: "hwmon", i2c_address: "0x45" },
      { name: "g", sensor: "hwmon", hwmon_path: "/sys/class/hwmon/hwmon2" },
      { name: "h", sensor: "serial" },
      { name: "i", sensor: "mock" },
      { name: "j", derived: "efficiency", input: "a", output: "b" },
      { name: "k", derived: "sum", inputs: ["a", "b"] },
    ]),
  }, []],
};

Deno.test("loadConfig() leaves no value undefined and freezes every level", async (t) => {
  for (const [name, [env, args]] of Object.entries(SAMPLES)) {
    await t.step(name, () => {
      const config = loadConfig(env, args, { hostname: "pi" });
      const { undefinedAt, unfrozenAt } = walk(config);
      assert.deepEqual(undefinedAt, []);
      assert.deepEqual(unfrozenAt, []);
    });
  }
  const rules = loadConfig(SAMPLES["every optional setting"][0], []).alertRules;
  assert.ok(rules !== null);
  assert.throws(() => {
    (rules[0] as { hysteresis: number }).hysteresis = 1;
  }, TypeError);
});

Deno.test("loadConfig() resolves the device id and topic prefix from the host name it is given", () => {
  const config = loadConfig({}, [], { hostname: "Bench-Pi.local" });
  assert.equal(config.deviceId, "ina219-bench-pi-local");
  assert.equal(config.mqttTopicPrefix, "ina219/ina219-bench-pi-local");
  const named = loadConfig({ DEVICE_ID: "lab_1" }, [], { hostname: "bench-pi" });
  assert.deepEqual([named.deviceId, named.mqttTopicPrefix], ["lab_1", "ina219/lab_1"]);
  const prefixed = loadConfig({ MQTT_TOPIC_PREFIX: "home/power" }, [], { hostname: "bench-pi" });
  assert.deepEqual([prefixed.deviceId, prefixed.mqttTopicPrefix], [
    "ina219-bench-pi",
    "home/power",
  ]);
  assert.equal(loadConfig({}, [], { hostname: null }).deviceId, "ina219-monitor");
  assert.equal(defaultDeviceId("---"), "ina219-monitor");
  assert.equal(defaultDeviceId("x".repeat(100)).length, 64);
});

Deno.test("loadConfig() gives every duration in ms and keeps the variables' units", () => {
  const config: Config = loadConfig({
    RETENTION_HOURS: "2",
    ROLLUP_RETENTION_DAYS: "3",
    STATUS_INTERVAL_S: "0",
    WS_STUCK_CLOSE_S: "4",
    MQTT_INTERVAL_S: "5",
    MOCK_AUTO_ROTATE_S: "6",
  }, []);
  assert.deepEqual(
    [
      config.rawRetentionMs,
      config.rollupRetentionMs,
      config.statusIntervalMs,
      config.wsStuckCloseMs,
      config.mqttIntervalMs,
      config.mockAutoRotateMs,
    ],
    [2 * 3_600_000, 3 * 86_400_000, 0, 4000, 5000, 6000],
  );
});

Deno.test("loadConfig() defaults HTTP_SEND_TIMEOUT_MS to WS_STUCK_CLOSE_S + 5 s and checks the front's settings", () => {
  assert.equal(loadConfig({ WS_STUCK_CLOSE_S: "3" }, []).httpSendTimeoutMs, 8000);
  assert.equal(loadConfig({ HTTP_SEND_TIMEOUT_MS: "700" }, []).httpSendTimeoutMs, 700);
  const defaults = loadConfig({}, []);
  assert.equal(defaults.httpMaxConns, 1024);
  assert.equal(defaults.httpMaxConnsPerAddress, 64);
  assert.equal(defaults.httpConnectRatePerAddress, 50);
  assert.equal(defaults.httpHeaderTimeoutMs, 10_000);
  assert.equal(defaults.httpIdleTimeoutMs, 30_000);
  assert.throws(() => loadConfig({ HTTP_HEADER_TIMEOUT_MS: "5" }, []), /HTTP_HEADER_TIMEOUT_MS/);
  assert.throws(() => loadConfig({ HTTP_MAX_CONNS: "0" }, []), /HTTP_MAX_CONNS/);
});

Deno.test("loadConfig() fits the shunt range to SHUNT_OHMS × MAX_CURRENT_A unless it is set", () => {
  const fitted = (env: Record<string, string>) => loadConfig(env, []).shuntRangeMv;
  assert.equal(fitted({ SHUNT_OHMS: "0.1", MAX_CURRENT_A: "0.4" }), 40);
  assert.equal(fitted({ SHUNT_OHMS: "0.1", MAX_CURRENT_A: "0.41" }), 80);
  assert.equal(fitted({ SHUNT_OHMS: "0.1", MAX_CURRENT_A: "1.6" }), 160);
  assert.equal(fitted({ SHUNT_OHMS: "0.1", MAX_CURRENT_A: "1.6", SHUNT_RANGE_MV: "320" }), 320);
  assert.equal(fitted({ SHUNT_RANGE_MV: "auto" }), "auto");
  // Only the INA219 uses it: the other sensors do not refuse a range that fits nothing.
  assert.equal(fitted({ SHUNT_OHMS: "1", MAX_CURRENT_A: "1" }), 320);
  assert.throws(
    () =>
      loadConfig(
        { SENSOR: "ina219", SHUNT_OHMS: "1", MAX_CURRENT_A: "1", SHUNT_RANGE_MV: "auto" },
        [],
      ),
    /^ConfigError: Invalid SHUNT_OHMS 1 with MAX_CURRENT_A 1: 1000 mV/,
  );
});
