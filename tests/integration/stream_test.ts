/**
 * The v1 protocol end to end on a real loopback server: `/status`, the WebSocket greeting
 * and measurement stream, its rate without `seq` gaps, the periodic status message, and
 * shutdown closing clients with 1001. Mirrors the v1 protocol's own test script.
 * @module
 */
import assert from "node:assert/strict";
import { poll, wait } from "../daemon.ts";
import {
  assertMeasurement,
  ISO_MS,
  measurements,
  type Message,
  seqGaps,
  withMonitor,
} from "./harness.ts";

Deno.test("startMonitor() GET /status reports the v1 fields and counts clients", async () => {
  await withMonitor({}, async (h) => {
    const before = await h.status();
    assert.equal(before.server, "running");
    assert.equal(before.simulator, "connected");
    assert.equal(before.websocket_connections, 0);
    const client = await h.connect();
    await client.until("greeting", (ms) => ms.length >= 1);
    assert.equal((await h.status()).websocket_connections, 1);
    await client.close();
    await poll("websocket_connections back to 0", async () => {
      return (await h.status()).websocket_connections === 0;
    });
  });
});

Deno.test("startMonitor() /ws greets, then streams measurements in the v1 shape", async () => {
  await withMonitor({}, async (h) => {
    const client = await h.connect();
    const got = await client.until("5 measurements", (ms) => measurements(ms).length >= 5);
    const [greeting] = got;
    assert.equal(greeting.type, "status");
    assert.equal(typeof greeting.message, "string");
    assert.match(greeting.timestamp, ISO_MS);
    assert.equal(greeting.websocket_connections, 1);
    assert.equal(greeting.simulator, "connected");
    const ms = got.filter((m) => m.type === "measurement");
    for (const m of ms) {
      assertMeasurement(m);
      const d = m.data!;
      assert.equal(d.status, "ok");
      assert.equal(d.mode, "NORMAL");
      assert.ok(d.v >= 4.95 && d.v <= 5.05, `NORMAL v ${d.v}`);
      assert.ok(d.a >= 0.08 && d.a <= 0.32, `NORMAL a ${d.a}`);
      assert.ok(Math.abs(d.w - d.v * d.a) <= 0.001, `w ${d.w} = v·a`);
    }
    assert.equal(seqGaps(measurements(got)), 0);
  });
});

Deno.test("startMonitor() streams at the configured rate without seq gaps", async (t) => {
  const runs = [
    { intervalMs: 10, windowMs: 1500, min: 0.8 * (1500 / 10) },
    { intervalMs: 1, windowMs: 1000, min: 800 },
  ];
  for (const run of runs) {
    await t.step(`SAMPLE_INTERVAL_MS=${run.intervalMs} for ${run.windowMs} ms`, async () => {
      await withMonitor({ SAMPLE_INTERVAL_MS: String(run.intervalMs) }, async (h) => {
        const client = await h.connect();
        await client.nextMeasurements(1);
        const mark = client.messages.length;
        await wait(run.windowMs);
        const data = measurements(client.messages.slice(mark));
        assert.ok(data.length >= run.min, `${data.length} measurements, want ≥ ${run.min}`);
        assert.equal(seqGaps(data), 0);
        assert.equal(data[0].seq, measurements(client.messages.slice(0, mark)).at(-1)!.seq + 1);
      });
    });
  }
});

Deno.test("startMonitor() sends a status message every STATUS_INTERVAL_S", async () => {
  await withMonitor({ STATUS_INTERVAL_S: "1" }, async (h) => {
    const client = await h.connect();
    await h.connect();
    const periodic = (ms: Message[]) =>
      ms.filter((m) => m.type === "status" && m.message?.startsWith("Connections:"));
    const [first] = periodic(
      await client.until("periodic status", (ms) => periodic(ms).length >= 1),
    );
    assert.equal(first.websocket_connections, 2);
    assert.equal(first.simulator, "connected");
    assert.match(first.timestamp, ISO_MS);

    assert.equal((await h.post("/simulator/stop")).status, 200);
    const mark = client.messages.indexOf(first) + 1;
    const [second] = periodic(
      await client.until("next periodic status", (ms) => periodic(ms).length >= 1, {
        from: mark,
      }),
    );
    assert.equal(second.simulator, "disconnected");
    const gapMs = Date.parse(second.timestamp) - Date.parse(first.timestamp);
    assert.ok(gapMs >= 700 && gapMs <= 1700, `periodic status ${gapMs} ms apart`);
  });
});

Deno.test("Monitor.shutdown() closes connected clients with 1001 and stops serving", async () => {
  await withMonitor({}, async (h) => {
    const clients = [await h.connect(), await h.connect()];
    await Promise.all(clients.map((c) => c.nextMeasurements(1)));
    await h.monitor.shutdown();
    for (const client of clients) assert.equal((await client.closeEvent()).code, 1001);
    await assert.rejects(fetch(`${h.monitor.url}/status`), TypeError);
  });
});
