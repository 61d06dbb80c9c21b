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
import {
  errorResponse,
  methodNotAllowedResponse,
  notFound,
  onError,
  validationHook,
} from "./errors.ts";
import { type AnalysisDeps, analysisRoutes } from "./routes_analysis.ts";
import { type HistoryDeps, historyRoutes } from "./routes_history.ts";
import { type MetricsDeps, metricsRoutes } from "./routes_metrics.ts";
import { type SimulatorDeps, simulatorRoutes } from "./routes_simulator.ts";
import { type WsDeps, wsRoutes } from "./routes_ws.ts";
import { serveStatic } from "./static.ts";

/** Largest accepted request body. */
export const MAX_BODY_BYTES = 16 * 1024;

/** Everything the routes act on. */
export interface AppDeps
  extends SimulatorDeps, HistoryDeps, AnalysisDeps, Omit<WsDeps, "allowedOrigins"> {
  version: string;
  /** Prometheus metrics; absent when METRICS_ENABLED=false. */
  metrics?: MetricsDeps["metrics"];
}

/** Builds the application; `app.request()` drives it in tests without a port. */
export function createApp(deps: AppDeps): OpenAPIHono {
  const app = new OpenAPIHono({ defaultHook: validationHook });
  app.onError(onError);
  app.notFound(notFound);
  app.use(methodNotAllowed({ app, onMethodNotAllowed: methodNotAllowedResponse }));
  app.use(bodyLimit(
    MAX_BODY_BYTES,
    (c) => errorResponse(c, 413, `Request body over ${MAX_BODY_BYTES} bytes`),
  ));
  app.use(requireToken(deps.config.apiToken));

  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description: "Needed on state-changing requests when the server has API_TOKEN set.",
  });
  simulatorRoutes(app, deps);
  wsRoutes(app, { ...deps, allowedOrigins: deps.config.allowedOrigins });
  historyRoutes(app, deps);
  analysisRoutes(app, deps);
  if (deps.metrics) metricsRoutes(app, { metrics: deps.metrics, apiToken: deps.config.apiToken });

  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "ina219-monitor",
      version: deps.version,
      description:
        "Real-time INA219 power monitor. Wire-compatible with the seed's Phase 2.1 API " +
        '(`/status`, `/simulator/start|stop`, `/ws`). Errors are `{"error", "issues"}` JSON.',
    },
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
