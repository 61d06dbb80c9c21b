/**
 * The v1 protocol's REST API: `GET /status`, `POST /simulator/start|stop`, and the
 * device's mode and interval commands as `POST /simulator/mode|interval`.
 * @module
 */
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { Config } from "../config.ts";
import type { Hub } from "../hub.ts";
import { ErrorBody } from "../protocol/common.ts";
import {
  IntervalRequest,
  IntervalResponse,
  ModeRequest,
  ModeResponse,
  StartResponse,
  StopResponse,
} from "../protocol/simulator.ts";
import { StatusResponse } from "../protocol/status.ts";
import { json, SECURED } from "./route_helpers.ts";
import type { Sampler } from "../sampler.ts";

/** What the simulator routes act on. */
export interface SimulatorDeps {
  config: Config;
  sampler: Sampler;
  hub: Hub;
  /** Builds the `/status` body (shared with the periodic status message). */
  status: () => StatusResponse;
}

const errors = {
  400: json(ErrorBody, "Invalid input; nothing was changed"),
  401: json(ErrorBody, "A token is set and the request did not carry it"),
  413: json(ErrorBody, "Body over 16 KiB"),
};

const statusRoute = createRoute({
  method: "get",
  path: "/status",
  tags: ["Status"],
  summary: "System status",
  description:
    "The v1 protocol's status (`server`, `simulator`, `websocket_connections`) plus the source, mode, interval, last seq and counters.",
  responses: { 200: json(StatusResponse, "Current status") },
});

const startRoute = createRoute({
  method: "post",
  path: "/simulator/start",
  tags: ["Simulator"],
  summary: "Start the simulator (or sensor)",
  description:
    "Starts sampling; answers `started` whether or not it was running. `seq` continues where it stopped.",
  security: SECURED,
  responses: { 200: json(StartResponse, "Sampling runs"), 401: errors[401] },
});

const stopRoute = createRoute({
  method: "post",
  path: "/simulator/stop",
  tags: ["Simulator"],
  summary: "Stop the simulator (or sensor)",
  security: SECURED,
  responses: { 200: json(StopResponse, "Sampling stopped"), 401: errors[401] },
});

const modeRoute = createRoute({
  method: "post",
  path: "/simulator/mode",
  tags: ["Simulator"],
  summary: "Set the device mode",
  description:
    "The device's `set_mode` command. On the mock this also stops the demo auto-rotation so the chosen mode stays. Modes are listed in `/status`.",
  security: SECURED,
  request: {
    body: { content: { "application/json": { schema: ModeRequest } }, required: true },
  },
  responses: { 200: json(ModeResponse, "Mode set"), ...errors },
});

const intervalRoute = createRoute({
  method: "post",
  path: "/simulator/interval",
  tags: ["Simulator"],
  summary: "Set the sample interval",
  description: "The device's `set_interval` command: 1–10000 ms.",
  security: SECURED,
  request: {
    body: { content: { "application/json": { schema: IntervalRequest } }, required: true },
  },
  responses: { 200: json(IntervalResponse, "Interval set"), ...errors },
});

/** Registers the simulator routes on `app`. */
export function simulatorRoutes(app: OpenAPIHono, deps: SimulatorDeps): void {
  const { sampler } = deps;
  const type = sampler.source.type;

  app.openapi(statusRoute, (c) => c.json(deps.status(), 200));

  app.openapi(startRoute, async (c) => {
    const started = await sampler.start();
    return c.json({ status: "started" as const, type, already_running: !started }, 200);
  });

  app.openapi(stopRoute, async (c) => {
    const stopped = await sampler.stop();
    return c.json({ status: "stopped" as const, type, was_running: stopped }, 200);
  });

  app.openapi(modeRoute, (c) => {
    const { mode } = c.req.valid("json");
    if (!sampler.source.modes.includes(mode)) {
      const message = `Unknown mode "${mode}": expected one of ${sampler.source.modes.join(", ")}`;
      return c.json({ error: "Invalid request body", issues: [{ path: "mode", message }] }, 400);
    }
    sampler.source.setMode(mode);
    return c.json({ status: "ok" as const, mode, auto_rotate: deps.status().auto_rotate }, 200);
  });

  app.openapi(intervalRoute, (c) => {
    const { interval_ms } = c.req.valid("json");
    sampler.setIntervalMs(interval_ms);
    return c.json({ status: "ok" as const, interval_ms }, 200);
  });
}
