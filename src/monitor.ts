/**
 * The composition root: builds one monitor from a {@link Config} in straight-line
 * order (hub → notices → source → store → sampler → energy → analysis → pipeline →
 * integrations → status → HTTP app), serves it, and takes it apart on shutdown.
 * Where an earlier part must speak to a later one, a {@link Signal} made first
 * carries it. Every `config.*` read is here.
 * @module
 */
import type { Config } from "./config.ts";
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
import { AlertEngine, DEFAULT_RULES } from "./analysis/alerts.ts";
import { Analyzer } from "./analysis/analyzer.ts";
import {
  alertsControl,
  historyStore,
  liveState,
  metricsSource,
  sensorControl,
  simulatorControl,
  spanFigures,
} from "./adapters.ts";
import { EnergyMeter } from "./energy_meter.ts";
import {
  createIntegrations,
  type Integrations,
  singleChannelParts,
} from "./integrations/integrations.ts";
import { initialRules, Pipeline } from "./pipeline.ts";
import type { StatusResponse } from "./protocol/status.ts";
import type { Sample } from "./sample.ts";
import { Sampler } from "./sampler.ts";
import { Signal } from "./signal.ts";
import { createSource } from "./sources/create.ts";
import type { Source } from "./sources/source.ts";
import { SampleRate, shownUrl, startupLines, StatusBoard } from "./status.ts";
import { StoreError } from "./store/db.ts";
import { Store } from "./store/store.ts";
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
  /** Drives the source and numbers the samples. */
  readonly sampler: Sampler;
  /** The per-sample fan-out (tests feed past samples through it). */
  readonly pipeline: Pipeline;
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
  /** The ticker (not started). */
  sampler: Sampler;
  /** The device. */
  source: Source;
  /** The history store. */
  store: Store;
  /** The per-sample fan-out (tests feed past samples through it). */
  pipeline: Pipeline;
  /** Energy and charge: counters, persistence, reset. */
  energy: EnergyMeter;
  /** Metrics and MQTT. */
  integrations: Integrations;
  /** `/status` and every status message. */
  statusBoard: StatusBoard;
  /** The `/status` body. */
  status: () => StatusResponse;
  /** The TCP front's counters (zero until a front serves this core). */
  connections: ConnectionCounters;
}

/**
 * Largest WebSocket message the front lets through: the hub closes one over
 * MAX_INCOMING_BYTES politely (1009); far beyond that the front cuts the connection.
 */
const FRONT_MAX_MESSAGE_BYTES = 16 * MAX_INCOMING_BYTES;

/** How often retention runs. */
const RETENTION_INTERVAL_MS = 60_000;

/** Energy is not integrated across a gap of more than this many sample intervals. */
const ENERGY_MAX_GAP_INTERVALS = 5;

function openStore(config: Config, onHealth: (message: string) => void): Store {
  try {
    return new Store({
      path: config.dbPath,
      rawRetentionMs: config.rawRetentionMs,
      rollupRetentionMs: config.rollupRetentionMs,
      flushIntervalMs: config.flushIntervalMs,
      retentionIntervalMs: RETENTION_INTERVAL_MS,
      maxQueue: config.dbMaxQueue,
      onHealth,
    });
  } catch (error) {
    if (error instanceof StoreError) throw new StartupError(error.message);
    throw error;
  }
}

function openSource(config: Config, onNotice: (message: string) => void): Source {
  try {
    return createSource(config, { onNotice });
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
  });
  // Device, sampler and database events become status messages carrying the sampler's
  // state, and samples feed a pipeline whose energy meter reads the sampler's
  // interval: both go through signals made before the parts on either side.
  const notices = new Signal<string>();
  const samples = new Signal<Sample>();
  const source = openSource(config, notices.emit);
  const store = openStore(config, (message) => {
    console.error(message);
    notices.emit(message);
  });
  const sampler = new Sampler(source, {
    intervalMs: config.sampleIntervalMs,
    lastSeq: store.writer.lastSeq,
    onSample: samples.emit,
    // Device and sensor events also go to the log (the journal on a Pi), not only to
    // the browsers that happen to be connected.
    onStatus: (message) => {
      log(message);
      notices.emit(message);
    },
  });
  const energy = new EnergyMeter({
    storage: store,
    maxGapMs: () => ENERGY_MAX_GAP_INTERVALS * sampler.intervalMs,
    announce: (message) => hub.broadcast(message),
  });
  const analyzer = new Analyzer({
    alerts: new AlertEngine(initialRules(store, config.alertRules, DEFAULT_RULES)),
  });
  const pipeline = new Pipeline({ hub, store, analyzer, energy });
  samples.listen(pipeline.onSample);
  const sampleRate = new SampleRate();
  samples.listen(sampleRate.add);
  const live = { hub, source, sampler, store, pipeline, analyzer, energy };
  const integrations = createIntegrations(
    config,
    singleChannelParts(config, {
      metrics: { ...metricsSource(live), sampleRateHz: sampleRate.hz },
      live: liveState(live),
      onAlert: (listener) => pipeline.onAlert(listener),
      version,
      log,
    }),
  );
  const statusBoard = new StatusBoard({
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
    sampleRateHz: sampleRate.hz,
    database: () => store.stats(),
    mqtt: () => integrations.mqttStatus(),
    rejections: () => rejections.counts,
    connections: () => connections,
  });
  notices.listen((message) => hub.broadcast(statusBoard.notice(message)));
  const app = createApp({
    version,
    security: {
      apiToken: config.apiToken,
      readTokenRequired: config.readTokenRequired,
      allowedOrigins: config.allowedOrigins,
    },
    status: statusBoard.status,
    simulator: simulatorControl(sampler, source),
    sensor: sensorControl(source),
    history: historyStore(store),
    alerts: alertsControl(store, analyzer, pipeline),
    analysis: analyzer,
    spans: spanFigures(store),
    energy,
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
  });
  return {
    app,
    hub,
    sampler,
    source,
    store,
    pipeline,
    energy,
    integrations,
    statusBoard,
    status: statusBoard.status,
    connections,
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
  const { app, hub, sampler, statusBoard, store, pipeline, integrations } = core;
  let server: Front;
  try {
    server = listen(config, app.fetch, core.connections);
  } catch (error) {
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
    sourceWarnings: core.source.warnings?.(config.sampleIntervalMs) ?? [],
  });
  for (const line of lines) log(line);
  await sampler.start();
  await integrations.startMqtt();
  let ticker: ReturnType<typeof setInterval> | undefined;
  if (config.statusIntervalMs > 0) {
    ticker = setInterval(
      () => hub.broadcast(statusBoard.periodic()),
      config.statusIntervalMs,
    );
  }
  const statistics = setInterval(() => pipeline.broadcastStatistics(), 1000);
  let closing: Promise<void> | undefined;
  return {
    url,
    app,
    hub,
    sampler,
    pipeline,
    store,
    shutdown: () =>
      closing ??= (async () => {
        clearInterval(ticker);
        clearInterval(statistics);
        await sampler.stop();
        await integrations.stopMqtt();
        // Everything broadcast is in the writer's queue: write it before going.
        store.close();
        hub.closeAll();
        await server.shutdown();
      })(),
  };
}
