/**
 * The contract between the sampler and anything that produces readings: the mock,
 * the INA219 on I2C (polled), and the v1 Arduino device over serial (pushes lines).
 * @module
 */
import type { SampleStatus } from "../protocol/common.ts";

/** One physical reading: bus voltage (V), current (A) and power (W). */
export interface Reading {
  /** Bus voltage in V. */
  v: number;
  /** Current in A. */
  a: number;
  /** Power in W. */
  w: number;
  /** `overflow` when the sensor hit its range limit; a failed read throws instead. */
  status: Exclude<SampleStatus, "error">;
}

/**
 * How a command to a device that answers (the Arduino's `ack`) failed: it said no
 * (`refused`, with its `reason`), said nothing in time (`timeout`), answered
 * something we cannot read (`garbled`), or was not there to ask (`gone`).
 */
export type DeviceCommandFailure = "refused" | "timeout" | "garbled" | "gone";

/** A device command that was not carried out; nothing changed on our side. */
export class DeviceCommandError extends Error {
  /** Names the error in logs and stack traces. */
  override name = "DeviceCommandError";
  /** Why the command failed, which picks the HTTP status. */
  readonly failure: DeviceCommandFailure;
  /** The device's own words (its `message`) or our account of what went wrong. */
  readonly reason: string;

  /** `message` becomes the HTTP error; `reason` the message of its issue. */
  constructor(failure: DeviceCommandFailure, message: string, reason: string) {
    super(message);
    this.failure = failure;
    this.reason = reason;
  }
}

/** A reading failed; the sampler turns it into an `error` sample with this text. */
export class SensorError extends Error {
  /** Names the error in logs and stack traces. */
  override name = "SensorError";
}

/** The ADC setting of a chip: samples averaged per conversion, and the time of a result. */
export interface AdcState {
  /** Samples averaged per conversion, 1–128, a power of two (`ADC_SAMPLES`). */
  adcSamples: number;
  /** The time of one result (an INA219's shunt + bus pair) in ms. */
  conversionTimeMs: number;
}

/**
 * What a push source hands the sampler: a reading taken at `tsMs`, or the text of
 * why there is none (it becomes an `error` sample).
 */
export type PushEvent =
  | { tsMs: number; reading: Reading; error?: undefined }
  | { tsMs: number; error: string; reading?: undefined };

/** A source of readings, driven by the sampler one tick at a time (or pushing its own). */
export interface Source {
  /** Configuration name: `mock`, `ina219` or `serial`. */
  readonly kind: string;
  /** The v1 protocol's `type` field of `/simulator/start`: `Mock`, `INA219`, `Serial`. */
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
  /**
   * True while the source rotates its modes by itself (the mock's demo; a manual
   * mode change stops it). Absent means never.
   */
  readonly autoRotate?: boolean;
  /** Connects; returns the status messages the device announces on connect. */
  open(): Promise<string[]>;
  /** Reads one sample for instant `tsMs`; throws {@link SensorError} on failure. */
  read(tsMs: number): Reading | Promise<Reading>;
  /**
   * Switches the device mode; throws `RangeError` for an unknown one. A device that
   * answers its commands returns a promise that resolves once it acknowledged the
   * change (and {@link Source.mode} shows it) and rejects with a
   * {@link DeviceCommandError} when it did not.
   */
  setMode(mode: string): void | Promise<void>;
  /** Releases the device. */
  close(): Promise<void>;
  /** Source-specific facts for `/status`. */
  details(): Record<string, unknown>;
  /**
   * Present on a device with its own clock (the Arduino prints lines at its own
   * interval): instead of ticking, the sampler hands over `emit` after `open()` and
   * numbers whatever arrives; `read()` is then never called. The source stops
   * emitting in `close()`.
   */
  listen?(emit: (event: PushEvent) => void): void;
  /**
   * Present when the device keeps the interval itself: the sampler forwards
   * interval changes here; resolves when the device acknowledged it, rejects with a
   * {@link DeviceCommandError} (and keeps the interval it had) when it did not.
   */
  setIntervalMs?(intervalMs: number): Promise<void>;
  /**
   * Present with {@link Source.setIntervalMs}: the interval the device last
   * confirmed (or, before it ever answered, the one it will be sent).
   */
  readonly intervalMs?: number;
  /** Start-up advice for this sample interval (e.g. shorter than a conversion). */
  warnings?(intervalMs: number): string[];
  /**
   * Present on a chip with an ADC setting (the INA219): sets the samples averaged
   * per conversion; resolves with the setting in force once the device took it.
   * Throws (or rejects with) `RangeError` for a count it cannot take, nothing
   * changed; rejects with a {@link DeviceCommandError} when the device did not answer.
   */
  setAdcSamples?(samples: number): Promise<AdcState>;
}

/** Rounds to 3 decimals, as the v1 device does. */
export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
