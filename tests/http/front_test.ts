/**
 * The TCP front of a whole monitor (startMonitor), over raw sockets: header
 * timeout, connection caps, idle keep-alive, oversize WebSocket frames, clients
 * that stop reading, and the real client address behind it.
 * @module
 */
import assert from "node:assert/strict";
import type { Monitor } from "../../src/monitor.ts";
import { statusMessage } from "../../src/protocol/ws.ts";
import { poll, wait, within } from "../daemon.ts";
import { withMonitor as withHarness } from "../integration/harness.ts";

/** A monitor (sampling at 1 Hz) behind its front, on a free loopback port. */
function withMonitor(env: Record<string, string>, fn: (monitor: Monitor) => Promise<void>) {
  return withHarness({ SAMPLE_INTERVAL_MS: "1000", ...env }, (h) => fn(h.monitor));
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function portOf(monitor: Monitor): number {
  return Number(new URL(monitor.url).port);
}

async function connect(port: number, hostname = "127.0.0.1"): Promise<Deno.TcpConn> {
  return await Deno.connect({ hostname, port });
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let done = 0; done < bytes.length;) done += await conn.write(bytes.subarray(done));
}

/** Reads until the peer closes (or resets); rejects if it is still open after `timeoutMs`. */
async function readToClose(conn: Deno.Conn, timeoutMs: number): Promise<string> {
  let text = "";
  const buffer = new Uint8Array(4096);
  await within(
    "the server to close the connection",
    (async () => {
      while (true) {
        let n: number | null;
        try {
          n = await conn.read(buffer);
        } catch {
          return; // reset
        }
        if (n === null) return;
        text += decoder.decode(buffer.subarray(0, n));
      }
    })(),
    timeoutMs,
  );
  return text;
}

/** Whether the peer keeps the connection open for `ms` (a read is still pending). */
async function staysOpen(conn: Deno.Conn, ms: number): Promise<boolean> {
  const read = conn.read(new Uint8Array(1)).then(() => false, () => false);
  return await Promise.race([read, wait(ms).then(() => true)]);
}

/** Reads up to the end of a response head. */
async function readHead(conn: Deno.Conn): Promise<string> {
  let text = "";
  const buffer = new Uint8Array(1);
  while (!text.endsWith("\r\n\r\n")) {
    const n = await conn.read(buffer);
    if (n === null) throw new Error(`closed after ${JSON.stringify(text)}`);
    text += decoder.decode(buffer.subarray(0, n));
  }
  return text;
}

/** A raw WebSocket handshake; returns the connection once the 101 head is read. */
async function upgrade(port: number, hostname = "127.0.0.1"): Promise<Deno.TcpConn> {
  const conn = await connect(port, hostname);
  await writeAll(
    conn,
    encoder.encode(
      "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    ),
  );
  const head = await readHead(conn);
  assert.match(head, /^HTTP\/1\.1 101 /);
  return conn;
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // Already closed.
  }
}

