import assert from "node:assert/strict";
import denoJson from "../../deno.json" with { type: "json" };
import { loadConfig } from "../../src/config.ts";
import { createCore } from "../../src/monitor.ts";
import { createSource } from "../../src/sources/create.ts";
import { ChannelClient } from "../../src/acquisition/client.ts";
import { MockSource } from "../../src/sources/mock.ts";
import { SerialSource } from "../../src/sources/serial.ts";
import { poll } from "../daemon.ts";

Deno.test("createSource() builds the source SENSOR names", async () => {
  assert.ok(createSource(loadConfig({}, [])) instanceof MockSource);
  const ina = createSource(loadConfig({ SENSOR: "ina219", I2C_ADDRESS: "0x41" }, []));
  assert.ok(ina instanceof ChannelClient, "the INA219 is read in the acquisition Worker");
  assert.equal(ina.details().bus, "/dev/i2c-1");
  assert.equal(ina.details().address, "0x41");
  assert.equal(ina.backfill, false);
  const serial = createSource(loadConfig({ SENSOR: "serial", SAMPLE_INTERVAL_MS: "50" }, []));
  assert.ok(serial instanceof SerialSource);
  assert.equal(serial.details().port, "/dev/ttyACM0");
  assert.match(serial.warnings!(50)[0], /outside the device's 100–10000 ms/);
  await serial.close();
});

Deno.test({
  name: "createSource() says to grant --allow-ffi for real sensors",
  permissions: { ffi: false, read: true, env: true },
  fn: () => {
    assert.throws(
      () => createSource(loadConfig({ SENSOR: "ina219" }, [])),
      /^RangeError: Cannot use the INA219 on \/dev\/i2c-1: Deno was not granted FFI access.*run with --allow-ffi/,
    );
    assert.ok(createSource(loadConfig({}, [])) instanceof MockSource, "the mock needs no FFI");
  },
});

Deno.test("a monitor on a missing I2C bus keeps serving and says what to do", async () => {
  const config = loadConfig({ SENSOR: "ina219", I2C_BUS: "9", DB_PATH: ":memory:" }, []);
  const core = createCore(config, "test", () => {});
  try {
    await core.sampler.start();
    await poll("an error sample", () => Promise.resolve(core.sampler.sensorStatus === "error"));
    const res = await core.app.request("/status");
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.type, "INA219");
    assert.equal(body.source, "ina219");
    assert.equal(body.auto_rotate, false);
    assert.equal(body.sensor_status, "error");
    assert.match(
      body.last_error,
      /^Cannot open I2C bus "\/dev\/i2c-9": no such device \(ENOENT\): enable I2C with raspi-config/,
    );
    assert.match(body.last_error, /; retrying in \d(\.\d)? s$/);
    const details = body.source_details;
    assert.equal(details.bus, "/dev/i2c-9");
    assert.equal(details.calibration, 4096);
    assert.equal(details.current_lsb_a, 0.0001);
    assert.equal(details.state, "retrying");
    assert.match(details.last_error, /ENOENT/);
  } finally {
    await core.sampler.stop();
    core.store.close();
  }
});

Deno.test("the tasks that run the server grant FFI, for the real sensors", () => {
  const tasks = denoJson.tasks as Record<string, string | { command: string }>;
  for (const name of ["start", "dev", "test", "compile:host", "compile:pi"]) {
    const task = tasks[name];
    assert.match(typeof task === "string" ? task : task.command, /--allow-ffi/, name);
  }
});
