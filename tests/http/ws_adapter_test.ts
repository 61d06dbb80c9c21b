/**
 * The upgrader on a real server: the client caps answer 503/429 in JSON before
 * any upgrade, and a client the server closed but that never reads keeps its
 * slot until its connection is really gone.
 * @module
 */
import assert from "node:assert/strict";
import { Hub } from "../../src/hub.ts";
import { ClientLimits } from "../../src/http/limits.ts";
import { serveSupervised } from "../../src/http/server.ts";
import { createDenoUpgrader, type DenoUpgraderOptions } from "../../src/http/ws_adapter.ts";
import { statusMessage } from "../../src/protocol/ws.ts";
import { poll, wait } from "../daemon.ts";

const HANDSHAKE = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n" +
  "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
  "Sec-WebSocket-Version: 13\r\n\r\n";

/** A WebSocket client by hand: sends the handshake, reads only the reply's head (and body). */
async function rawUpgrade(port: number): Promise<{ conn: Deno.TcpConn; head: string }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(new TextEncoder().encode(HANDSHAKE));
  const buf = new Uint8Array(1024);
  const n = await conn.read(buf);
  return { conn, head: new TextDecoder().decode(buf.subarray(0, n ?? 0)) };
}

async function withServer(
  options: DenoUpgraderOptions,
  fn: (port: number, hub: Hub) => Promise<void>,
): Promise<void> {
  const hub = new Hub();
  const upgrade = createDenoUpgrader(options);
  const server = serveSupervised(
    { hostname: "127.0.0.1", port: 0 },
    (request) => upgrade(request, hub, (client) => hub.sendTo(client, statusMessage("hello", 0))),
  );
  try {
    await fn(server.addr.port, hub);
  } finally {
    hub.closeAll();
    await server.shutdown();
  }
}

Deno.test("createDenoUpgrader() answers 429 past the per-address cap, 503 past the total", async (t) => {
  await t.step("429", async () => {
    const limits = new ClientLimits({ maxClients: 10, maxPerAddress: 1 });
    await withServer({ limits }, async (port, hub) => {
      const first = await rawUpgrade(port);
      assert.match(first.head, /^HTTP\/1\.1 101/);
      const second = await rawUpgrade(port);
      second.conn.close();
      assert.match(second.head, /^HTTP\/1\.1 429/);
      assert.match(second.head, /retry-after: 10/i);
      assert.match(second.head, /"error":"Too many WebSocket clients from 127\.0\.0\.1/);
      assert.equal(hub.size, 1);
      first.conn.close();
      await poll("the slot to be freed", () => Promise.resolve(limits.total === 0));
      const third = await rawUpgrade(port);
      third.conn.close();
      assert.match(third.head, /^HTTP\/1\.1 101/, "a freed slot can be taken again");
      await poll("the slot to be freed", () => Promise.resolve(limits.total === 0));
    });
  });
  await t.step("503", async () => {
    const limits = new ClientLimits({ maxClients: 1, maxPerAddress: 5 });
    await withServer({ limits }, async (port) => {
      const first = await rawUpgrade(port);
      const second = await rawUpgrade(port);
      second.conn.close();
      first.conn.close();
      assert.match(second.head, /^HTTP\/1\.1 503/);
      assert.match(second.head, /"error":"Too many WebSocket clients \(WS_MAX_CLIENTS=1\)/);
      await poll("the slot to be freed", () => Promise.resolve(limits.total === 0));
    });
  });
});

/** Opens a client that never reads, fills its buffers, has the hub close it; returns its conn. */
async function stuckClient(port: number, hub: Hub): Promise<Deno.TcpConn> {
  const { conn, head } = await rawUpgrade(port);
  assert.match(head, /^HTTP\/1\.1 101/);
  await poll("the hub to see the client", () => Promise.resolve(hub.size === 1));
  // Far more than the kernel's socket buffers hold: the close frame cannot go out.
  const chunk = statusMessage("x".repeat(64 * 1024), 0);
  for (let i = 0; i < 256; i++) hub.broadcast(chunk);
  hub.closeAll();
  return conn;
}

Deno.test("createDenoUpgrader() counts a closed client that never reads until its peer hangs up", async () => {
  const limits = new ClientLimits({ maxClients: 10, maxPerAddress: 1 });
  await withServer({ limits }, async (port, hub) => {
    const conn = await stuckClient(port, hub);
    try {
      assert.equal(hub.size, 0, "the hub forgets it at once");
      await wait(300);
      // Deno holds the connection and its unsent bytes until the peer goes: it must count.
      assert.equal(limits.total, 1, "it holds its slot");
      const another = await rawUpgrade(port);
      another.conn.close();
      assert.match(another.head, /^HTTP\/1\.1 429/, "so its address is still at its cap");
    } finally {
      conn.close();
    }
    await poll("the peer's hang-up to free the slot", () => Promise.resolve(limits.total === 0));
  });
});