Deno.test("front: a half-sent request is answered 408 and closed after HTTP_HEADER_TIMEOUT_MS", async () => {
  await withMonitor({ HTTP_HEADER_TIMEOUT_MS: "300" }, async (monitor) => {
    const conn = await connect(portOf(monitor));
    try {
      await writeAll(conn, encoder.encode("GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
      const started = Date.now();
      const text = await readToClose(conn, 3000);
      assert.match(text, /^HTTP\/1\.1 408 /);
      assert.match(text, /"error":"Request head not received within 300 ms"/);
      assert.ok(Date.now() - started >= 250, "not before the timeout");
      assert.equal((await status(monitor)).connections.header_timeouts, 1);
    } finally {
      closeQuietly(conn);
    }
  });
});

async function status(monitor: Monitor) {
  const client = Deno.createHttpClient({});
  try {
    const res = await fetch(`${monitor.url}/status`, { client });
    const body = await res.json();
    if (!res.ok) throw new Error(`GET /status: ${res.status} ${JSON.stringify(body)}`);
    return body;
  } finally {
    client.close();
  }
}

Deno.test("front: an HTTP/1.1 request without Host, or with two, gets a JSON 400", async (t) => {
  await withMonitor({}, async (monitor) => {
    const cases: [string, string, string][] = [
      ["no Host", "GET /status HTTP/1.1\r\n\r\n", "Missing Host header"],
      [
        "two Hosts",
        "GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: 127.0.0.1\r\n\r\n",
        "More than one Host header",
      ],
    ];
    for (const [name, request, error] of cases) {
      await t.step(name, async () => {
        const conn = await connect(portOf(monitor));
        try {
          await writeAll(conn, encoder.encode(request));
          const [top, body] = (await readToClose(conn, 3000)).split("\r\n\r\n");
          assert.match(top, /^HTTP\/1\.1 400 /);
          assert.match(top, /content-type: application\/json/);
          const answer = JSON.parse(body);
          assert.equal(answer.error, error);
          assert.equal(answer.issues[0].path, "host");
        } finally {
          closeQuietly(conn);
        }
      });
    }
    await t.step("HTTP/1.0 without Host is still served", async () => {
      const conn = await connect(portOf(monitor));
      try {
        await writeAll(conn, encoder.encode("GET /status HTTP/1.0\r\n\r\n"));
        const text = await readToClose(conn, 3000);
        assert.match(text, /^HTTP\/1\.[01] 200 /);
        assert.match(text, /"server":"running"/);
      } finally {
        closeQuietly(conn);
      }
    });
    assert.equal((await status(monitor)).connections.bad_requests, 2);
  });
});

Deno.test("front: connections over HTTP_MAX_CONNS_PER_ADDRESS get 429 at once; the others stay", async () => {
  await withMonitor({ HTTP_MAX_CONNS_PER_ADDRESS: "3" }, async (monitor) => {
    const port = portOf(monitor);
    const held = [await connect(port), await connect(port), await connect(port)];
    const extra = await connect(port);
    try {
      const text = await readToClose(extra, 2000);
      assert.match(text, /^HTTP\/1\.1 429 /);
      assert.match(text, /connection: close/i);
      const body = JSON.parse(text.slice(text.indexOf("\r\n\r\n") + 4));
      assert.match(body.error, /HTTP_MAX_CONNS_PER_ADDRESS=3/);
      assert.deepEqual(body.issues, []);
      for (const conn of held) assert.ok(await staysOpen(conn, 50));
      // One goes: another gets in and is served.
      held.pop()!.close();
      let counts: Record<string, number> = {};
      await poll("GET /status through the freed slot", async () => {
        try {
          counts = (await status(monitor)).connections;
          return true;
        } catch {
          return false;
        }
      });
      assert.ok(counts.refused >= 1);
      assert.equal(counts.open, 3); // two held, and the status request itself
    } finally {
      for (const conn of [...held, extra]) closeQuietly(conn);
    }
  });
});

Deno.test("front: new connections over HTTP_CONNECT_RATE_PER_ADDRESS get 429", async () => {
  // Rate 1/s, burst 2: the third connection in a row is refused.
  await withMonitor({ HTTP_CONNECT_RATE_PER_ADDRESS: "1" }, async (monitor) => {
    const port = portOf(monitor);
    const conns = [await connect(port), await connect(port), await connect(port)];
    try {
      const text = await readToClose(conns[2], 2000);
      assert.match(text, /^HTTP\/1\.1 429 /);
      assert.match(text, /HTTP_CONNECT_RATE_PER_ADDRESS=1\/s/);
      assert.ok(await staysOpen(conns[0], 50));
    } finally {
      for (const conn of conns) closeQuietly(conn);
    }
  });
});

Deno.test("front: an idle keep-alive connection is closed after HTTP_IDLE_TIMEOUT_MS", async () => {
  await withMonitor({ HTTP_IDLE_TIMEOUT_MS: "300" }, async (monitor) => {
    const conn = await connect(portOf(monitor));
    try {
      await writeAll(conn, encoder.encode("GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
      const text = await readToClose(conn, 3000);
      assert.match(text, /^HTTP\/1\.1 200 /);
      assert.ok((await status(monitor)).connections.idle_closes >= 1);
    } finally {
      closeQuietly(conn);
    }
  });
});

Deno.test("front: a WebSocket frame announcing 63 MB is cut before 1 MB of it is sent", async () => {
  await withMonitor({}, async (monitor) => {
    const conn = await upgrade(portOf(monitor));
    let closed = false;
    const reading = (async () => {
      const buffer = new Uint8Array(65536);
      try {
        while ((await conn.read(buffer)) !== null) { /* greeting, measurements */ }
      } catch { /* reset */ }
      closed = true;
    })();
    try {
      // FIN + binary, masked, 64-bit length 63 000 000, mask key.
      const header = new Uint8Array([0x82, 0xff, 0, 0, 0, 0, 0x03, 0xc1, 0x44, 0xc0, 1, 2, 3, 4]);
      await writeAll(conn, header);
      const chunk = new Uint8Array(32 * 1024);
      let sent = 0;
      while (!closed && sent < 1_000_000) {
        try {
          await writeAll(conn, chunk);
        } catch {
          break; // reset by the server
        }
        sent += chunk.length;
        await wait(20);
      }
      await within("the connection to close", reading, 2000);
      assert.ok(closed && sent < 1_000_000, `still open after ${sent} bytes`);
      const s = await status(monitor);
      assert.equal(s.connections.oversize_frames, 1);
      await poll("the hub to drop the client", () => Promise.resolve(monitor.hub.size === 0));
    } finally {
      closeQuietly(conn);
      await reading;
    }
  });
});

Deno.test("front: a message just over 4 KiB still gets the hub's 1009, not a cut", async () => {
  await withMonitor({}, async (monitor) => {
    const ws = new WebSocket(`${monitor.url.replace(/^http/, "ws")}/ws`);
    const closed = new Promise<CloseEvent>((resolve) => ws.onclose = resolve);
    await new Promise((resolve) => ws.onopen = resolve);
    ws.send(new Uint8Array(5000));
    const event = await within("close", closed, 3000);
    assert.equal(event.code, 1009);
    assert.equal((await status(monitor)).connections.oversize_frames, 0);
  });
});

Deno.test("front: a client that stops reading is dropped after HTTP_SEND_TIMEOUT_MS", async () => {
  await withMonitor(
    { HTTP_SEND_TIMEOUT_MS: "500", WS_STUCK_CLOSE_S: "3600" },
    async (monitor) => {
      const conn = await upgrade(portOf(monitor));
      try {
        await poll("the hub to add the client", () => Promise.resolve(monitor.hub.size === 1));
        // Fill every buffer between the server and the client quickly; the client never reads.
        const big = statusMessage("x".repeat(60_000), Date.now());
        const deadline = Date.now() + 15_000;
        while (monitor.hub.size > 0 && Date.now() < deadline) {
          monitor.hub.broadcast(big);
          await wait(2);
        }
        assert.equal(monitor.hub.size, 0, "the client is still connected");
        const s = await status(monitor);
        assert.equal(s.connections.stalled_closes, 1);
        assert.equal(s.websocket_connections, 0);
        assert.equal(s.slow_client_closes, 0, "the hub did not close it itself");
      } finally {
        closeQuietly(conn);
      }
    },
  );
});

Deno.test("front: only the first request of a connection may upgrade", async () => {
  await withMonitor({}, async (monitor) => {
    const conn = await connect(portOf(monitor));
    try {
      await writeAll(conn, encoder.encode("GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
      const head = await readHead(conn);
      const length = Number(/content-length: (\d+)/i.exec(head)![1]);
      for (let got = 0; got < length;) got += (await conn.read(new Uint8Array(length - got)))!;
      await writeAll(
        conn,
        encoder.encode(
          "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        ),
      );
      assert.match(await readHead(conn), /^HTTP\/1\.1 400 /);
      assert.equal(monitor.hub.size, 0);
    } finally {
      closeQuietly(conn);
    }
  });
});

Deno.test("front: the WebSocket cap sees the real client address, not the front's", async () => {
  // Dual-stack: ::1 and 127.0.0.1 are two clients; behind the front both would be 127.0.0.1.
  await withMonitor({ HOST: "::", WS_MAX_CLIENTS_PER_ADDRESS: "1" }, async (monitor) => {
    const port = portOf(monitor);
    const v6 = await upgrade(port, "::1");
    const v4 = await upgrade(port, "127.0.0.1");
    const again = await connect(port, "::1");
    try {
      await writeAll(
        again,
        encoder.encode(
          "GET /ws HTTP/1.1\r\nHost: [::1]\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        ),
      );
      const head = await readHead(again);
      assert.match(head, /^HTTP\/1\.1 429 /);
      await poll("both clients in the hub", () => Promise.resolve(monitor.hub.size === 2));
    } finally {
      for (const conn of [v6, v4, again]) closeQuietly(conn);
    }
  });
});

Deno.test("front: a refused upgrade says Connection: close, so a retry starts a new connection", async () => {
  await withMonitor({}, async (monitor) => {
    const conn = await connect(portOf(monitor));
    try {
      await writeAll(
        conn,
        encoder.encode(
          "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://evil.example\r\n" +
            "Upgrade: websocket\r\nConnection: Upgrade\r\n" +
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        ),
      );
      const head = await readHead(conn);
      assert.match(head, /^HTTP\/1\.1 403 /);
      assert.match(head, /\r\nconnection: close\r\n/i);
    } finally {
      closeQuietly(conn);
    }
  });
});
