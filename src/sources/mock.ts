/**
 * The mock INA219 device of the v1 protocol: five modes with their value ranges, the
 * demo auto-rotation, and ERROR_TEST as a sensor failure. Seeded, clock-free:
 * every value is a function of the requested instant and the random stream.
 * @module
 */
import { DEVICE_MODES, type DeviceMode } from "../protocol/device_modes.ts";
import { type Reading, round3, SensorError, type Source } from "./source.ts";

/** Every mode of the v1 mock (the v1 protocol's device modes), in `/status` order. */
export const MODES: readonly Mode[] = DEVICE_MODES;

/** A mock mode. */
export type Mode = DeviceMode;

/** The v1 mock's demo rotation (ERROR_TEST is never entered automatically). */
const ROTATION: readonly Mode[] = [
  "NORMAL",
  "LOAD_SPIKE",
  "VOLTAGE_DROP",
  "NOISE",
];

/** The status messages the v1 simulator sends when it connects. */
export function startupMessages(mode: string): string[] {
  return [
    "INA219 Power Monitoring Simulator",
    "JSON Protocol v1.0",
    `Simulation Mode: ${mode}`,
    "Simulator ready - Starting measurements...",
  ];
}

/**
 * mulberry32: a small, fast 32-bit seeded generator; the mock needs
 * reproducibility, not cryptographic quality. Returns values in [0, 1).
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Options of {@link MockSource}. */
export interface MockOptions {
  /** Seed of the random stream; random when omitted. */
  seed?: number;
  /** Initial mode (default NORMAL). */
  mode?: Mode;
  /** Rotate modes every this many ms of sample time; 0 = never. */
  autoRotateMs?: number;
  /** Receives device status messages such as "Auto mode change: NOISE". */
  onNotice?: (message: string) => void;
}

/** The v1 mock device as a {@link Source}. */
export class MockSource implements Source {
  readonly kind = "mock";
  readonly type = "Mock";
  readonly backfill = true;
  readonly modes: readonly string[] = MODES;
  #mode: Mode;
  #random: () => number;
  #autoRotateMs: number;
  #rotationStartMs: number | undefined;
  #onNotice: (message: string) => void;
  #seed: number;

  /** A seeded simulator; the seed is random unless `options.seed` fixes it. */
  constructor(options: MockOptions = {}) {
    this.#seed = options.seed ?? Math.floor(Math.random() * 2 ** 32);
    this.#random = seededRandom(this.#seed);
    this.#mode = options.mode ?? "NORMAL";
    this.#autoRotateMs = options.autoRotateMs ?? 0;
    this.#onNotice = options.onNotice ?? (() => {});
  }

  get mode(): Mode {
    return this.#mode;
  }

  /** Whether the demo rotation is on; a manual mode change turns it off. */
  get autoRotate(): boolean {
    return this.#autoRotateMs > 0;
  }

  open(): Promise<string[]> {
    this.#rotationStartMs = undefined;
    return Promise.resolve(startupMessages(this.#mode));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Sets the mode and stops the demo rotation, so the chosen mode stays. */
  setMode(mode: string): void {
    if (!(MODES as readonly string[]).includes(mode)) {
      throw new RangeError(
        `Unknown mode "${mode}": expected one of ${MODES.join(", ")}`,
      );
    }
    this.#mode = mode as Mode;
    this.#autoRotateMs = 0;
    this.#onNotice(`Simulation Mode: ${mode}`);
  }

  read(tsMs: number): Reading {
    const signal = this.signal(tsMs);
    const v = round3(signal.v);
    const a = round3(signal.a);
    return { v, a, w: round3(v * a), status: "ok" };
  }

  /**
   * The analog values at `tsMs` before the v1 device's rounding (clamped at 0): what
   * the emulated INA219 measures. Advances the rotation and the random stream.
   * @throws {SensorError} in ERROR_TEST.
   */
  signal(tsMs: number): { v: number; a: number } {
    this.#rotate(tsMs);
    const u = (spread: number) => (this.#random() * 2 - 1) * spread;
    let v: number, a: number;
    switch (this.#mode) {
      case "NORMAL":
        v = 5.0 + u(0.05);
        a = 0.2 + 0.1 * Math.sin(2 * Math.PI * tsMs / 10_000) + u(0.02);
        break;
      case "LOAD_SPIKE":
        v = 5.0 - (0.3 + this.#random() * 0.2);
        a = 0.8 + this.#random() * 0.2;
        break;
      case "VOLTAGE_DROP":
        v = 4.2 + u(0.1);
        a = 0.35 + u(0.05);
        break;
      case "NOISE":
        v = 5.0 + u(0.2);
        a = 0.2 + u(0.1);
        break;
      case "ERROR_TEST":
        throw new SensorError("Sensor failure: ERROR_TEST mode");
    }
    return { v: Math.max(0, v), a: Math.max(0, a) };
  }

  details(): Record<string, unknown> {
    return { seed: this.#seed, auto_rotate_s: this.#autoRotateMs / 1000 };
  }

  #rotate(tsMs: number): void {
    if (this.#autoRotateMs <= 0) return;
    this.#rotationStartMs ??= tsMs;
    if (tsMs - this.#rotationStartMs < this.#autoRotateMs) return;
    this.#rotationStartMs = tsMs;
    const i = ROTATION.indexOf(this.#mode);
    this.#mode = ROTATION[(i + 1) % ROTATION.length];
    this.#onNotice(`Auto mode change: ${this.#mode}`);
  }
}
