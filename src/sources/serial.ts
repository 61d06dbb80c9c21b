/**
 * The v1 Arduino device on a serial port as a push {@link Source}: the device prints
 * JSON lines at its own interval, each measurement becomes one sample (our `seq`,
 * the device's kept as `device_seq`), commands go out as JSON lines matched to
 * their `ack`, and an unplugged cable means error samples and a reopen with backoff.
 * @module
 */
import { type Clock, systemClock, type TimerId } from "../clock.ts";
import {
  DEVICE_INTERVAL_MS,
  type DeviceCommand,
  type DeviceLine,
  type DeviceMeasurement,
  LineSplitter,
  parseDeviceLine,
} from "./arduino_protocol.ts";
import { Backoff, type BackoffOptions, secondsText } from "./backoff.ts";
import { DeviceCommands, gone } from "./device_commands.ts";
import { MODES } from "./mock.ts";
import { type PortLike, SerialPort } from "./serial_port.ts";
import { type PushEvent, type Reading, SensorError, type Source } from "./source.ts";

/** Options of {@link SerialSource}. */
export interface SerialOptions {
  /** The serial device, e.g. `/dev/ttyACM0`. */
  path: string;
  /** Line speed (default 115200). */
  baud?: number;
  /** The device's interval, sent as `set_interval` whenever it starts talking. */
  intervalMs?: number;
  /** Receives the device's status lines and command outcomes. */
  onNotice?: (message: string) => void;
  /** Time and timers (default the system clock). */
  clock?: Clock;
  /** How often the port is polled (default 10 ms). */
  pollMs?: number;
  /** How long a command waits for the device's acknowledgement (default 2 s). */
  ackTimeoutMs?: number;
  /** No measurement for this long is a failure (default 2 intervals + 3 s: an Arduino reboots when the port opens). */
  silenceMs?: number;
  /** Delays between attempts to reopen a failing port. */
  backoff?: BackoffOptions;
  /** Opens the port (default {@link SerialPort.open}); tests pass a fake device. */
  openPort?: (path: string, baud: number) => PortLike;
}

/** The v1 Arduino device over serial. */
export class SerialSource implements Source {
  readonly kind = "serial";
  readonly type = "Serial";
  readonly backfill = false;
  readonly modes: readonly string[] = MODES;
  /** The serial device path. */
  readonly path: string;
  /** Line speed in baud. */
  readonly baud: number;
  #mode = "NORMAL";
  #intervalMs: number;
  #clock: Clock;
  #options: SerialOptions;
  #backoff: Backoff;
  #onNotice: (message: string) => void;
  #port: PortLike | undefined;
  #emit: ((event: PushEvent) => void) | undefined;
  #timer: TimerId | undefined;
  #running = false;
  #splitter = new LineSplitter();
  #commands: DeviceCommands;
  #greeted = false;
  #lastDataMs = 0;
  #nextErrorMs: number | undefined;
  #lastError: string | undefined;
  #device: { seq?: number; uptimeMs?: number; status?: object } = {};
  #counts = { lines: 0, garbage_lines: 0, device_seq_missed: 0, device_restarts: 0, opens: 0 };

  /** Opens nothing yet: the port is opened by {@link SerialSource.open} and reopened after failures. */
  constructor(options: SerialOptions) {
    this.#options = options;
    this.path = options.path;
    this.baud = options.baud ?? 115_200;
    this.#intervalMs = options.intervalMs ?? 1000;
    this.#clock = options.clock ?? systemClock;
    this.#backoff = new Backoff(options.backoff);
    this.#onNotice = options.onNotice ?? (() => {});
    this.#commands = new DeviceCommands(options.ackTimeoutMs);
  }

  /** The mode in the device's latest measurement. */
  get mode(): string {
    return this.#mode;
  }

  open(): Promise<string[]> {
    this.#running = true;
    this.#backoff.succeed();
    const error = this.#connect();
    return Promise.resolve([
      `Serial device on ${this.path} at ${this.baud} baud`,
      error
        ? `Serial port not ready: ${error}`
        : `Serial port ${this.path} open - waiting for the device`,
    ]);
  }

  listen(emit: (event: PushEvent) => void): void {
    this.#emit = emit;
    this.#schedule();
  }

