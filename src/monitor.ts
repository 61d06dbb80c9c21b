/**
 * The composition root: builds one monitor from a {@link Config} in straight-line
 * order (hub → notices → source → store → sampler → energy → analysis → pipeline →
 * integrations → status → HTTP app), serves it, and takes it apart on shutdown.
 * Where an earlier part must speak to a later one, a {@link Signal} made first
 * carries it. Every `config.*` read is here.
 * @module
 */
import type { Config } from "./config.ts";
import {
  addDerived,
  alignedChannels,
  channelInfo,
  type ChannelParts,
  type ChannelShared,
  channelViews,
  type DerivedParts,
  derivedParts,
  hubChannel,
  type MeasuredParts,
  measuredParts,
} from "./channel_parts.ts";
import { derivedHistory, derivedSpans, measuredHistory, measuredSpans } from "./channel_history.ts";
import { DerivedChannels } from "./derived/channels.ts";
import { alertMetricsOf } from "./analysis/alerts.ts";
import { Hub, MAX_INCOMING_BYTES } from "./hub.ts";
import { createApp } from "./http/app.ts";
import { ClientLimits } from "./http/limits.ts";
import { ConnectionLimits } from "./http/conn_limits.ts";
import {
  type ConnectionCounters,
  type Front,
  newConnectionCounters,
  startFront,
} from "./http/front.ts";
import { createDenoUpgrader } from "./http/ws_adapter.ts";
import {
  hostAllowlist,
  type HostFacts,
  machineHostFacts,
  NO_HOST_FACTS,
} from "./http/host_guard.ts";
import { RejectCounter } from "./http/request_guard.ts";
import { perChannel } from "./http/route_helpers.ts";
import {
  alertsControl,
  globalMetrics,
  integrationChannel,
  sensorControl,
  simulatorControl,
} from "./adapters.ts";
import type { EnergyMeter } from "./energy_meter.ts";
import { createIntegrations, type Integrations } from "./integrations/integrations.ts";
import { destinationsOf } from "./notify/destinations.ts";
import { Notifier } from "./notify/notifier.ts";
import { Markers } from "./recordings/markers.ts";
import { Triggers } from "./recordings/trigger_manager.ts";
import { TriggeredRecordings } from "./recordings/triggered_recordings.ts";
import { MarkerLog } from "./store/markers.ts";
import type { Pipeline } from "./pipeline.ts";
import type { StatusResponse } from "./protocol/status.ts";
import type { Sample } from "./sample.ts";
import type { Sampler } from "./sampler.ts";
import { createChannelSources } from "./sources/create_channels.ts";
import type { Source } from "./sources/source.ts";
import { shownUrl, startupLines, StatusBoard } from "./status.ts";
import { StoreError } from "./store/db.ts";
import { Store } from "./store/store.ts";
import { Recordings } from "./recordings/recordings.ts";
import { recordingsStore } from "./recordings/recordings_store.ts";
import type { OpenAPIHono } from "@hono/zod-openapi";

/** A start-up failure meant for a person: one line, exit code 1. */
export class StartupError extends Error {
  /** Names the error in logs and stack traces. */
  override name = "StartupError";
}

/** Options of {@link startMonitor}. */
export interface MonitorOptions {
  /** Shown in `/status`, the OpenAPI document and MQTT discovery (default `dev`). */
  version?: string;
  /** Where informational lines go. */
  log?: (line: string) => void;
}

/** A running monitor. */
export interface Monitor {
  /** Base URL, e.g. `http://127.0.0.1:8000`. */
  readonly url: string;
  /** The HTTP application: routes, guards and static files. */
  readonly app: OpenAPIHono;
  /** The WebSocket clients and their broadcast. */
  readonly hub: Hub;
  /** Drives the first channel's source and numbers its samples. */
  readonly sampler: Sampler;
  /** The first channel's per-sample fan-out (tests feed past samples through it). */
  readonly pipeline: Pipeline;
  /** Every channel's parts, by name, in configuration order. */
  readonly channels: ReadonlyMap<string, ChannelParts>;
  /** The history database. */
  readonly store: Store;
  /** Stops sampling, closes clients with 1001 and closes the server. */
  shutdown(): Promise<void>;
}

