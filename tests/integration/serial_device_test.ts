/**
 * The device command routes against the fake Arduino on a pseudo-terminal
 * (`SENSOR=serial`): a command the device refuses, does not answer or cannot be
 * asked is an error answer, and every report keeps the device's own state.
 */
import assert from "node:assert/strict";
import { loadConfig } from "../../src/config.ts";
import { createCore, type MonitorCore } from "../../src/monitor.ts";
import { DeviceCommandErrorBody } from "../../src/protocol/simulator.ts";
import { FakeArduino, until } from "../fake_arduino.ts";
import { FakeSocket } from "../fakes.ts";

interface Harness {
  core: MonitorCore;
  device: FakeArduino;
  socket: FakeSocket;
  post: (path: string, body: unknown) => Promise<Response>;
  status: () => Promise<{ mode: string; interval_ms: number }>;
  /** The status messages the clients got, newest last. */
  notices: () => { message: string; mode?: string; interval_ms?: number }[];
}

/** A monitor on a fake Arduino that has talked and had its handshake. */
async function withDevice(fn: (h: Harness) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  const link = `${dir}/ttyACM0`;
  const device = await FakeArduino.plugIn(link);
  const core = createCore(
    loadConfig({ SENSOR: "serial", SERIAL_PORT: link, DB_PATH: ":memory:" }, []),
    "test",
    () => {},
  );
  const socket = new FakeSocket();
  core.hub.add(socket);
  try {
    await core.sampler.start();
    device.measure();
    await until("handshake", () => core.source.details().device_status !== null);
    await fn({
      core,
      device,
      socket,
      post: async (path, body) =>
        await core.app.request(path, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify(body),
        }),
      status: async () => await (await core.app.request("/status")).json(),
      notices: () =>
        socket.messages().filter((m) => m.type === "status") as unknown as ReturnType<
          Harness["notices"]
        >,
    });
  } finally {
    await core.sampler.stop();
    core.store.close();
    device.unplug();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("POST /simulator/interval answers the device's refusal with 422 and keeps its interval", async () => {
  await withDevice(async ({ device, post, status, notices }) => {
    let res = await post("/simulator/interval", { interval_ms: 50 });
    assert.equal(res.status, 422);
    const body = DeviceCommandErrorBody.parse(await res.json());
    assert.deepEqual(body, {
      error: "The device refused set_interval 50: Invalid interval range (100-10000ms)",
      issues: [{ path: "interval_ms", message: "Invalid interval range (100-10000ms)" }],
      failure: "refused",
      mode: "NORMAL",
      interval_ms: 1000,
    });
    assert.equal(device.commands.at(-1)?.value, 50, "the device was asked and said no");
    assert.equal((await status()).interval_ms, 1000);
    const refused = notices().find((m) => m.message.startsWith("Sample interval not changed"));
    assert.equal(
      refused?.message,
      "Sample interval not changed: The device refused set_interval 50: Invalid interval range (100-10000ms)",
    );
    assert.equal(refused?.interval_ms, 1000, "the status message carries the device's interval");

    res = await post("/simulator/interval", { interval_ms: 500 });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: "ok", interval_ms: 500 });
    assert.equal(device.intervalMs, 500);
    assert.equal((await status()).interval_ms, 500);
    assert.equal(notices().at(-1)?.message, "Sample interval set to 500 ms");
    assert.equal(notices().at(-1)?.interval_ms, 500);
  });
});

Deno.test("POST /simulator/mode waits for the device: refusal 422, garbled 502, ack 200", async () => {
  await withDevice(async ({ device, post, status, notices }) => {
    device.refuse.add("set_mode");
    let res = await post("/simulator/mode", { mode: "NOISE" });
    assert.equal(res.status, 422);
    let body = DeviceCommandErrorBody.parse(await res.json());
    assert.equal(body.error, "The device refused set_mode NOISE: value out of range");
    assert.deepEqual(body.issues, [{ path: "mode", message: "value out of range" }]);
    assert.equal(body.mode, "NORMAL");
    assert.equal((await status()).mode, "NORMAL");
    assert.equal(notices().at(-1)?.mode, "NORMAL");

    device.refuse.clear();
    device.garble.add("set_mode");
    res = await post("/simulator/mode", { mode: "NOISE" });
    assert.equal(res.status, 502);
    body = DeviceCommandErrorBody.parse(await res.json());
    assert.equal(body.failure, "garbled");
    assert.equal((await status()).mode, "NORMAL");

    device.garble.clear();
    res = await post("/simulator/mode", { mode: "NOISE" });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: "ok", mode: "NOISE", auto_rotate: false });
    assert.equal((await status()).mode, "NOISE");
    assert.equal(notices().at(-1)?.message, "Device mode set to NOISE");
    assert.equal(notices().at(-1)?.mode, "NOISE");
  });
});

Deno.test("device command routes: no answer is a 504 after 2 s, no device a 502", async () => {
  await withDevice(async ({ core, device, post, status }) => {
    device.silent.add("set_interval");
    const startedMs = Date.now();
    let res = await post("/simulator/interval", { interval_ms: 700 });
    assert.equal(res.status, 504);
    assert.ok(Date.now() - startedMs >= 2000, "waited for the ack timeout");
    let body = DeviceCommandErrorBody.parse(await res.json());
    assert.equal(
      body.error,
      "The device did not answer set_interval 700: no answer within 2000 ms",
    );
    assert.equal(body.failure, "timeout");
    assert.equal(body.interval_ms, 1000);
    assert.equal((await status()).interval_ms, 1000);

    await core.sampler.stop();
    const sent = device.commands.length;
    res = await post("/simulator/mode", { mode: "LOAD_SPIKE" });
    assert.equal(res.status, 502);
    body = DeviceCommandErrorBody.parse(await res.json());
    assert.equal(
      body.error,
      "No answer from the device to set_mode LOAD_SPIKE: sampling is stopped",
    );
    assert.equal(body.failure, "gone");
    assert.equal(device.commands.length, sent, "nothing sent");
    assert.equal((await status()).mode, "NORMAL");
  });
});
