import assert from "node:assert/strict";
import { I2cError } from "../../src/sources/i2c.ts";
import { LinuxI2cBus } from "../../src/sources/i2c_linux.ts";
import { fakeSysfs } from "../fake_sysfs.ts";
import { denoFs, libcFs, type SysfsFs, systemFs } from "../../src/sources/sysfs_fs.ts";
import {
  adapterNumber,
  checkNoKernelDriver,
  findHwmon,
  i2cDeviceName,
  kernelDriverOf,
  listHwmon,
} from "../../src/sources/sysfs.ts";

Deno.test("i2cDeviceName() spells the address as four lower-case hex digits", () => {
  assert.equal(i2cDeviceName(1, 0x40), "1-0040");
  assert.equal(i2cDeviceName(11, 0x4f), "11-004f");
  assert.equal(adapterNumber("/dev/i2c-1"), 1);
  assert.equal(adapterNumber("/dev/null"), undefined);
});

Deno.test("kernelDriverOf() follows the device's driver link", async () => {
  await using sysfs = await fakeSysfs();
  await sysfs.device(1, 0x40, "ina2xx");
  await sysfs.device(1, 0x41);
  assert.equal(kernelDriverOf(1, 0x40, { root: sysfs.root }), "ina2xx");
  assert.equal(kernelDriverOf(1, 0x41, { root: sysfs.root }), undefined, "declared but unbound");
  assert.equal(kernelDriverOf(1, 0x42, { root: sysfs.root }), undefined, "no such device");
  assert.doesNotThrow(() => checkNoKernelDriver(1, 0x41, { root: sysfs.root }));
  assert.throws(() => checkNoKernelDriver(1, 0x40, { root: sysfs.root }), (error: Error) => {
    assert.ok(error instanceof I2cError);
    assert.equal(error.errno, "EBUSY");
    assert.equal(
      error.message,
      `Cannot use the chip at 0x40 on /dev/i2c-1: the kernel driver "ina2xx" owns it (${sysfs.root}/bus/i2c/devices/1-0040/driver): read it through the kernel with sensor "hwmon" (SENSOR=hwmon), or unbind the driver with "echo 1-0040 | sudo tee ${sysfs.root}/bus/i2c/drivers/ina2xx/unbind" (and remove its dtoverlay from /boot/firmware/config.txt so it stays unbound)`,
    );
    return true;
  });
});

Deno.test("LinuxI2cBus refuses a chip a kernel driver owns before opening the adapter", async () => {
  await using sysfs = await fakeSysfs();
  await sysfs.device(9, 0x40, "ina3221");
  const bus = new LinuxI2cBus(9, { sysfsRoot: sysfs.root });
  try {
    await assert.rejects(
      bus.writeRead(0x40, Uint8Array.of(0), 2),
      /kernel driver "ina3221" owns it/,
    );
    // Another address on the same adapter is not owned: the adapter itself is missing.
    await assert.rejects(bus.writeRead(0x41, Uint8Array.of(0), 2), /no such device \(ENOENT\)/);
  } finally {
    bus.close();
  }
});

Deno.test("findHwmon() finds the directory by name and I2C address", async () => {
  await using sysfs = await fakeSysfs();
  await sysfs.hwmon(0, "cpu_thermal");
  await sysfs.hwmon(1, "ina219", "1-0041");
  const wanted = await sysfs.hwmon(2, "ina219", "1-0040");
  await sysfs.hwmon(10, "ina226", "1-0044");
  assert.deepEqual(listHwmon({ root: sysfs.root }).map((e) => e.name), [
    "cpu_thermal",
    "ina219",
    "ina219",
    "ina226",
  ]);
  assert.equal(findHwmon({ name: "ina219", bus: 1, address: 0x40 }, { root: sysfs.root }), wanted);
  assert.equal(findHwmon({ bus: 1, address: 0x40 }, { root: sysfs.root }), wanted, "any name");
  assert.throws(
    () => findHwmon({ name: "ina226", bus: 1, address: 0x40 }, { root: sysfs.root }),
    new RegExp(
      "^Error: No hwmon device ina226 at 1-0040 in .*/class/hwmon \\(there: hwmon0 cpu_thermal, hwmon1 ina219 \\(1-0041\\), hwmon2 ina219 \\(1-0040\\), hwmon10 ina226 \\(1-0044\\)\\): is the kernel driver bound\\?",
    ),
  );
});

/** A fake sysfs made while the module loads, for tests that run without read access. */
const shared = await fakeSysfs();
await shared.device(1, 0x40, "ina2xx");
await shared.hwmon(3, "ina219", "1-0040");

for (const [name, fs] of [["denoFs", denoFs], ["libcFs", libcFs]] as [string, SysfsFs][]) {
  Deno.test(`${name} reads files, links and folders`, () => {
    assert.equal(fs.readText(`${shared.root}/class/hwmon/hwmon3/name`), "ina219\n");
    assert.throws(
      () => fs.readText(`${shared.root}/class/hwmon/hwmon3/nothing`),
      Deno.errors.NotFound,
    );
    assert.equal(
      fs.readLink(`${shared.root}/class/hwmon/hwmon3/device`)?.endsWith("/1-0040"),
      true,
    );
    assert.deepEqual(fs.list(`${shared.root}/class/hwmon`), ["hwmon3"]);
    assert.throws(() => fs.list(`${shared.root}/nothing`), Deno.errors.NotFound);
    assert.equal(kernelDriverOf(1, 0x40, { root: shared.root, fs }), "ina2xx");
  });
}

Deno.test({
  name: "systemFs falls back to libc where Deno may not read (as for /sys without --allow-all)",
  permissions: { read: false, ffi: true },
  fn() {
    assert.throws(
      () => denoFs.readText(`${shared.root}/class/hwmon/hwmon3/name`),
      Deno.errors.NotCapable,
    );
    assert.equal(systemFs.readText(`${shared.root}/class/hwmon/hwmon3/name`), "ina219\n");
    assert.equal(
      findHwmon({ name: "ina219", bus: 1, address: 0x40 }, { root: shared.root }),
      `${shared.root}/class/hwmon/hwmon3`,
    );
    assert.throws(() => checkNoKernelDriver(1, 0x40, { root: shared.root }), /"ina2xx" owns it/);
  },
});

Deno.test("(removes the shared fake sysfs)", () => Deno.remove(shared.root, { recursive: true }));
