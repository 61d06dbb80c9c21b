/**
 * The TCP front: the public port is our own `Deno.listen` listener, and
 * `Deno.serve` (through {@link serveSupervised}) listens on 127.0.0.1 behind it.
 * For every connection the front does what `Deno.serve` has no hooks for: caps
 * connections in all, per address and per address per second; gives the first
 * request head a time and size limit; closes idle keep-alive connections; cuts a
 * WebSocket whose frame header announces an oversize message before its payload
 * is buffered; and drops a connection whose client stops reading, so Deno's
 * WebSocket and the kernel buffers are released. Its accept loop never dies: an
 * accept error (out of descriptors) pauses it and it carries on.
 * @module
 */
import { type ConnectionLimits, isConnectionRefusal } from "./conn_limits.ts";
import { type ConnectionCounters, newConnectionCounters, type Peer } from "./front_state.ts";
import { Pipe, type PipeContext } from "./front_pipe.ts";
import { refusalResponse } from "./http_head.ts";
import { serveSupervised, type SupervisedServer } from "./server.ts";

export type { ConnectionCounters } from "./front_state.ts";
export { newConnectionCounters } from "./front_state.ts";

/** Options of {@link startFront}. */
export interface FrontOptions {
  /** The public address to bind (HOST). */
  hostname: string;
  /** The public port (PORT; 0 = a free one). */
  port: number;
  /** The connection caps and connect rate, checked at accept. */
  limits: ConnectionLimits;
  /** The first request head must be complete within this (then 408). */
  headerTimeoutMs: number;
  /** A keep-alive connection with no bytes either way for this long is closed. */
  idleTimeoutMs: number;
  /** A write to the client pending this long (it stopped reading) drops the connection. */
  sendTimeoutMs: number;
  /** Largest WebSocket message (all its fragments) a client may announce. */
  maxMessageBytes: number;
  /** Counters to update (the monitor's `/status` reads them); defaults to fresh ones. */
  counters?: ConnectionCounters;
  /** Where accept errors and refusal summaries go (default `console.error`). */
  log?: (line: string) => void;
  /** First pause after an accept error; it doubles up to {@link maxRetryMs}. */
  retryMs?: number;
  /** Longest pause after accept errors. */
  maxRetryMs?: number;
}

/** A running front. */
export interface Front {
  /** The public address. */
  readonly addr: Deno.NetAddr;
  /** The internal server behind the front. */
  readonly internal: SupervisedServer;
  /** What the front has done with connections since it started. */
  readonly counters: ConnectionCounters;
  /** Closes the listener, then the internal server, then every connection left. */
  shutdown(): Promise<void>;
}

/** How long shutdown waits for the internal server before cutting the connections. */
const SHUTDOWN_GRACE_MS = 1000;
/** At most one line about refused connections per this. */
const REFUSAL_LOG_MS = 10_000;

/** A pause that {@link Pause.cancel} ends early (so shutdown leaves no timer behind). */
class Pause {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #resolve: (() => void) | undefined;

  wait(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#resolve = resolve;
      this.#timer = setTimeout(resolve, ms);
    });
  }

  cancel(): void {
    clearTimeout(this.#timer);
    this.#resolve?.();
  }
}

/** `::ffff:10.0.0.1` (an IPv4 client of a dual-stack listener) → `10.0.0.1`. */
function clientAddress(addr: Deno.NetAddr): string {
  const host = addr.hostname;
  return host.startsWith("::ffff:") && host.includes(".") ? host.slice(7) : host;
}

/**
 * Serves `handler` behind a front on `hostname:port`. Throws as `Deno.listen` does
 * (port in use, bad address); later accept errors are retried, never thrown.
 */
