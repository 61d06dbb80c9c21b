/** Tests of src/sources/serial.ts: the v1 device through a pseudo-terminal and a fake Arduino. */
import assert from "node:assert/strict";
import type { Sample } from "../../src/sample.ts";
import { Sampler } from "../../src/sampler.ts";
import { type SerialOptions, SerialSource } from "../../src/sources/serial.ts";
import { DeviceCommandError, type PushEvent } from "../../src/sources/source.ts";
import { FakeArduino, until } from "../fake_arduino.ts";

/** A temporary folder for the port's symlink, and a source on it (fast timings). */
async function setup(options: Partial<SerialOptions> = {}) {
  const dir = await Deno.makeTempDir();
  const link = `${dir}/ttyACM0`;
  const notices: string[] = [];
  const source = new SerialSource({
    path: link,
    pollMs: 5,
    ackTimeoutMs: 500,
    backoff: { baseMs: 20, maxMs: 100 },
    onNotice: (m) => notices.push(m),
    ...options,
  });
  const events: PushEvent[] = [];
  const devices: FakeArduino[] = [];
  return {
    link,
    notices,
    source,
    events,
    devices,
    plugIn: async () => {
      const device = await FakeArduino.plugIn(link);
      devices.push(device);
      return device;
    },
    /** Opens the source and collects what it pushes. */
    start: async () => {
      const lines = await source.open();
      source.listen((e) => events.push(e));
      return lines;
    },
    cleanup: async () => {
      await source.close();
      for (const d of devices) d.unplug();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test("SerialSource turns the v1 device's lines into readings and keeps the device's seq", async () => {
  const t = await setup();
  try {
    const device = await t.plugIn();
    const lines = await t.start();
    assert.deepEqual(lines, [
      `Serial device on ${t.link} at 115200 baud`,
      `Serial port ${t.link} open - waiting for the device`,
    ]);
    device.status("INA219 Power Monitoring Simulator");
    device.seq = 16;
    device.measure();
    device.mode = "LOAD_SPIKE";
    device.measure({ v: 4.6, a: 0.9, w: 4.14 });
    device.seq++; // one line lost on the way
    device.measure({ status: "error", v: 0, a: 0, w: 0 });
    await until("three events", () => t.events.length === 3);
    assert.deepEqual(t.events[0].reading, { v: 5.012, a: 0.213, w: 1.068, status: "ok" });
    assert.deepEqual(t.events[1].reading, { v: 4.6, a: 0.9, w: 4.14, status: "ok" });
    assert.equal(t.events[2].error, "The device reported a sensor failure (device seq 20)");
    assert.equal(t.source.mode, "LOAD_SPIKE");
    assert.equal(t.notices[0], "INA219 Power Monitoring Simulator");
    // Once it talked, the device got our interval and was asked for its status.
    await until("handshake", () => t.source.details().device_status !== null);
    assert.deepEqual(device.commands.map((c) => [c.cmd, c.value]), [
      ["set_interval", 1000],
      ["get_status", undefined],
    ]);
    const details = t.source.details();
    assert.equal(details.device_seq, 20);
    assert.equal(details.device_seq_missed, 1);
    assert.equal(details.device_uptime_ms, 20_000);
    assert.equal(details.state, "ok");
    assert.deepEqual((details.device_status as Record<string, unknown>).interval, 1000);
  } finally {
    await t.cleanup();
  }
});

Deno.test("SerialSource survives garbage, partial lines and a line without end", async () => {
  const t = await setup();
  try {
    const device = await t.plugIn();
    await t.start();
    device.print("\x00\xff garbage at the wrong baud\r\n");
    device.print('[1,2,3]\n{"unknown":true}\n{"v":1,"a":1,"w":1,"seq":1,"status":"odd"}\n');
    device.print('{"v":5.1,"a":0.3');
    await new Promise((resolve) => setTimeout(resolve, 30)); // the rest comes later
    device.print(',"w":1.53,"ts":1,"seq":1,"status":"ok","mode":"NORMAL"}\r\n');
    device.print("x".repeat(5000)); // never ends…
    device.print("…until here\n");
    device.printBytes(
      new TextEncoder().encode(
        '{"v":5.2,"a":0.1,"w":0.52,"seq":2,"ts":2,"status":"ok","mode":"NÖRMAL"}\n',
      ),
    );
    await until("two readings", () => t.events.length === 2);
    assert.deepEqual(t.events.map((e) => e.reading?.v), [5.1, 5.2]);
    assert.equal(t.source.mode, "NÖRMAL");
    const details = t.source.details();
    assert.equal(details.garbage_lines, 4);
    assert.equal(details.overlong_lines, 1);
  } finally {
    await t.cleanup();
  }
});

Deno.test("SerialSource sends interval and mode commands and matches their ack", async () => {
  const t = await setup();
  try {
    const device = await t.plugIn();
    await t.start();
    device.measure();
    await until("handshake", () => device.commands.length === 2);
    await t.source.setIntervalMs(500);
    assert.deepEqual(device.commands.at(-1), { cmd: "set_interval", value: 500, seq: 3 });
    assert.equal(t.source.intervalMs, 500);
    assert.equal(device.intervalMs, 500);
    // The device decides its range, as the v1 device's sketch does: 100–10000 ms.
    await assert.rejects(t.source.setIntervalMs(50), (error: DeviceCommandError) => {
      assert.ok(error instanceof DeviceCommandError);
      assert.equal(error.failure, "refused");
      assert.equal(error.reason, "Invalid interval range (100-10000ms)");
      assert.equal(
        error.message,
        "The device refused set_interval 50: Invalid interval range (100-10000ms)",
      );
      return true;
    });
    assert.deepEqual(device.commands.at(-1), { cmd: "set_interval", value: 50, seq: 4 });
    assert.equal(t.source.intervalMs, 500, "a refused interval is not taken");
    device.silent.add("set_interval");
    await assert.rejects(t.source.setIntervalMs(700), (error: DeviceCommandError) => {
      assert.equal(error.failure, "timeout");
      assert.equal(
        error.message,
        "The device did not answer set_interval 700: no answer within 500 ms",
      );
      return true;
    });
    device.garble.add("set_mode");
    await assert.rejects(t.source.setMode("NOISE"), (error: DeviceCommandError) => {
      assert.equal(error.failure, "garbled");
      assert.match(error.message, /answer to set_mode NOISE is unreadable: .*result "maybe"/);
      return true;
    });
    device.garble.clear();
    assert.equal(t.source.intervalMs, 500);
    assert.equal(t.source.mode, "NORMAL");
    await t.source.setMode("LOAD_SPIKE");
    assert.equal(t.source.mode, "LOAD_SPIKE", "the acknowledged mode, before the next measurement");
    assert.ok(t.notices.includes("Device mode set to LOAD_SPIKE"));
    assert.equal(device.mode, "LOAD_SPIKE");
    device.refuse.add("set_mode");
    await assert.rejects(t.source.setMode("NOISE"), /refused set_mode NOISE: value out of range/);
    assert.equal(t.source.mode, "LOAD_SPIKE");
    assert.ok(
      t.notices.includes(
        "Device mode not changed: The device refused set_mode NOISE: value out of range",
      ),
    );
    assert.throws(() => t.source.setMode("TURBO"), RangeError);
  } finally {
    await t.cleanup();
  }
});

Deno.test("SerialSource refuses commands while the device is not there to answer", async () => {
  const t = await setup();
  try {
    await t.start(); // nothing plugged in
    await assert.rejects(t.source.setIntervalMs(500), (error: DeviceCommandError) => {
      assert.equal(error.failure, "gone");
      assert.match(
        error.message,
        /^No answer from the device to set_interval 500: the serial port .* is not open$/,
      );
      return true;
    });
    const device = await t.plugIn();
    await until("reopened", () => t.source.details().opens === 1);
    await assert.rejects(t.source.setMode("NOISE"), /has not spoken since the port opened/);
    assert.equal(device.commands.length, 0, "nothing sent before it talks");
    assert.equal(t.source.intervalMs, 1000);
    device.measure();
    await until("handshake", () => device.commands.length === 2);
    device.silent.add("set_mode");
    const pending = t.source.setMode("NOISE");
    await until("sent", () => device.commands.length === 3);
    device.unplug();
    await assert.rejects(pending, (error: DeviceCommandError) => error.failure === "gone");
    assert.equal(t.source.mode, "NORMAL");
  } finally {
    await t.cleanup();
  }
});

Deno.test("SerialSource takes the device's own interval and mode from its status", async () => {
  const t = await setup({ intervalMs: 50 }); // outside what the device takes: not sent
  try {
    const device = await t.plugIn();
    device.intervalMs = 2000;
    device.mode = "NOISE";
    await t.start();
    device.status("Simulator ready - Starting measurements...");
    await until("status read", () => t.source.details().device_status !== null);
    assert.deepEqual(device.commands.map((c) => c.cmd), ["get_status"]);
    assert.equal(t.source.intervalMs, 2000);
    assert.equal(t.source.mode, "NOISE");
  } finally {
    await t.cleanup();
  }
});

Deno.test("SerialSource reports a silent device once per interval", async () => {
  const t = await setup({ intervalMs: 100, silenceMs: 150 });
  try {
    const device = await t.plugIn();
    await t.start();
    device.print("garbage\n");
    await until("error events", () => t.events.length >= 3);
    assert.match(
      t.events[0].error!,
      /^No measurement from the device on .* for [\d.]+ s: check that its sketch runs and that SERIAL_BAUD \(115200\) matches \(1 unreadable lines so far\)$/,
    );
    // On a schedule one interval apart (a late poll does not push the next one back).
    const gaps = t.events.slice(1).map((e, i) => e.tsMs - t.events[i].tsMs);
    assert.ok(gaps.every((g) => g >= 80 && g < 180), `gaps ${gaps}`);
    assert.equal(t.source.details().state, "silent");
  } finally {
    await t.cleanup();
  }
});

Deno.test("SerialSource + Sampler: unplug → error samples and backoff; replug → recovers", async () => {
  const t = await setup({ intervalMs: 100 });
  const samples: Sample[] = [];
  const statuses: string[] = [];
  const sampler = new Sampler(t.source, {
    intervalMs: 100,
    lastSeq: 41,
    onSample: (s) => samples.push(s),
    onStatus: (m) => statuses.push(m),
  });
  try {
    const first = await t.plugIn();
    await sampler.start();
    first.measure();
    first.measure();
    await until("two samples", () => samples.length === 2);
    first.unplug();
    await until("error samples", () => samples.filter((s) => s.status === "error").length >= 3);
    const errors = samples.filter((s) => s.status === "error");
    assert.match(
      errors[0].error!,
      /^Serial port ".*" disconnected \((end of file|EIO)\): check the USB cable/,
    );
    assert.match(errors.at(-1)!.error!, /no such port \(ENOENT\).*; retrying in (\d+ ms|0\.\d s)$/);
    for (const s of errors) assert.deepEqual([s.v, s.a, s.w], [0, 0, 0]);
    assert.equal(t.source.details().state, "retrying");
    const second = await t.plugIn(); // udev makes the port again
    await until(
      "reopened",
      () => t.notices.at(-1) === `Serial port ${t.link} open - waiting for the device`,
    );
    second.seq = 0; // the device rebooted
    second.measure();
    await until("recovered", () => samples.at(-1)!.status === "ok");
    await until("interval sent again", () => second.commands.some((c) => c.cmd === "set_interval"));
    assert.deepEqual(
      samples.map((s) => s.seq),
      samples.map((_, i) => 42 + i),
      "our seq is continuous",
    );
    assert.equal(statuses.filter((s) => s.startsWith("Sensor error")).length, 1);
    assert.equal(statuses.filter((s) => s === "Sensor recovered").length, 1);
    assert.equal(t.source.details().opens, 2);
  } finally {
    await sampler.stop();
    await t.cleanup();
  }
});

Deno.test("SerialSource.open() on a missing port says so and retries", async () => {
  const t = await setup({ path: "/dev/ttyNOPE9" });
  const lines = await t.source.open();
  assert.match(lines[1], /^Serial port not ready: Cannot open serial port .*; retrying in 20 ms$/);
  await t.cleanup();
});
