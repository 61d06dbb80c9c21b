/**
 * Bad input on a real server: JSON errors that change nothing, an over-long chunked body,
 * junk and oversize WebSocket messages from clients.
 * @module
 */
import assert from "node:assert/strict";
import { poll } from "../daemon.ts";
import { seqGaps, withMonitor } from "./harness.ts";

Deno.test("startMonitor() rejects bad input with JSON errors and changes nothing", async (t) => {
  await withMonitor({}, async (h) => {
    const before = await h.status();
    const big = JSON.stringify({ mode: "LOAD_SPIKE", pad: "x".repeat(17 * 1024) });
    const rows: { name: string; path: string; body: BodyInit; type?: string; want: number }[] = [
      { name: "malformed JSON", path: "/simulator/mode", body: '{"mode":', want: 400 },
      { name: "wrong type", path: "/simulator/interval", body: '{"interval_ms":"500"}', want: 400 },
      { name: "unknown mode", path: "/simulator/mode", body: '{"mode":"TURBO"}', want: 400 },
      { name: "interval 0", path: "/simulator/interval", body: '{"interval_ms":0}', want: 400 },
      {
        name: "interval 20000",
        path: "/simulator/interval",
        body: '{"interval_ms":20000}',
        want: 400,
      },
      {
        name: "interval 2.5",
        path: "/simulator/interval",
        body: '{"interval_ms":2.5}',
        want: 400,
      },
      {
        name: "unknown field",
        path: "/simulator/mode",
        body: '{"mode":"NOISE","extra":1}',
        want: 400,
      },
      {
        name: "form body",
        path: "/simulator/mode",
        body: "mode=LOAD_SPIKE",
        type: "application/x-www-form-urlencoded",
        want: 415,
      },
      { name: "body over 16 KiB", path: "/simulator/mode", body: big, want: 413 },
    ];
    for (const row of rows) {
      await t.step(`${row.name} → ${row.want}`, async () => {
        const reply = await h.request("POST", row.path, {
          headers: { "Content-Type": row.type ?? "application/json" },
          body: row.body,
        });
        assert.equal(reply.status, row.want);
        assert.equal(typeof reply.body.error, "string");
        assert.ok(Array.isArray(reply.body.issues));
        const after = await h.status();
        assert.equal(after.interval_ms, before.interval_ms);
        assert.equal(after.mode, before.mode);
      });
    }
    await t.step("a valid interval is applied (the control)", async () => {
      const reply = await h.post("/simulator/interval", { interval_ms: 30 });
      assert.deepEqual(reply.body, { status: "ok", interval_ms: 30 });
      assert.equal((await h.status()).interval_ms, 30);
    });
    await t.step("issues name the field", async () => {
      const reply = await h.post("/simulator/mode", { mode: "TURBO" });
      assert.equal(reply.body.issues[0].path, "mode");
      assert.match(reply.body.issues[0].message, /LOAD_SPIKE/);
    });
    await t.step("unknown path → 404 JSON", async () => {
      const reply = await h.request("GET", "/nope");
      assert.equal(reply.status, 404);
      assert.equal(typeof reply.body.error, "string");
      assert.ok(Array.isArray(reply.body.issues));
    });
    await t.step("PUT /status → 405 with Allow", async () => {
      const reply = await h.request("PUT", "/status");
      assert.equal(reply.status, 405);
      assert.match(reply.headers.get("allow") ?? "", /\bGET\b/);
      assert.equal(typeof reply.body.error, "string");
    });
    await t.step("GET /ws without upgrade → 426", async () => {
      const reply = await h.request("GET", "/ws");
      assert.equal(reply.status, 426);
      assert.equal(typeof reply.body.error, "string");
    });
  });
});

Deno.test({
  name: "startMonitor() rejects a chunked body over 16 KiB with 413",
  fn: async () => {
    await withMonitor({}, async (h) => {
      const big = JSON.stringify({ mode: "LOAD_SPIKE", pad: "x".repeat(17 * 1024) });
      const reply = await h.request("POST", "/simulator/mode", {
        headers: { "Content-Type": "application/json" },
        body: ReadableStream.from([new TextEncoder().encode(big)]),
      });
      assert.equal(reply.status, 413);
      assert.equal(typeof reply.body.error, "string");
      assert.equal((await h.status()).mode, "NORMAL");
    });
  },
});

Deno.test("startMonitor() ignores client junk and closes oversize senders with 1009", async () => {
  await withMonitor({}, async (h) => {
    const noisy = await h.connect();
    const quiet = await h.connect();
    await noisy.nextMeasurements(1);
    noisy.send("not json");
    noisy.send(new Uint8Array([0, 1, 2, 255]));
    noisy.send('{"cmd":"reset","seq":4}');
    noisy.send("x".repeat(4096));
    const after = await noisy.nextMeasurements(5);
    assert.equal(seqGaps(after), 0);
    assert.equal(noisy.readyState, WebSocket.OPEN);

    noisy.send("x".repeat(4097));
    const closed = await noisy.closeEvent();
    assert.equal(closed.code, 1009);
    assert.equal(seqGaps(await quiet.nextMeasurements(5)), 0);
    await poll("the closed client leaves the count", async () => {
      return (await h.status()).websocket_connections === 1;
    });
  });
});
