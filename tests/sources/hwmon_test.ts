import assert from "node:assert/strict";
import { HwmonSource } from "../../src/sources/hwmon.ts";
import { SensorError } from "../../src/sources/source.ts";
import { denoFs } from "../../src/sources/sysfs_fs.ts";
import { fakeSysfs } from "../fake_sysfs.ts";

/** Writes sysfs attribute files the way the kernel shows them (a number and a newline). */
async function attributes(dir: string, values: Record<string, number>): Promise<void> {
  for (const [file, value] of Object.entries(values)) {
    await Deno.writeTextFile(`${dir}/${file}`, `${value}\n`);
  }
}

/** An INA219 at 1-0040 bound to ina2xx, as hwmon2, with a clock for the backoff. */
async function ina219() {
  const sysfs = await fakeSysfs();
  await sysfs.device(1, 0x40, "ina2xx");
  await sysfs.hwmon(0, "cpu_thermal");
  const dir = await sysfs.hwmon(2, "ina219", "1-0040");
  await attributes(dir, {
    in0_input: 25,
    in1_input: 5016,
    curr1_input: 250,
    power1_input: 1254000,
  });
  const clock = { ms: 0 };
  const options = { sysfs: { root: sysfs.root, fs: denoFs }, now: () => clock.ms };
  return { sysfs, dir, clock, options };
}

Deno.test("HwmonSource reads mV, mA and µW from hwmon_path as V, A and W", async () => {
  const { sysfs, dir, options } = await ina219();
  await using _ = sysfs;
  const source = new HwmonSource({ hwmonPath: dir, ...options });
  assert.deepEqual(await source.open(), [
    `hwmon ina219 at ${dir}`,
    "Reading in1_input (mV), curr1_input (mA) and power1_input (µW)",
    "hwmon ready - Starting measurements...",
  ]);
  assert.deepEqual(source.read(0), { v: 5.016, a: 0.25, w: 1.254, status: "ok" });
  await attributes(dir, { curr1_input: -123, power1_input: 616000 });
  assert.deepEqual(source.read(0), { v: 5.016, a: -0.123, w: 0.616, status: "ok" });
  const details = source.details();
  assert.equal(details.hwmon_path, dir);
  assert.equal(details.name, "ina219");
  assert.equal(details.state, "ok");
  assert.equal(details.reads, 2);
  assert.equal(source.kind, "hwmon");
  await source.close();
});

