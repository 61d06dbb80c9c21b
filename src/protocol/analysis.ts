/**
 * The live analysis on the wire: the `statistics` WebSocket message and the bodies of
 * the moving-average, outlier, power-efficiency and energy-reset routes.
 * @module
 */
import { z } from "zod";
import { ChannelName, Metric, Severity } from "./common.ts";
import { DerivedStatisticsFields } from "./derived.ts";
import { roundCounter, roundMetrics } from "./figures.ts";

const num = z.number().nullable();

/** One metric's figures in the `statistics` message. */
export const MetricFigures = z.object({
  min: num,
  max: num,
  avg: num.meta({ description: "Average over the window" }),
  ma_1m: num.meta({ description: "Moving average, last 60 s (per-second resolution)" }),
  ma_5m: num,
  ma_15m: num,
});
/** One metric's figures. */
export type MetricFigures = z.output<typeof MetricFigures>;

/** `data` of the `statistics` message. */
export const StatisticsData = z.object({
  window_s: z.number(),
  v: MetricFigures,
  a: MetricFigures,
  w: MetricFigures,
  energy_wh: z.number().meta({ description: "Energy since the last reset (Wh)" }),
  charge_ah: z.number().meta({ description: "Charge since the last reset (Ah)" }),
  energy_total_wh: z.number().meta({ description: "Energy since the database began (Wh)" }),
  charge_total_ah: z.number(),
  energy_since_ms: z.number().int().meta({ description: "When the counters were last reset" }),
  samples: z.number().int().meta({ description: "Measured samples in the window" }),
  ma_covered_s: z.object({
    ma_1m: z.number().int(),
    ma_5m: z.number().int(),
    ma_15m: z.number().int(),
  }).optional().meta({
    description: "Seconds of each moving average's window that hold samples (from the " +
      "oldest to now): less than 60, 300 or 900 while the stream is younger than the " +
      "window, e.g. after a start; the average is then partial",
  }),
  channel: ChannelName.optional(),
}).extend(DerivedStatisticsFields.shape);
/** `data` of the `statistics` message. */
export type StatisticsData = z.output<typeof StatisticsData>;

/** `{"type":"statistics","data":{…},"timestamp":"…"}`, once a second. */
export const StatisticsMessage = z.object({
  type: z.literal("statistics"),
  data: StatisticsData,
  timestamp: z.string(),
});
/** The `statistics` message. */
export type StatisticsMessage = z.output<typeof StatisticsMessage>;

/** The `statistics` message, its figures rounded for the wire (see `figures.ts`). */
export function statisticsMessage(data: StatisticsData, nowMs: number): StatisticsMessage {
  const rounded: StatisticsData = {
    ...roundMetrics(data),
    energy_wh: roundCounter(data.energy_wh),
    charge_ah: roundCounter(data.charge_ah),
    energy_total_wh: roundCounter(data.energy_total_wh),
    charge_total_ah: roundCounter(data.charge_total_ah),
  };
  return { type: "statistics", data: rounded, timestamp: new Date(nowMs).toISOString() };
}

/** An outlier flag. */
export const OutlierData = z.object({
  ts_ms: z.number().int(),
  seq: z.number().int(),
  metric: Metric,
  value: z.number(),
  method: z.enum(["zscore", "iqr"]),
  score: z.number().meta({ description: "|z|, or IQRs beyond the quartiles" }),
  severity: Severity,
});
/** One flagged value. */
export type OutlierData = z.output<typeof OutlierData>;

/** Outlier counts of one metric: since start, and within the window. */
const OutlierCounts = z.object({
  zscore: z.number().int(),
  iqr: z.number().int(),
  zscore_window: z.number().int(),
  iqr_window: z.number().int(),
});
/** One metric's outlier counts: since start, and within the window. */
export type OutlierCounts = z.output<typeof OutlierCounts>;

/** `GET /api/analysis/outliers/summary`. */
export const OutlierSummary = z.object({
  window_s: z.number(),
  metrics: z.object({ v: OutlierCounts, a: OutlierCounts, w: OutlierCounts }).meta({
    description: "Per metric: flags since start, and within the window",
  }),
  last: OutlierData.nullable(),
});
/** Outlier counts per metric and method, and the latest flag. */
export type OutlierSummary = z.output<typeof OutlierSummary>;

/** Moving averages of one metric over 1, 5 and 15 minutes. */
const Averages = z.object({ ma_1m: num, ma_5m: num, ma_15m: num });
/** Moving averages of one metric over 1, 5 and 15 minutes. */
export type Averages = z.output<typeof Averages>;

/** `GET /api/analysis/moving-averages`. */
export const MovingAverages = z.object({
  ts_ms: z.number().int(),
  v: Averages,
  a: Averages,
  w: Averages,
});

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
});

/** `POST /api/energy/reset`. */
export const EnergyResetResponse = z.object({
  status: z.literal("ok"),
  energy_since_ms: z.number().int(),
  previous: z.object({ energy_wh: z.number(), charge_ah: z.number() }).meta({
    description: "The counters just before the reset",
  }),
});
