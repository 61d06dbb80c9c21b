/**
 * The v1 Arduino line protocol, pure: bytes → lines, lines →
 * measurements, status messages and command acknowledgements; commands → lines.
 * @module
 */
import type { SampleStatus } from "../protocol/common.ts";

/** A measurement line: `{"v":5.012,"a":0.213,"w":1.068,"ts":<ms>,"seq":<n>,"status":"ok","mode":"NORMAL"}`. */
export interface DeviceMeasurement {
  /** Tells a measurement from the device's other lines. */
  kind: "measurement";
  /** Bus voltage in V. */
  v: number;
  /** Current in A. */
  a: number;
  /** Power in W. */
  w: number;
  /** The device's uptime in ms. */
  deviceTsMs: number;
  /** The device's own sequence number. */
  deviceSeq: number;
  /** The device's own verdict on the reading. */
  status: SampleStatus;
  /** The device's mode, when the line carries one. */
  mode: string | undefined;
}

/** What one line from the device means. */
export type DeviceLine =
  | DeviceMeasurement
  | { kind: "status"; message: string }
  | {
    kind: "ack";
    ack: number;
    ok: boolean;
    /** The `result` field as sent: `ok`, `error`, or anything else (an answer we cannot read). */
    result: unknown;
    message: string | undefined;
    body: object;
  }
  | { kind: "garbage"; reason: string };

/** The intervals the v1 device accepts (`set_interval`). */
export const DEVICE_INTERVAL_MS = { min: 100, max: 10_000 } as const;

/** Commands the device accepts. */
export type DeviceCommand = "set_interval" | "set_mode" | "get_status" | "reset";

const isNumber = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);

/** Understands one line (without its newline); anything else is `garbage`. */
export function parseDeviceLine(line: string): DeviceLine {
  let body: unknown;
  try {
    body = JSON.parse(line);
  } catch {
    return { kind: "garbage", reason: "not JSON" };
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { kind: "garbage", reason: "not a JSON object" };
  }
  const o = body as Record<string, unknown>;
  if (o.type === "status" && typeof o.message === "string") {
    return { kind: "status", message: o.message };
  }
  if (isNumber(o.ack)) {
    const message = typeof o.message === "string" ? o.message : undefined;
    return { kind: "ack", ack: o.ack, ok: o.result === "ok", result: o.result, message, body: o };
  }
  if (isNumber(o.v) && isNumber(o.a) && isNumber(o.w) && isNumber(o.seq)) {
    const status = o.status === "error" || o.status === "overflow" ? o.status : "ok";
    if (o.status !== undefined && o.status !== status) {
      return { kind: "garbage", reason: `unknown status ${JSON.stringify(o.status)}` };
    }
    return {
      kind: "measurement",
      v: o.v,
      a: o.a,
      w: o.w,
      deviceTsMs: isNumber(o.ts) ? o.ts : NaN,
      deviceSeq: o.seq,
      status,
      mode: typeof o.mode === "string" ? o.mode : undefined,
    };
  }
  return { kind: "garbage", reason: "neither a measurement, a status nor an ack" };
}

/** One command line: `{"cmd":"set_interval","value":1000,"seq":1}` and a newline. */
export function encodeCommand(cmd: DeviceCommand, seq: number, value?: number | string): string {
  return JSON.stringify(value === undefined ? { cmd, seq } : { cmd, value, seq }) + "\n";
}

/**
 * Splits a byte stream into lines: keeps a partial line for the next chunk, drops
 * `\r`, decodes UTF-8 across chunk borders, and discards a line that grows past
 * `maxLineChars` (a device printing at the wrong baud rate never sends `\n`).
 */
export class LineSplitter {
  #decoder = new TextDecoder();
  #partial = "";
  #discarding = false;
  /** Longer lines are dropped whole rather than kept growing. */
  readonly maxLineChars: number;
  /** Lines dropped for being too long. */
  overlong = 0;

  /** Drops lines longer than `maxLineChars`. */
  constructor(maxLineChars = 4096) {
    this.maxLineChars = maxLineChars;
  }

  /** The complete lines `bytes` finished. */
  push(bytes: Uint8Array): string[] {
    const parts = (this.#partial + this.#decoder.decode(bytes, { stream: true })).split("\n");
    this.#partial = parts.pop()!;
    const lines: string[] = [];
    for (const part of parts) {
      if (this.#discarding) this.#discarding = false;
      else if (part.length > this.maxLineChars) this.overlong++;
      else lines.push(part.replace(/\r$/, ""));
    }
    if (this.#partial.length > this.maxLineChars) {
      if (!this.#discarding) this.overlong++;
      this.#partial = "";
      this.#discarding = true;
    }
    return lines;
  }

  /** Forgets any partial line (a new connection starts clean). */
  reset(): void {
    this.#decoder = new TextDecoder();
    this.#partial = "";
    this.#discarding = false;
  }
}
