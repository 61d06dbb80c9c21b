/**
 * Battery life of a span (`battery` in `/api/span` and a recording's span): the runtime
 * a cell of a given capacity gives at the span's average draw.
 * @module
 */
import { z } from "zod";

/** Expected runtime on a battery of `capacity_mah`, from a span's average draw. */
export const BatteryLife = z.object({
  capacity_mah: z.number(),
  nominal_v: z.number().nullable(),
  avg_current_a: z.number().nullable().meta({ description: "The span's average current" }),
  avg_power_w: z.number().nullable().meta({ description: "The span's average power" }),
  runtime_h_from_current: z.number().nullable().meta({
    description: "capacity_mah / 1000 / avg_current_a; null when the average is not positive",
  }),
  runtime_h_from_energy: z.number().nullable().meta({
    description: "capacity_mah / 1000 × nominal_v / avg_power_w; null without nominal_v",
  }),
  assumption: z.string().meta({ description: "What the figures assume, in words" }),
});
/** Battery life figures. */
export type BatteryLife = z.output<typeof BatteryLife>;
