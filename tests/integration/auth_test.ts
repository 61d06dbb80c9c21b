/**
 * The token and Origin rules on a real server: API_TOKEN guards state changes, not reads;
 * `/ws` checks the browser's Origin.
 * @module
 */
import assert from "node:assert/strict";
import { upgradeWithOrigin, withMonitor } from "./harness.ts";

Deno.test("startMonitor() with API_TOKEN guards state changes, not reads", async (t) => {
  await withMonitor({ API_TOKEN: "secret-token-1" }, async (h) => {
    const rows: { name: string; headers: Record<string, string>; want: number }[] = [
      { name: "no Authorization", headers: {}, want: 401 },
      { name: "wrong token", headers: { Authorization: "Bearer secret-token-2" }, want: 401 },
      // RFC 6750 §3.1: a malformed request is invalid_request, 400.
      { name: "not Bearer", headers: { Authorization: "Basic c2VjcmV0LXRva2VuLTE=" }, want: 400 },
    ];
    for (const row of rows) {
      await t.step(`${row.name} → ${row.want}`, async () => {
        const reply = await h.post("/simulator/stop", undefined, row.headers);
        assert.equal(reply.status, row.want);
        assert.equal(typeof reply.body.error, "string");
        assert.ok(Array.isArray(reply.body.issues));
        if (row.want === 401) assert.match(reply.headers.get("www-authenticate") ?? "", /Bearer/);
        const mode = await h.post("/simulator/mode", { mode: "NOISE" }, row.headers);
        assert.equal(mode.status, row.want);
        const status = await h.status();
        assert.equal(status.simulator, "connected");
        assert.equal(status.mode, "NORMAL");
        assert.equal(status.auth_required, true);
      });
    }
    await t.step("Bearer secret-token-1 → 200", async () => {
      const auth = { Authorization: "Bearer secret-token-1" };
      const reply = await h.post("/simulator/stop", undefined, auth);
      assert.equal(reply.status, 200);
      assert.equal(reply.body.was_running, true);
      assert.equal((await h.status()).simulator, "disconnected");
    });
  });
});

Deno.test("startMonitor() /ws checks the browser Origin", async (t) => {
  await withMonitor({}, async (h) => {
    const own = h.monitor.url;
    assert.match(own, /^http:\/\/127\.0\.0\.1:\d+$/);
    await t.step("foreign origin → 403 JSON", async () => {
      const reply = await upgradeWithOrigin(own, "http://evil.example");
      assert.equal(reply.status, 403);
      assert.equal(typeof reply.body.error, "string");
      assert.ok(Array.isArray(reply.body.issues));
    });
    await t.step("the server's own origin → 101", async () => {
      assert.equal((await upgradeWithOrigin(own, own)).status, 101);
    });
    await t.step('"null" (a page from disk or a sandboxed frame) → 403 by default', async () => {
      assert.equal((await upgradeWithOrigin(own, "null")).status, 403);
    });
  });
  await withMonitor({ ALLOWED_ORIGINS: "http://dash.example:3000" }, async (h) => {
    await t.step("ALLOWED_ORIGINS origin → 101", async () => {
      assert.equal(
        (await upgradeWithOrigin(h.monitor.url, "http://dash.example:3000")).status,
        101,
      );
    });
    await t.step("another origin still → 403", async () => {
      const reply = await upgradeWithOrigin(h.monitor.url, "http://dash.example:3001");
      assert.equal(reply.status, 403);
    });
  });
});
