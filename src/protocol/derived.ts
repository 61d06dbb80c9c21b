/**
 * The extra fields a derived channel's samples, batches and history buckets carry on the
 * wire: `derived` marks them as computed from other channels (never stored as if
 * measured), `efficiency`, `loss_w` and `p_in_w` say how the output compares to the input.
 * All optional: measured channels' messages never have them.
 * @module
 */
import { z } from "zod";

/** How a derived channel is computed: `efficiency` (input → output) or `sum`. */
export const DerivedKind = z.enum(["efficiency", "sum"]).meta({
  description:
    "Set on a derived channel's data only: computed from other channels, never stored as measured",
});
/** `efficiency` or `sum`. */
export type DerivedKind = z.output<typeof DerivedKind>;

const EFFICIENCY = "P_out / P_in, as measured (not clamped: above 1 means the two channels " +
  "disagree); null when P_in ≤ 0 or the sample is an error";

/** Extra fields of a derived channel's `measurement` data (and of its stored-row replay). */
export const DerivedMeasurementFields = z.object({
  derived: DerivedKind.optional(),
  efficiency: z.number().nullable().optional().meta({
    description: `efficiency channel only: ${EFFICIENCY}`,
    example: 0.792,
  }),
  loss_w: z.number().optional().meta({
    description: "efficiency channel only: P_in − P_out (W); 0 on an error sample",
    example: 1.04,
  }),
  p_in_w: z.number().optional().meta({
    description: "efficiency channel only: P_in (W); `w` is P_out. 0 on an error sample",
    example: 5,
  }),
});
/** Extra fields of a derived `measurement`. */
export type DerivedMeasurementFields = z.output<typeof DerivedMeasurementFields>;

/** Extra columns of a derived channel's `measurements` (batched) data, index for index. */
export const DerivedMeasurementsFields = z.object({
  derived: DerivedKind.optional(),
  efficiency: z.array(z.number().nullable()).optional().meta({
    description: `efficiency channel only, per sample: ${EFFICIENCY}`,
  }),
  loss_w: z.array(z.number()).optional().meta({
    description: "efficiency channel only, per sample: P_in − P_out (W)",
  }),
  p_in_w: z.array(z.number()).optional().meta({
    description: "efficiency channel only, per sample: P_in (W)",
  }),
});
/** Extra columns of a derived `measurements` batch. */
export type DerivedMeasurementsFields = z.output<typeof DerivedMeasurementsFields>;

/** Extra fields of a derived channel's history bucket, computed from its inputs' buckets. */
export const DerivedBucketFields = z.object({
  derived: DerivedKind.optional(),
  efficiency: z.number().nullable().optional().meta({
    description: "efficiency channel only: E_out / E_in over the bucket when both inputs' " +
      "energy is known and neither failed in it, else mean P_out / mean P_in; null when " +
      "P_in ≤ 0 or an input has no data in the bucket",
    example: 0.81,
  }),
  efficiency_basis: z.enum(["energy", "mean_power"]).nullable().optional().meta({
    description: "efficiency channel only: which of the two `efficiency` was computed from",
  }),
  loss_w: z.number().nullable().optional().meta({
    description: "efficiency channel only: mean P_in − mean P_out over the bucket (W)",
  }),
  p_in_w: z.number().nullable().optional().meta({
    description: "efficiency channel only: mean P_in over the bucket (W)",
  }),
  energy_j: z.number().nullable().optional().meta({
    description: "The output's energy (efficiency) or the summed energy (sum) in the " +
      "bucket (J), when every input's is known",
  }),
  loss_j: z.number().nullable().optional().meta({
    description: "efficiency channel only: E_in − E_out in the bucket (J), when both are known",
  }),
});
/** Extra fields of a derived history bucket. */
export type DerivedBucketFields = z.output<typeof DerivedBucketFields>;

/** min/max/avg of a derived figure over the statistics window; null when it is empty. */
export const DerivedStat = z.object({
  min: z.number().nullable(),
  max: z.number().nullable(),
  avg: z.number().nullable(),
});
/** min/max/avg of a derived figure. */
export type DerivedStat = z.output<typeof DerivedStat>;

/** Extra fields of a derived channel's `statistics` data (its `v`/`a`/`w` are as live). */
export const DerivedStatisticsFields = z.object({
  derived: DerivedKind.optional(),
  efficiency: DerivedStat.optional().meta({
    description: "efficiency channel only: min and max of the samples' P_out / P_in; avg is " +
      "mean P_out / mean P_in over the window (the energy ratio, not the mean of ratios)",
  }),
  loss_w: DerivedStat.optional().meta({
    description: "efficiency channel only: P_in − P_out (W) over the window",
  }),
});
/** Extra fields of a derived `statistics` message. */
export type DerivedStatisticsFields = z.output<typeof DerivedStatisticsFields>;
