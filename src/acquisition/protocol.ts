/**
 * The messages between the main thread and the acquisition Worker
 * ({@link ./worker.ts}, {@link ./client.ts}): commands with a request id, each
 * answered by one acknowledgement, batches of timestamped readings, and a
 * heartbeat every {@link HEARTBEAT_MS} ms, so a hung Worker shows.
 * @module
 */
import type { Config } from "../config.ts";
import type { Reading } from "../sources/source.ts";

/** The settings the Worker builds the INA219 driver from: plain data, cloneable. */
export type Ina219Settings = Pick<
  Config,
  | "i2cBus"
  | "i2cEmulatedKhz"
  | "i2cAddress"
  | "shuntOhms"
  | "maxCurrentA"
  | "busVoltageRange"
  | "adcSamples"
  | "shuntRangeMv"
  | "mockSeed"
  | "mockMode"
  | "mockAutoRotateMs"
  | "sampleIntervalMs"
>;

/** A command to the Worker; `id` pairs it with its {@link Ack}. */
export type Command =
  | { id: number; cmd: "start"; settings: Ina219Settings }
  | { id: number; cmd: "stop" }
  | { id: number; cmd: "setMode"; mode: string }
  | { id: number; cmd: "setInterval"; intervalMs: number }
  | { id: number; cmd: "setAdc"; samples: number };

/** One reading (or failure) taken in the Worker at `tsMs`, with the mode then. */
export type WireEvent =
  | { tsMs: number; mode: string; reading: Reading; error?: undefined }
  | { tsMs: number; mode: string; error: string; reading?: undefined };

/** What the Worker posts. */
export type WorkerMessage =
  | { type: "ack"; id: number; ok: true; value?: unknown; details: Record<string, unknown> }
  | { type: "ack"; id: number; ok: false; name: string; message: string }
  | { type: "batch"; events: WireEvent[]; details?: Record<string, unknown> }
  | { type: "notice"; message: string }
  | { type: "heartbeat" };

/** How often the Worker posts a heartbeat, whatever else it does, in ms. */
export const HEARTBEAT_MS = 1000;
