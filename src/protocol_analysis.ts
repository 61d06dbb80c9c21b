/**
 * Wire contract of the live analysis: the `statistics` and `alert` WebSocket
 * messages and the bodies of the alert, analysis and energy routes.
 * @module
 */
import { z } from "@hono/zod-openapi";
import type { AlertEvent } from "./analysis/alerts.ts";
import type { StatisticsData as StatisticsFigures } from "./analysis/analyzer.ts";

const num = z.number().nullable();

const MetricFigures = z.object({
  min: num,
  max: num,
  avg: num.openapi({ description: "Average over the window" }),
  ma_1m: num.openapi({ description: "Moving average, last 60 s (per-second resolution)" }),
  ma_5m: num,
  ma_15m: num,
}).openapi("MetricFigures");

/** `data` of the `statistics` message. */
export const StatisticsData = z.object({
  window_s: z.number(),
  v: MetricFigures,
  a: MetricFigures,
  w: MetricFigures,
  energy_wh: z.number().openapi({ description: "Energy since the last reset (Wh)" }),
  charge_ah: z.number().openapi({ description: "Charge since the last reset (Ah)" }),
  energy_total_wh: z.number().openapi({ description: "Energy since the database began (Wh)" }),
  charge_total_ah: z.number(),
  energy_since_ms: z.number().int().openapi({ description: "When the counters were last reset" }),
  samples: z.number().int().openapi({ description: "Measured samples in the window" }),
}).openapi("StatisticsData");

/** `{"type":"statistics","data":{…},"timestamp":"…"}`, once a second. */
export const StatisticsMessage = z.object({
  type: z.literal("statistics"),
  data: StatisticsData,
  timestamp: z.string(),
}).openapi("StatisticsMessage");

/** One alert transition, as sent and stored. */
export const AlertData = z.object({
  id: z.number().int(),
  metric: z.enum(["v", "a", "w"]),
  severity: z.enum(["warning", "danger"]).openapi({
    description: "The level now; for `cleared`, the level that ended",
  }),
  state: z.enum(["raised", "escalated", "deescalated", "cleared"]),
  value: z.number(),
  limit: z.number(),
  message: z.string(),
  ts_ms: z.number().int(),
}).openapi("Alert");

/** `{"type":"alert","data":{…},"timestamp":"…"}` on every transition. */
export const AlertMessage = z.object({
  type: z.literal("alert"),
  data: AlertData,
  timestamp: z.string(),
}).openapi("AlertMessage");

/** The `statistics` message. */
export function statisticsMessage(data: StatisticsFigures, nowMs: number) {
  return { type: "statistics" as const, data, timestamp: new Date(nowMs).toISOString() };
}

/** The `alert` message of a stored transition. */
export function alertMessage(event: AlertEvent, id: number) {
  return {
    type: "alert" as const,
    data: { id, ...event },
    timestamp: new Date(event.ts_ms).toISOString(),
  };
}

/** An alert currently raised. */
export const ActiveAlert = z.object({
  metric: z.enum(["v", "a", "w"]),
  severity: z.enum(["warning", "danger"]),
  since_ms: z.number().int(),
  value: z.number().openapi({ description: "The latest value" }),
  limit: z.number(),
}).openapi("ActiveAlert");

/** An outlier flag. */
export const OutlierData = z.object({
  ts_ms: z.number().int(),
  seq: z.number().int(),
  metric: z.enum(["v", "a", "w"]),
  value: z.number(),
  method: z.enum(["zscore", "iqr"]),
  score: z.number().openapi({ description: "|z|, or IQRs beyond the quartiles" }),
  severity: z.enum(["warning", "danger"]),
}).openapi("Outlier");

const OutlierCounts = z.object({
  zscore: z.number().int(),
  iqr: z.number().int(),
  zscore_window: z.number().int(),
  iqr_window: z.number().int(),
});

/** `GET /api/analysis/outliers/summary`. */
export const OutlierSummary = z.object({
  window_s: z.number(),
  metrics: z.object({ v: OutlierCounts, a: OutlierCounts, w: OutlierCounts }).openapi({
    description: "Per metric: flags since start, and within the window",
  }),
  last: OutlierData.nullable(),
}).openapi("OutlierSummary");

/** `GET /api/analysis/moving-averages`. */
export const MovingAverages = z.object({
  ts_ms: z.number().int(),
  v: z.object({ ma_1m: num, ma_5m: num, ma_15m: num }),
  a: z.object({ ma_1m: num, ma_5m: num, ma_15m: num }),
  w: z.object({ ma_1m: num, ma_5m: num, ma_15m: num }),
}).openapi("MovingAverages");

/** `GET /api/power-efficiency`. */
export const PowerEfficiency = z.object({
  from_ms: z.number().int(),
  to_ms: z.number().int(),
  energy_wh: z.number(),
  charge_ah: z.number(),
  avg_power_w: z.number().nullable(),
  peak_power_w: z.number().nullable(),
  avg_voltage_v: z.number().nullable(),
  avg_current_a: z.number().nullable(),
  samples: z.number().int(),
  errors: z.number().int(),
}).openapi("PowerEfficiency");

/** `POST /api/energy/reset`. */
export const EnergyResetResponse = z.object({
  status: z.literal("ok"),
  energy_since_ms: z.number().int(),
  previous: z.object({ energy_wh: z.number(), charge_ah: z.number() }).openapi({
    description: "The counters just before the reset",
  }),
}).openapi("EnergyReset");
