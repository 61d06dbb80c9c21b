/**
 * The HTTP server: `Deno.serve`, kept alive when it fails. When the runtime's accept
 * loop dies (out of file descriptors: EMFILE), it stops listening and its
 * `finished` rejects; here that is logged and the port served again after a pause,
 * while sampling and the open connections carry on.
 * @module
 */
import { type Clock, systemClock } from "../clock.ts";
import type { Peer } from "./front_state.ts";
import { forbidUpgrade, rememberRemoteAddress } from "./limits.ts";

/** Options of {@link serveSupervised}. */
export interface SupervisedServeOptions {
  /** Address to bind. */
  hostname: string;
  /** TCP port; 0 = a free one, kept for every restart. */
  port: number;
  /** Where the failure and recovery lines go. */
  log?: (line: string) => void;
  /** First pause before serving again; it doubles up to {@link maxRetryMs}. */
  retryMs?: number;
  /** Longest pause before serving again, so a lasting failure is still retried often. */
  maxRetryMs?: number;
  /** Times the pauses (tests pass a fake so they never sleep). */
  clock?: Clock;
  /**
   * Behind the front: the client connection for the server's peer address (the
   * front's side of a connection). A peer it does not know is refused (403).
   */
  peerOf?: (addr: Deno.NetAddr) => Peer | undefined;
  /** Starts one server (tests pass a fake); defaults to `Deno.serve`. */
  start?: (
    options: Deno.ServeTcpOptions,
    handler: Deno.ServeHandler<Deno.NetAddr>,
  ) => Deno.HttpServer<Deno.NetAddr>;
}

/** A server that serves its port again after a failure; `shutdown()` stops it for good. */
export interface SupervisedServer {
  /** Where it listens: the port picked once, also after restarts. */
  readonly addr: Deno.NetAddr;
  /** How many times the server failed and was started again. */
  readonly restarts: number;
  /** Stops serving for good, cancels a pending restart, and waits for every server started. */
  shutdown(): Promise<void>;
}

/** `response` with `Connection: close`, unless it is a 101. */
function closeUnlessSwitching(response: Response): Response {
  if (response.status === 101) return response;
  try {
    response.headers.set("connection", "close");
    return response;
  } catch {
    // Immutable headers (e.g. a fetched body): copy.
    const copy = new Response(response.body, response);
    copy.headers.set("connection", "close");
    return copy;
  }
}

/** A server that has run this long without failing starts its next pause from `retryMs`. */
const STABLE_MS = 30_000;

/**
 * Serves `handler` on `hostname:port`. The first start throws as `Deno.serve` does
 * (port in use, bad address); later failures are retried, never thrown.
 */
export function serveSupervised(
  options: SupervisedServeOptions,
  handler: Deno.ServeHandler<Deno.NetAddr>,
): SupervisedServer {
  const log = options.log ?? console.error;
  const clock = options.clock ?? systemClock;
  const start = options.start ?? Deno.serve;
  const firstRetryMs = options.retryMs ?? 250;
  const maxRetryMs = options.maxRetryMs ?? 5000;
  // The upgrader reads the peer address to apply the per-address caps.
  const tagged: Deno.ServeHandler<Deno.NetAddr> = (request, info) => {
    if (!options.peerOf) {
      rememberRemoteAddress(request, info.remoteAddr.hostname);
      return handler(request, info);
    }
    const peer = options.peerOf(info.remoteAddr);
    if (!peer) {
      return Response.json({ error: "Connect through the server's public port", issues: [] }, {
        status: 403,
      });
    }
    rememberRemoteAddress(request, peer.address);
    // The front reads WebSocket frames only on a connection whose first request asked to upgrade.
    if (!peer.mayUpgrade) forbidUpgrade(request);
    peer.mayUpgrade = false;
    // Read before the handler: an upgraded request can no longer be read.
    const upgrading = request.headers.get("upgrade") !== null;
    const response = handler(request, {
      ...info,
      remoteAddr: { ...info.remoteAddr, hostname: peer.address },
    });
    // A refused upgrade ends its connection, so the client's next try (or request) is a
    // connection's first request again.
    return upgrading ? Promise.resolve(response).then(closeUnlessSwitching) : response;
  };
  // Every server started; a failed one still owns the connections it accepted.
  const servers: Deno.HttpServer<Deno.NetAddr>[] = [];
  let stopped = false;
  let restarts = 0;
  let retryMs = firstRetryMs;
  let startedAtMs = clock.now();
  let pending: ReturnType<Clock["setTimeout"]> | undefined;

  const watch = (server: Deno.HttpServer<Deno.NetAddr>) => {
    server.finished.then(undefined, (error: Error) => {
      if (stopped) return;
      if (clock.now() - startedAtMs >= STABLE_MS) retryMs = firstRetryMs;
      log(
        `HTTP server stopped accepting: ${error.message}; serving again in ${retryMs} ms (open connections carry on)`,
      );
      schedule();
    });
  };
  const schedule = () => {
    const delayMs = retryMs;
    retryMs = Math.min(retryMs * 2, maxRetryMs);
    pending = clock.setTimeout(() => {
      pending = undefined;
      if (stopped) return;
      try {
        const server = start(listenOptions(addr.port), tagged);
        servers.push(server);
        startedAtMs = clock.now();
        restarts++;
        log(`HTTP server accepting again on ${addr.hostname}:${addr.port}`);
        watch(server);
      } catch (error) {
        log(`Cannot serve ${addr.hostname}:${addr.port} again yet: ${(error as Error).message}`);
        schedule();
      }
    }, delayMs);
  };
  const listenOptions = (port: number): Deno.ServeTcpOptions => ({
    hostname: options.hostname,
    port,
    onListen: () => {},
  });

  const first = start(listenOptions(options.port), tagged);
  servers.push(first);
  // Port 0 picks a free port once; serving again reuses the one picked.
  const addr = first.addr;
  watch(first);
  return {
    addr,
    get restarts() {
      return restarts;
    },
    shutdown: () => {
      stopped = true;
      if (pending !== undefined) clock.clearTimeout(pending);
      return Promise.all(servers.map((server) => server.shutdown())).then(() => {});
    },
  };
}