/** The parts of a monitor without a server, for tests that use `app.request()`. */
export interface MonitorCore {
  /** The HTTP application (drive it with `app.request()`). */
  app: OpenAPIHono;
  /** The WebSocket clients. */
  hub: Hub;
  /** The first channel's ticker (not started). */
  sampler: Sampler;
  /** The first channel's device. */
  source: Source;
  /** The history store. */
  store: Store;
  /** Kept recordings (in the store's database). */
  recordings: Recordings;
  /** The first channel's per-sample fan-out (tests feed past samples through it). */
  pipeline: Pipeline;
  /** The first channel's energy and charge: counters, persistence, reset. */
  energy: EnergyMeter;
  /** Every channel's parts, by name, in configuration order (the first is the v1 channel). */
  channels: ReadonlyMap<string, ChannelParts>;
  /** Metrics and MQTT. */
  integrations: Integrations;
  /** Alert notifications (webhooks, ntfy); undefined when none is configured. */
  notifier: Notifier | undefined;
  /** `/status` and every status message. */
  statusBoard: StatusBoard;
  /** The `/status` body. */
  status: () => StatusResponse;
  /** The TCP front's counters (zero until a front serves this core). */
  connections: ConnectionCounters;
  /** Every channel's markers (`/api/markers`; alert transitions add theirs). */
  markers: Markers;
  /** Every channel's armed recordings, fed each channel's samples. */
  triggers: Triggers<Sample>;
}

/**
 * Largest WebSocket message the front lets through: the hub closes one over
 * MAX_INCOMING_BYTES politely (1009); far beyond that the front cuts the connection.
 */
const FRONT_MAX_MESSAGE_BYTES = 16 * MAX_INCOMING_BYTES;

/** How often retention runs. */
const RETENTION_INTERVAL_MS = 60_000;

/** The notifier the NOTIFY_* settings ask for, on the store's database; undefined: none. */
function openNotifier(config: Config, store: Store, log: (line: string) => void) {
  const destinations = destinationsOf(config);
  if (destinations.length === 0) return undefined;
  try {
    return new Notifier(store.db, {
      destinations,
      device: config.deviceId,
      defaultChannel: config.channels[0].name,
      ruleLimit: config.notifyRuleLimit,
      ruleWindowMs: config.notifyRuleWindowMs,
      log,
    });
  } catch (error) {
    store.close();
    throw new StartupError(`Cannot open the notification outbox: ${(error as Error).message}`);
  }
}

/**
 * The sample rate (per second, every channel) from which WAL checkpoints move to a
 * Worker of their own (src/store/checkpointer.ts): 10 ms sampling on one channel (100/s;
 * 90 so a timer's jitter does not decide), or more channels slower.
 */
const CHECKPOINT_WORKER_FROM_ROWS_PER_S = 90;

function openStore(config: Config, onHealth: (message: string) => void): Store {
  try {
    return new Store({
      path: config.dbPath,
      channels: config.channels.map((c) => c.name),
      rawRetentionMs: config.rawRetentionMs,
      rollupRetentionMs: config.rollupRetentionMs,
      flushIntervalMs: config.flushIntervalMs,
      retentionIntervalMs: RETENTION_INTERVAL_MS,
      maxQueue: config.dbMaxQueue,
      checkpointWorkerFromRowsPerS: CHECKPOINT_WORKER_FROM_ROWS_PER_S,
      onHealth,
    });
  } catch (error) {
    if (error instanceof StoreError) throw new StartupError(error.message);
    throw error;
  }
}

/** The recordings over the store's database (measured channels only: derived ones are not stored). */
function openRecordings(
  config: Config,
  store: Store,
  notice: (message: string) => void,
): Recordings {
  try {
    return new Recordings(recordingsStore(store), {
      channels: config.channels.filter((c) => c.kind === "measured").map((c) => c.name),
      maxBytes: config.recordingsMaxBytes,
      notice,
    });
  } catch (error) {
    store.close();
    if (error instanceof StoreError) throw new StartupError(error.message);
    throw error;
  }
}

/**
 * One source per measured channel, by name (channels on one I2C bus share one
 * acquisition thread); opens nothing.
 */
