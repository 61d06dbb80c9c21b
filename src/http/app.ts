/**
 * The HTTP application: one OpenAPIHono with the shared error handling, body limit,
 * token check, every route area, the OpenAPI document and the Scalar docs page.
 * @module
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import { Scalar } from "@scalar/hono-api-reference";
import { methodNotAllowed } from "hono/method-not-allowed";
import { requireToken } from "./auth.ts";
import { bodyLimit } from "./body_limit.ts";
import type { HostAllowlist } from "./host_guard.ts";
import { type RejectCounter, requestGuard } from "./request_guard.ts";
import {
  errorResponse,
  methodNotAllowedResponse,
  notFound,
  onError,
  validationHook,
} from "./errors.ts";
import { type AnalysisDeps, analysisRoutes } from "./routes_analysis.ts";
import { type ChannelsDeps, channelsRoutes } from "./routes_channels.ts";
import { type HistoryDeps, historyRoutes } from "./routes_history.ts";
import { type MarkersControl, markersRoutes } from "./routes_markers.ts";
import { registerMessageSchemas } from "./openapi_schemas.ts";
import { type MetricsDeps, metricsRoutes } from "./routes_metrics.ts";
import { type SensorDeps, sensorRoutes } from "./routes_sensor.ts";
import { type SimulatorDeps, simulatorRoutes } from "./routes_simulator.ts";
import { spanRoutes } from "./routes_span.ts";
import { type RecordingsDeps, recordingsRoutes } from "./routes_recordings.ts";
import { RECORDINGS_IMPORT_PATH } from "./routes_recordings_data.ts";
import { type WsDeps, wsRoutes } from "./routes_ws.ts";
import { serveStatic } from "./static.ts";

/** Largest accepted request body. */
const MAX_BODY_BYTES = 16 * 1024;

/** Everything the routes act on. */
export interface AppDeps
  extends
    SimulatorDeps,
    SensorDeps,
    HistoryDeps,
    AnalysisDeps,
    ChannelsDeps,
    Omit<WsDeps, "allowedOrigins"> {
  /** The running version, shown in the OpenAPI document. */
  version: string;
  /** API_TOKEN (null: none), READ_TOKEN_REQUIRED and ALLOWED_ORIGINS. */
  security: {
    apiToken: string | null;
    readTokenRequired: boolean;
    allowedOrigins: readonly string[];
  };
  /** Markers (`/api/markers`); absent: no marker routes. */
  markers?: MarkersControl;
  /** Prometheus metrics; absent when METRICS_ENABLED=false. */
  metrics?: MetricsDeps["metrics"];
  /** The names this server answers to, and where refused requests are counted. */
  guard: { hosts: HostAllowlist; rejections: RejectCounter };
  /** Kept recordings (`/api/recordings`); absent, the routes are not registered. */
  recordings?: RecordingsDeps;
}

/** Builds the application; `app.request()` drives it in tests without a port. */
export function createApp(deps: AppDeps): OpenAPIHono {
  const app = new OpenAPIHono({ defaultHook: validationHook });
  app.onError(onError);
  app.notFound(notFound);
  // First, so a wrong Host or a foreign page is refused on every route, static files included.
  app.use(requestGuard({ ...deps.guard, allowedOrigins: deps.security.allowedOrigins }));
  app.use(methodNotAllowed({ app, onMethodNotAllowed: methodNotAllowedResponse }));
  const limit = bodyLimit(
    MAX_BODY_BYTES,
    (c) => errorResponse(c, 413, `Request body over ${MAX_BODY_BYTES} bytes`),
  );
  // A recording import streams its CSV and caps it itself (routes_recordings_data.ts).
  app.use((c, next) =>
    c.req.method === "POST" && c.req.path === RECORDINGS_IMPORT_PATH && deps.recordings
      ? next()
      : limit(c, next)
  );
  app.use(
    requireToken(deps.security.apiToken, { readTokenRequired: deps.security.readTokenRequired }),
  );

  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description: "Needed, when the server has API_TOKEN, on state-changing requests, on " +
      "/api/export.csv, /api/database/stats and /metrics, and with READ_TOKEN_REQUIRED=true on " +
      "every read except the pages, /openapi.json, /status and /ws.",
  });
  simulatorRoutes(app, deps, { apiToken: deps.security.apiToken });
  sensorRoutes(app, deps);
  wsRoutes(app, { ...deps, allowedOrigins: deps.security.allowedOrigins });
  historyRoutes(app, deps);
  spanRoutes(app, {
    span: {
      names: deps.spans.names,
      get: (name) => (fromMs, toMs) => deps.spans.get(name).span(fromMs, toMs),
    },
    keptMs: deps.spans.get(deps.spans.names[0]).rollupRetentionMs,
    now: deps.now,
  });
  channelsRoutes(app, deps);
  analysisRoutes(app, deps);
  if (deps.markers) markersRoutes(app, { markers: deps.markers, now: deps.now });
  if (deps.metrics) metricsRoutes(app, { metrics: deps.metrics });
  if (deps.recordings) recordingsRoutes(app, { now: deps.now, ...deps.recordings });

  // Built on the first request, not at start-up: the generator's work (and the code it
  // compiles) is held only by a server whose document someone reads (docs/benchmarks.md).
  const config = {
    openapi: "3.1.0",
    info: {
      title: "ina219-monitor",
      version: deps.version,
      description: "Real-time INA219 power monitor. Speaks the v1 protocol " +
        '(`/status`, `/simulator/start|stop`, `/ws`). Errors are `{"error", "issues"}` JSON.',
    },
    tags: [
      { name: "Status", description: "Server state and the live WebSocket stream (v1 protocol)" },
      { name: "Simulator", description: "Start and stop sampling; device mode and interval" },
      { name: "History", description: "Stored samples, downsampled history, the database" },
      { name: "Analysis", description: "Moving averages, outliers, energy and efficiency" },
      { name: "Alerts", description: "Threshold rules, active alerts and their history" },
      { name: "Markers", description: "Labelled instants of a channel, by hand or from alerts" },
      { name: "Metrics", description: "Prometheus exposition" },
      {
        name: "Recordings",
        description: "Kept, named spans: record, import, export, compare, battery life",
      },
    ],
  };
  let messagesRegistered = false;
  app.get("/openapi.json", (c) => {
    if (!messagesRegistered) {
      registerMessageSchemas(app);
      messagesRegistered = true;
    }
    return c.json(app.getOpenAPI31Document(config));
  });
  app.get(
    "/docs",
    Scalar({
      url: "/openapi.json",
      cdn: "/vendor/scalar/standalone.js",
      withDefaultFonts: false,
      pageTitle: "ina219-monitor API",
      favicon: "/favicon.svg",
      // Offline on a LAN: nothing that phones home (AI agent, MCP, telemetry).
      darkMode: true,
      telemetry: false,
      agent: { disabled: true },
      mcp: { disabled: true },
      showDeveloperTools: "never",
    }),
  );
  serveStatic(app);
  return app;
}
