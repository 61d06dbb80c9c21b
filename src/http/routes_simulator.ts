/**
 * The v1 protocol's REST API: `GET /status`, `POST /simulator/start|stop`, and the
 * device's mode and interval commands as `POST /simulator/mode|interval`.
 * @module
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { ErrorBody } from "../protocol/common.ts";
import {
  DeviceCommandErrorBody,
  IntervalRequest,
  IntervalResponse,
  ModeRequest,
  ModeResponse,
  StartResponse,
  StopResponse,
} from "../protocol/simulator.ts";
import { StatusResponse } from "../protocol/status.ts";
import type { StatusView } from "../status.ts";
import { carriesToken } from "./auth.ts";
import { CHANNEL_QUERY, channelPart, json, type PerChannel, SECURED } from "./route_helpers.ts";
import { DeviceCommandError } from "../sources/source.ts";

/** The device's state as the simulator routes report it. */
export interface SimulatorState {
  /** The device mode now. */
  mode: string;
  /** Modes {@link SimulatorControl.setMode} accepts. */
  modes: readonly string[];
  /** The sample interval in force. */
  interval_ms: number;
  /** Whether the mock still rotates its modes by itself. */
  auto_rotate: boolean;
}

/** The sampler and its device, as the simulator routes drive them. */
export interface SimulatorControl {
  /** The v1 protocol's `type`: `Mock`, `INA219`, `Serial`. */
  readonly type: string;
  /** Starts sampling; false when it was already running. */
  start(): Promise<boolean>;
  /** Stops sampling; false when it was not running. */
  stop(): Promise<boolean>;
  /** Switches the device mode; a device that answers may reject with a DeviceCommandError. */
  setMode(mode: string): void | Promise<void>;
  /** Changes the sample interval (1–10000 ms); may reject with a DeviceCommandError. */
  setInterval(intervalMs: number): Promise<void>;
  /** The device's state now. */
  state(): SimulatorState;
}

/** What the simulator routes act on. */
export interface SimulatorDeps {
  /**
   * Each measured channel's sampler and device; `?channel=` picks one, and without it
   * the commands act on every channel (answering, as the v1 protocol, about the first).
   */
  simulator: PerChannel<SimulatorControl>;
  /** Builds the `/status` body for a caller that did or did not carry the token. */
  status: (view: StatusView) => StatusResponse;
}

const channelQuery = {
  query: z.object({
    channel: CHANNEL_QUERY.channel.openapi({
      description: "The measured channel to act on; without it, every channel (the answer " +
        "describes the first, as the v1 protocol). An unknown or derived channel gets 400.",
    }),
  }),
};

const errors = {
  400: json(ErrorBody, "Invalid input or unknown channel; nothing was changed"),
  401: json(ErrorBody, "A token is set and the request did not carry it"),
  413: json(ErrorBody, "Body over 16 KiB"),
};

/** The answers of a command a device may refuse (the serial Arduino acknowledges each). */
const deviceErrors = {
  422: json(DeviceCommandErrorBody, "The device refused the command; nothing changed"),
  502: json(
    DeviceCommandErrorBody,
    "The device is not there to ask (port closed, not talking yet, unplugged) or answered something unreadable",
  ),
  504: json(DeviceCommandErrorBody, "The device did not answer in time (2 s)"),
};

const DEVICE_STATUS = { refused: 422, timeout: 504, garbled: 502, gone: 502 } as const;

const statusRoute = createRoute({
  method: "get",
  path: "/status",
  tags: ["Status"],
  summary: "System status",
  description:
    "The v1 protocol's status (`server`, `simulator`, `websocket_connections`) plus the source, mode, interval, last seq and counters. Open to all; with API_TOKEN set, `database.path` is shown only to a request that carries the token.",
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
  request: channelQuery,
  responses: { 200: json(StartResponse, "Sampling runs"), 400: errors[400], 401: errors[401] },
});

const stopRoute = createRoute({
  method: "post",
  path: "/simulator/stop",
  tags: ["Simulator"],
  summary: "Stop the simulator (or sensor)",
  security: SECURED,
  request: channelQuery,
  responses: { 200: json(StopResponse, "Sampling stopped"), 400: errors[400], 401: errors[401] },
});

const modeRoute = createRoute({
  method: "post",
  path: "/simulator/mode",
  tags: ["Simulator"],
  summary: "Set the device mode",
  description:
    "The device's `set_mode` command. On the mock this also stops the demo auto-rotation so the chosen mode stays. Modes are listed in `/status`. A device that acknowledges its commands (the serial Arduino) is waited for: the answer is its `ack`, and a refusal, a timeout or a missing device is an error with its state unchanged.",
  security: SECURED,
  request: {
    ...channelQuery,
    body: { content: { "application/json": { schema: ModeRequest } }, required: true },
  },
  responses: { 200: json(ModeResponse, "Mode set"), ...errors, ...deviceErrors },
});

