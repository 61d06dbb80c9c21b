/**
 * The arithmetic of derived channels, pure: one derived sample from one sample of each
 * input (efficiency: P_out / P_in and the loss; sum: total power), and the sample type
 * that carries the result through statistics, alerts and the wire like a measured one.
 * @module
 */
import type { DerivedChannelConfig } from "../channels.ts";
import type { DerivedKind } from "../protocol/derived.ts";
import type { Sample } from "../sample.ts";

/** The `mode` every derived sample carries (a derived channel has no device mode). */
export const DERIVED_MODE = "DERIVED";

/**
 * A derived channel's sample: a {@link Sample} (so the analyzer, alert rules and the
 * hub take it as they are) whose `v`/`a`/`w` are defined per kind, plus the extras.
 *
 * - efficiency: `v`, `a`, `w` are the output's V, A and P_out; `efficiency` = P_out / P_in
 *   (null when P_in ≤ 0), `lossW` = P_in − P_out, `pInW` = P_in.
 * - sum: `w` = Σ power, `a` = Σ current, `v` = the mean of the inputs' voltages.
 *
 * On an `error` sample `v`/`a`/`w`/`lossW`/`pInW` are 0 and `efficiency` null (not
 * measurements), and `error` names the input that made it one.
 */
export interface DerivedSample extends Sample {
  /** How it was computed; marks it as never measured. */
  derived: DerivedKind;
  /** Efficiency only: P_out / P_in as measured (not clamped), null when P_in ≤ 0. */
  efficiency?: number | null;
  /** Efficiency only: P_in − P_out (W). */
  lossW?: number;
  /** Efficiency only: P_in (W). */
  pInW?: number;
}

/** The inputs of a derived channel, in the order its configuration lists them. */
export function derivedInputs(config: DerivedChannelConfig): readonly string[] {
  return config.derived === "efficiency" ? [config.input, config.output] : config.inputs;
}

/**
 * P_out / P_in, or null when P_in ≤ 0 (no power in: the ratio means nothing). Not
 * clamped to 0–1: a value above 1 says the two channels disagree (calibration, shunt
 * values, swapped channels), which a clamp would hide.
 *
 * @example
 * ```ts
 * efficiencyOf(5, 3.96); // 0.792
 * ```
 */
export function efficiencyOf(pInW: number, pOutW: number): number | null {
  return pInW > 0 ? pOutW / pInW : null;
}

/** What one derived sample is computed from: a sample of each input, in input order. */
type Values = Pick<Sample, "v" | "a" | "w" | "status">;

/**
 * The measured fields of a derived sample from one `ok`/`overflow` sample of each
 * input, in {@link derivedInputs} order; `overflow` when any input hit a range limit.
 */
export function combine(
  config: DerivedChannelConfig,
  inputs: readonly Values[],
): Pick<DerivedSample, "v" | "a" | "w" | "status" | "efficiency" | "lossW" | "pInW"> {
  const status = inputs.some((s) => s.status === "overflow") ? "overflow" : "ok";
  if (config.derived === "efficiency") {
    const [input, output] = inputs;
    return {
      v: output.v,
      a: output.a,
      w: output.w,
      status,
      efficiency: efficiencyOf(input.w, output.w),
      lossW: input.w - output.w,
      pInW: input.w,
    };
  }
  let v = 0, a = 0, w = 0;
  for (const s of inputs) {
    v += s.v;
    a += s.a;
    w += s.w;
  }
  return { v: v / inputs.length, a, w, status };
}

/** An error sample of a derived channel (every figure 0, efficiency null). */
export function derivedError(
  config: DerivedChannelConfig,
  tsMs: number,
  error: string,
): Omit<DerivedSample, "seq"> {
  const sample: Omit<DerivedSample, "seq"> = {
    tsMs,
    v: 0,
    a: 0,
    w: 0,
    status: "error",
    mode: DERIVED_MODE,
    error,
    derived: config.derived,
  };
  if (config.derived === "efficiency") {
    sample.efficiency = null;
    sample.lossW = 0;
    sample.pInW = 0;
  }
  return sample;
}
