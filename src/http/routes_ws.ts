/**
 * `GET /ws`: the real-time stream. Checks the browser's Origin, then upgrades.
 * @module
 */
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { ClientKind, Hub } from "../hub.ts";
import { BATCH_MS_RANGE, type StatusMessage, StreamQuery } from "../protocol/ws.ts";
import { ErrorBody } from "../protocol/common.ts";
import { errorResponse } from "./errors.ts";
import { unknownChannel } from "./route_helpers.ts";
import { originAllowed, requestHost } from "./request_guard.ts";
import type { Upgrader } from "./ws_adapter.ts";

/** What the stream route needs. */
export interface WsDeps {
  /** Where accepted clients are added and from which they receive the stream. */
  hub: Hub;
  /** Turns an HTTP request into a WebSocket (Deno's in production, a fake in tests). */
  upgrade: Upgrader;
  /** Extra allowed origins (`*` = any, `null` = pages from disk); the server's own is allowed. */
  allowedOrigins: readonly string[];
  /** The message a client receives right after it connects (about its first channel). */
  greeting: (channel?: string) => StatusMessage;
}

const wsRoute = createRoute({
  method: "get",
  path: "/ws",
  tags: ["Status"],
  summary: "Real-time stream (WebSocket)",
  description: "Upgrade to a WebSocket. The server sends JSON text messages: `measurement` " +
    "(one per sample; with `format=batch` instead one `measurements` message per `batch_ms` " +
    "holding that period's samples in columns, none for a period without samples, a new " +
    "message at a mode change, `seq0` continuing the previous batch's last `seq` + 1 unless " +
    "the client was skipped as slow) and `status` (device events, sensor failures, and every " +
    "STATUS_INTERVAL_S seconds the connection count), `statistics` (once a second) and " +
    "`alert` (every alert transition); clients ignore unknown types. Their schemas are the " +
    "MeasurementMessage, MeasurementsMessage, StatusMessage, StatisticsMessage and AlertMessage " +
    "components. A bad `format` or `batch_ms` gets 400 before the upgrade. " +
    "Messages from the client are ignored; one over 4 KiB closes the connection (1009), and " +
    "one whose frame header announces over 64 KiB is cut at once (no close frame). " +
    "`channel` picks the channel (default the first, the v1 protocol's stream; `*` every " +
    "channel, each message carrying `data.channel`, each channel's `seq` contiguous on its own); " +
    "an unknown name gets 400 listing the names. " +
    "A browser Origin other than the server's own or ALLOWED_ORIGINS gets 403 (`null`, sent by " +
    "pages opened from disk and sandboxed frames, only with ALLOWED_ORIGINS=null).",
  request: { query: StreamQuery },
  responses: {
    101: { description: "Switching protocols: the stream starts" },
    400: {
      content: { "application/json": { schema: ErrorBody } },
      description:
        "Bad `format`, `batch_ms` or `channel`, malformed Host header, or the upgrade is not " +
        "the first request on its connection",
    },
    403: {
      content: { "application/json": { schema: ErrorBody } },
      description: "Origin not allowed",
    },
    421: {
      content: { "application/json": { schema: ErrorBody } },
      description: "Host is not one of this server's names (ALLOWED_HOSTS)",
    },
    426: {
      content: { "application/json": { schema: ErrorBody } },
      description: "Not a WebSocket upgrade request",
    },
    429: {
      content: { "application/json": { schema: ErrorBody } },
      description:
        "Too many WebSocket clients from this address (WS_MAX_CLIENTS_PER_ADDRESS), or too many " +
        "connections or new connections from it (HTTP_MAX_CONNS_PER_ADDRESS, " +
        "HTTP_CONNECT_RATE_PER_ADDRESS; then the connection is closed); see Retry-After",
    },
    503: {
      content: { "application/json": { schema: ErrorBody } },
      description: "Too many WebSocket clients (WS_MAX_CLIENTS) or connections (HTTP_MAX_CONNS); " +
        "see Retry-After",
    },
  },
});

/** Registers `GET /ws` on `app`. */
export function wsRoutes(app: OpenAPIHono, deps: WsDeps): void {
  app.openapi(wsRoute, (c) => {
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      return errorResponse(c, 426, "Expected a WebSocket upgrade request", [], {
        Upgrade: "websocket",
      });
    }
    const origin = c.req.header("origin");
    if (!originAllowed(origin, requestHost(c), deps.allowedOrigins)) {
      return errorResponse(c, 403, `Origin ${origin} is not allowed: add it to ALLOWED_ORIGINS`);
    }
    const query = c.req.valid("query");
    const kind: ClientKind = query.format === "batch"
      ? { format: "batch", batchMs: query.batch_ms ?? BATCH_MS_RANGE.default }
      : { format: "single" };
    const names = deps.hub.channels;
    const channels = query.channel === undefined
      ? undefined
      : query.channel === "*"
      ? names
      : names.includes(query.channel)
      ? [query.channel]
      : null;
    if (channels === null) return c.json(unknownChannel(query.channel!, names), 400);
    return deps.upgrade(
      c.req.raw,
      deps.hub,
      (ws) => deps.hub.sendTo(ws, deps.greeting(channels?.[0])),
      kind,
      channels,
    );
  });
}
