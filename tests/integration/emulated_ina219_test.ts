/**
 * `SENSOR=ina219 I2C_BUS=emulated` end to end: the real INA219 driver over the
 * emulated bus streams samples, `/status` shows the chip, and `/simulator/mode`
 * switches the emulated chip's analog input.
 * @module
 */
import assert from "node:assert/strict";
import { assertMeasurement, measurements, seqGaps, statusTexts, withMonitor } from "./harness.ts";

/**
 * Under `deno test` the Worker's modules are type-checked when it starts: with a cold
 * cache on a loaded machine that takes tens of seconds before the first sample, so the
 * first wait is long; the ones after it are the harness's usual 3 s.
 */
const WORKER_START_MS = 60_000;

Deno.test("startMonitor() with SENSOR=ina219 I2C_BUS=emulated streams the driver's readings", async () => {
  await withMonitor({ SENSOR: "ina219", I2C_BUS: "emulated" }, async (h) => {
    const client = await h.connect();
    const data = await client.nextMeasurements(10, WORKER_START_MS);
    for (const m of client.messages.filter((m) => m.type === "measurement")) assertMeasurement(m);
    assert.equal(seqGaps(data), 0);
    for (const d of data) {
      assert.equal(d.status, "ok");
      assert.equal(d.mode, "NORMAL");
      assert.ok(d.v > 4.9 && d.v < 5.1, `bus voltage ${d.v}`);
      assert.equal(Math.round(d.v * 1000) % 4, 0, "4 mV steps");
      assert.ok(d.a > 0.05 && d.a < 0.35, `current ${d.a}`);
    }
    const status = await h.status();
    const details = status.source_details as Record<string, unknown>;
    assert.equal(details.bus, "emulated (400 kHz)");
    assert.equal(details.state, "ok");
    assert.equal(details.calibration, 4096);

    const mark = client.messages.length;
    const spike = await h.post("/simulator/mode", { mode: "LOAD_SPIKE" });
    assert.equal(spike.status, 200);
    assert.deepEqual(spike.body, { status: "ok", mode: "LOAD_SPIKE", auto_rotate: false });
    const got = await client.until(
      "3 LOAD_SPIKE measurements",
      (ms) => measurements(ms).filter((d) => d.mode === "LOAD_SPIKE").length >= 3,
      { from: mark },
    );
    assert.ok(statusTexts(got).includes("Simulation Mode: LOAD_SPIKE"));
    // The first LOAD_SPIKE sample may hold the conversion taken before the switch.
    const last = measurements(got).filter((d) => d.mode === "LOAD_SPIKE").at(-1)!;
    assert.ok(last.a >= 0.79 && last.a <= 1.01, `LOAD_SPIKE current ${last.a}`);
  });
});

Deno.test("SENSOR=ina219 I2C_BUS=emulated at a 1 ms interval: the Worker's batches arrive with contiguous seq", async () => {
  await withMonitor(
    { SENSOR: "ina219", I2C_BUS: "emulated", SAMPLE_INTERVAL_MS: "1" },
    async (h) => {
      const client = await h.connect();
      await client.nextMeasurements(1, WORKER_START_MS);
      const data = await client.nextMeasurements(500);
      assert.equal(seqGaps(data), 0);
      assert.ok(data.every((d) => d.status === "ok"));
      for (let i = 1; i < data.length; i++) {
        assert.ok(data[i].ts_ms >= data[i - 1].ts_ms, "timestamps from the Worker, in order");
      }
      const details = (await h.status()).source_details as Record<string, unknown>;
      assert.equal(details.thread, "worker");
      assert.equal(details.worker_restarts, 0);
    },
  );
});
