/**
 * Runs the units of one acquisition group on one {@link Scheduler}: a read loop per
 * unit (chip), each channel at its own interval, one fresh conversion per read, ticks
 * skipped when late (hardware can only be read now). A unit sleeps until one
 * conversion before its next tick, so its driver's wait for the conversion paces the
 * read; while it sleeps, the other chips on the bus take their turns.
 * @module
 */
import { Ina228Source } from "../sources/ina228.ts";
import type { AdcState } from "../sources/source.ts";
import type { WireEvent } from "./protocol.ts";
import type { Unit, UnitChannel } from "./group.ts";
import type { Scheduler } from "./scheduler.ts";

/** Options of {@link GroupRunner}. */
export interface GroupRunnerOptions {
  /** Receives every reading or failure, with its channel. */
  onEvent: (event: WireEvent) => void;
  /** The timestamps of the readings, ms since the epoch (default `Date.now`). */
  wallNow?: () => number;
}

interface ChannelState {
  unit: Unit;
  channel: UnitChannel;
  /** Start of the current run of ticks (scheduler clock), and the next tick's number. */
  t0Ms: number;
  n: number;
}

/** The read loops of one group's units. */
export class GroupRunner {
  #scheduler: Scheduler;
  #units: readonly Unit[];
  #states = new Map<string, ChannelState>();
  #ops = new Map<Unit, (() => Promise<void>)[]>();
  #onEvent: (event: WireEvent) => void;
  #wallNow: () => number;
  #stopped = false;
  #tasks: Promise<void>[] = [];
  #counts = new Map<string, { reads: number; skipped_ticks: number }>();

  /** Loops for `units` on `scheduler`; {@link GroupRunner.start} opens and starts them. */
  constructor(scheduler: Scheduler, units: readonly Unit[], options: GroupRunnerOptions) {
    this.#scheduler = scheduler;
    this.#units = units;
    this.#onEvent = options.onEvent;
    this.#wallNow = options.wallNow ?? Date.now;
    for (const unit of units) {
      this.#ops.set(unit, []);
      for (const channel of unit.channels) {
        this.#states.set(channel.name, { unit, channel, t0Ms: 0, n: 0 });
        this.#counts.set(channel.name, { reads: 0, skipped_ticks: 0 });
      }
    }
  }

