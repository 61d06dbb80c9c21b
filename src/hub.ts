/**
 * The WebSocket hub: a Set of clients, each message serialised once and sent to
 * all. A client that cannot keep up is skipped rather than allowed to slow the
 * others, and closed if it stays stuck. Each client takes one channel (the first one
 * by default: the v1 stream), several or all; each channel keeps its own client sets.
 * Samples go to plain clients one message each and to batch clients as one
 * `measurements` message per channel per period, built once per period length.
 * Knows nothing of HTTP.
 * @module
 */
import { type Clock, every, type Periodic, systemClock } from "./clock.ts";
import type { ServerMessage } from "./protocol/messages.ts";
import { MeasurementJson } from "./measurement_json.ts";
import { measurementsMessages } from "./protocol/ws.ts";
import type { Sample } from "./sample.ts";

/** The part of a WebSocket the hub uses (a real `WebSocket` satisfies it). */
export interface HubClient {
  /** `WebSocket.readyState`: only OPEN (1) clients receive messages. */
  readonly readyState: number;
  /** Bytes queued but not yet sent: how the hub tells a slow client. */
  readonly bufferedAmount: number;
  /** Queues one text message. */
  send(data: string): void;
  /** Closes the connection with a close code and reason. */
  close(code?: number, reason?: string): void;
}

const OPEN = 1;

/** Close codes the hub uses (RFC 6455 §7.4.1). */
export const CLOSE_GOING_AWAY = 1001;
/** 1009 Message Too Big: for a client that sent a message over the size limit. */
export const CLOSE_TOO_BIG = 1009;
/** 1013 Try Again Later: for a client too slow to keep up; it may reconnect. */
export const CLOSE_TRY_AGAIN_LATER = 1013;

/** Largest message a client may send (bytes); a longer one closes it with 1009. */
export const MAX_INCOMING_BYTES = 4096;

/**
 * How a client wants samples: `single` (the v1 stream, one `measurement` message per
 * sample) or `batch` (one `measurements` message per `batchMs`).
 */
export type ClientKind = { format: "single" } | { format: "batch"; batchMs: number };

/** The plain v1 stream. */
export const SINGLE: ClientKind = { format: "single" };

/** An opaque repeating-timer handle. */
export type IntervalId = Periodic;

/** Repeating timers, injected so tests can fire batch periods by hand. */
export interface IntervalTimers {
  /** Runs `fn` every `periodMs` until cleared. */
  setInterval(fn: () => void, periodMs: number): IntervalId;
  /** Stops a timer from {@link IntervalTimers.setInterval}. */
  clearInterval(id: IntervalId): void;
}

/**
 * Batch periods on `clock`, each on a fixed grid ({@link every}): a late flush does not
 * push the later ones back, so periods average exactly `periodMs`.
 */
export function periodTimers(clock: Clock = systemClock): IntervalTimers {
  return {
    setInterval: (fn, periodMs) => every(clock, periodMs, fn),
    clearInterval: (id) => id.stop(),
  };
}

const systemTimers = periodTimers();

/** How a channel's samples become messages (measured: the v1 ones plus `channel`). */
export interface ChannelEncoder {
  /** The JSON text of one sample's `measurement` message. */
  text(sample: Sample): string;
  /** The `measurements` messages of one period's samples, in order. */
  batch(samples: readonly Sample[]): ServerMessage[];
}

/** A channel the hub streams. */
export interface HubChannel {
  /** Its name (`?channel=`, `data.channel`). */
  name: string;
  /** Its messages (default: a measured channel's, {@link measuredEncoder}). */
  encoder?: ChannelEncoder;
}

/** The messages of a measured channel's samples: the v1 ones with `data.channel`. */
export function measuredEncoder(channel: string): ChannelEncoder {
  const json = new MeasurementJson(channel);
  return {
    text: (sample) => json.text(sample),
    batch: (samples) => measurementsMessages(samples, channel),
  };
}