  close(): Promise<void> {
    this.#running = false;
    this.#emit = undefined;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#disconnect("the serial source was closed");
    return Promise.resolve();
  }

  read(): Promise<Reading> {
    return Promise.reject(
      new SensorError("The serial source pushes its readings: nothing to poll"),
    );
  }

  /**
   * Sends `set_mode`; resolves once the device acknowledged it (its mode is then
   * {@link SerialSource.mode}), rejects with its refusal, a timeout or why it could
   * not be asked. Either way a status notice says what happened.
   */
  setMode(mode: string): Promise<void> {
    if (!this.modes.includes(mode)) {
      throw new RangeError(`Unknown mode "${mode}": expected one of ${this.modes.join(", ")}`);
    }
    return this.#command("set_mode", mode).then(
      () => {
        this.#mode = mode;
        this.#onNotice(`Device mode set to ${mode}`);
      },
      (error: Error) => {
        this.#onNotice(`Device mode not changed: ${error.message}`);
        throw error;
      },
    );
  }

  /**
   * Sends `set_interval`; the device decides (the v1 device takes 100–10000 ms). The
   * interval becomes {@link SerialSource.intervalMs} only once it acknowledged it.
   */
  async setIntervalMs(intervalMs: number): Promise<void> {
    await this.#command("set_interval", intervalMs);
    this.#intervalMs = intervalMs;
  }

  /** The interval the device last confirmed (before it ever answered: the one it will get). */
  get intervalMs(): number {
    return this.#intervalMs;
  }

  warnings(intervalMs: number): string[] {
    const { min, max } = DEVICE_INTERVAL_MS;
    if (intervalMs >= min && intervalMs <= max) return [];
    return [
      `SAMPLE_INTERVAL_MS ${intervalMs} is outside the device's ${min}–${max} ms: it keeps its own interval`,
    ];
  }

  details(): Record<string, unknown> {
    const now = this.#clock.now();
    return {
      port: this.path,
      baud: this.baud,
      state: !this.#running
        ? "closed"
        : !this.#port
        ? "retrying"
        : this.#trouble(now)
        ? "silent"
        : "ok",
      device_interval_ms: this.#intervalMs,
      device_seq: this.#device.seq ?? null,
      device_uptime_ms: this.#device.uptimeMs ?? null,
      device_status: this.#device.status ?? null,
      ...this.#counts,
      overlong_lines: this.#splitter.overlong,
      last_error: this.#lastError ?? null,
      retry_in_s: this.#running && !this.#port ? this.#backoff.waitMs(now) / 1000 : null,
    };
  }

  /** Opens the port; returns why it failed, if it did. */
  #connect(): string | undefined {
    try {
      this.#port = (this.#options.openPort ?? SerialPort.open)(this.path, this.baud);
    } catch (error) {
      return this.#fail(error);
    }
    this.#counts.opens++;
    this.#splitter.reset();
    this.#greeted = false;
    this.#lastDataMs = this.#clock.now();
    return undefined;
  }

  #fail(error: unknown): string {
    this.#lastError = error instanceof Error ? error.message : String(error);
    this.#disconnect(this.#lastError);
    const delayMs = this.#backoff.fail(this.#clock.now());
    return `${this.#lastError}; retrying in ${secondsText(delayMs)}`;
  }

  #disconnect(why: string): void {
    this.#port?.close();
    this.#port = undefined;
    this.#greeted = false;
    this.#commands.rejectAll(why);
  }

  #schedule(): void {
    if (!this.#running) return;
    this.#timer = this.#clock.setTimeout(() => this.#poll(), this.#options.pollMs ?? 10);
  }

  #poll(): void {
    this.#timer = undefined;
    const now = this.#clock.now();
    if (this.#port) {
      try {
        // A bounded drain per poll, so a flood cannot starve the server.
        for (let i = 0, chunk = this.#port.read(); chunk && i < 64; i++) {
          for (const line of this.#splitter.push(chunk)) this.#handle(line, now);
          chunk = this.#port?.read();
        }
      } catch (error) {
        this.#fail(error);
      }
    } else if (this.#backoff.due(now) && this.#connect() === undefined) {
      this.#onNotice(`Serial port ${this.path} open - waiting for the device`);
    }
    this.#commands.expire(now);
    this.#reportTrouble(now);
    this.#schedule();
  }

  /** Why no readings arrive, if they do not. */
  #trouble(now: number): string | undefined {
    if (!this.#port) {
      return `${this.#lastError}; retrying in ${secondsText(this.#backoff.waitMs(now))}`;
    }
    const silentMs = now - this.#lastDataMs;
    if (silentMs <= (this.#options.silenceMs ?? 2 * this.#intervalMs + 3000)) return undefined;
    const garbage = this.#counts.garbage_lines + this.#splitter.overlong;
    return `No measurement from the device on ${this.path} for ${secondsText(silentMs)}: ` +
      `check that its sketch runs and that SERIAL_BAUD (${this.baud}) matches` +
      (garbage > 0 ? ` (${garbage} unreadable lines so far)` : "");
  }

  /** One error sample per interval while the device is gone or silent. */
  #reportTrouble(now: number): void {
    const text = this.#trouble(now);
    if (text === undefined) return void (this.#nextErrorMs = undefined);
    this.#nextErrorMs ??= now;
    if (now < this.#nextErrorMs) return;
    this.#nextErrorMs = Math.max(this.#nextErrorMs + this.#intervalMs, now);
    this.#emit?.({ tsMs: now, error: text });
  }

  #handle(line: string, now: number): void {
    if (line.trim() === "") return;
    this.#counts.lines++;
    const parsed: DeviceLine = parseDeviceLine(line);
    if (parsed.kind === "garbage") this.#counts.garbage_lines++;
    else if (parsed.kind === "ack") this.#commands.settle(parsed);
    else if (parsed.kind === "status") {
      this.#greet();
      this.#onNotice(parsed.message);
    } else this.#measurement(parsed, now);
  }

  #measurement(m: DeviceMeasurement, now: number): void {
    const last = this.#device.seq;
    if (last !== undefined && m.deviceSeq <= last) {
      this.#counts.device_restarts++;
      this.#greeted = false; // it forgot our interval
    } else if (last !== undefined) this.#counts.device_seq_missed += m.deviceSeq - last - 1;
    this.#greet();
    this.#device.seq = m.deviceSeq;
    this.#device.uptimeMs = Number.isNaN(m.deviceTsMs) ? undefined : m.deviceTsMs;
    if (m.mode) this.#mode = m.mode;
    this.#lastDataMs = now;
    this.#nextErrorMs = undefined;
    if (m.status === "error") {
      this.#emit?.({
        tsMs: now,
        error: `The device reported a sensor failure (device seq ${m.deviceSeq})`,
      });
    } else this.#emit?.({ tsMs: now, reading: { v: m.v, a: m.a, w: m.w, status: m.status } });
  }

  /** Once the device talks: give it our interval and ask for its status. */
  #greet(): void {
    if (this.#greeted) return;
    this.#greeted = true;
    const interval = this.#intervalMs;
    if (this.warnings(interval).length === 0) {
      this.#command("set_interval", interval).catch((error: Error) =>
        this.#onNotice(`Device interval not set to ${interval} ms: ${error.message}`)
      );
    }
    this.#command("get_status").then(
      (body) => this.#adopt(body),
      (error: Error) => this.#onNotice(`Device status not read: ${error.message}`),
    );
  }

  /** The device's `get_status` answer is the truth about its interval and mode. */
  #adopt(body: object): void {
    this.#device.status = body;
    const { interval, mode } = body as Record<string, unknown>;
    if (Number.isInteger(interval) && (interval as number) >= 1) {
      this.#intervalMs = interval as number;
    }
    if (typeof mode === "string" && mode !== "") this.#mode = mode;
  }

  /** Sends a command once the device talks; a closed port or a silent device is `gone`. */
  #command(cmd: DeviceCommand, value?: number | string): Promise<object> {
    const port = this.#port;
    const what = value === undefined ? cmd : `${cmd} ${value}`;
    if (!port) {
      const why = this.#running
        ? `the serial port ${this.path} is not open`
        : "sampling is stopped";
      return Promise.reject(gone(what, why));
    }
    // An Arduino reboots when its port opens and loses what arrives meanwhile.
    if (!this.#greeted) {
      return Promise.reject(
        gone(what, `the device on ${this.path} has not spoken since the port opened`),
      );
    }
    return this.#commands.send((line) => port.write(line), this.#clock.now(), cmd, value);
  }
}
