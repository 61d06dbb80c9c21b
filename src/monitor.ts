/**
 * Assembles one monitor from a {@link Config}: source → sampler → hub → HTTP app →
 * server, plus the periodic status message, and takes it apart again on shutdown.
 * @module
 */
import type { Config } from "./config.ts";
import { Hub } from "./hub.ts";
import { createApp } from "./http/app.ts";
import { ClientLimits } from "./http/limits.ts";
import { serveSupervised, type SupervisedServer } from "./http/server.ts";
import { createDenoUpgrader } from "./http/ws_adapter.ts";
import {
  hostAllowlist,
  type HostFacts,
  machineHostFacts,
  NO_HOST_FACTS,
} from "./http/host_guard.ts";
import { RejectCounter } from "./http/request_guard.ts";
import { AlertEngine, DEFAULT_RULES } from "./analysis/alerts.ts";
import { createIntegrations, type Integrations } from "./integrations/integrations.ts";
import { initialRules, Pipeline } from "./pipeline.ts";
import type { StatusResponse } from "./protocol/status.ts";
import { statusMessage } from "./protocol/ws.ts";
import { Sampler } from "./sampler.ts";
import { createSource } from "./sources/create.ts";
import { MockSource } from "./sources/mock.ts";
import type { Source } from "./sources/source.ts";
import { StoreError } from "./store/db.ts";
import { Store } from "./store/store.ts";
import type { OpenAPIHono } from "@hono/zod-openapi";

/** A start-up failure meant for a person: one line, exit code 1. */
export class StartupError extends Error {
  override name = "StartupError";
}

/** Options of {@link startMonitor}. */
export interface MonitorOptions {
  version?: string;
  /** Where informational lines go. */
  log?: (line: string) => void;
}

/** A running monitor. */
export interface Monitor {
  /** Base URL, e.g. `http://127.0.0.1:8000`. */
  readonly url: string;
  readonly app: OpenAPIHono;
  readonly hub: Hub;
  readonly sampler: Sampler;
  /** The per-sample fan-out (tests feed past samples through it). */
  readonly pipeline: Pipeline;
  readonly store: Store;
  /** Stops sampling, closes clients with 1001 and closes the server. */
  shutdown(): Promise<void>;
}

/** The parts of a monitor without a server, for tests that use `app.request()`. */
export interface MonitorCore {
  app: OpenAPIHono;
  hub: Hub;
  sampler: Sampler;
  source: Source;
  store: Store;
  pipeline: Pipeline;
  integrations: Integrations;
  status: () => StatusResponse;
}

/** How often retention runs. */
const RETENTION_INTERVAL_MS = 60_000;

