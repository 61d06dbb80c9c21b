/**
 * The main thread's side of an acquisition Worker: {@link AcquisitionClient} owns the
 * Worker of one group (the chips on one I2C bus, or the hwmon channels) and splits
 * its batches into one push-mode {@link Source} per channel ({@link ChannelClient}),
 * so each channel's sampler numbers its own readings. Commands are messages
 * addressed by channel, answered by an acknowledgement (or a timeout). A Worker that
 * crashes or exits becomes an `error` sample on every channel of the group (so a
 * "Sensor error" status message each) and is started again after the sensor backoff
 * (1 s, 2 s, … 30 s), never a dead monitor. So does a Worker that posts nothing, not
 * even its heartbeat, for {@link HANG_MS} ms: it is hung. The Worker starts when the
 * first channel opens and ends when the last closes.
 * @module
 */
import { type Clock, systemClock, type TimerId } from "../clock.ts";
import { Backoff, type BackoffOptions, secondsText } from "../sources/backoff.ts";
import type { Accumulators } from "../sources/ina228.ts";
import {
  type AdcState,
  DeviceCommandError,
  type PushEvent,
  type Source,
} from "../sources/source.ts";
import { buildGroup, type GroupSettings } from "./group.ts";
import type { Command, GroupDetails, WireEvent, WorkerMessage } from "./protocol.ts";

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
  /** Receives a channel's driver messages (mode changes, chip resets). */
  onNotice?: (channel: string, message: string) => void;
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

/** Starts an acquisition Worker. */
export function startWorker(): WorkerLike {
  return new Worker(WORKER_URL, { type: "module" }) as unknown as WorkerLike;
}

type CommandBody = Command extends infer C ? C extends Command ? Omit<C, "id"> : never : never;

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: TimerId;
}

/** One group's Worker, and a {@link ChannelClient} per channel of the group. */
export class AcquisitionClient {
  /** The group's channels as sources, in configuration order. */
  readonly sources: ReadonlyMap<string, ChannelClient>;
  #settings: GroupSettings;
  #onNotice: (channel: string, message: string) => void;
  #spawn: () => WorkerLike;
  #timeoutMs: number;
  #backoff: Backoff;
  #clock: Clock;
  #hangMs: number;
  #worker: WorkerLike | undefined;
  #starting: Promise<Record<string, string[]>> | undefined;
  /** The start-up lines of the running Worker, by channel (for a channel opened later). */
  #lines: Record<string, string[]> = {};
  #lastMessageMs = 0;
  #watchdog: TimerId | undefined;
  #pending = new Map<number, Pending>();
  #nextId = 1;
  #open = new Set<string>();
  #restartTimer: TimerId | undefined;
  #restarts = 0;
  #lastCrash: string | undefined;
  #details: GroupDetails | undefined;
  /** Settings changed at run time, by channel, so a restarted Worker keeps them. */
  #changed = new Map<string, { sampleIntervalMs?: number; adcSamples?: number }>();

  /**
   * Checks the settings (by building the drivers it never opens here).
   * @throws {RangeError} for a setting a chip cannot take.
   */
  constructor(settings: GroupSettings, options: AcquisitionClientOptions = {}) {
    this.#settings = settings;
    this.#onNotice = options.onNotice ?? (() => {});
    this.#spawn = options.spawn ?? startWorker;
    this.#timeoutMs = options.commandTimeoutMs ?? 5000;
    this.#backoff = new Backoff(options.backoff);
    this.#clock = options.clock ?? systemClock;
    this.#hangMs = options.hangMs ?? HANG_MS;
    const shadows = new Map(
      buildGroup(settings).flatMap((unit) => unit.channels).map((c) => [c.name, c]),
    );
    const sources = new Map<string, ChannelClient>();
    for (const { name } of settings.channels) {
      const { source, intervalMs } = shadows.get(name)!;
      sources.set(name, new ChannelClient(this, { name, shadow: source, intervalMs }));
    }
    this.sources = sources;
  }

  /** The group's thread facts for `/status`. */
  get threadDetails(): Record<string, unknown> {
    const group = this.#settings;
    return {
      thread: "worker",
      thread_group: group.kind === "hwmon" ? "hwmon" : `i2c:${group.bus}`,
      thread_channels: [...this.sources.keys()],
      worker_restarts: this.#restarts,
      worker_last_crash: this.#lastCrash ?? null,
    };
  }

  /** The channel's driver facts as the Worker last reported them. */
  driverDetails(channel: string): Record<string, unknown> | undefined {
    return this.#details?.[channel];
  }

