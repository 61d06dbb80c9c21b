/**
 * The one owner of what the monitor says about itself: the `GET /status` body, the
 * greeting a new WebSocket client gets, the periodic status message, device and
 * sampler notices with the state they leave behind, and the start-up lines
 * ("listening on", warnings). Built from narrow views of the live parts.
 * @module
 */
import type { StoreSummary } from "./store/store.ts";
import type { ChannelInfo } from "./protocol/channels.ts";
import type { NotificationsStatus } from "./protocol/notifications.ts";
import type { StatusResponse } from "./protocol/status.ts";
import { type StatusMessage, statusMessage } from "./protocol/ws.ts";

/** The sampling side as /status sees it. */
export interface SamplingView {
  /** Whether samples are being taken (the v1 `simulator` field). */
  readonly running: boolean;
  /** The sample interval in force. */
  readonly intervalMs: number;
  /** The `seq` of the last sample. */
  readonly lastSeq: number;
  /** After the last read; undefined before any. */
  readonly sensorStatus: "ok" | "error" | undefined;
  /** The text of the most recent read failure. */
  readonly lastError: string | undefined;
}

/** The source as /status sees it. */
export interface SourceView {
  /** The v1 protocol's `type`: `Mock`, `INA219`, `Serial`. */
  readonly type: string;
  /** The SENSOR setting: `mock`, `ina219`, `serial`. */
  readonly kind: string;
  /** The device mode now. */
  readonly mode: string;
  /** The modes the device accepts. */
  readonly modes: readonly string[];
  /** True while the source rotates its modes by itself (the mock's demo). */
  readonly autoRotate?: boolean;
  /** Source-specific facts (`source_details`). */
  details(): Record<string, unknown>;
}

/** What {@link StatusBoard} reads; every field is read when a status is built. */
export interface StatusInputs {
  /** This build's version. */
  version: string;
  /** When the monitor started (for `uptime_s`). */
  startedAtMs: number;
  /** Whether an API token is set. */
  authRequired: boolean;
  /** Retention settings, as /status reports them. */
  retention: StatusResponse["retention"];
  /** The source's identity and mode. */
  source: SourceView;
  /** The sampler's state. */
  sampling: SamplingView;
  /** The WebSocket clients (the hub). */
  clients: { readonly size: number; readonly stats: { slowSkips: number; slowCloses: number } };
  /** Samples produced since start. */
  samplesTotal: () => number;
  /** Samples produced per second over the last 10 s (a {@link SampleRate}). */
  sampleRateHz: () => number;
  /** The store's figures (/status shows a summary). */
  database: () => StoreSummary;
  /** The MQTT publisher's state. */
  mqtt: () => StatusResponse["mqtt"];
  /** The notifications' deliveries (default: `{ enabled: false }`). */
  notifications?: () => NotificationsStatus;
  /** Requests refused before reaching a route. */
  rejections: () => StatusResponse["rejected_requests"];
  /** The TCP front's connection counters. */
  connections: () => StatusResponse["connections"];
  /** Every channel (default: none listed); `/status` shows them without their settings. */
  channels?: () => ChannelInfo[];
  /**
   * The source and sampler of channel `name` (for its notices and greeting); undefined
   * for the first channel's, which `source` and `sampling` are.
   */
  channel?: (name: string) => { source: SourceView; sampling: SamplingView } | undefined;
  /** The clock (default `Date.now`). */
  now?: () => number;
}

/** Who asks for `/status`. */
export interface StatusView {
  /** Whether the request carried the API token (when none is set, everyone sees all). */
  authorised: boolean;
}

/** Builds `/status` and every status message from the live state. */
export class StatusBoard {
  #in: StatusInputs;
  #now: () => number;

  /** Reads `inputs` whenever a status or message is built. */
  constructor(inputs: StatusInputs) {
    this.#in = inputs;
    this.#now = inputs.now ?? Date.now;
  }

