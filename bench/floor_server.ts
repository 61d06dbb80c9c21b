/**
 * @module
 * The floor: the least server that does what the monitor does at 1 Hz, to measure
 * what this runtime costs before any of the monitor's own code. A Hono app, a
 * node:sqlite insert of each sample, and a broadcast of a v1-protocol measurement
 * message to a Set of WebSockets (Deno.upgradeWebSocket). No validation, no
 * history, no analysis, no docs. `bench/memory.ts` runs it beside `main.ts`.
 *
 * ```sh
 * PORT=8000 DATA_DIR=/tmp/floor deno run --allow-net --allow-env --allow-read --allow-write bench/floor_server.ts
 * ```
 */

import { Hono } from "hono";
import { DatabaseSync } from "node:sqlite";

const port = Number(Deno.env.get("PORT") ?? 8000);
const hostname = Deno.env.get("HOST") ?? "127.0.0.1";
const intervalMs = Number(Deno.env.get("SAMPLE_INTERVAL_MS") ?? 1000);
const dataDir = Deno.env.get("DATA_DIR") ?? "data";

await Deno.mkdir(dataDir, { recursive: true });
const db = new DatabaseSync(`${dataDir}/floor.db`);
db.exec("PRAGMA journal_mode = WAL");
db.exec(
  "CREATE TABLE IF NOT EXISTS samples (seq INTEGER PRIMARY KEY, ts_ms INTEGER, v REAL, a REAL, w REAL)",
);
const insert = db.prepare("INSERT INTO samples VALUES (?, ?, ?, ?, ?)");

const clients = new Set<WebSocket>();
const app = new Hono();
app.get("/status", (c) => c.json({ status: "running", websocket_connections: clients.size }));
app.get("/ws", (c) => {
  const { socket, response } = Deno.upgradeWebSocket(c.req.raw);
  socket.onopen = () => clients.add(socket);
  socket.onclose = () => clients.delete(socket);
  return response;
});

let seq = 0;
const timer = setInterval(() => {
  const tsMs = Date.now();
  const v = 5 + 0.1 * Math.sin(tsMs / 1000);
  const a = 0.2 + 0.01 * Math.cos(tsMs / 1000);
  insert.run(seq, tsMs, v, a, v * a);
  const text = JSON.stringify({
    type: "measurement",
    data: { v, a, w: v * a, ts: Math.floor(tsMs / 1000), ts_ms: tsMs, seq, status: "ok" },
    timestamp: new Date(tsMs).toISOString(),
  });
  seq++;
  for (const socket of clients) {
    if (socket.readyState === WebSocket.OPEN) socket.send(text);
  }
}, intervalMs);

const server = Deno.serve({ port, hostname, onListen: () => {} }, app.fetch);
Deno.addSignalListener("SIGTERM", async () => {
  clearInterval(timer);
  for (const socket of clients) socket.close(1001, "shutting down");
  await server.shutdown();
  db.close();
  Deno.exit(0);
});