Deno.test("HwmonSource finds the directory by name and I2C address", async () => {
  const { sysfs, dir, options } = await ina219();
  await using _ = sysfs;
  await attributes(dir, { update_interval: 2 });
  const source = new HwmonSource({ name: "ina219", i2cBus: 1, i2cAddress: 0x40, ...options });
  const lines = await source.open();
  assert.equal(lines[0], `hwmon ina219 at ${dir}`);
  assert.match(lines[1], /the driver's update_interval is 2 ms$/);
  assert.equal(source.details().i2c_device, "1-0040");
  assert.deepEqual(source.warnings(1), [
    "SAMPLE_INTERVAL_MS 1 is shorter than the hwmon driver's update_interval of 2 ms: hwmon has no conversion-ready flag, so samples between conversions repeat the last one",
  ]);
  assert.deepEqual(source.warnings(2), []);
  const wrong = new HwmonSource({ name: "ina226", i2cBus: 1, i2cAddress: 0x40, ...options });
  assert.match((await wrong.open())[0], /^hwmon not ready: No hwmon device ina226 at 1-0040/);
});

Deno.test("HwmonSource: a vanishing file is an error and a retry, never a number", async () => {
  const { sysfs, dir, clock, options } = await ina219();
  await using _ = sysfs;
  const source = new HwmonSource({ hwmonPath: dir, ...options });
  await source.open();
  await Deno.remove(`${dir}/curr1_input`);
  assert.throws(() => source.read(0), (error: Error) => {
    assert.ok(error instanceof SensorError);
    assert.equal(
      error.message,
      `hwmon device ${dir} has no curr1_input: is it an ina2xx or ina3221 device?; retrying in 1 s`,
    );
    return true;
  });
  await attributes(dir, { curr1_input: 300 });
  clock.ms += 500;
  assert.throws(() => source.read(0), /retrying in 0\.5 s$/, "not before the backoff allows");
  assert.equal(source.details().state, "retrying");
  clock.ms += 500;
  assert.deepEqual(source.read(0), { v: 5.016, a: 0.3, w: 1.254, status: "ok" });
  assert.equal(source.details().failures, 1);
});

Deno.test("HwmonSource: a driver unbinding (the directory disappears) and binding again", async () => {
  const { sysfs, dir, clock, options } = await ina219();
  await using _ = sysfs;
  const source = new HwmonSource({ name: "ina219", i2cBus: 1, i2cAddress: 0x40, ...options });
  await source.open();
  await Deno.remove(dir, { recursive: true }); // echo 1-0040 > …/ina2xx/unbind
  assert.throws(
    () => source.read(0),
    new RegExp(
      `^SensorError: hwmon device ${dir} is gone: the kernel driver was unbound or the chip removed; retrying in 1 s$`,
    ),
  );
  clock.ms += 1000;
  assert.throws(() => source.read(0), /No hwmon device ina219 at 1-0040 .*; retrying in 2 s$/);
  // Bound again, it comes back under another number.
  const again = await sysfs.hwmon(3, "ina219", "1-0040");
  await attributes(again, { in1_input: 4992, curr1_input: 10, power1_input: 50000 });
  clock.ms += 2000;
  assert.deepEqual(source.read(0), { v: 4.992, a: 0.01, w: 0.05, status: "ok" });
  assert.equal(source.details().hwmon_path, again);
});

Deno.test("HwmonSource computes power where the driver has none (ina3221, channel 2)", async () => {
  await using sysfs = await fakeSysfs();
  const dir = await sysfs.hwmon(1, "ina3221", "1-0041");
  await attributes(dir, { in2_input: 12008, curr2_input: 1500, in1_input: 5000, curr1_input: 1 });
  const source = new HwmonSource({ hwmonPath: dir, index: 2, sysfs: { fs: denoFs } });
  const lines = await source.open();
  assert.equal(
    lines[1],
    "Reading in2_input (mV), curr2_input (mA) and no power2_input: power is V × I",
  );
  assert.deepEqual(source.read(0), { v: 12.008, a: 1.5, w: 18.012, status: "ok" });
  assert.equal(source.details().power, "computed (V × I)");
});

Deno.test("HwmonSource names the file the kernel could not read, and odd content", async () => {
  const { sysfs, dir, options } = await ina219();
  await using _ = sysfs;
  let failing = "never";
  const fs = {
    ...denoFs,
    readText(path: string) {
      if (path.endsWith(failing)) {
        throw new Error(`Input/output error (os error 5): read '${path}'`);
      }
      return denoFs.readText(path);
    },
  };
  const source = new HwmonSource({ hwmonPath: dir, ...options, sysfs: { fs } });
  await source.open();
  failing = "/in1_input";
  assert.throws(
    () => source.read(0),
    /^SensorError: Cannot read .*\/in1_input: Input\/output error \(os error 5\).* \(the kernel driver could not reach the chip: check the wiring and its power\); retrying in 1 s$/,
  );
  failing = "never";
  await Deno.writeTextFile(`${dir}/in1_input`, "garbage\n");
  const other = new HwmonSource({ hwmonPath: dir, sysfs: { fs } });
  assert.match((await other.open())[0], /Unexpected content in .*\/in1_input: "garbage"/);
});

Deno.test("HwmonSource needs a path, or a bus and an address", () => {
  assert.throws(() => new HwmonSource({}), /needs hwmon_path .* or i2c_bus and i2c_address/);
  assert.throws(() => new HwmonSource({ i2cBus: 1 }), RangeError);
  assert.throws(() => new HwmonSource({ hwmonPath: "/x", index: 0 }), /index 0/);
  assert.throws(() => new HwmonSource({ hwmonPath: "/x" }).setMode("SPIKE"), /Unknown mode/);
});
