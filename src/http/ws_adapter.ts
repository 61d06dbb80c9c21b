/**
 * The only code that touches `Deno.upgradeWebSocket`: it turns an HTTP request
 * into a WebSocket whose life (open, message, close) is handed to the hub.
 * @module
 */
import type { Hub } from "../hub.ts";

/** Upgrades a request and attaches the socket to a hub; returns the 101 response. */
export type Upgrader = (request: Request, hub: Hub, onOpen: (ws: WebSocket) => void) => Response;

/** Idle timeout of Deno's WebSocket pings, in seconds. */
const IDLE_TIMEOUT_S = 60;

/** The {@link Upgrader} on Deno's server. */
export const denoUpgrader: Upgrader = (request, hub, onOpen) => {
  const { socket, response } = Deno.upgradeWebSocket(request, {
    idleTimeout: IDLE_TIMEOUT_S,
  });
  socket.onopen = () => {
    hub.add(socket);
    onOpen(socket);
  };
  socket.onmessage = (event) => hub.receive(socket, event.data);
  socket.onclose = () => hub.delete(socket);
  // An error is always followed by close, which does the clean-up.
  socket.onerror = () => hub.delete(socket);
  return response;
};