export function startFront(
  options: FrontOptions,
  handler: Deno.ServeHandler<Deno.NetAddr>,
): Front {
  const log = options.log ?? console.error;
  const counters = options.counters ?? newConnectionCounters();
  const { limits } = options;
  const peers = new Map<number, Peer>();
  const internal = serveSupervised({
    hostname: "127.0.0.1",
    port: 0,
    log,
    peerOf: (addr) => peers.get(addr.port),
  }, handler);
  let listener: Deno.TcpListener;
  try {
    listener = Deno.listen({ hostname: options.hostname, port: options.port });
  } catch (error) {
    void internal.shutdown();
    throw error;
  }
  const addr = listener.addr;
  const context: PipeContext = {
    internalPort: () => internal.addr.port,
    headerTimeoutMs: options.headerTimeoutMs,
    idleTimeoutMs: options.idleTimeoutMs,
    sendTimeoutMs: options.sendTimeoutMs,
    maxMessageBytes: options.maxMessageBytes,
    counters,
    peers,
  };
  const pipes = new Set<Pipe>();
  const runs = new Set<Promise<void>>();
  let stopped = false;
  let lastRefusalLogMs = -Infinity;
  const backoff = new Pause();
  const grace = new Pause();

  const refuse = (conn: Deno.TcpConn, status: 429 | 503, error: string) => {
    counters.refused++;
    const nowMs = Date.now();
    if (nowMs - lastRefusalLogMs >= REFUSAL_LOG_MS) {
      lastRefusalLogMs = nowMs;
      log(`Refusing connections: ${error} (counted in /status connections.refused)`);
    }
    // A few hundred bytes always fit in a new socket's send buffer: the write does not wait.
    conn.write(refusalResponse(status, error)).catch(() => 0).finally(() => {
      try {
        conn.close();
      } catch {
        // Already closed.
      }
    });
  };

  const admit = (conn: Deno.TcpConn) => {
    const address = clientAddress(conn.remoteAddr);
    const ticket = limits.admit(address);
    if (isConnectionRefusal(ticket)) return refuse(conn, ticket.status, ticket.error);
    counters.accepted++;
    counters.open++;
    const pipe = new Pipe(conn, address, context);
    pipes.add(pipe);
    const run = pipe.run().finally(() => {
      pipes.delete(pipe);
      runs.delete(run);
      counters.open--;
      ticket.release();
    });
    runs.add(run);
  };

  const acceptLoop = async () => {
    const firstRetryMs = options.retryMs ?? 250;
    const maxRetryMs = options.maxRetryMs ?? 5000;
    let retryMs = firstRetryMs;
    let failing = false;
    while (!stopped) {
      let conn: Deno.TcpConn;
      try {
        conn = await listener.accept();
      } catch (error) {
        if (stopped) return;
        if (!failing) {
          log(
            `HTTP server stopped accepting: ${
              (error as Error).message
            }; accepting again in ${retryMs} ms (open connections carry on)`,
          );
        }
        failing = true;
        await backoff.wait(retryMs);
        retryMs = Math.min(2 * retryMs, maxRetryMs);
        continue;
      }
      if (failing) {
        log(`HTTP server accepting again on ${addr.hostname}:${addr.port}`);
        failing = false;
        retryMs = firstRetryMs;
      }
      if (stopped) {
        conn.close();
        return;
      }
      admit(conn);
    }
  };
  const accepting = acceptLoop();

  // One timer for every connection's deadlines.
  const shortest = Math.min(options.headerTimeoutMs, options.idleTimeoutMs, options.sendTimeoutMs);
  const sweepMs = Math.max(20, Math.min(1000, Math.floor(shortest / 4)));
  let sweeps = 0;
  const sweeper = setInterval(() => {
    const nowMs = Date.now();
    for (const pipe of pipes) pipe.check(nowMs);
    if (++sweeps % 50 === 0) limits.prune();
  }, sweepMs);

  return {
    addr,
    internal,
    counters,
    shutdown: async () => {
      if (stopped) return;
      stopped = true;
      backoff.cancel();
      try {
        listener.close();
      } catch {
        // Already closed.
      }
      await accepting;
      // Connections still sending their first head never reached the server.
      for (const pipe of pipes) if (pipe.readingHead) pipe.close();
      // The server finishes its responses and WebSocket closes through the open pipes…
      const done = internal.shutdown();
      await Promise.race([Promise.all([done, ...runs]), grace.wait(SHUTDOWN_GRACE_MS)]);
      grace.cancel();
      // …and whatever is still open then (a client that does not read) is cut.
      clearInterval(sweeper);
      for (const pipe of pipes) pipe.close();
      await Promise.all([done, ...runs]);
    },
  };
}