  /** Opens `channel`: starts the Worker unless it runs; that channel's start-up lines. */
  async openChannel(channel: string): Promise<string[]> {
    const first = this.#open.size === 0;
    this.#open.add(channel);
    if (first && !this.#worker && this.#restartTimer === undefined) this.#backoff.succeed();
    if (this.#worker && !this.#starting) return this.#lines[channel] ?? []; // it runs
    if (this.#restartTimer !== undefined) {
      return [`${this.sources.get(channel)?.type ?? "Sensor"} not ready: ${this.#lastCrash}`];
    }
    try {
      const lines = await (this.#starting ?? this.#startWorker());
      return lines[channel] ?? [];
    } catch (error) {
      const message = (error as Error).message;
      if (this.#worker) this.#crashed(this.#worker, message); // hung: end it, start anew
      return [`${this.sources.get(channel)?.type ?? "Sensor"} not ready: ${message}`];
    }
  }

  /** Closes `channel`; with the last one, stops the drivers and ends the Worker. */
  async closeChannel(channel: string): Promise<void> {
    this.#open.delete(channel);
    if (this.#open.size > 0) return;
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

  /** Sends a command for the group; resolves with the acknowledgement's value. */
  command(command: CommandBody): Promise<unknown> {
    return this.#command(command);
  }

  /** Remembers a setting of `channel` changed at run time, for a Worker started later. */
  remember(channel: string, change: { sampleIntervalMs?: number; adcSamples?: number }): void {
    this.#changed.set(channel, { ...this.#changed.get(channel), ...change });
  }

  /** The settings with the run-time changes: what a Worker starts with. */
  #current(): GroupSettings {
    const settings = this.#settings;
    const changed = (name: string) => this.#changed.get(name) ?? {};
    if (settings.kind === "hwmon") {
      return {
        ...settings,
        channels: settings.channels.map((c) => ({ ...c, ...changed(c.name) })),
      };
    }
    return {
      ...settings,
      channels: settings.channels.map((c) => ({ ...c, ...changed(c.name) })),
    } as GroupSettings;
  }

  #startWorker(): Promise<Record<string, string[]>> {
    const worker = this.#spawn();
    this.#worker = worker;
    worker.onmessage = (event) => this.#onMessage(worker, event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      this.#crashed(worker, event.message ?? String(event.error));
    };
    const starting = this.#command({ cmd: "start", settings: this.#current() }).then((lines) => {
      // Watched once started (loading the Worker's modules may take seconds; the start
      // command has its own timeout).
      if (worker === this.#worker) {
        this.#lastMessageMs = this.#clock.now();
        this.#watch(worker, this.#hangMs);
      }
      this.#lines = lines as Record<string, string[]>;
      return this.#lines;
    }).finally(() => {
      if (this.#starting === starting) this.#starting = undefined;
    });
    this.#starting = starting;
    return starting;
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
        for (const event of message.events) this.sources.get(event.channel)?.deliver(event);
        return;
      case "notice":
        this.#onNotice(message.channel, message.message);
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

  /** A crashed (or hung) Worker: an error sample on each channel now, a new Worker after the backoff. */
  #crashed(worker: WorkerLike, reason: string, what: "crashed" | "hung" = "crashed"): void {
    if (worker !== this.#worker) return;
    this.#end(worker);
    this.#lastCrash = what === "hung" ? `hung: ${reason}` : reason;
    const delayMs = this.#backoff.fail(this.#clock.now());
    const error = `The acquisition thread ${what} (${reason}); restarting in ${
      secondsText(delayMs)
    }`;
    for (const name of this.#open) {
      this.sources.get(name)?.deliver({ channel: name, tsMs: this.#clock.now(), mode: "", error });
    }
    if (this.#open.size === 0) return;
    this.#restartTimer = this.#clock.setTimeout(() => {
      this.#restartTimer = undefined;
      if (this.#open.size === 0) return;
      this.#restarts++;
      this.#startWorker().then(
        (lines) => {
          this.#backoff.succeed();
          for (const name of this.#open) {
            for (const line of lines[name] ?? []) this.#onNotice(name, line);
          }
        },
        (error) => {
          if (this.#worker) this.#crashed(this.#worker, (error as Error).message);
        },
      );
    }, delayMs);
  }
}

/** At most this many events wait for a channel's listen() after its open(). */
const EARLY_MAX = 1000;

/** Options of {@link ChannelClient}. */
interface ChannelClientOptions {
  /** The channel's name. */
  name: string;
  /** Its driver built here and never opened: checks, warnings and details before the Worker answers. */
  shadow: Source;
  /** Its configured interval. */
  intervalMs: number;
}

/** One channel of an acquisition Worker, as a push {@link Source}. */
export class ChannelClient implements Source {
  readonly kind: string;
  readonly type: string;
  readonly backfill = false;
  readonly modes: readonly string[];
  /** The channel's name. */
  readonly name: string;
  /**
   * Present on a channel whose chip has a run-time ADC setting (the INA219): sets its
   * samples per conversion; resolves with the setting once the Worker's driver wrote it.
   */
  readonly setAdcSamples?: (samples: number) => Promise<AdcState>;
  #group: AcquisitionClient;
  #shadow: Source;
  #emit: ((event: PushEvent) => void) | undefined;
  /** Events that came between open() and listen() (the Worker reads as soon as it opened). */
  #early: PushEvent[] | undefined;
  #mode: string;
  #autoRotate: boolean;
  #intervalMs: number;
  #accumulators: Accumulators | undefined;

  /** Channel `options.name` of `group`. */
  constructor(group: AcquisitionClient, options: ChannelClientOptions) {
    const { name, shadow, intervalMs } = options;
    this.#group = group;
    this.#shadow = shadow;
    this.name = name;
    this.kind = shadow.kind;
    this.type = shadow.type;
    this.modes = shadow.modes;
    this.#mode = shadow.mode;
    this.#autoRotate = shadow.autoRotate ?? false;
    this.#intervalMs = intervalMs;
    if (shadow.setAdcSamples) {
      const setShadow = shadow.setAdcSamples.bind(shadow);
      this.setAdcSamples = async (samples) => {
        await setShadow(samples); // throws RangeError; never opened: no bus traffic
        const state = await group.command({ cmd: "setAdc", channel: name, samples }) as AdcState;
        group.remember(name, { adcSamples: samples });
        return state;
      };
    }
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

  /**
   * An INA228's hardware energy and charge since open, as of its latest reading
   * (undefined for other chips, and before the first reading).
   */
  accumulators(): Accumulators | undefined {
    return this.#accumulators;
  }

  /** Starts the group's Worker unless it runs; returns this channel's driver start-up lines. */
  open(): Promise<string[]> {
    this.#early ??= [];
    return this.#group.openChannel(this.name);
  }

  /** Never called: readings are pushed (see {@link ChannelClient.listen}). */
  read(): never {
    throw new Error("ChannelClient pushes its readings: use listen()");
  }

  listen(emit: (event: PushEvent) => void): void {
    this.#emit = emit;
    const early = this.#early ?? [];
    this.#early = undefined;
    for (const event of early) emit(event);
  }

  /** Stops delivering; the last channel of the group to close ends the Worker. */
  close(): Promise<void> {
    this.#emit = undefined;
    this.#early = undefined;
    return this.#group.closeChannel(this.name);
  }

  /** Switches the emulated input's mode; resolves once the Worker did. */
  async setMode(mode: string): Promise<void> {
    this.#shadow.setMode(mode); // throws RangeError for an unknown mode
    await this.#group.command({ cmd: "setMode", channel: this.name, mode });
    this.#mode = mode;
    this.#autoRotate = false;
  }

  /** Changes this channel's read interval in the Worker; resolves once it confirmed. */
  async setIntervalMs(intervalMs: number): Promise<void> {
    await this.#group.command({ cmd: "setInterval", channel: this.name, intervalMs });
    this.#intervalMs = intervalMs;
    this.#group.remember(this.name, { sampleIntervalMs: intervalMs });
  }

  /** Start-up advice: an interval shorter than the conversion time. */
  warnings(intervalMs: number): string[] {
    return this.#shadow.warnings?.(intervalMs) ?? [];
  }

  /** The driver's facts as the Worker last reported them, and the Worker's. */
  details(): Record<string, unknown> {
    return {
      ...(this.#group.driverDetails(this.name) ?? this.#shadow.details()),
      ...this.#group.threadDetails,
    };
  }

  /** Hands over one event of this channel (the group client calls it). */
  deliver(event: WireEvent): void {
    if (event.mode) this.#mode = event.mode;
    if (event.reading && event.accumulators) this.#accumulators = event.accumulators;
    const pushed: PushEvent = event.reading
      ? { tsMs: event.tsMs, reading: event.reading }
      : { tsMs: event.tsMs, error: event.error };
    if (this.#emit) this.#emit(pushed);
    else if (this.#early && this.#early.length < EARLY_MAX) this.#early.push(pushed);
  }
}
