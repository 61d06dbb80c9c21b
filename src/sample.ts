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
  /** Sequence number: one more than the previous sample's, never skipping, continued across restarts. */
  seq: number;
  /** Bus voltage (V), current (A), power (W); all 0 when `status` is `error`. */
  v: number;
  /** Current (A); see `v`. */
  a: number;
  /** Power (W); see `v`. */
  w: number;
  /** Whether the reading worked (`ok`), failed (`error`) or hit a range limit (`overflow`). */
  status: SampleStatus;
  /** The source's mode when the sample was taken, e.g. `NORMAL`. */
  mode: string;
  /** Why the read failed; only on `error` samples. */
  error?: string;
}