function openSources(
  config: Config,
  onNotice: (channel: string) => (message: string) => void,
): Map<string, Source> {
  try {
    return createChannelSources(config.channels, {
      onNotice: (channel, message) => onNotice(channel)(message),
    });
  } catch (error) {
    if (error instanceof RangeError) throw new StartupError(error.message);
    throw error;
  }
}

/**
 * Builds store, source, sampler, hub and app; starts no sampling and no server.
 * `hostFacts` (this machine's names and addresses) widen the Host allowlist beyond
 * loopback, HOST and ALLOWED_HOSTS.
 */
export function createCore(
  config: Config,
  version = "dev",
  log: (line: string) => void = console.log,
  hostFacts: HostFacts = NO_HOST_FACTS,
): MonitorCore {
  const startedAtMs = Date.now();
  const rejections = new RejectCounter({ log });
  const connections = newConnectionCounters();
  const hub = new Hub({
    maxBufferedBytes: config.wsMaxBufferedBytes,
    stuckCloseMs: config.wsStuckCloseMs,
    channels: config.channels.map(hubChannel),
  });
  // The status board reads every part, so it is built last: until then there is no
  // client to tell (nothing is started before createCore returns).
  let board: StatusBoard | undefined;
  const several = config.channels.length > 1;
  const toClients = (message: string, channel?: string) => {
    if (!board) return;
    hub.broadcast(board.notice(message, channel), channel);
  };
  // Sampler and sensor events also go to the log (the journal on a Pi), not only to the
  // browsers that happen to be connected; device notices go to the clients only.
  const samplerNotice = (channel: string) => (message: string) => {
    log(several ? `[${channel}] ${message}` : message);
    toClients(message, channel);
  };
  const sources = openSources(config, (channel) => (message) => toClients(message, channel));
  const store = openStore(config, (message) => {
    console.error(message);
    toClients(message);
  });
  // Recordings: kept spans beside the store's history; their notices go to every client.
  const recordings = openRecordings(config, store, (message) => {
    log(message);
    toClients(message);
  });
  const parts = new Map<string, ChannelParts>();
  const measured = (name: string) => parts.get(name) as MeasuredParts;
  const derived = new DerivedChannels(config.channels, {
    intervalMs: (name) => measured(name).sampler.intervalMs,
  });
  const shared = (channel: string): ChannelShared => ({
    hub,
    alertRules: config.alertRules,
    notice: samplerNotice(channel),
    log,
  });
  const aligned = alignedChannels(config.channels);
  for (const channel of config.channels) {
    const name = channel.name;
    if (channel.kind === "derived") {
      const computed = derived.channels.get(name)!;
      parts.set(
        name,
        derivedParts(channel, { store, staleMs: () => computed.staleMs }, shared(name)),
      );
      continue;
    }
    const feedsDerived = derived.reads(name);
    parts.set(
      name,
      measuredParts(channel, {
        source: sources.get(name)!,
        store,
        alignWakeUps: aligned.has(name),
        onSample: (sample) => {
          if (!feedsDerived) return;
          for (const d of derived.add(name, sample)) {
            addDerived(parts.get(d.channel) as DerivedParts, d.sample);
          }
        },
      }, shared(name)),
    );
  }
  const first = measured(config.channels[0].name);
  const { source, sampler, pipeline, energy } = first;
  const notifier = openNotifier(config, store, log);
  if (notifier) { for (const p of parts.values()) p.pipeline.onAlert(notifier.onAlert); }
  const integrations = createIntegrations(config, {
    channels: [...parts.values()].map(integrationChannel),
    global: globalMetrics(hub, store),
    onAlert: (listener) => {
      for (const p of parts.values()) p.pipeline.onAlert(listener);
    },
    version,
    log,
    notifications: notifier && (() => notifier.metrics()),
  });
  const names = config.channels.map((c) => c.name);
  const markers = new Markers({
    log: new MarkerLog(store.db),
    broadcast: (message, channel) => hub.broadcast(message, channel),
    channels: names,
  });
  const triggers = new Triggers<Sample>({
    channels: names,
    announce: (message, channel) => hub.broadcast(message, channel),
  });
  // Recordings armed on a trigger: the trigger announces their states, once each.
  const triggered = new TriggeredRecordings({ recordings, triggers });
  for (const p of parts.values()) {
    p.pipeline.onAlert(markers.onAlert);
    p.pipeline.onEachSample((sample) => triggers.feed(p.name, sample));
  }
  const all = <T>(pick: (p: ChannelParts) => T) =>
    perChannel(new Map([...parts].map(([name, p]) => [name, pick(p)])));
  const measuredOnly = <T>(pick: (p: MeasuredParts) => T) =>
    perChannel(
      new Map(
        [...parts.values()].filter((p) => p.kind === "measured").map((p) => [p.name, pick(p)]),
      ),
    );
  const channelList = () => [...parts.values()].map((p) => channelInfo(p, parts));
  const statusBoard = board = new StatusBoard({
    version,
    startedAtMs,
    authRequired: config.apiToken !== null,
    retention: {
      raw_hours: config.rawRetentionMs / 3_600_000,
      rollup_days: config.rollupRetentionMs / 86_400_000,
    },
    source,
    sampling: sampler,
    clients: hub,
    samplesTotal: () => pipeline.samplesTotal,
    sampleRateHz: first.rate.hz,
    database: () => store.summary(),
    mqtt: () => integrations.mqttStatus(),
    notifications: () => notifier?.status() ?? { enabled: false },
    rejections: () => rejections.counts,
    connections: () => connections,
    channels: channelList,
    channel: (name) => {
      const p = parts.get(name);
      return p === undefined ? undefined : channelViews(p, parts);
    },
  });
  const app = createApp({
    version,
    security: {
      apiToken: config.apiToken,
      readTokenRequired: config.readTokenRequired,
      allowedOrigins: config.allowedOrigins,
    },
    status: statusBoard.status,
    channels: () => ({ channels: channelList() }),
    simulator: measuredOnly((p) => simulatorControl(p.sampler, p.source)),
    sensor: measuredOnly((p) => sensorControl(p.source)),
    history: all((p) =>
      p.kind === "measured"
        ? measuredHistory(store, p.store)
        : derivedHistory(p.config, store, (n) => measured(n).sampler.intervalMs)
    ),
    alerts: all((p) => alertsControl(p.store, p.analyzer, p.pipeline, alertMetricsOf(p.config))),
    analysis: all((p) => p.analyzer),
    spans: all((p) =>
      p.kind === "measured" ? measuredSpans(store, p.store) : derivedSpans(p.config, store)
    ),
    energy: all((p) => p.energy),
    markers,
    hub,
    upgrade: createDenoUpgrader({
      limits: new ClientLimits({
        maxClients: config.wsMaxClients,
        maxPerAddress: config.wsMaxClientsPerAddress,
      }),
    }),
    greeting: statusBoard.greeting,
    metrics: integrations.metrics,
    guard: {
      hosts: hostAllowlist(hostFacts, { boundHost: config.host, extra: config.allowedHosts }),
      rejections,
    },
    recordings: {
      recordings,
      markers,
      armWithTriggers: (spec, body) => triggered.arm(spec, body),
      stopTriggered: (id) => triggered.stop(id),
    },
  });
  return {
    app,
    hub,
    sampler,
    source,
    store,
    recordings,
    pipeline,
    energy,
    channels: parts,
    integrations,
    notifier,
    statusBoard,
    status: statusBoard.status,
    connections,
    markers,
    triggers,
  };
}

