/**
 * The only code that touches `Deno.upgradeWebSocket`: it turns an HTTP request
 * into a WebSocket whose life (open, message, close) is handed to the hub, within
 * the client caps.
 * @module
 */
import { type ClientKind, type Hub, type HubClient, SINGLE } from "../hub.ts";
import { type ClientLimits, isRefusal, remoteAddressOf, upgradeForbidden } from "./limits.ts";

/**
 * Upgrades a request and attaches the socket to a hub; returns the 101 response,
 * or a JSON error response (503/429) when a client cap is reached (400 when the front
 * saw the request not as the first of its connection: it watches frames only there).
 * The client joins the hub as `kind` (default the plain v1 stream) taking `channels`
 * (default the first channel).
 */
export type Upgrader = (
  request: Request,
  hub: Hub,
  onOpen: (client: HubClient) => void,
  kind?: ClientKind,
  channels?: readonly string[],
) => Response;

/** Options of {@link createDenoUpgrader}. */
export interface DenoUpgraderOptions {
  /** Caps on clients in all and per address; unset = no caps. */
  limits?: ClientLimits;
}

/** Idle timeout of Deno's WebSocket pings, in seconds. */
const IDLE_TIMEOUT_S = 60;

/**
 * The {@link Upgrader} on Deno's server, within the client caps. A client holds its
 * slot until its `close` event: after the server closes a peer that never reads,
 * Deno keeps the connection (and its unsent bytes) until the peer hangs up, and
 * there is no way to drop it sooner, so it must go on counting.
 */
export function createDenoUpgrader(options: DenoUpgraderOptions = {}): Upgrader {
  return (request, hub, onOpen, kind = SINGLE, channels) => {
    const slot = options.limits?.acquire(remoteAddressOf(request));
    if (slot && isRefusal(slot)) {
      return Response.json({ error: slot.error, issues: [] }, {
        status: slot.status,
        headers: { "Retry-After": "10" },
      });
    }
    if (upgradeForbidden(request)) {
      slot?.release();
      return Response.json({
        error: "A WebSocket upgrade must be the first request on its connection",
        issues: [],
      }, { status: 400 });
    }
    let upgraded: { socket: WebSocket; response: Response };
    try {
      upgraded = Deno.upgradeWebSocket(request, { idleTimeout: IDLE_TIMEOUT_S });
    } catch (error) {
      slot?.release();
      throw error;
    }
    const { socket, response } = upgraded;
    socket.onopen = () => {
      hub.add(socket, kind, channels);
      onOpen(socket);
    };
    socket.onmessage = (event) => hub.receive(socket, event.data);
    socket.onclose = () => {
      hub.delete(socket);
      slot?.release();
    };
    // An error is always followed by close, which frees the slot.
    socket.onerror = () => hub.delete(socket);
    return response;
  };
}