  /** Opens every driver (one at a time, on the scheduler) and starts reading; the lines by channel. */
  start(): Promise<Record<string, string[]>> {
    const lines: Record<string, string[]> = {};
    let waiting = this.#units.length;
    const opened = Promise.withResolvers<void>();
    if (waiting === 0) opened.resolve();
    for (const unit of this.#units) {
      this.#tasks.push(this.#loop(unit, lines, () => {
        if (--waiting === 0) opened.resolve();
      }));
    }
    void this.#scheduler.run();
    return opened.promise.then(() => lines);
  }

  /** Ends the loops (each after its read in progress) and closes the drivers. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#scheduler.drain();
    await Promise.all(this.#tasks);
    for (const unit of this.#units) {
      for (const { source } of unit.channels) await source.close();
    }
  }

  /** Reads `channel` every `intervalMs` from now on. */
  setInterval(channel: string, intervalMs: number): void {
    const state = this.#state(channel);
    state.channel.intervalMs = intervalMs;
    state.t0Ms = this.#scheduler.now();
    state.n = 1;
    this.#readInterval(state.unit);
    this.#scheduler.wake(state.unit.key);
  }

  /** Switches `channel`'s emulated input. @throws {RangeError} for an unknown mode. */
  setMode(channel: string, mode: string): void {
    this.#state(channel).channel.source.setMode(mode);
  }

  /**
   * Sets `channel`'s ADC averaging between two of its chip's reads.
   * @throws {RangeError} when the chip has no such setting or cannot take `samples`.
   */
  setAdc(channel: string, samples: number): Promise<AdcState> {
    const { unit, channel: { source } } = this.#state(channel);
    if (!source.setAdcSamples) {
      return Promise.reject(
        new RangeError(`Channel "${channel}" (${source.type}) has no run-time ADC setting`),
      );
    }
    const set = source.setAdcSamples.bind(source);
    const done = Promise.withResolvers<AdcState>();
    this.#ops.get(unit)!.push(() => set(samples).then(done.resolve, done.reject));
    this.#scheduler.wake(unit.key);
    return done.promise;
  }

  /** Each channel's driver facts and read counts, by channel. */
  details(): Record<string, Record<string, unknown>> {
    const details: Record<string, Record<string, unknown>> = {};
    for (const [name, { channel }] of this.#states) {
      details[name] = { ...channel.source.details(), ...this.#counts.get(name) };
    }
    return details;
  }

  #state(channel: string): ChannelState {
    const state = this.#states.get(channel);
    if (!state) throw new RangeError(`No channel "${channel}" on this acquisition thread`);
    return state;
  }

  #readInterval(unit: Unit): void {
    unit.setReadInterval?.(Math.min(...unit.channels.map((c) => c.intervalMs)));
  }

  /** The unit's channel read next, and when its read starts (one conversion before its tick). */
  #next(unit: Unit): { state: ChannelState; startMs: number } {
    const periodMs = unit.periodMs();
    let best: { state: ChannelState; startMs: number } | undefined;
    for (const { name } of unit.channels) {
      const state = this.#states.get(name)!;
      const startMs = state.t0Ms + state.n * state.channel.intervalMs - periodMs;
      if (!best || startMs < best.startMs) best = { state, startMs };
    }
    return best!;
  }

  async #loop(unit: Unit, lines: Record<string, string[]>, opened: () => void): Promise<void> {
    const scheduler = this.#scheduler;
    try {
      await scheduler.sleepUntil(scheduler.now(), unit.key);
      for (const { name, source } of unit.channels) {
        try {
          lines[name] = await source.open();
        } catch (error) {
          lines[name] = [`${source.type} not ready: ${(error as Error).message}`];
        }
      }
      opened();
      this.#readInterval(unit);
      // Units start out of phase, spread over an interval, so chips sharing the bus
      // do not all want it at the same instant.
      const phase = this.#units.indexOf(unit) / this.#units.length;
      for (const { name, intervalMs } of unit.channels) {
        Object.assign(this.#states.get(name)!, {
          t0Ms: scheduler.now() + phase * intervalMs,
          n: 0,
        });
      }
      while (!this.#stopped) {
        await scheduler.sleepUntil(this.#next(unit).startMs, unit.key);
        if (this.#stopped) break;
        for (const op of this.#ops.get(unit)!.splice(0)) await op();
        const { state, startMs } = this.#next(unit);
        if (startMs > scheduler.now()) continue;
        await this.#read(state);
      }
    } finally {
      scheduler.exit();
    }
  }

  async #read(state: ChannelState): Promise<void> {
    const { channel } = state;
    const scheduler = this.#scheduler;
    let event: WireEvent;
    try {
      const reading = await channel.source.read(scheduler.now());
      event = { channel: channel.name, tsMs: this.#wallNow(), mode: channel.source.mode, reading };
      if (channel.source instanceof Ina228Source) {
        event.accumulators = channel.source.accumulators();
      }
    } catch (error) {
      event = {
        channel: channel.name,
        tsMs: this.#wallNow(),
        mode: channel.source.mode,
        error: (error as Error).message,
      };
    }
    if (this.#stopped) return;
    const counts = this.#counts.get(channel.name)!;
    counts.reads++;
    const t = scheduler.now();
    // Hardware reads now: missed ticks are skipped.
    const due = Math.floor((t - state.t0Ms) / channel.intervalMs) + 1;
    if (due > state.n + 1) counts.skipped_ticks += due - state.n - 1;
    state.n = Math.max(state.n + 1, due);
    this.#onEvent(event);
  }
}