async function ensureWritableDir(dir: string): Promise<void> {
  try {
    await Deno.mkdir(dir, { recursive: true });
    const probe = await Deno.makeTempFile({ dir, prefix: ".write-test-" });
    await Deno.remove(probe);
  } catch (error) {
    const reason = error instanceof Deno.errors.NotCapable
      ? `Deno was not granted write access to it (run with --allow-write=${dir})`
      : error instanceof Deno.errors.PermissionDenied
      ? "permission denied"
      : (error as Error).message;
    const hint = error instanceof Deno.errors.NotCapable
      ? ""
      : " (set DATA_DIR to a writable folder)";
    throw new StartupError(`Data folder "${dir}" is not writable: ${reason}${hint}`);
  }
}

function listen(
  config: Config,
  handler: Deno.ServeHandler<Deno.NetAddr>,
  counters: ConnectionCounters,
): Front {
  try {
    return startFront({
      port: config.port,
      hostname: config.host,
      limits: new ConnectionLimits({
        maxConnections: config.httpMaxConns,
        maxPerAddress: config.httpMaxConnsPerAddress,
        ratePerSecond: config.httpConnectRatePerAddress,
      }),
      headerTimeoutMs: config.httpHeaderTimeoutMs,
      idleTimeoutMs: config.httpIdleTimeoutMs,
      sendTimeoutMs: config.httpSendTimeoutMs,
      maxMessageBytes: FRONT_MAX_MESSAGE_BYTES,
      counters,
    }, handler);
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) {
      throw new StartupError(
        `Port ${config.port} is already in use: set PORT or stop the other process`,
      );
    }
    if (error instanceof Deno.errors.AddrNotAvailable) {
      throw new StartupError(`Cannot bind HOST "${config.host}": no such address on this machine`);
    }
    if (error instanceof Deno.errors.PermissionDenied) {
      throw new StartupError(
        `Cannot bind ${config.host}:${config.port}: permission denied (ports below 1024 need privileges)`,
      );
    }
    throw new StartupError(
      `Cannot start the server on ${config.host}:${config.port}: ${(error as Error).message}`,
    );
  }
}

