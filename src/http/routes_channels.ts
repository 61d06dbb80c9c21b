/**
 * `GET /api/channels`: every channel with its sensor or inputs, state, rate and settings.
 * @module
 */
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { ChannelsResponse } from "../protocol/channels.ts";
import { json } from "./route_helpers.ts";

/** What the channels route reads. */
export interface ChannelsDeps {
  /** The list, built when asked. */
  channels: () => ChannelsResponse;
}

const channelsRoute = createRoute({
  method: "get",
  path: "/api/channels",
  tags: ["Status"],
  summary: "The channels",
  description: "Every channel in configuration order (the first is the one the v1 protocol " +
    "describes): measured ones with their sensor and resolved settings, derived ones with " +
    "their inputs; each with its state, interval, `sample_rate_hz` and last `seq`. Its name " +
    "is what `?channel=` takes on the stream and on every per-channel route.",
  responses: { 200: json(ChannelsResponse, "The channels") },
});

/** Registers `GET /api/channels` on `app`. */
export function channelsRoutes(app: OpenAPIHono, deps: ChannelsDeps): void {
  app.openapi(channelsRoute, (c) => c.json(deps.channels(), 200));
}
