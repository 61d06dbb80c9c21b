/**
 * @module
 * The CPU floor of a 1 kHz stream: a bare `Deno.serve` whose 10 ms timer sends every
 * sample that came due as one v1-protocol measurement message each to every
 * WebSocket client (1000 sends a second at `SAMPLE_INTERVAL_MS=1`). No front, no
 * store, no analysis. `fanout.ts --entry bench/cpu_floor.ts --runs e` measures it
 * exactly as it measures the monitor, so the monitor's CPU can be stated as a ratio
 * to it on the same (noisy) machine; docs/benchmarks.md.
 *
 * ```sh
 * deno run -A bench/fanout.ts --runs e --entry bench/cpu_floor.ts
 * ```
 */

const port = Number(Deno.env.get("PORT") ?? 8000);
const hostname = Deno.env.get("HOST") ?? "127.0.0.1";
const intervalMs = Number(Deno.env.get("SAMPLE_INTERVAL_MS") ?? 1);
/** The floor's one timer: wakes every 10 ms (FLOOR_WAKE_MS) whatever the sample interval. */
const WAKE_MS = Number(Deno.env.get("FLOOR_WAKE_MS") ?? 10);

const clients = new Set<WebSocket>();

function handler(request: Request): Response {
  const path = new URL(request.url).pathname;
  if (path === "/status") {
    return Response.json({ status: "running", websocket_connections: clients.size });
  }
  if (path === "/ws") {
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.onopen = () => clients.add(socket);
    socket.onclose = () => clients.delete(socket);
    return response;
  }
  return new Response("Not found", { status: 404 });
}

const t0Ms = Date.now();
let seq = 0;
const timer = setInterval(() => {
  const nowMs = Date.now();
  // Every tick due by now, each with its own instant (t0 + n·interval).
  for (let tsMs = t0Ms + seq * intervalMs; tsMs <= nowMs; tsMs = t0Ms + seq * intervalMs) {
    seq++;
    const v = 5 + 0.1 * Math.sin(tsMs / 1000);
    const a = 0.2 + 0.01 * Math.cos(tsMs / 1000);
    const text = JSON.stringify({
      type: "measurement",
      data: { v, a, w: v * a, ts: Math.floor(tsMs / 1000), ts_ms: tsMs, seq, status: "ok" },
      timestamp: new Date(tsMs).toISOString(),
    });
    for (const socket of clients) {
      if (socket.readyState === WebSocket.OPEN) socket.send(text);
    }
  }
}, WAKE_MS);

const server = Deno.serve({ port, hostname, onListen: () => {} }, handler);
Deno.addSignalListener("SIGTERM", async () => {
  clearInterval(timer);
  for (const socket of clients) socket.close(1001, "shutting down");
  await server.shutdown();
  Deno.exit(0);
});
