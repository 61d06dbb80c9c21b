/**
 * The device commands end to end: `/simulator/stop` and `/start` keep `seq` continuous,
 * `/simulator/mode` changes what is streamed.
 * @module
 */
import assert from "node:assert/strict";
import {
  assertMeasurement,
  measurements,
  seqGaps,
  STARTUP,
  statusTexts,
  withMonitor,
} from "./harness.ts";

Deno.test("startMonitor() POST /simulator/stop and /start keep seq continuous", async () => {
  await withMonitor({}, async (h) => {
    const client = await h.connect();
    await client.nextMeasurements(3);

    const stop = await h.post("/simulator/stop");
    assert.equal(stop.status, 200);
    assert.deepEqual(stop.body, { status: "stopped", type: "Mock", was_running: true });
    const again = await h.post("/simulator/stop");
    assert.deepEqual(again.body, { status: "stopped", type: "Mock", was_running: false });
    assert.equal((await h.status()).simulator, "disconnected");
    const stopped = await client.until(
      "Measurements stopped",
      (ms) => statusTexts(ms).includes("Measurements stopped"),
    );
    const lastSeq = measurements(stopped).at(-1)!.seq;
    assert.equal((await h.status()).last_seq, lastSeq);
    const mark = client.messages.length;
    const idle = client.messages.slice(
      stopped.findIndex((m) => m.message === "Measurements stopped"),
    );
    assert.deepEqual(measurements(idle), [], "no measurement after the stop");

    const start = await h.post("/simulator/start");
    assert.equal(start.status, 200);
    assert.deepEqual(start.body, { status: "started", type: "Mock", already_running: false });
    const after = await client.until(
      "start-up messages and 10 measurements",
      (ms) => measurements(ms).length >= 10,
      { from: mark },
    );
    assert.deepEqual(statusTexts(after), STARTUP);
    assert.deepEqual(after.slice(0, 4).map((m) => m.message), STARTUP, "start-up comes first");
    const data = measurements(after).slice(0, 10);
    assert.equal(data[0].seq, lastSeq + 1, "seq continues across stop/start");
    assert.equal(seqGaps(data), 0);
    for (const m of after.slice(4)) assertMeasurement(m);

    const twice = await h.post("/simulator/start");
    assert.deepEqual(twice.body, { status: "started", type: "Mock", already_running: true });
    assert.equal((await h.status()).simulator, "connected");
  });
});

Deno.test("startMonitor() POST /simulator/mode changes the measurements", async () => {
  await withMonitor({}, async (h) => {
    const client = await h.connect();
    await client.nextMeasurements(1);

    let mark = client.messages.length;
    const spike = await h.post("/simulator/mode", { mode: "LOAD_SPIKE" });
    assert.equal(spike.status, 200);
    assert.deepEqual(spike.body, { status: "ok", mode: "LOAD_SPIKE", auto_rotate: false });
    let got = await client.until("5 LOAD_SPIKE measurements", (ms) => {
      return measurements(ms).filter((d) => d.mode === "LOAD_SPIKE").length >= 5;
    }, { from: mark });
    assert.ok(statusTexts(got).includes("Simulation Mode: LOAD_SPIKE"));
    const spikes = measurements(got).filter((d) => d.mode === "LOAD_SPIKE");
    for (const d of spikes) {
      assert.equal(d.status, "ok");
      assert.ok(d.a >= 0.8 && d.a <= 1.0, `LOAD_SPIKE a ${d.a}`);
      assert.ok(d.v >= 4.5 && d.v <= 4.7, `LOAD_SPIKE v ${d.v}`);
    }
    const firstSpike = measurements(got).findIndex((d) => d.mode === "LOAD_SPIKE");
    assert.ok(
      measurements(got).slice(firstSpike).every((d) => d.mode === "LOAD_SPIKE"),
      "no NORMAL sample after the switch",
    );

    mark = client.messages.length;
    assert.equal((await h.post("/simulator/mode", { mode: "ERROR_TEST" })).status, 200);
    got = await client.until("3 error measurements", (ms) => {
      return measurements(ms).filter((d) => d.status === "error").length >= 3;
    }, { from: mark });
    const failing = statusTexts(got).filter((s) => s.startsWith("Sensor error"));
    assert.equal(failing.length, 1, "one Sensor error message, not one per sample");
    for (const m of got.filter((m) => m.data?.status === "error")) {
      assertMeasurement(m);
      const d = m.data!;
      assert.deepEqual([d.v, d.a, d.w, d.mode], [0, 0, 0, "ERROR_TEST"]);
      assert.equal(typeof d.error, "string");
      assert.ok(d.error!.length > 0);
    }
    const failed = await h.status();
    assert.equal(failed.sensor_status, "error");
    assert.equal(typeof failed.last_error, "string");

    mark = client.messages.length;
    assert.equal((await h.post("/simulator/mode", { mode: "NORMAL" })).status, 200);
    got = await client.until(
      "Sensor recovered and 3 ok measurements",
      (ms) =>
        statusTexts(ms).includes("Sensor recovered") &&
        measurements(ms).filter((d) => d.status === "ok").length >= 3,
      { from: mark },
    );
    const ok = measurements(got).filter((d) => d.status === "ok");
    assert.ok(ok.every((d) => d.mode === "NORMAL" && d.error === undefined && d.v > 4.9));
    assert.equal((await h.status()).sensor_status, "ok");
  });
});
