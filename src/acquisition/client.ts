/**
 * The main thread's side of the acquisition Worker: a push-mode {@link Source}
 * for the INA219 whose device I/O all runs in {@link ./worker.ts}. Readings come in
 * batches with the Worker's timestamps and go to the sampler, which numbers them
 * (seq stays assigned in one place). Commands are messages answered by an
 * acknowledgement (or a timeout). A Worker that crashes or exits becomes an
 * `error` sample (so a "Sensor error" status message) and is started again after
 * the sensor backoff (1 s, 2 s, … 30 s), never a dead monitor. So does a Worker
 * that posts nothing, not even its heartbeat, for {@link HANG_MS} ms: it is hung.
 * @module
 */
import { type Clock, systemClock, type TimerId } from "../clock.ts";
import { Backoff, type BackoffOptions, secondsText } from "../sources/backoff.ts";
import { buildIna219 } from "../sources/create.ts";
import type { Ina219Source } from "../sources/ina219.ts";
import { adcForSamples } from "../sources/ina219_registers.ts";
import {
  type AdcState,
  DeviceCommandError,
  type PushEvent,
  type Source,
} from "../sources/source.ts";
import type { Command, Ina219Settings, WorkerMessage } from "./protocol.ts";

/**
 * How long the Worker may post nothing (it heartbeats every second) before it
 * counts as hung and is ended and started again, in ms.
 */
export const HANG_MS = 5000;

/** The part of a `Worker` the client uses; tests pass a fake one. */
export interface WorkerLike {
  /** Sends a command to the Worker. */
  postMessage(message: Command): void;
  /** Ends the Worker at once. */
  terminate(): void;
  /** Receives what the Worker posts. */
  onmessage: ((event: MessageEvent<WorkerMessage>) => void) | null;
  /** Receives an uncaught error of the Worker (it is then ended). */
  onerror: ((event: ErrorEvent) => void) | null;
}

/** Options of {@link AcquisitionClient}. */
export interface AcquisitionClientOptions {
  /** Receives the driver's status messages (mode changes, chip resets). */
  onNotice?: (message: string) => void;
  /** Starts a Worker (default: {@link startWorker}). */
  spawn?: () => WorkerLike;
  /** How long a command waits for its acknowledgement (default 5000 ms). */
  commandTimeoutMs?: number;
  /** Delays before a crashed Worker is started again. */
  backoff?: BackoffOptions;
  /** Silence after which the Worker counts as hung (default {@link HANG_MS}). */
  hangMs?: number;
  /** Time and timers: command timeouts, restarts, the hang watchdog (default the system's). */
  clock?: Clock;
}

/**
 * The Worker script: `./worker.ts` beside this module, or in the bundle
 * (`dist/ina219-monitor.js`, which cannot load TypeScript) the worker bundled
 * beside it, `dist/acquisition-worker.js` (tools/bundle.ts).
 */
export const WORKER_URL = new URL(
  import.meta.url.endsWith(".ts") ? "./worker.ts" : "./acquisition-worker.js",
  import.meta.url,
);

/** Starts the acquisition Worker. */
export function startWorker(): WorkerLike {
  return new Worker(WORKER_URL, { type: "module" }) as unknown as WorkerLike;
}

type CommandBody = Command extends infer C ? C extends Command ? Omit<C, "id"> : never : never;

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: TimerId;
}

/** The INA219, read in the acquisition Worker. */
export class AcquisitionClient implements Source {
  readonly kind = "ina219";
  readonly type = "INA219";
  readonly backfill = false;
  readonly modes: readonly string[];
  #settings: Ina219Settings;
  #shadow: Ina219Source;
  #onNotice: (message: string) => void;
  #spawn: () => WorkerLike;
  #timeoutMs: number;
  #backoff: Backoff;
  #clock: Clock;
  #hangMs: number;
  #worker: WorkerLike | undefined;
  #lastMessageMs = 0;
  #watchdog: TimerId | undefined;
  #emit: ((event: PushEvent) => void) | undefined;
  #pending = new Map<number, Pending>();
  #nextId = 1;
  #open = false;
  #restartTimer: TimerId | undefined;
  #restarts = 0;
  #lastCrash: string | undefined;
  #mode: string;
  #autoRotate: boolean;
  #intervalMs: number;
  #details: Record<string, unknown> | undefined;