  #simulator(sampling: SamplingView = this.#in.sampling): "connected" | "disconnected" {
    return sampling.running ? "connected" : "disconnected";
  }

  /** The views of channel `name` (the first channel's when undefined or unknown). */
  #views(name: string | undefined): { source: SourceView; sampling: SamplingView } {
    const views = name === undefined ? undefined : this.#in.channel?.(name);
    return views ?? { source: this.#in.source, sampling: this.#in.sampling };
  }

  /**
   * The `GET /status` body. With a token set, the database's file path is shown only to
   * a caller that carried it (`view.authorised`; default: not authorised): /status is
   * open to v1 clients, and where the data lives on disk is nobody else's business.
   */
  status = (view: StatusView = { authorised: false }): StatusResponse => {
    const { source, sampling, clients } = this.#in;
    const { path, ...database } = this.#in.database();
    return {
      server: "running",
      simulator: this.#simulator(),
      websocket_connections: clients.size,
      type: source.type,
      source: source.kind,
      mode: source.mode,
      modes: [...source.modes],
      auto_rotate: source.autoRotate ?? false,
      interval_ms: sampling.intervalMs,
      last_seq: sampling.lastSeq,
      samples_total: this.#in.samplesTotal(),
      sample_rate_hz: this.#in.sampleRateHz(),
      sensor_status: sampling.sensorStatus ?? "unknown",
      last_error: sampling.lastError ?? null,
      uptime_s: Math.round((this.#now() - this.#in.startedAtMs) / 100) / 10,
      slow_client_skips: clients.stats.slowSkips,
      slow_client_closes: clients.stats.slowCloses,
      auth_required: this.#in.authRequired,
      version: this.#in.version,
      source_details: source.details(),
      database: {
        ...(view.authorised || !this.#in.authRequired ? { path } : {}),
        ...database,
      },
      mqtt: this.#in.mqtt(),
      notifications: this.#in.notifications?.() ?? { enabled: false },
      retention: { ...this.#in.retention },
      rejected_requests: { ...this.#in.rejections() },
      connections: { ...this.#in.connections() },
      ...(this.#in.channels
        ? { channels: this.#in.channels().map(({ settings: _, ...summary }) => summary) }
        : {}),
    };
  };

  /**
   * The message a WebSocket client receives right after it connects: about the first
   * channel (the v1 protocol's), or about `channel` (then carrying `channel`).
   */
  greeting = (channel?: string): StatusMessage => {
    const { source, sampling } = this.#views(channel);
    const simulator = this.#simulator(sampling);
    return statusMessage(
      `Connected to ina219-monitor: ${source.type} ${simulator}, mode ${source.mode}, ${sampling.intervalMs} ms`,
      this.#now(),
      {
        websocket_connections: this.#in.clients.size,
        simulator,
        ...(channel === undefined ? {} : { channel }),
      },
    );
  };

  /** The periodic message (every STATUS_INTERVAL_S): connections and sampler state. */
  periodic = (): StatusMessage => {
    const connections = this.#in.clients.size;
    const simulator = this.#simulator();
    return statusMessage(
      `Connections: ${connections}, simulator: ${simulator}`,
      this.#now(),
      { websocket_connections: connections, simulator },
    );
  };

  /**
   * A device, sensor, sampler or database event, with the state it leaves behind, so
   * a client can follow mode, interval and start/stop without parsing the text; one
   * about a channel carries its name and state (without: the first channel's state).
   */
  notice = (message: string, channel?: string): StatusMessage => {
    const { source, sampling } = this.#views(channel);
    return statusMessage(message, this.#now(), {
      simulator: this.#simulator(sampling),
      mode: source.mode,
      interval_ms: sampling.intervalMs,
      ...(channel === undefined ? {} : { channel }),
    });
  };
}

/** Seconds {@link SampleRate} averages over. */
const SAMPLE_RATE_WINDOW_S = 10;

/**
 * Samples produced per second, over the last 10 whole seconds (the current, partial
 * second is not counted): a ring of per-second counts, fed once
 * per sample. Until the monitor has run that long the average still divides by the
 * full window, so it starts low and climbs.
 */
export class SampleRate {
  /** Count of the second in the same slot of `#seconds`; one slot more than the window. */
  #counts = new Array<number>(SAMPLE_RATE_WINDOW_S + 1).fill(0);
  #seconds = new Array<number>(SAMPLE_RATE_WINDOW_S + 1).fill(-Infinity);
  #now: () => number;

  /** Counts by `now` (default `Date.now`), in whole seconds of Unix time. */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Counts one sample, now. */
  add = (): void => {
    const second = Math.floor(this.#now() / 1000);
    const slot = second % this.#counts.length;
    if (this.#seconds[slot] !== second) {
      this.#seconds[slot] = second;
      this.#counts[slot] = 0;
    }
    this.#counts[slot]++;
  };

  /** Samples per second over the window, to 0.1. */
  hz = (): number => {
    const current = Math.floor(this.#now() / 1000);
    let total = 0;
    for (let i = 0; i < this.#counts.length; i++) {
      const age = current - this.#seconds[i];
      if (age >= 1 && age <= SAMPLE_RATE_WINDOW_S) total += this.#counts[i];
    }
    return Math.round((total / SAMPLE_RATE_WINDOW_S) * 10) / 10;
  };
}

/** Facts for {@link startupLines}. */
export interface StartupFacts {
  /** This build's version. */
  version: string;
  /** The URL people open (0.0.0.0 shown as localhost). */
  url: string;
  /** The address and port actually bound. */
  host: string;
  /** The port actually bound. */
  port: number;
  /** Whether API_TOKEN is set. */
  tokenSet: boolean;
  /** The source's advice for this interval (e.g. shorter than a conversion). */
  sourceWarnings: readonly string[];
}

/** The lines logged once the server listens: where it is, then any warnings. */
export function startupLines(facts: StartupFacts): string[] {
  const { url, host, port } = facts;
  const lines = [
    `ina219-monitor ${facts.version} listening on ${url}/ (bound to ${host}:${port}); docs at ${url}/docs`,
  ];
  if (!isLoopback(host) && !facts.tokenSet) {
    lines.push(
      `Warning: bound to ${host} without API_TOKEN: anyone on the network can stop the sampler or change its settings`,
    );
  }
  for (const warning of facts.sourceWarnings) lines.push(`Warning: ${warning}`);
  return lines;
}

/** The URL shown for a bound address: a wildcard address is shown as localhost. */
export function shownUrl(host: string, port: number): string {
  const shown = host === "0.0.0.0" || host === "::" ? "localhost" : host;
  return `http://${shown.includes(":") ? `[${shown}]` : shown}:${port}`;
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host.startsWith("127.");
}
