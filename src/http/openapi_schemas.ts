/**
 * OpenAPI component names of the protocol's schemas. The protocol is plain zod (its
 * descriptions and examples travel in `.meta()`); naming a schema here makes the
 * document refer to it as `#/components/schemas/<name>` wherever it appears.
 * @module
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
// The metadata store @hono/zod-openapi generates from (its own dependency, same version).
// Naming the protocol's own instances keeps every reference to them a `$ref`;
// `.openapi(name)` would name a copy that no other schema contains.
import { OpenApiGeneratorV31, zodToOpenAPIRegistry } from "@asteasolutions/zod-to-openapi";
import type { z } from "zod";
import * as alerts from "../protocol/alerts.ts";
import * as analysis from "../protocol/analysis.ts";
import { ErrorBody } from "../protocol/common.ts";
import * as database from "../protocol/database.ts";
import * as history from "../protocol/history.ts";
import * as markers from "../protocol/markers.ts";
import * as simulator from "../protocol/simulator.ts";
import * as span from "../protocol/span.ts";
import { BatteryLife } from "../protocol/battery.ts";
import * as recordings from "../protocol/recordings.ts";
import { StatusResponse } from "../protocol/status.ts";
import * as ws from "../protocol/ws.ts";

/** Component name of each named protocol schema. */
const COMPONENTS: [string, z.ZodType][] = [
  ["MeasurementData", ws.MeasurementData],
  ["MeasurementMessage", ws.MeasurementMessage],
  ["MeasurementsData", ws.MeasurementsData],
  ["MeasurementsMessage", ws.MeasurementsMessage],
  ["StatusMessage", ws.StatusMessage],
  ["Error", ErrorBody],
  ["Status", StatusResponse],
  ["StartResult", simulator.StartResponse],
  ["StopResult", simulator.StopResponse],
  ["ModeRequest", simulator.ModeRequest],
  ["ModeResult", simulator.ModeResponse],
  ["IntervalRequest", simulator.IntervalRequest],
  ["IntervalResult", simulator.IntervalResponse],
  ["DeviceCommandError", simulator.DeviceCommandErrorBody],
  ["Stat", history.Stat],
  ["MeasurementRow", history.MeasurementRow],
  ["HistoryBucket", history.HistoryBucket],
  ["Measurements", history.MeasurementsResponse],
  ["History", history.HistoryResponse],
  ["MinuteStatistics", history.StatisticsResponse],
  ["Span", span.SpanResponse],
  ["BatteryLife", BatteryLife],
  ["Recording", recordings.Recording],
  ["TriggerCondition", recordings.TriggerCondition],
  ["RecordingComparison", recordings.CompareResponse],
  ["SpanSource", span.SpanSource],
  ["SpanPart", span.SpanPart],
  ["DatabaseStats", database.DatabaseStats],
  ["CleanupResult", database.CleanupResponse],
  ["VacuumResult", database.VacuumResponse],
  ["MetricFigures", analysis.MetricFigures],
  ["StatisticsData", analysis.StatisticsData],
  ["StatisticsMessage", analysis.StatisticsMessage],
  ["Outlier", analysis.OutlierData],
  ["OutlierSummary", analysis.OutlierSummary],
  ["MovingAverages", analysis.MovingAverages],
  ["PowerEfficiency", analysis.PowerEfficiency],
  ["EnergyReset", analysis.EnergyResetResponse],
  ["AlertRule", alerts.AlertRule],
  ["AlertRules", alerts.AlertRules],
  ["AlertRulesBody", alerts.AlertRulesBody],
  ["Alert", alerts.AlertData],
  ["AlertMessage", alerts.AlertMessage],
  ["ActiveAlert", alerts.ActiveAlert],
  ["Marker", markers.MarkerData],
  ["MarkerMessage", markers.MarkerMessage],
];

for (const [name, schema] of COMPONENTS) {
  const meta = zodToOpenAPIRegistry.get(schema);
  zodToOpenAPIRegistry.add(schema, { ...meta, _internal: { ...meta?._internal, refId: name } });
}

/** The WebSocket messages: no route returns them, so they are listed in the document. */
const WS_MESSAGES = {
  MeasurementMessage: ws.MeasurementMessage,
  MeasurementsMessage: ws.MeasurementsMessage,
  StatusMessage: ws.StatusMessage,
  StatisticsMessage: analysis.StatisticsMessage,
  AlertMessage: alerts.AlertMessage,
  MarkerMessage: markers.MarkerMessage,
} as const;

/**
 * Adds the WebSocket messages (and the schemas they contain) to `app`'s document as
 * components, so `/docs` shows them. They are generated here, with the generator the
 * app uses: `openAPIRegistry.register()` would call `.openapi()`, which zod schemas
 * built before @hono/zod-openapi was loaded do not have.
 */
export function registerMessageSchemas(app: OpenAPIHono): void {
  const definitions = Object.values(WS_MESSAGES).map((schema) => ({
    type: "schema" as const,
    schema,
  }));
  const { components } = new OpenApiGeneratorV31(definitions).generateComponents();
  for (const [name, schema] of Object.entries(components?.schemas ?? {})) {
    app.openAPIRegistry.registerComponent("schemas", name, schema);
  }
}