const intervalRoute = createRoute({
  method: "post",
  path: "/simulator/interval",
  tags: ["Simulator"],
  summary: "Set the sample interval",
  description:
    "The device's `set_interval` command: 1–10000 ms. A device that keeps its own interval (the serial Arduino, 100–10000 ms) decides: the answer waits for its `ack`, and a refusal, a timeout or a missing device is an error with its interval unchanged.",
  security: SECURED,
  request: {
    ...channelQuery,
    body: { content: { "application/json": { schema: IntervalRequest } }, required: true },
  },
  responses: { 200: json(IntervalResponse, "Interval set"), ...errors, ...deviceErrors },
});

/**
 * The controls a command acts on: the channel `asked` names, or every channel (the first
 * leading) when it names none; or the 400 body.
 */
function targets(
  simulators: PerChannel<SimulatorControl>,
  asked: string | undefined,
): { ok: true; all: SimulatorControl[] } | { ok: false; body: ErrorBody } {
  if (asked === undefined) {
    return { ok: true, all: simulators.names.map((n) => simulators.get(n)) };
  }
  const pick = channelPart(simulators, asked);
  return pick.ok ? { ok: true, all: [pick.part] } : pick;
}

/**
 * Runs `command` on every target at once; the first target's failure, else the first
 * failure of another, is thrown once all have answered.
 */
async function onEach(
  all: readonly SimulatorControl[],
  command: (control: SimulatorControl) => unknown,
): Promise<void> {
  const results = await Promise.allSettled(all.map(async (control) => await command(control)));
  const failed = results.find((r) => r.status === "rejected");
  if (failed) throw (failed as PromiseRejectedResult).reason;
}

/** Registers the simulator routes on `app`; `apiToken` decides who sees all of /status. */
export function simulatorRoutes(
  app: OpenAPIHono,
  deps: SimulatorDeps,
  options: { apiToken: string | null },
): void {
  const simulators = deps.simulator;

  app.openapi(statusRoute, async (c) => {
    const authorised = await carriesToken(options.apiToken, c.req.header("Authorization"));
    return c.json(deps.status({ authorised }), 200);
  });

  app.openapi(startRoute, async (c) => {
    const picked = targets(simulators, c.req.valid("query").channel);
    if (!picked.ok) return c.json(picked.body, 400);
    const started = await Promise.all(picked.all.map((s) => s.start()));
    const type = picked.all[0].type;
    return c.json(
      { status: "started" as const, type, already_running: !started.some(Boolean) },
      200,
    );
  });

  app.openapi(stopRoute, async (c) => {
    const picked = targets(simulators, c.req.valid("query").channel);
    if (!picked.ok) return c.json(picked.body, 400);
    const stopped = await Promise.all(picked.all.map((s) => s.stop()));
    const type = picked.all[0].type;
    return c.json({ status: "stopped" as const, type, was_running: stopped.some(Boolean) }, 200);
  });

  /** The error answer of a command the device did not carry out, with its state. */
  const deviceError = (
    c: Context,
    simulator: SimulatorControl,
    error: DeviceCommandError,
    field: string,
  ) => {
    const { mode, interval_ms } = simulator.state();
    return c.json({
      error: error.message,
      issues: [{ path: field, message: error.reason }],
      failure: error.failure,
      mode,
      interval_ms,
    }, DEVICE_STATUS[error.failure]);
  };

  app.openapi(modeRoute, async (c) => {
    const picked = targets(simulators, c.req.valid("query").channel);
    if (!picked.ok) return c.json(picked.body, 400);
    const [first] = picked.all;
    const { mode } = c.req.valid("json");
    const { modes } = first.state();
    if (!modes.includes(mode)) {
      const message = `Unknown mode "${mode}": expected one of ${modes.join(", ")}`;
      return c.json({ error: "Invalid request body", issues: [{ path: "mode", message }] }, 400);
    }
    // Every channel whose device has the mode takes it.
    const takers = picked.all.filter((s) => s.state().modes.includes(mode));
    try {
      await onEach(takers, (s) => s.setMode(mode));
    } catch (error) {
      if (error instanceof DeviceCommandError) return deviceError(c, first, error, "mode");
      throw error;
    }
    const { mode: now, auto_rotate } = first.state();
    return c.json({ status: "ok" as const, mode: now, auto_rotate }, 200);
  });

  app.openapi(intervalRoute, async (c) => {
    const picked = targets(simulators, c.req.valid("query").channel);
    if (!picked.ok) return c.json(picked.body, 400);
    const [first] = picked.all;
    const { interval_ms } = c.req.valid("json");
    try {
      await onEach(picked.all, (s) => s.setInterval(interval_ms));
    } catch (error) {
      if (error instanceof DeviceCommandError) {
        return deviceError(c, first, error, "interval_ms");
      }
      throw error;
    }
    return c.json({ status: "ok" as const, interval_ms: first.state().interval_ms }, 200);
  });
}
