/**
 * The only code that touches `Deno.upgradeWebSocket`: it turns an HTTP request
 * into a WebSocket whose life (open, message, close) is handed to the hub, within
 * the client caps, and makes sure a closed client's connection really goes.
 * @module
 */
import { type Clock, systemClock, type TimerId } from "../clock.ts";
import type { Hub, HubClient } from "../hub.ts";
import { type ClientLimits, isRefusal, remoteAddressOf } from "./limits.ts";

/**
 * Upgrades a request and attaches the socket to a hub; returns the 101 response,
 * or a JSON error response (503/429) when a client cap is reached.
 */
export type Upgrader = (
  request: Request,
  hub: Hub,
  onOpen: (client: HubClient) => void,
) => Response;

/** Options of {@link createDenoUpgrader}. */
export interface DenoUpgraderOptions {
  /** Caps on clients in all and per address; unset = no caps. */
  limits?: ClientLimits;
  /**
   * After the server closes a client, how long the peer has to answer the close
   * before the TCP connection is dropped (a peer that never reads never answers).
   */
  closeTimeoutMs?: number;
  clock?: Clock;
  /** Drops a socket's connection at once; the default reaches into Deno (see {@link abortSocket}). */
  abort?: (socket: WebSocket) => boolean;
  /** Where a warning goes. */
  warn?: (line: string) => void;
}

/** Idle timeout of Deno's WebSocket pings, in seconds. */
const IDLE_TIMEOUT_S = 60;
/** WebSocket readyState CLOSED. */
const CLOSED = 3;

/**
 * Drops a server WebSocket's connection without the closing handshake. Deno has no
 * public `terminate()` (its `close()` waits for the peer, forever if the peer never
 * reads), so this closes the socket's resource through `Deno[Deno.internal].core`.
 * Returns false where this Deno lacks either piece; a test checks it works on ours.
 */
export function abortSocket(socket: WebSocket): boolean {
  const deno = Deno as unknown as { internal?: symbol } & Record<symbol, unknown>;
  const internal = deno.internal === undefined ? undefined : deno[deno.internal] as {
    core?: { tryClose?: (rid: number) => void };
  };
  const tryClose = internal?.core?.tryClose;
  const ridKey = Object.getOwnPropertySymbols(socket).find((s) => s.description === "[[rid]]");
  const rid = ridKey === undefined
    ? undefined
    : (socket as unknown as Record<symbol, unknown>)[ridKey];
  if (typeof tryClose !== "function" || typeof rid !== "number") return false;
  tryClose(rid);
  return true;
}

/** The {@link Upgrader} on Deno's server, with client caps and a close timeout. */
export function createDenoUpgrader(options: DenoUpgraderOptions = {}): Upgrader {
  const clock = options.clock ?? systemClock;
  const closeTimeoutMs = options.closeTimeoutMs ?? 5000;
  const abort = options.abort ?? abortSocket;
  const warn = options.warn ?? console.warn;
  let warnedAbort = false;
  return (request, hub, onOpen) => {
    const slot = options.limits?.acquire(remoteAddressOf(request));
    if (slot && isRefusal(slot)) {
      return Response.json({ error: slot.error, issues: [] }, {
        status: slot.status,
        headers: { "Retry-After": "10" },
      });
    }
    try {
      const upgraded = Deno.upgradeWebSocket(request, { idleTimeout: IDLE_TIMEOUT_S });
      const socket = upgraded.socket;
      let closeTimer: TimerId | undefined;
      let gone = false;
      // The hub sees this wrapper: its close() starts the timer that drops the
      // connection if the peer does not answer the close in time.
      const client: HubClient = {
        get readyState() {
          return socket.readyState;
        },
        get bufferedAmount() {
          return socket.bufferedAmount;
        },
        send: (data) => socket.send(data),
        close: (code, reason) => {
          if (closeTimer === undefined && !gone) {
            closeTimer = clock.setTimeout(() => {
              if (gone || socket.readyState === CLOSED) return;
              if (!abort(socket) && !warnedAbort) {
                warnedAbort = true;
                warn(
                  "Cannot drop a WebSocket connection on this Deno: it stays until the peer goes",
                );
              }
            }, closeTimeoutMs);
          }
          socket.close(code, reason);
        },
      };
      const finish = () => {
        if (gone) return;
        gone = true;
        if (closeTimer !== undefined) clock.clearTimeout(closeTimer);
        hub.delete(client);
        slot?.release();
      };
      socket.onopen = () => {
        hub.add(client);
        onOpen(client);
      };
      socket.onmessage = (event) => hub.receive(client, event.data);
      socket.onclose = finish;
      // An error is always followed by close; leave the hub now, release the slot then.
      socket.onerror = () => hub.delete(client);
      return upgraded.response;
    } catch (error) {
      slot?.release();
      throw error;
    }
  };
}

/** The {@link Upgrader} without caps (for tests and tools that build an app by hand). */
export const denoUpgrader: Upgrader = createDenoUpgrader();