  /**
   * Checks the settings (by building the driver it never opens here).
   * @throws {RangeError} for an address, shunt or current the chip cannot take.
   */
  constructor(settings: Ina219Settings, options: AcquisitionClientOptions = {}) {
    // One seed for the Worker's emulated input and the details shown before it answers.
    this.#settings = {
      ...settings,
      mockSeed: settings.mockSeed ?? Math.floor(Math.random() * 2 ** 32),
    };
    this.#shadow = buildIna219(this.#settings);
    this.modes = this.#shadow.modes;
    this.#mode = this.#shadow.mode;
    this.#autoRotate = this.#shadow.autoRotate;
    this.#intervalMs = settings.sampleIntervalMs;
    this.#onNotice = options.onNotice ?? (() => {});
    this.#spawn = options.spawn ?? startWorker;
    this.#timeoutMs = options.commandTimeoutMs ?? 5000;
    this.#backoff = new Backoff(options.backoff);
    this.#clock = options.clock ?? systemClock;
    this.#hangMs = options.hangMs ?? HANG_MS;
  }

  /** The mode of the latest reading (the emulated input's), or NORMAL. */
  get mode(): string {
    return this.#mode;
  }

  /** Whether the emulated input rotates its modes. */
  get autoRotate(): boolean {
    return this.#autoRotate;
  }

  /** The interval the Worker confirmed. */
  get intervalMs(): number {
    return this.#intervalMs;
  }

  /** Starts the Worker and the driver in it; returns the driver's start-up lines. */
  async open(): Promise<string[]> {
    this.#open = true;
    this.#backoff.succeed();
    try {
      return await this.#startWorker();
    } catch (error) {
      const message = (error as Error).message;
      if (this.#worker) this.#crashed(this.#worker, message); // hung: end it, start anew
      return [`INA219 not ready: ${message}`];
    }
  }

  /** Never called: readings are pushed (see {@link AcquisitionClient.listen}). */
  read(): never {
    throw new Error("AcquisitionClient pushes its readings: use listen()");
  }

  listen(emit: (event: PushEvent) => void): void {
    this.#emit = emit;
  }

  /** Stops the driver (it releases the device) and ends the Worker. */
  async close(): Promise<void> {
    this.#open = false;
    this.#emit = undefined;
    if (this.#restartTimer !== undefined) this.#clock.clearTimeout(this.#restartTimer);
    this.#restartTimer = undefined;
    const worker = this.#worker;
    if (!worker) return;
    try {
      await this.#command({ cmd: "stop" });
    } catch {
      // A Worker that does not answer is ended all the same.
    }
    this.#end(worker);
  }

  /** Switches the emulated input's mode; resolves once the Worker did. */
  async setMode(mode: string): Promise<void> {
    this.#shadow.setMode(mode); // throws RangeError for an unknown mode
    await this.#command({ cmd: "setMode", mode });
    this.#mode = mode;
    this.#autoRotate = false;
  }

  /** Changes the Worker's read interval; resolves once it confirmed. */
  async setIntervalMs(intervalMs: number): Promise<void> {
    await this.#command({ cmd: "setInterval", intervalMs });
    this.#intervalMs = intervalMs;
    this.#settings = { ...this.#settings, sampleIntervalMs: intervalMs };
  }

  /**
   * Sets the INA219's samples per conversion (1–128, a power of two); resolves with
   * the setting once the Worker's driver wrote it. A Worker started later gets it too.
   * @throws {RangeError} for another count; nothing is sent then.
   */
  async setAdcSamples(samples: number): Promise<AdcState> {
    adcForSamples(samples); // throws RangeError
    const state = await this.#command({ cmd: "setAdc", samples }) as AdcState;
    await this.#shadow.setAdcSamples(samples); // never opened: no bus traffic
    this.#settings = { ...this.#settings, adcSamples: samples };
    return state;
  }

  /** Start-up advice: an interval shorter than the conversion time. */
  warnings(intervalMs: number): string[] {
    return this.#shadow.warnings(intervalMs);
  }

  /** The driver's facts as the Worker last reported them, and the Worker's. */
  details(): Record<string, unknown> {
    return {
      ...(this.#details ?? this.#shadow.details()),
      thread: "worker",
      worker_restarts: this.#restarts,
      worker_last_crash: this.#lastCrash ?? null,
    };
  }

  async #startWorker(): Promise<string[]> {
    const worker = this.#spawn();
    this.#worker = worker;
    worker.onmessage = (event) => this.#onMessage(worker, event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      this.#crashed(worker, event.message ?? String(event.error));
    };
    const lines = await this.#command({ cmd: "start", settings: this.#settings });
    // Watched once started (loading the Worker's modules may take seconds; the start
    // command has its own timeout).
    if (worker === this.#worker) {
      this.#lastMessageMs = this.#clock.now();
      this.#watch(worker, this.#hangMs);
    }
    return lines as string[];
  }

  /** Checks in `delayMs` that `worker` posted something in the last {@link HANG_MS} ms. */
  #watch(worker: WorkerLike, delayMs: number): void {
    if (this.#watchdog !== undefined) this.#clock.clearTimeout(this.#watchdog);
    this.#watchdog = this.#clock.setTimeout(() => {
      this.#watchdog = undefined;
      if (worker !== this.#worker) return;
      const silentMs = this.#clock.now() - this.#lastMessageMs;
      if (silentMs < this.#hangMs) return this.#watch(worker, this.#hangMs - silentMs);
      this.#crashed(
        worker,
        `no message, not even a heartbeat, for ${secondsText(silentMs)}`,
        "hung",
      );
    }, delayMs);
  }

  #onMessage(worker: WorkerLike, message: WorkerMessage): void {
    if (worker !== this.#worker) return;
    this.#lastMessageMs = this.#clock.now();
    switch (message.type) {
      case "batch":
        if (message.details) this.#details = message.details;
        for (const event of message.events) {
          this.#mode = event.mode;
          this.#emit?.(
            event.reading
              ? { tsMs: event.tsMs, reading: event.reading }
              : { tsMs: event.tsMs, error: event.error },
          );
        }
        return;
      case "notice":
        this.#onNotice(message.message);
        return;
      case "heartbeat":
        return;
      case "ack": {
        const pending = this.#pending.get(message.id);
        if (!pending) return;
        this.#pending.delete(message.id);
        this.#clock.clearTimeout(pending.timer);
        if (message.ok) {
          this.#details = message.details;
          pending.resolve(message.value);
        } else {
          const error = message.name === "RangeError"
            ? new RangeError(message.message)
            : new DeviceCommandError("refused", message.message, message.message);
          pending.reject(error);
        }
      }
    }
  }

  #command(command: CommandBody): Promise<unknown> {
    const worker = this.#worker;
    if (!worker) {
      return Promise.reject(
        new DeviceCommandError("gone", "The acquisition thread is restarting", "not running"),
      );
    }
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = this.#clock.setTimeout(() => {
        this.#pending.delete(id);
        reject(
          new DeviceCommandError(
            "timeout",
            `The acquisition thread did not answer "${command.cmd}" within ${this.#timeoutMs} ms`,
            "no acknowledgement",
          ),
        );
      }, this.#timeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
      worker.postMessage({ ...command, id } as Command);
    });
  }

  #end(worker: WorkerLike): void {
    worker.onmessage = null;
    worker.onerror = null;
    worker.terminate();
    if (this.#worker === worker) this.#worker = undefined;
    if (this.#watchdog !== undefined) this.#clock.clearTimeout(this.#watchdog);
    this.#watchdog = undefined;
    for (const [id, pending] of this.#pending) {
      this.#clock.clearTimeout(pending.timer);
      pending.reject(
        new DeviceCommandError("gone", "The acquisition thread ended", "thread ended"),
      );
      this.#pending.delete(id);
    }
  }

  /** A crashed (or hung) Worker: an error sample now, a new Worker after the backoff. */
  #crashed(worker: WorkerLike, reason: string, what: "crashed" | "hung" = "crashed"): void {
    if (worker !== this.#worker) return;
    this.#end(worker);
    this.#lastCrash = what === "hung" ? `hung: ${reason}` : reason;
    const delayMs = this.#backoff.fail(this.#clock.now());
    this.#emit?.({
      tsMs: this.#clock.now(),
      error: `The acquisition thread ${what} (${reason}); restarting in ${secondsText(delayMs)}`,
    });
    if (!this.#open) return;
    this.#restartTimer = this.#clock.setTimeout(() => {
      this.#restartTimer = undefined;
      if (!this.#open) return;
      this.#restarts++;
      this.#startWorker().then(
        (lines) => {
          this.#backoff.succeed();
          for (const line of lines) this.#onNotice(line);
        },
        (error) => {
          if (this.#worker) this.#crashed(this.#worker, (error as Error).message);
        },
      );
    }, delayMs);
  }
}
