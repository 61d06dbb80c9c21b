/**
 * Markers over HTTP: `POST /api/markers` (a labelled instant of a channel),
 * `GET /api/markers` (by channel and span) and `DELETE /api/markers/{id}`.
 * @module
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { ErrorBody } from "../protocol/common.ts";
import { MarkerBody, MarkerData, MarkerList } from "../protocol/markers.ts";
import type { Issue } from "./errors.ts";
import { badRequest, json, SECURED, UNAUTHORIZED, unknownChannel } from "./route_helpers.ts";
import { TimeParam } from "./times.ts";

/** Markers as the routes add, list and delete them. */
export interface MarkersControl {
  /** The channels, the first one the default. */
  readonly names: readonly string[];
  /** Stores a marker of a known channel (default time: now) and announces it. */
  add(marker: { channel: string; label: string; tsMs?: number }): MarkerData;
  /** Markers of `channel` (undefined: all) in [fromMs, toMs), oldest first, at most `limit`. */
  list(channel: string | undefined, fromMs: number, toMs: number, limit: number): MarkerData[];
  /** Deletes the marker `id`; returns it, or undefined when there was none. */
  delete(id: number): MarkerData | undefined;
}

/** What the marker routes act on. */
export interface MarkersDeps {
  /** The markers. */
  markers: MarkersControl;
  /** The clock that dates "too far in the future" (default `Date.now`). */
  now?: () => number;
}

/** Earliest accepted `ts_ms`: 2000-01-01, so a time in seconds is refused, not stored in 1970. */
const EARLIEST_MS = 946_684_800_000;
/** How far ahead of the server's clock a marker may be (a client's clock running fast). */
const AHEAD_MS = 86_400_000;

const postRoute = createRoute({
  method: "post",
  path: "/api/markers",
  tags: ["Markers"],
  summary: "Mark an instant of a channel",
  description: "Stores a labelled instant (default now) of a channel (default the first) and " +
    "sends a `marker` message to the channel's WebSocket clients. Markers are never deleted " +
    "by retention. `ts_ms` must be epoch milliseconds after 2000-01-01 and at most a day ahead.",
  security: SECURED,
  request: {
    body: { content: { "application/json": { schema: MarkerBody } }, required: true },
  },
  responses: {
    201: json(MarkerData, "The stored marker"),
    400: badRequest("Invalid body or unknown channel"),
    401: UNAUTHORIZED,
  },
});

const listRoute = createRoute({
  method: "get",
  path: "/api/markers",
  tags: ["Markers"],
  summary: "Markers of a channel, oldest first",
  request: {
    query: z.object({
      channel: z.string().optional().openapi({
        description: "The channel (default the first), or `*` for every channel; an unknown " +
          "name gets 400 listing the names",
        example: "main",
      }),
      from: TimeParam.optional().openapi({
        description: "Start (inclusive): epoch ms or ISO-8601; default: the first marker",
      }),
      to: TimeParam.optional().openapi({
        description: "End (exclusive): epoch ms or ISO-8601; default: the last marker",
      }),
      limit: z.coerce.number().int().min(1).max(10_000).default(1000),
    }),
  },
  responses: {
    200: json(MarkerList, "Markers"),
    400: badRequest("Invalid parameters or unknown channel"),
  },
});

const deleteRoute = createRoute({
  method: "delete",
  path: "/api/markers/{id}",
  tags: ["Markers"],
  summary: "Delete a marker",
  security: SECURED,
  request: {
    params: z.object({
      id: z.coerce.number().int().min(1).openapi({
        param: { name: "id", in: "path" },
        example: 12,
      }),
    }),
  },
  responses: {
    200: json(z.object({ deleted: MarkerData }), "The deleted marker"),
    400: badRequest("Invalid id"),
    401: UNAUTHORIZED,
    404: json(ErrorBody, "No such marker"),
  },
});

/** Registers the marker routes on `app`. */
export function markersRoutes(app: OpenAPIHono, deps: MarkersDeps): void {
  const { markers } = deps;
  const now = deps.now ?? Date.now;

  app.openapi(postRoute, (c) => {
    const body = c.req.valid("json");
    const channel = body.channel ?? markers.names[0];
    if (!markers.names.includes(channel)) {
      return c.json(unknownChannel(channel, markers.names), 400);
    }
    const nowMs = now();
    let issue: Issue | undefined;
    if (body.ts_ms !== undefined && body.ts_ms < EARLIEST_MS) {
      issue = {
        path: "ts_ms",
        message: `${body.ts_ms} is before 2000-01-01: ts_ms is epoch milliseconds (seconds × 1000)`,
      };
    } else if (body.ts_ms !== undefined && body.ts_ms > nowMs + AHEAD_MS) {
      issue = {
        path: "ts_ms",
        message: `${body.ts_ms} is more than a day ahead of the server's clock (${nowMs})`,
      };
    }
    if (issue) return c.json({ error: "Invalid request body", issues: [issue] }, 400);
    return c.json(markers.add({ channel, label: body.label, tsMs: body.ts_ms }), 201);
  });

  app.openapi(listRoute, (c) => {
    const q = c.req.valid("query");
    const asked = q.channel ?? markers.names[0];
    if (asked !== "*" && !markers.names.includes(asked)) {
      return c.json(unknownChannel(asked, markers.names), 400);
    }
    const fromMs = q.from ?? -Infinity;
    const toMs = q.to ?? Infinity;
    if (fromMs >= toMs) {
      const issue = {
        path: "from",
        message: `"from" must be before "to" (got ${fromMs} ≥ ${toMs})`,
      };
      return c.json({ error: "Invalid window", issues: [issue] }, 400);
    }
    const data = markers.list(asked === "*" ? undefined : asked, fromMs, toMs, q.limit);
    return c.json({ data, count: data.length }, 200);
  });

  app.openapi(deleteRoute, (c) => {
    const { id } = c.req.valid("param");
    const deleted = markers.delete(id);
    if (deleted === undefined) return c.json({ error: `No marker ${id}`, issues: [] }, 404);
    return c.json({ deleted }, 200);
  });
}
