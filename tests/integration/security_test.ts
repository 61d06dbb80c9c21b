/**
 * The attacks of an unfriendly LAN neighbour and a malicious web page, replayed on a real
 * loopback server with hand-written HTTP (so Host, Origin and Sec-Fetch-Site can be set):
 * sandboxed frames (`Origin: null`), cross-site form posts, DNS rebinding (a foreign
 * Host), malformed Host headers, and the bulk reads behind the token.
 * @module
 */
import assert from "node:assert/strict";
import { loadConfig } from "../../src/config.ts";
import { type Monitor, startMonitor } from "../../src/monitor.ts";

const TOKEN = "secret-token-1";

/** A parsed raw HTTP answer. */
interface RawReply {
  status: number;
  headers: Record<string, string>;
  text: string;
}

const UPGRADE = {
  Upgrade: "websocket",
  Connection: "Upgrade",
  "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
  "Sec-WebSocket-Version": "13",
};

/** Sends one request over a fresh TCP connection, headers exactly as given. */
async function raw(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
): Promise<RawReply> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const upgrade = headers.Upgrade !== undefined;
    const lines = [`${method} ${path} HTTP/1.1`];
    for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
    if (!upgrade) lines.push("Connection: close");
    if (method === "POST") lines.push("Content-Length: 0");
    await conn.write(new TextEncoder().encode(lines.join("\r\n") + "\r\n\r\n"));
    let text = "";
    const buffer = new Uint8Array(64 * 1024);
    const decoder = new TextDecoder();
    while (true) {
      const n = await conn.read(buffer);
      if (n === null) break;
      text += decoder.decode(buffer.subarray(0, n), { stream: true });
      // An upgrade request keeps the connection open: stop once the answer is complete.
      const end = text.indexOf("\r\n\r\n");
      if (end < 0) continue;
      if (text.startsWith("HTTP/1.1 101")) break;
      const length = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, end));
      if (length && new TextEncoder().encode(text.slice(end + 4)).length >= Number(length[1])) {
        break;
      }
    }
    const [head, ...body] = text.split("\r\n\r\n");
    const [statusLine, ...headerLines] = head.split("\r\n");
    const replyHeaders: Record<string, string> = {};
    for (const line of headerLines) {
      const at = line.indexOf(":");
      replyHeaders[line.slice(0, at).toLowerCase()] = line.slice(at + 1).trim();
    }
    return { status: Number(statusLine.split(" ")[1]), headers: replyHeaders, text: body.join("") };
  } finally {
    conn.close();
  }
}

/** A monitor on a free loopback port with its log kept; shut down afterwards. */
async function withMonitor(
  env: Record<string, string>,
  fn: (m: Monitor, port: number, log: string[]) => Promise<void>,
): Promise<void> {
  const dataDir = await Deno.makeTempDir({ prefix: "ina219-sec-" });
  const log: string[] = [];
  const monitor = await startMonitor(
    loadConfig({
      PORT: "0",
      HOST: "127.0.0.1",
      MOCK_SEED: "1",
      MOCK_AUTO_ROTATE_S: "0",
      STATUS_INTERVAL_S: "0",
      DATA_DIR: dataDir,
      ...env,
    }, []),
    { log: (line) => log.push(line) },
  );
  try {
    await fn(monitor, Number(new URL(monitor.url).port), log);
  } finally {
    await monitor.shutdown();
    await Deno.remove(dataDir, { recursive: true });
  }
}

function assertJsonError(reply: RawReply, status: number): void {
  assert.equal(reply.status, status, reply.text);
  assert.match(reply.headers["content-type"] ?? "", /application\/json/);
  const body = JSON.parse(reply.text);
  assert.equal(typeof body.error, "string");
  assert.ok(Array.isArray(body.issues));
}

Deno.test("Origin: null (a sandboxed frame) cannot open /ws unless ALLOWED_ORIGINS has null", async (t) => {
  await withMonitor({ API_TOKEN: TOKEN }, async (_m, port) => {
    const host = `127.0.0.1:${port}`;
    await t.step("null on loopback, token set → 403", async () => {
      assertJsonError(
        await raw(port, "GET", "/ws", { Host: host, Origin: "null", ...UPGRADE }),
        403,
      );
    });
    await t.step("the server's own origin → 101", async () => {
      const own = { Host: host, Origin: `http://${host}`, ...UPGRADE };
      assert.equal((await raw(port, "GET", "/ws", own)).status, 101);
    });
  });
  await withMonitor({ ALLOWED_ORIGINS: "null" }, async (_m, port) => {
    await t.step("ALLOWED_ORIGINS=null → 101", async () => {
      const reply = await raw(port, "GET", "/ws", {
        Host: `127.0.0.1:${port}`,
        Origin: "null",
        ...UPGRADE,
      });
      assert.equal(reply.status, 101);
    });
  });
});