/** One channel's batch clients of one period and the samples they are owed. */
interface BatchSub {
  clients: Set<HubClient>;
  pending: Sample[];
}

/** The batch clients sharing one period: one timer; per channel one pending list. */
interface BatchGroup {
  subs: Map<string, BatchSub>;
  clients: number;
  timer: IntervalId | undefined;
}

/** One channel's clients: a Set per way of taking it, so a sample costs no filtering. */
interface ChannelClients {
  encoder: ChannelEncoder;
  /** Its plain-stream clients. */
  singles: Set<HubClient>;
  /** Every client taking it (for the channel's statistics, alerts and status). */
  subscribers: Set<HubClient>;
  /** Its batch clients, by period. */
  batches: Map<number, BatchSub>;
}

/** What one client takes. */
interface Subscription {
  channels: readonly string[];
  batchMs: number | undefined;
}

/** Options of {@link Hub}. */
export interface HubOptions {
  /** Skip a client whose unsent bytes exceed this. */
  maxBufferedBytes?: number;
  /** Close a client that has been skipped continuously for this long. */
  stuckCloseMs?: number;
  /** Close a client that sends a message longer than this many bytes. */
  maxIncomingBytes?: number;
  /** Clock for the slow-client timer (default `Date.now`); tests pass their own. */
  now?: () => number;
  /** Timers of the batch periods (default the global ones); tests pass their own. */
  timers?: IntervalTimers;
  /**
   * The channels, the first one the v1 stream (what a client takes by default); default
   * one measured channel, `main`.
   */
  channels?: readonly HubChannel[];
}

/** Counters of the slow-client policy, for `/status` and metrics. */
export interface HubStats {
  /** Messages not sent to a client because its buffer was full. */
  slowSkips: number;
  /** Clients closed because they stayed stuck. */
  slowCloses: number;
  /** Clients closed for sending an oversize message. */
  oversizeCloses: number;
}

const encoder = new TextEncoder();

/** Whether a received message is over `maxBytes` (strings counted in UTF-8). */
function overLimit(data: unknown, maxBytes: number): boolean {
  if (typeof data === "string") {
    // UTF-8 takes 1–3 bytes per UTF-16 unit: encode only when the count is in doubt.
    if (data.length > maxBytes) return true;
    if (data.length * 3 <= maxBytes) return false;
    return encoder.encode(data).byteLength > maxBytes;
  }
  const size = data instanceof ArrayBuffer
    ? data.byteLength
    : data instanceof Blob
    ? data.size
    : ArrayBuffer.isView(data)
    ? data.byteLength
    : 0;
  return size > maxBytes;
}

/**
 * Broadcasts to a set of WebSocket clients, each taking one channel, several or all:
 * every channel keeps its own client sets, so a sample goes to its channel's clients
 * without a filter per client.
 */
export class Hub {
  #clients = new Set<HubClient>();
  #channels = new Map<string, ChannelClients>();
  /** The first channel: the v1 stream. */
  #first: string;
  /** Batch clients by period length. */
  #groups = new Map<number, BatchGroup>();
  /** What each client takes. */
  #subscriptions = new Map<HubClient, Subscription>();
  #timers: IntervalTimers;
  /** When each currently-skipped client was first skipped. */
  #stuckSinceMs = new Map<HubClient, number>();
  #maxBufferedBytes: number;
  #stuckCloseMs: number;
  #maxIncomingBytes: number;
  #now: () => number;
  /** Slow-client skips and closes so far, for `/status` and the metrics. */
  readonly stats: HubStats = { slowSkips: 0, slowCloses: 0, oversizeCloses: 0 };