/** Starts a monitor: checks the data folder, serves, and starts sampling. */
export async function startMonitor(config: Config, options: MonitorOptions = {}): Promise<Monitor> {
  const log = options.log ?? console.log;
  await ensureWritableDir(config.dataDir);
  const core = createCore(config, options.version, log, machineHostFacts(log));
  const {
    app,
    hub,
    sampler,
    statusBoard,
    store,
    pipeline,
    integrations,
    channels,
    notifier,
    recordings,
  } = core;
  const samplers = [...channels.values()].flatMap((p) => p.kind === "measured" ? [p.sampler] : []);
  let server: Front;
  try {
    server = listen(config, app.fetch, core.connections);
  } catch (error) {
    recordings.close();
    store.close();
    throw error;
  }
  const { port } = server.addr;
  const url = shownUrl(config.host, port);
  const lines = startupLines({
    version: options.version ?? "dev",
    url,
    host: config.host,
    port,
    tokenSet: Boolean(config.apiToken),
    sourceWarnings: [...channels.values()].flatMap((p) => {
      if (p.kind !== "measured") return [];
      const warnings = p.source.warnings?.(p.config.sampleIntervalMs) ?? [];
      return channels.size > 1 ? warnings.map((w) => `channel "${p.name}": ${w}`) : warnings;
    }),
  });
  for (const line of lines) log(line);
  try {
    await Promise.all(samplers.map((s) => s.start()));
  } catch (error) {
    await Promise.allSettled(samplers.map((s) => s.stop()));
    recordings.close();
    store.close();
    await server.shutdown();
    throw error;
  }
  await integrations.startMqtt();
  notifier?.start();
  let ticker: ReturnType<typeof setInterval> | undefined;
  if (config.statusIntervalMs > 0) {
    ticker = setInterval(
      () => hub.broadcast(statusBoard.periodic()),
      config.statusIntervalMs,
    );
  }
  const statistics = setInterval(() => {
    for (const p of channels.values()) p.pipeline.broadcastStatistics();
  }, 1000);
  let closing: Promise<void> | undefined;
  return {
    url,
    app,
    hub,
    sampler,
    pipeline,
    store,
    channels,
    shutdown: () =>
      closing ??= (async () => {
        clearInterval(ticker);
        clearInterval(statistics);
        await Promise.all(samplers.map((s) => s.stop()));
        // Side by side: each may wait up to 1 s for a peer. Pending notifications stay in
        // the outbox (the same database) for the next run.
        await Promise.all([integrations.stopMqtt(), notifier?.stop()]);
        // Live recordings take what the store holds, then stop ("shutdown").
        recordings.close();
        // Everything broadcast is in the writer's queue: write it before going.
        store.close();
        hub.closeAll();
        await server.shutdown();
      })(),
  };
}
