/**
 * Bodies of the history routes: stored samples, downsampled buckets (min/max/avg per
 * metric) and per-minute statistics.
 * @module
 */
import { z } from "zod";
import { SampleStatus } from "./common.ts";
import { DerivedBucketFields, DerivedMeasurementFields } from "./derived.ts";

/** min/max/avg of one metric in a bucket. */
export const Stat = z.object({
  min: z.number().nullable(),
  max: z.number().nullable(),
  avg: z.number().nullable(),
}).meta({ description: "null when the bucket has no measured sample" });
/** min/max/avg of one metric in a bucket; null when the bucket has no measured sample. */
export type Stat = z.output<typeof Stat>;

/** One stored sample. */
export const MeasurementRow = z.object({
  ts_ms: z.number().int(),
  seq: z.number().int(),
  v: z.number(),
  a: z.number(),
  w: z.number(),
  status: SampleStatus,
  mode: z.string(),
  error: z.string().nullable(),
}).extend(DerivedMeasurementFields.shape);
/** One stored sample, as the API returns it. */
export type MeasurementRow = z.output<typeof MeasurementRow>;

/** One downsampled bucket: min/max survive downsampling, so peaks stay visible. */
export const HistoryBucket = z.object({
  ts_ms: z.number().int().meta({ description: "Start of the bucket (Unix ms)" }),
  count: z.number().int().meta({ description: "Measured samples in the bucket" }),
  errors: z.number().int().meta({ description: "Failed reads in the bucket (not in v/a/w)" }),
  v: Stat,
  a: Stat,
  w: Stat,
}).extend(DerivedBucketFields.shape);
/** One history or statistics bucket. */
export type HistoryBucket = z.output<typeof HistoryBucket>;

/** Where history buckets are computed from: raw samples or a rollup table. */
export const HistorySource = z.enum(["raw", "100ms", "1s", "1m"]);
/** A history source. */
export type HistorySource = z.output<typeof HistorySource>;

/** `GET /api/measurements`. */
export const MeasurementsResponse = z.object({
  data: z.array(MeasurementRow).meta({ description: "Newest first" }),
  count: z.number().int(),
  from_ms: z.number().int(),
  to_ms: z.number().int(),
  limit: z.number().int(),
  truncated: z.boolean().meta({ description: "More rows matched than `limit`" }),
});

/** `GET /api/history`. */
export const HistoryResponse = z.object({
  data: z.array(HistoryBucket),
  count: z.number().int(),
  from_ms: z.number().int(),
  to_ms: z.number().int(),
  bucket_ms: z.number().int().meta({ description: "Width of every bucket" }),
  source: HistorySource.meta({
    description:
      "What the buckets were computed from: raw samples, or per-second/per-minute rollups",
  }),
});

/** `GET /api/statistics`. */
export const StatisticsResponse = z.object({
  data: z.array(HistoryBucket).meta({ description: "One row per minute, oldest first" }),
  count: z.number().int(),
  from_ms: z.number().int(),
  to_ms: z.number().int(),
});
