/** Tests of src/sources/serial_port.ts: what opening a bad port says. */
import assert from "node:assert/strict";
import { SerialError, SerialPort } from "../../src/sources/serial_port.ts";

Deno.test("SerialPort.open() says what is wrong with the port", () => {
  assert.throws(() => SerialPort.open("/dev/ttyNOPE9", 115200), (error: Error) => {
    assert.ok(error instanceof SerialError);
    assert.equal(error.errno, "ENOENT");
    assert.match(
      error.message,
      /^Cannot open serial port "\/dev\/ttyNOPE9": no such port \(ENOENT\): check the USB cable and SERIAL_PORT/,
    );
    return true;
  });
  assert.throws(
    () => SerialPort.open("/dev/null", 115200),
    /^SerialError: Cannot configure serial port "\/dev\/null": not a serial port \(ENOTTY\): check SERIAL_PORT$/,
  );
  assert.throws(() => SerialPort.open("/dev/null", 12345), RangeError);
});