Deno.test("a foreign page cannot change state with a plain cross-site form post", async (t) => {
  await withMonitor({}, async (m, port) => {
    const host = `127.0.0.1:${port}`;
    const rows: { name: string; headers: Record<string, string>; path: string }[] = [
      { name: "Origin evil", headers: { Origin: "http://evil.example" }, path: "/simulator/stop" },
      { name: "Origin null", headers: { Origin: "null" }, path: "/api/energy/reset" },
      {
        name: "Sec-Fetch-Site cross-site, no Origin",
        headers: { "Sec-Fetch-Site": "cross-site" },
        path: "/api/database/vacuum",
      },
      {
        name: "another port on this host",
        headers: { Origin: `http://127.0.0.1:${port + 1}` },
        path: "/simulator/stop",
      },
    ];
    for (const row of rows) {
      await t.step(`${row.name}: POST ${row.path} → 403, nothing changes`, async () => {
        const reply = await raw(port, "POST", row.path, {
          Host: host,
          "Content-Type": "application/x-www-form-urlencoded",
          ...row.headers,
        });
        assertJsonError(reply, 403);
        assert.ok(m.sampler.running);
      });
    }
    await t.step("the dashboard's own origin → 200", async () => {
      const reply = await raw(port, "POST", "/api/energy/reset", {
        Host: host,
        Origin: `http://${host}`,
        "Sec-Fetch-Site": "same-origin",
      });
      assert.equal(reply.status, 200, reply.text);
    });
    await t.step("a script without Origin (curl) → 200", async () => {
      const reply = await raw(port, "POST", "/simulator/stop", { Host: host });
      assert.equal(reply.status, 200, reply.text);
      assert.ok(!m.sampler.running);
    });
  });
  await withMonitor({ API_TOKEN: TOKEN }, async (m, port) => {
    await t.step("the right token from a foreign origin is still 403", async () => {
      const reply = await raw(port, "POST", "/simulator/stop", {
        Host: `127.0.0.1:${port}`,
        Origin: "http://evil.example",
        Authorization: `Bearer ${TOKEN}`,
      });
      assertJsonError(reply, 403);
      assert.ok(m.sampler.running);
    });
  });
});

Deno.test("DNS rebinding: a Host that is not this server's gets 421 on every route", async (t) => {
  await withMonitor({}, async (m, port) => {
    const evil = { Host: `evil.example:${port}`, Origin: `http://evil.example:${port}` };
    const rows: [string, string, Record<string, string>][] = [
      ["GET", "/ws", UPGRADE],
      ["GET", "/api/export.csv", {}],
      ["GET", "/status", {}],
      ["GET", "/", {}],
      ["GET", "/app.js", {}],
      ["POST", "/simulator/stop", {}],
    ];
    for (const [method, path, extra] of rows) {
      await t.step(`${method} ${path} → 421`, async () => {
        assertJsonError(await raw(port, method, path, { ...evil, ...extra }), 421);
      });
    }
    assert.ok(m.sampler.running);
    await t.step("localhost and 127.0.0.1 → 200", async () => {
      for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, "localhost"]) {
        assert.equal((await raw(port, "GET", "/status", { Host: host })).status, 200, host);
      }
    });
    await t.step("/status counts the refusals", async () => {
      const reply = await raw(port, "GET", "/status", { Host: `127.0.0.1:${port}` });
      assert.equal(JSON.parse(reply.text).rejected_requests.wrong_host, rows.length);
    });
  });
  await withMonitor({ ALLOWED_HOSTS: "evil.example" }, async (_m, port) => {
    await t.step("ALLOWED_HOSTS admits a name (any port) → 200", async () => {
      const reply = await raw(port, "GET", "/status", { Host: `Evil.Example:${port}` });
      assert.equal(reply.status, 200);
    });
  });
});

Deno.test("a malformed Host is a counted 400 on every route, logged once a minute", async (t) => {
  await withMonitor({}, async (_m, port, log) => {
    const bad = ["127.0.0.1:18732x", "127.0.0.1:99999", "a b", "evil@127.0.0.1", "[zz::1]"];
    const paths: [string, string, Record<string, string>][] = [
      ["GET", "/ws", UPGRADE],
      ["GET", "/status", {}],
      ["GET", "/", {}],
      ["GET", "/api/export.csv", {}],
      ["GET", "/no/such/path", {}],
      ["POST", "/simulator/stop", {}],
    ];
    let sent = 0;
    for (const host of bad) {
      for (const [method, path, extra] of paths) {
        await t.step(`${method} ${path} with Host ${host} → 400`, async () => {
          assertJsonError(await raw(port, method, path, { Host: host, ...extra }), 400);
          sent++;
        });
      }
    }
    const status = JSON.parse(
      (await raw(port, "GET", "/status", { Host: `127.0.0.1:${port}` })).text,
    );
    assert.equal(status.rejected_requests.bad_host, sent);
    const lines = log.filter((line) => /malformed Host/i.test(line));
    assert.equal(lines.length, 1, lines.join("\n"));
    assert.doesNotMatch(log.join("\n"), /^\s+at /m, "no stack trace");
  });
});

Deno.test("with API_TOKEN, the bulk reads need the token; the stream and /status do not", async (t) => {
  await withMonitor({ API_TOKEN: TOKEN }, async (_m, port) => {
    const host = { Host: `127.0.0.1:${port}` };
    const auth = { ...host, Authorization: `Bearer ${TOKEN}` };
    for (const path of ["/api/export.csv", "/api/database/stats", "/metrics"]) {
      await t.step(`GET ${path}: 401 without, 200 with`, async () => {
        assertJsonError(await raw(port, "GET", path, host), 401);
        assert.equal((await raw(port, "GET", path, auth)).status, 200);
      });
    }
    for (const path of ["/status", "/api/history", "/"]) {
      await t.step(`GET ${path} stays open`, async () => {
        assert.equal((await raw(port, "GET", path, host)).status, 200);
      });
    }
  });
});
