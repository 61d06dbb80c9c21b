/**
 * Recordings side by side: the figures of one channel of each, and each one's
 * differences from the first (absolute and in per cent). Pure.
 * @module
 */
import type { CompareFields, CompareResponse } from "../protocol/recordings.ts";
import type { SpanResponse } from "../protocol/span.ts";

/** The compared figures of one span. */
export function compareFields(span: SpanResponse): CompareFields {
  return {
    duration_ms: span.duration_ms,
    count: span.count,
    v_min: span.v.min,
    v_avg: span.v.avg,
    v_max: span.v.max,
    a_min: span.a.min,
    a_avg: span.a.avg,
    a_max: span.a.max,
    w_min: span.w.min,
    w_avg: span.w.avg,
    w_max: span.w.max,
    energy_j: span.energy_j,
    charge_c: span.charge_c,
  };
}

/** One compared recording: its id, name, the channel compared and that channel's span. */
export interface CompareInput {
  /** The recording's id. */
  id: number;
  /** Its name. */
  name: string;
  /** The channel compared. */
  channel: string;
  /** That channel's figures over the whole recording. */
  span: SpanResponse;
}

/**
 * The comparison of `inputs` (at least one): every item's figures and its deltas from
 * the first's (the first's own deltas are all 0 %).
 */
export function compare(inputs: readonly CompareInput[]): CompareResponse {
  if (inputs.length === 0) throw new RangeError("Nothing to compare: no recordings given");
  const base = compareFields(inputs[0].span);
  return {
    base_id: inputs[0].id,
    items: inputs.map((input) => {
      const figures = compareFields(input.span);
      const deltas: CompareResponse["items"][number]["deltas"] = {};
      for (const key of Object.keys(figures) as (keyof CompareFields)[]) {
        const x = figures[key];
        const b = base[key];
        const abs = x === null || b === null ? null : x - b;
        deltas[key] = { abs, pct: abs === null || b === 0 ? null : abs / Math.abs(b!) * 100 };
      }
      return { id: input.id, name: input.name, channel: input.channel, figures, deltas };
    }),
  };
}
