/**
 * `GET /metrics`: Prometheus text exposition. Token-protected (reads included) when
 * the server has a token, as Prometheus can send `bearer_token` (the check is in auth.ts).
 * @module
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { ErrorBody } from "../protocol/common.ts";

/** What the metrics route needs. */
export interface MetricsDeps {
  /** Renders the Prometheus text exposition and names its content type. */
  metrics: { render(): Promise<string>; contentType: string };
}

const metricsRoute = createRoute({
  method: "get",
  path: "/metrics",
  tags: ["Metrics"],
  summary: "Prometheus metrics",
  description:
    "Text exposition format, base units: `ina219_bus_voltage_volts`, `ina219_current_amperes`, " +
    "`ina219_power_watts`, `ina219_energy_joules_total`, `ina219_charge_coulombs_total`, sample, " +
    "error and gap counters, WebSocket clients, database size, process memory. Needs the bearer " +
    "token when API_TOKEN is set.",
  security: [{ bearerAuth: [] }],
  responses: {
    200: { content: { "text/plain": { schema: z.string() } }, description: "Metrics" },
    401: { content: { "application/json": { schema: ErrorBody } }, description: "Token missing" },
  },
});

/** Registers `GET /metrics` on `app`. */
export function metricsRoutes(app: OpenAPIHono, deps: MetricsDeps): void {
  app.openapi(
    metricsRoute,
    async (c) =>
      c.body(await deps.metrics.render(), 200, {
        "Content-Type": deps.metrics.contentType,
      }) as never,
  );
}
