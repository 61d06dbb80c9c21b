/**
 * The contract between the sampler and anything that produces readings: the mock,
 * and later real sensors.
 * @module
 */

/** Status of one sample on the wire: `error` samples carry no measurement. */
export type SampleStatus = "ok" | "error" | "overflow";

/** One physical reading: bus voltage (V), current (A) and power (W). */
export interface Reading {
  v: number;
  a: number;
  w: number;
  status: "ok" | "overflow";
}

/** A reading failed; the sampler turns it into an `error` sample with this text. */
export class SensorError extends Error {
  override name = "SensorError";
}

/** A source of readings, driven by the sampler one tick at a time. */
export interface Source {
  /** Configuration name: `mock`. */
  readonly kind: string;
  /** The seed's `type` field of `/simulator/start`: `Mock`. */
  readonly type: string;
  /**
   * True when the source can produce a reading for a past instant, so a late timer
   * yields every tick that came due (the mock); false for real hardware, which can
   * only be read now.
   */
  readonly backfill: boolean;
  /** The device mode reported in every measurement. */
  readonly mode: string;
  /** Modes {@link Source.setMode} accepts. */
  readonly modes: readonly string[];
  /** Connects; returns the status messages the device announces on connect. */
  open(): Promise<string[]>;
  /** Reads one sample for instant `tsMs`; throws {@link SensorError} on failure. */
  read(tsMs: number): Reading | Promise<Reading>;
  /** Switches the device mode; throws `RangeError` for an unknown one. */
  setMode(mode: string): void;
  /** Releases the device. */
  close(): Promise<void>;
  /** Source-specific facts for `/status`. */
  details(): Record<string, unknown>;
}

/** Rounds to 3 decimals, as the seed's device did. */
export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
