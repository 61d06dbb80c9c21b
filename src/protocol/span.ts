/**
 * Body of `GET /api/span`: one span's figures (count, min/max/avg of each metric,
 * energy and charge), exact to the sample, and what the store read to answer them.
 * @module
 */
import { z } from "zod";
import { BatteryLife } from "./battery.ts";
import { HistorySource, Stat } from "./history.ts";

/** One metric's figures over a span: {@link Stat} with peak-to-peak, RMS and σ. */
export const SpanStat = Stat.extend({
  p2p: z.number().nullable().meta({ description: "max − min" }),
  rms: z.number().nullable().meta({
    description: "Root mean square of the samples; null when part of the span was rolled up " +
      "before sums of squares were kept (databases from before this field)",
  }),
  sd: z.number().nullable().meta({
    description: "Standard deviation of the samples (population, σ); null as `rms`",
  }),
}).meta({ description: "null when the span has no measured sample" });
/** One metric's figures over a span. */
export type SpanStat = z.output<typeof SpanStat>;

/** One stretch of the span and the data it was read from. */
export const SpanPart = z.object({
  source: HistorySource.meta({ description: "Raw samples or a rollup table" }),
  from_ms: z.number().int().meta({ description: "Start (inclusive, Unix ms)" }),
  to_ms: z.number().int().meta({ description: "End (exclusive, Unix ms)" }),
});
/** One stretch of a span and its source. */
export type SpanPart = z.output<typeof SpanPart>;

/** What a span's figures were computed from, and whether they are exact. */
export const SpanSource = z.object({
  exact: z.boolean().meta({
    description: "True when the figures cover exactly the samples stamped in [from, to). False " +
      "when part of the span is older than the raw retention (read from per-minute rollups, " +
      "edges rounded up to the minute) or when `steps_unknown` > 0",
  }),
  from_ms: z.number().int().meta({ description: "Start of what the figures cover" }),
  to_ms: z.number().int().meta({ description: "End (exclusive) of what the figures cover" }),
  parts: z.array(SpanPart).meta({
    description: "Raw samples at the edges, 100 ms, 1 s and 1 min rollups inside, oldest first",
  }),
  steps_unknown: z.number().int().meta({
    description: "Raw samples at the edges whose energy step could not be recomputed (stored " +
      "before the step was kept, or the sample before it was dropped); their energy and charge " +
      "are missing from the totals",
  }),
});
/** What a span's figures were computed from. */
export type SpanSource = z.output<typeof SpanSource>;

/** `GET /api/span`. */
export const SpanResponse = z.object({
  from_ms: z.number().int().meta({ description: "Start of the span asked (inclusive)" }),
  to_ms: z.number().int().meta({ description: "End of the span asked (exclusive)" }),
  duration_ms: z.number().int().meta({ description: "to_ms − from_ms" }),
  count: z.number().int().meta({ description: "Measured (`ok`/`overflow`) samples" }),
  errors: z.number().int().meta({ description: "Failed reads (not in the figures)" }),
  v: SpanStat,
  a: SpanStat,
  w: SpanStat,
  energy_j: z.number().meta({
    description: "Sum of the trapezoid steps (J) of the span's samples: each sample carries the " +
      "step from the sample before it, as the live integrator computed it",
  }),
  energy_wh: z.number(),
  charge_c: z.number().meta({ description: "Same, for current (C)" }),
  charge_ah: z.number(),
  source: SpanSource,
  battery: BatteryLife.optional().meta({
    description: "Only with `capacity_mah`: expected runtime at this span's average draw",
  }),
});
/** One span's figures. */
export type SpanResponse = z.output<typeof SpanResponse>;