function openStore(
  config: Config,
  announce: (m: string) => void,
  flushSettings: () => Record<string, unknown>,
): Store {
  try {
    return new Store({
      path: config.dbPath,
      rawRetentionMs: config.retentionHours * 3_600_000,
      rollupRetentionMs: config.rollupRetentionDays * 86_400_000,
      flushIntervalMs: config.flushIntervalMs,
      retentionIntervalMs: RETENTION_INTERVAL_MS,
      maxQueue: config.dbMaxQueue,
      flushSettings,
      onHealth: (message) => {
        console.error(message);
        announce(message);
      },
    });
  } catch (error) {
    if (error instanceof StoreError) throw new StartupError(error.message);
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
  const hub = new Hub({
    maxBufferedBytes: config.wsMaxBufferedBytes,
    stuckCloseMs: config.wsStuckCloseS * 1000,
  });
  // Device and sampler events carry the state they leave behind, so a client can follow
  // mode, interval and start/stop without parsing the text or asking /status again.
  // (Read through a reference set below: a source may speak while it is being built.)
  const built: { sampler?: Sampler } = {};
  const announce = (message: string) =>
    hub.broadcast(statusMessage(message, Date.now(), {
      simulator: built.sampler?.running ? "connected" : "disconnected",
      mode: built.sampler?.source.mode,
      interval_ms: built.sampler?.intervalMs,
    }));
  let source: Source;
  try {
    source = createSource(config, { onNotice: announce });
  } catch (error) {
    if (error instanceof RangeError) throw new StartupError(error.message);
    throw error;
  }
  // The store writes the pipeline's energy counters with every flush; both exist
  // before either is used.
  const store = openStore(config, announce, () => pipeline.flushSettings());
  const pipeline: Pipeline = new Pipeline({
    hub,
    store,
    alerts: new AlertEngine(initialRules(store, config.alertRules, DEFAULT_RULES)),
    // Energy is not integrated across a gap of more than a few sample intervals.
    maxGapMs: () => 5 * sampler.intervalMs,
  });
  const sampler: Sampler = new Sampler(source, {
    intervalMs: config.sampleIntervalMs,
    lastSeq: store.writer.lastSeq,
    onSample: pipeline.onSample,
    // Device and sensor events also go to the log (the journal on a Pi), not only to
    // the browsers that happen to be connected.
    onStatus: (message) => {
      log(message);
      announce(message);
    },
  });
  built.sampler = sampler;
  const integrations = createIntegrations(config, { hub, pipeline, sampler, store, version, log });
  const status = (): StatusResponse => ({
    server: "running",
    simulator: sampler.running ? "connected" : "disconnected",
    websocket_connections: hub.size,
    type: source.type,
    source: source.kind,
    mode: source.mode,
    modes: [...source.modes],
    auto_rotate: source instanceof MockSource && source.autoRotate,
    interval_ms: sampler.intervalMs,
    last_seq: sampler.lastSeq,
    samples_total: pipeline.samplesTotal,
    sensor_status: sampler.sensorStatus ?? "unknown",
    last_error: sampler.lastError ?? null,
    uptime_s: Math.round((Date.now() - startedAtMs) / 100) / 10,
    slow_client_skips: hub.stats.slowSkips,
    slow_client_closes: hub.stats.slowCloses,
    auth_required: config.apiToken !== undefined,
    version,
    source_details: source.details(),
    database: (({ path, rows, file_bytes, pending, dropped, last_flush_ms, last_error }) => ({
      path,
      rows,
      file_bytes,
      pending,
      dropped,
      last_flush_ms,
      last_error,
    }))(store.stats()),
    mqtt: integrations.mqttStatus(),
    retention: { raw_hours: config.retentionHours, rollup_days: config.rollupRetentionDays },
    rejected_requests: { ...rejections.counts },
  });
  const app = createApp({
    config,
    sampler,
    hub,
    status,
    version,
    store,
    pipeline,
    metrics: integrations.metrics,
    upgrade: createDenoUpgrader({
      limits: new ClientLimits({
        maxClients: config.wsMaxClients,
        maxPerAddress: config.wsMaxClientsPerAddress,
      }),
    }),
    guard: {
      hosts: hostAllowlist(hostFacts, { boundHost: config.host, extra: config.allowedHosts }),
      rejections,
    },
    greeting: () => {
      const s = status();
      return statusMessage(
        `Connected to ina219-monitor: ${s.type} ${s.simulator}, mode ${s.mode}, ${s.interval_ms} ms`,
        Date.now(),
        { websocket_connections: s.websocket_connections, simulator: s.simulator },
      );
    },
  });
  return { app, hub, sampler, source, store, pipeline, integrations, status };
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

function listen(config: Config, handler: Deno.ServeHandler<Deno.NetAddr>): SupervisedServer {
  try {
    return serveSupervised({ port: config.port, hostname: config.host }, handler);
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

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host.startsWith("127.");
}

/** Starts a monitor: checks the data folder, serves, and starts sampling. */
export async function startMonitor(config: Config, options: MonitorOptions = {}): Promise<Monitor> {
  const log = options.log ?? console.log;
  await ensureWritableDir(config.dataDir);
  const core = createCore(config, options.version, log, machineHostFacts(log));
  const { app, hub, sampler, status, store, pipeline, integrations } = core;
  let server: SupervisedServer;
  try {
    server = listen(config, app.fetch);
  } catch (error) {
    store.close();
    throw error;
  }
  const { port } = server.addr;
  const shownHost = config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host;
  const url = `http://${shownHost.includes(":") ? `[${shownHost}]` : shownHost}:${port}`;
  log(
    `ina219-monitor ${
      options.version ?? "dev"
    } listening on ${url}/ (bound to ${config.host}:${port}); docs at ${url}/docs`,
  );
  if (!isLoopback(config.host) && !config.apiToken) {
    log(
      `Warning: bound to ${config.host} without API_TOKEN: anyone on the network can stop the sampler or change its settings`,
    );
  }
  for (const warning of core.source.warnings?.(config.sampleIntervalMs) ?? []) {
    log(`Warning: ${warning}`);
  }
  await sampler.start();
  await integrations.startMqtt();
  let ticker: ReturnType<typeof setInterval> | undefined;
  if (config.statusIntervalS > 0) {
    ticker = setInterval(() => {
      const s = status();
      hub.broadcast(statusMessage(
        `Connections: ${s.websocket_connections}, simulator: ${s.simulator}`,
        Date.now(),
        { websocket_connections: s.websocket_connections, simulator: s.simulator },
      ));
    }, config.statusIntervalS * 1000);
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