  /**
   * Applies the slow-client and message-size limits of `options`.
   * @throws {RangeError} for no channels or a name given twice.
   */
  constructor(options: HubOptions = {}) {
    this.#maxBufferedBytes = options.maxBufferedBytes ?? 1 << 20;
    this.#stuckCloseMs = options.stuckCloseMs ?? 10_000;
    this.#maxIncomingBytes = options.maxIncomingBytes ?? MAX_INCOMING_BYTES;
    this.#now = options.now ?? Date.now;
    this.#timers = options.timers ?? systemTimers;
    const channels = options.channels ?? [{ name: "main" }];
    if (channels.length === 0) throw new RangeError("Invalid hub channels: none given");
    for (const { name, encoder } of channels) {
      if (this.#channels.has(name)) {
        throw new RangeError(`Invalid hub channels: "${name}" is given twice`);
      }
      this.#channels.set(name, {
        encoder: encoder ?? measuredEncoder(name),
        singles: new Set(),
        subscribers: new Set(),
        batches: new Map(),
      });
    }
    this.#first = channels[0].name;
  }

  /** Number of connected clients. */
  get size(): number {
    return this.#clients.size;
  }

  /** The channels' names, the first one the v1 stream. */
  get channels(): string[] {
    return [...this.#channels.keys()];
  }

  /** Number of clients taking `channel`. */
  clientsOf(channel: string): number {
    return this.#channels.get(channel)?.subscribers.size ?? 0;
  }

  #channel(name: string): ChannelClients {
    const channel = this.#channels.get(name);
    if (channel === undefined) {
      throw new RangeError(
        `Unknown channel "${name}": expected one of ${this.channels.join(", ")}`,
      );
    }
    return channel;
  }

  /**
   * Starts broadcasting to `client`, which takes samples as `kind` says, of `channels`
   * (default the first channel: the v1 stream).
   * @throws {RangeError} for a channel the hub does not have (nothing added).
   */
  add(client: HubClient, kind: ClientKind = SINGLE, channels?: readonly string[]): void {
    const names = channels ?? [this.#first];
    const targets = names.map((name) => this.#channel(name));
    this.#clients.add(client);
    const batchMs = kind.format === "batch" ? kind.batchMs : undefined;
    this.#subscriptions.set(client, { channels: names, batchMs });
    for (const target of targets) target.subscribers.add(client);
    if (batchMs === undefined) {
      for (const target of targets) target.singles.add(client);
      return;
    }
    let group = this.#groups.get(batchMs);
    if (!group) {
      group = { subs: new Map(), clients: 0, timer: undefined };
      group.timer = this.#timers.setInterval(() => this.#flush(batchMs), batchMs);
      this.#groups.set(batchMs, group);
    }
    group.clients++;
    for (const [i, target] of targets.entries()) {
      let sub = group.subs.get(names[i]);
      if (!sub) {
        sub = { clients: new Set(), pending: [] };
        group.subs.set(names[i], sub);
        target.batches.set(batchMs, sub);
      }
      sub.clients.add(client);
    }
  }

  /** Stops broadcasting to `client` and forgets its slow-client state. */
  delete(client: HubClient): void {
    this.#clients.delete(client);
    this.#stuckSinceMs.delete(client);
    const subscription = this.#subscriptions.get(client);
    if (subscription === undefined) return;
    this.#subscriptions.delete(client);
    const { channels, batchMs } = subscription;
    for (const name of channels) {
      const channel = this.#channels.get(name)!;
      channel.singles.delete(client);
      channel.subscribers.delete(client);
    }
    if (batchMs === undefined) return;
    const group = this.#groups.get(batchMs);
    if (!group) return;
    for (const name of channels) {
      const sub = group.subs.get(name);
      if (!sub) continue;
      sub.clients.delete(client);
      if (sub.clients.size === 0) {
        group.subs.delete(name);
        this.#channels.get(name)!.batches.delete(batchMs);
      }
    }
    if (--group.clients === 0) {
      if (group.timer !== undefined) this.#timers.clearInterval(group.timer);
      this.#groups.delete(batchMs);
    }
  }

  /**
   * Hands one sample of `channel` (default the first) to its clients: a `measurement`
   * message to each plain client now, and a place in the next `measurements` message
   * of each batch period.
   */
  publish(sample: Sample, channel: string = this.#first): void {
    const target = this.#channels.get(channel);
    if (target === undefined) return;
    if (target.singles.size > 0) {
      const text = target.encoder.text(sample);
      const nowMs = this.#now();
      for (const client of target.singles) this.#deliver(client, text, nowMs);
    }
    if (target.batches.size === 0) return;
    for (const sub of target.batches.values()) sub.pending.push(sample);
  }

  /**
   * Sends the samples of the period just ended to one group's clients, one channel at
   * a time, each message serialised once; nothing for a channel without samples. A
   * client skipped as slow misses the whole message, so it sees a `seq` gap, never
   * samples merged into a later one.
   */
  #flush(batchMs: number): void {
    const group = this.#groups.get(batchMs);
    if (!group) return;
    for (const [name, sub] of group.subs) {
      if (sub.pending.length === 0) continue;
      const messages = this.#channels.get(name)!.encoder.batch(sub.pending);
      sub.pending = [];
      for (const message of messages) {
        const text = JSON.stringify(message);
        const nowMs = this.#now();
        for (const client of sub.clients) this.#deliver(client, text, nowMs);
      }
    }
  }

  /** Sends one message to one client (a greeting), unless it is gone or stuck. */
  sendTo(client: HubClient, message: ServerMessage): void {
    this.#deliver(client, JSON.stringify(message), this.#now());
  }

  /**
   * Serialises `message` once and sends it to every client, or with `channel` to the
   * clients taking that channel; returns how many got it.
   */
  broadcast(message: ServerMessage, channel?: string): number {
    const clients = channel === undefined
      ? this.#clients
      : this.#channels.get(channel)?.subscribers;
    if (clients === undefined || clients.size === 0) return 0;
    const text = JSON.stringify(message);
    const nowMs = this.#now();
    let delivered = 0;
    for (const client of clients) {
      if (this.#deliver(client, text, nowMs)) delivered++;
    }
    return delivered;
  }

  /**
   * Handles a message a client sent. Clients have nothing to say yet, so it is
   * ignored, but one too large to be a sensible message closes that client.
   */
  receive(client: HubClient, data: unknown): void {
    if (overLimit(data, this.#maxIncomingBytes)) {
      this.stats.oversizeCloses++;
      this.#close(client, CLOSE_TOO_BIG, "Message too big");
    }
  }

  /** Closes every client (on shutdown, with 1001 "going away"). */
  closeAll(code = CLOSE_GOING_AWAY, reason = "Server shutting down"): void {
    for (const client of [...this.#clients]) this.#close(client, code, reason);
  }

  #deliver(client: HubClient, text: string, nowMs: number): boolean {
    // CLOSING counts as gone: Deno can hold a socket in CLOSING for seconds.
    if (client.readyState !== OPEN) {
      this.delete(client);
      return false;
    }
    if (client.bufferedAmount > this.#maxBufferedBytes) {
      this.stats.slowSkips++;
      const since = this.#stuckSinceMs.get(client);
      if (since === undefined) this.#stuckSinceMs.set(client, nowMs);
      else if (nowMs - since >= this.#stuckCloseMs) {
        this.stats.slowCloses++;
        this.#close(client, CLOSE_TRY_AGAIN_LATER, "Client too slow");
      }
      return false;
    }
    this.#stuckSinceMs.delete(client);
    try {
      client.send(text);
      return true;
    } catch {
      // The socket closed between the state check and the send.
      this.delete(client);
      return false;
    }
  }

  #close(client: HubClient, code: number, reason: string): void {
    this.delete(client);
    try {
      client.close(code, reason);
    } catch (error) {
      console.warn(`Closing a WebSocket client failed: ${(error as Error).message}`);
    }
  }
}
