/**
 * The sample every layer shares: one numbered reading (or failed read) as the sampler
 * hands it to the store, the hub and the analysis.
 * @module
 */
import type { SampleStatus } from "./protocol/common.ts";

/** One numbered sample, as broadcast and stored. */
export interface Sample {
  /** Unix time of the reading in ms. */
  tsMs: number;
  seq: number;
  /** Bus voltage (V), current (A), power (W); all 0 when `status` is `error`. */
  v: number;
  a: number;
  w: number;
  status: SampleStatus;
  mode: string;
  /** Why the read failed; only on `error` samples. */
  error?: string;
}
