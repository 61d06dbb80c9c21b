/**
 * Battery life from a span's average draw: the runtime a cell of a given capacity gives
 * at that draw, from the average current and (given a nominal voltage) from the
 * average power. Pure arithmetic: no chemistry model.
 * @module
 */
import type { BatteryLife } from "../protocol/battery.ts";
import type { SpanResponse } from "../protocol/span.ts";

/** What every battery figure assumes, said next to it. */
export const BATTERY_ASSUMPTION =
  "No chemistry model: the whole rated capacity is usable and the draw stays at this span's " +
  "average for the whole discharge (no temperature, age, rate or cut-off voltage effects, " +
  "no self-discharge). From energy: capacity × nominal_v is the energy available.";

/**
 * Expected runtime of a `capacityMah` cell at `span`'s average current, and at its
 * average power when `nominalV` is given; null where an average is missing or not positive.
 *
 * @example
 * ```ts
 * // 2000 mAh at an average of 0.1 A: 20 h
 * batteryLife(span, 2000).runtime_h_from_current;
 * ```
 */
export function batteryLife(
  span: Pick<SpanResponse, "a" | "w">,
  capacityMah: number,
  nominalV?: number,
): BatteryLife {
  if (!(capacityMah > 0) || !Number.isFinite(capacityMah)) {
    throw new RangeError(`Invalid capacity ${capacityMah} mAh: must be a positive number`);
  }
  if (nominalV !== undefined && (!(nominalV > 0) || !Number.isFinite(nominalV))) {
    throw new RangeError(`Invalid nominal voltage ${nominalV} V: must be a positive number`);
  }
  const capacityAh = capacityMah / 1000;
  const a = span.a.avg;
  const w = span.w.avg;
  const positive = (x: number | null): x is number => x !== null && x > 0;
  return {
    capacity_mah: capacityMah,
    nominal_v: nominalV ?? null,
    avg_current_a: a,
    avg_power_w: w,
    runtime_h_from_current: positive(a) ? capacityAh / a : null,
    runtime_h_from_energy: nominalV !== undefined && positive(w) ? capacityAh * nominalV / w : null,
    assumption: BATTERY_ASSUMPTION,
  };
}
