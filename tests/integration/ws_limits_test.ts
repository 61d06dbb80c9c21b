/**
 * The WebSocket caps of a whole monitor, set from WS_MAX_CLIENTS and
 * WS_MAX_CLIENTS_PER_ADDRESS: /ws answers 503 or 429 in JSON past them.
 * @module
 */
import assert from "node:assert/strict";
import { withMonitor as withHarness } from "./harness.ts";

/** Runs `fn` against a monitor started with `env`, given its stream's URL. */
function withMonitor(env: Record<string, string>, fn: (wsUrl: string) => Promise<void>) {
  return withHarness(env, (h) => fn(`${h.monitor.url.replace(/^http/, "ws")}/ws`));
}

/** Opens a WebSocket and resolves once it is open (and greeted). */
async function open(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    ws.onmessage = () => resolve();
    ws.onerror = () => reject(new Error("WebSocket failed"));
  });
  return ws;
}

/** The status and JSON body /ws answers to one more upgrade. */
async function refused(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url.replace(/^ws/, "http"), {
    headers: {
      Upgrade: "websocket",
      Connection: "Upgrade",
      "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
      "Sec-WebSocket-Version": "13",
    },
  });
  return { status: res.status, body: await res.json() };
}

async function closeAll(sockets: WebSocket[]): Promise<void> {
  await Promise.all(sockets.map((ws) =>
    new Promise<void>((resolve) => {
      ws.onclose = () => resolve();
      ws.close();
    })
  ));
}

Deno.test("startMonitor() /ws answers 429 past WS_MAX_CLIENTS_PER_ADDRESS", async () => {
  await withMonitor({ WS_MAX_CLIENTS_PER_ADDRESS: "2" }, async (url) => {
    const sockets = [await open(url), await open(url)];
    try {
      const { status, body } = await refused(url);
      assert.equal(status, 429);
      assert.match(String(body.error), /WS_MAX_CLIENTS_PER_ADDRESS=2/);
      assert.deepEqual(body.issues, []);
    } finally {
      await closeAll(sockets);
    }
  });
});

Deno.test("startMonitor() /ws answers 503 past WS_MAX_CLIENTS", async () => {
  await withMonitor({ WS_MAX_CLIENTS: "1" }, async (url) => {
    const sockets = [await open(url)];
    try {
      const { status, body } = await refused(url);
      assert.equal(status, 503);
      assert.match(String(body.error), /WS_MAX_CLIENTS=1/);
    } finally {
      await closeAll(sockets);
    }
  });
});

Deno.test("/openapi.json lists /ws's 429 and 503 refusals", async () => {
  await withMonitor({}, async (url) => {
    const res = await fetch(`${url.replace(/^ws/, "http").replace(/\/ws$/, "")}/openapi.json`);
    const doc = await res.json();
    const responses = doc.paths["/ws"].get.responses;
    for (const status of ["429", "503"]) {
      assert.ok(responses[status], `no ${status} for /ws`);
      assert.ok(responses[status].content["application/json"], `${status} has no JSON body`);
    }
    assert.match(responses["429"].description, /WS_MAX_CLIENTS_PER_ADDRESS/);
  });
});
