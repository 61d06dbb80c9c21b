import assert from "node:assert/strict";
import { I2cError, openAdvice, transferAdvice } from "../../src/sources/i2c.ts";
import {
  I2C_M_RD,
  I2C_MSG_BYTES,
  I2C_RDWR,
  I2C_SLAVE,
  LinuxI2cBus,
  packMessages,
} from "../../src/sources/i2c_linux.ts";

/** Runs `fn` on a bus at `path` and returns the I2cError it must throw. */
async function failure(bus: LinuxI2cBus, register = 0x02): Promise<I2cError> {
  try {
    await bus.writeRead(0x40, Uint8Array.of(register), 2);
  } catch (error) {
    assert.ok(error instanceof I2cError, String(error));
    return error;
  } finally {
    bus.close();
  }
  throw new Error("the transfer did not fail");
}

Deno.test("LinuxI2cBus on a missing /dev/i2c-9 says to enable I2C", async () => {
  const error = await failure(new LinuxI2cBus(9));
  assert.equal(error.errno, "ENOENT");
  assert.equal(error.bus, "/dev/i2c-9");
  assert.equal(
    error.message,
    'Cannot open I2C bus "/dev/i2c-9": no such device (ENOENT): enable I2C with raspi-config (Interface Options → I2C) and reboot, or check I2C_BUS',
  );
});

Deno.test("LinuxI2cBus ioctl(I2C_RDWR) on things that are not adapters gives ENOTTY", async (t) => {
  const fifo = await Deno.makeTempFile();
  await Deno.remove(fifo);
  const made = await new Deno.Command("mkfifo", { args: [fifo] }).output();
  assert.ok(made.success, "mkfifo");
  try {
    for (const path of ["/dev/null", fifo, "/dev/ptmx"]) {
      await t.step(path, async () => {
        const error = await failure(new LinuxI2cBus(path), 0x04);
        assert.equal(error.errno, "ENOTTY");
        assert.equal(error.address, 0x40);
        assert.equal(error.register, 0x04);
        assert.equal(
          error.message,
          `I2C transfer of register 0x04 at 0x40 on ${path} failed: not an I2C adapter (ENOTTY): check I2C_BUS`,
        );
      });
    }
  } finally {
    await Deno.remove(fifo);
  }
});

Deno.test("LinuxI2cBus falls back to I2C_SLAVE + write + read", async () => {
  const error = await failure(new LinuxI2cBus("/dev/null", { method: "simple" }));
  assert.equal(error.errno, "ENOTTY", "ioctl(I2C_SLAVE) reached the kernel");
});

Deno.test("LinuxI2cBus checks the address and reopens after close()", async () => {
  const bus = new LinuxI2cBus("/dev/null");
  await assert.rejects(bus.writeRead(0x80, Uint8Array.of(0), 2), RangeError);
  await assert.rejects(bus.writeRead(0x40, Uint8Array.of(0), 2), I2cError);
  bus.close();
  bus.close(); // twice is harmless
  await assert.rejects(bus.writeRead(0x40, Uint8Array.of(0), 2), /ENOTTY/);
  bus.close();
});

Deno.test({
  name: "LinuxI2cBus without --allow-ffi says how to grant it",
  permissions: { ffi: false, read: true },
  fn: async () => {
    const error = await failure(new LinuxI2cBus(1));
    assert.equal(
      error.message,
      'Cannot open I2C bus "/dev/i2c-1": Deno was not granted FFI access: run with --allow-ffi',
    );
  },
});

Deno.test("packMessages() lays out struct i2c_msg as the 64-bit kernel reads it", () => {
  assert.equal(I2C_SLAVE, 0x0703);
  assert.equal(I2C_RDWR, 0x0707);
  const write = Uint8Array.of(0x02);
  const read = new Uint8Array(2);
  read.set([0xab, 0xcd]);
  const packed = packMessages(0x45, [{ flags: 0, buffer: write }, {
    flags: I2C_M_RD,
    buffer: read,
  }]);
  assert.equal(I2C_MSG_BYTES, 16);
  assert.equal(packed.length, 32);
  const view = new DataView(packed.buffer);
  assert.deepEqual([view.getUint16(0, true), view.getUint16(2, true), view.getUint16(4, true)], [
    0x45,
    0,
    1,
  ]);
  assert.deepEqual([view.getUint16(16, true), view.getUint16(18, true), view.getUint16(20, true)], [
    0x45,
    I2C_M_RD,
    2,
  ]);
  assert.equal(view.getUint16(6, true), 0, "padding before the pointer");
  // The pointers lead back to the buffers.
  const second = Deno.UnsafePointer.create(view.getBigUint64(24, true))!;
  assert.deepEqual(
    [...new Uint8Array(Deno.UnsafePointerView.getArrayBuffer(second, 2))],
    [0xab, 0xcd],
  );
  const first = Deno.UnsafePointer.create(view.getBigUint64(8, true))!;
  assert.equal(new Deno.UnsafePointerView(first).getUint8(), 0x02);
});

Deno.test("I2C advice names the errno and what to do", async (t) => {
  const cases: [string, RegExp][] = [
    ["ENXIO", /^nothing answers at 0x40 \(ENXIO\): check the wiring .* A0\/A1 address/],
    ["EREMOTEIO", /^nothing answers at 0x40 \(EREMOTEIO\)/],
    ["ETIMEDOUT", /^the bus timed out \(ETIMEDOUT\): check SDA and SCL/],
    ["EIO", /^I\/O error \(EIO\): check the wiring/],
    ["EBUSY", /kernel driver owns 0x40/],
  ];
  for (const [errno, pattern] of cases) {
    await t.step(errno, () => assert.match(transferAdvice(errno, 0x40), pattern));
  }
  assert.match(openAdvice("EACCES", "/dev/i2c-1"), /add the user to the i2c group/);
  assert.match(openAdvice("ENOENT", "/dev/i2c-1"), /enable I2C with raspi-config/);
});
