/**
 * Tests of src/http/request_guard.ts: the refusal counter and the Origin rule as functions, then
 * the guard on the real app (READ_TOKEN_REQUIRED, encoded paths, malformed Host).
 * @module
 */
import assert from "node:assert/strict";
import { originAllowed, RejectCounter } from "../../src/http/request_guard.ts";
import { TOKEN_READS } from "../../src/http/auth.ts";
import { loadConfig } from "../../src/config.ts";
import { createCore, type MonitorCore } from "../../src/monitor.ts";

const TOKEN = "secret-token-1";

Deno.test("RejectCounter.record() counts every refusal and logs one line a minute per kind", () => {
  let nowMs = 0;
  const lines: string[] = [];
  const counter = new RejectCounter({ log: (l) => lines.push(l), now: () => nowMs });
  for (let i = 0; i < 100; i++) counter.record("bad_host", "Refused a malformed Host");
  counter.record("wrong_host", "Refused Host evil");
  assert.deepEqual(counter.counts, { bad_host: 100, wrong_host: 1, cross_origin: 0 });
  assert.deepEqual(lines, ["Refused a malformed Host", "Refused Host evil"]);
  nowMs = 59_999;
  counter.record("bad_host", "Refused a malformed Host");
  assert.equal(lines.length, 2);
  nowMs = 60_000;
  counter.record("bad_host", "Refused a malformed Host");
  assert.equal(lines.length, 3);
  assert.match(lines[2], /\(100 more bad_host refusals not logged since the last line\)$/);
  nowMs = 200_000;
  counter.record("bad_host", "Refused a malformed Host");
  assert.equal(lines[3], "Refused a malformed Host", "nothing suppressed since");
});

Deno.test("originAllowed() admits non-browsers, the server itself and ALLOWED_ORIGINS", () => {
  const host = "pi.local:8000";
  assert.ok(originAllowed(undefined, host, []));
  assert.ok(originAllowed("http://pi.local:8000", host, []));
  assert.ok(originAllowed("https://pi.local:8000", host, []), "behind a TLS proxy");
  assert.ok(!originAllowed("http://pi.local:9000", host, []));
  assert.ok(!originAllowed("http://evil.example", host, []));
  assert.ok(originAllowed("http://a.example", host, ["http://a.example"]));
  assert.ok(originAllowed("http://any.example", host, ["*"]));
  assert.ok(!originAllowed("null", "127.0.0.1:8000", []), "null only when allowed");
  assert.ok(originAllowed("null", host, ["null"]));
});

Deno.test("originAllowed() admits a page opened from disk only with ALLOWED_ORIGINS=null", () => {
  assert.ok(!originAllowed("null", "localhost:8000", []));
  assert.ok(!originAllowed("null", "127.0.0.1:8000", []));
  assert.ok(!originAllowed("null", "[::1]:8000", []));
  assert.ok(originAllowed("null", "127.0.0.1:8000", ["null"]));
  assert.ok(originAllowed("null", "pi.local:8000", ["*"]), "* is any origin");
});

const opened: MonitorCore[] = [];

function core(env: Record<string, string>): MonitorCore {
  const c = createCore(
    loadConfig({ MOCK_SEED: "1", MOCK_AUTO_ROTATE_S: "0", DB_PATH: ":memory:", ...env }, []),
    "test",
    () => {},
  );
  opened.push(c);
  return c;
}

async function closeAll() {
  for (const c of opened.splice(0)) {
    await c.sampler.stop();
    c.store.close();
  }
}

Deno.test("READ_TOKEN_REQUIRED=true closes the data reads but not the pages, /status or /ws", async () => {
  try {
    const { app } = core({ API_TOKEN: TOKEN, READ_TOKEN_REQUIRED: "true" });
    const auth = { headers: { Authorization: `Bearer ${TOKEN}` } };
    for (const path of ["/api/history", "/api/alerts", "/api/statistics", ...TOKEN_READS]) {
      const res = await app.request(path);
      assert.equal(res.status, 401, path);
      assert.match(res.headers.get("www-authenticate") ?? "", /^Bearer/);
      await res.body?.cancel();
      const ok = await app.request(path, auth);
      assert.equal(ok.status, 200, path);
      await ok.body?.cancel();
    }
    for (const path of ["/status", "/", "/app.js", "/openapi.json"]) {
      const res = await app.request(path);
      assert.equal(res.status, 200, path);
      await res.body?.cancel();
    }
    const ws = await app.request("/ws");
    assert.equal(ws.status, 426, "/ws reaches its route without a token");
    await ws.body?.cancel();
  } finally {
    await closeAll();
  }
});

Deno.test("a percent-encoded path does not slip past the token check", async () => {
  try {
    const { app } = core({ API_TOKEN: TOKEN });
    for (const path of ["/api/%65xport.csv", "/api/database/%73tats", "/%6Detrics"]) {
      const res = await app.request(path);
      assert.notEqual(res.status, 200, path);
      await res.body?.cancel();
    }
  } finally {
    await closeAll();
  }
});

Deno.test("no route answers a malformed Host with a 500", async (t) => {
  try {
    const { app } = core({});
    const doc = await (await app.request("/openapi.json")).json();
    const routes: [string, string][] = [["GET", "/"], ["GET", "/app.js"], ["GET", "/nope"]];
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const method of Object.keys(operations as object)) {
        routes.push([method.toUpperCase(), path.replace(/\{[^}]+\}/g, "x")]);
      }
    }
    for (const [method, path] of routes) {
      await t.step(`${method} ${path}`, async () => {
        const res = await app.request(`http://localhost${path}`, {
          method,
          headers: { Host: "127.0.0.1:18732x", Upgrade: "websocket" },
        });
        assert.equal(res.status, 400);
        assert.equal((await res.json()).error, "Malformed Host header");
      });
    }
  } finally {
    await closeAll();
  }
});
