/**
 * Hand-written fakes implementing the real interfaces: a clock whose time only
 * moves when a test says so, a WebSocket client the hub can talk to, and the narrow
 * interfaces the routes take (simulator, history, alerts, analysis, energy), with
 * {@link fakeApp} to build the real HTTP app over them.
 * @module
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Clock, TimerId } from "../src/clock.ts";
import { type AppDeps, createApp } from "../src/http/app.ts";
import { hostAllowlist, NO_HOST_FACTS } from "../src/http/host_guard.ts";
import { newConnectionCounters } from "../src/http/front_state.ts";
import { RejectCounter } from "../src/http/request_guard.ts";
import { singleChannel } from "../src/http/route_helpers.ts";
import type { SensorControl } from "../src/http/routes_sensor.ts";
import type {
  AlertsControl,
  EnergyReset,
  LiveAnalysis,
  SpanFigures,
} from "../src/http/routes_analysis.ts";
import type { HistoryStore } from "../src/http/routes_history.ts";
import type { SimulatorControl, SimulatorState } from "../src/http/routes_simulator.ts";
import { Hub, type HubClient } from "../src/hub.ts";
import type { ActiveAlert, AlertData, AlertRule } from "../src/protocol/alerts.ts";
import type { Averages, OutlierData, OutlierSummary } from "../src/protocol/analysis.ts";
import type { Metric, Severity } from "../src/protocol/common.ts";
import type { CleanupResponse, DatabaseStats } from "../src/protocol/database.ts";
import type { HistoryBucket, MeasurementRow } from "../src/protocol/history.ts";
import type { StatusResponse } from "../src/protocol/status.ts";
import { statusMessage } from "../src/protocol/ws.ts";
import type { HistoryPlan } from "../src/store/queries.ts";
import type { SpanResponse } from "../src/protocol/span.ts";

interface Timer {
  id: number;
  atMs: number;
  fn: () => void;
}

/** Lets every pending promise callback run (one macrotask turn). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** A {@link Clock} driven by {@link FakeClock.advance}; `lateMs` delays every timer. */
export class FakeClock implements Clock {
  nowMs: number;
  /** Extra delay added to every timer, as a busy event loop would. */
  lateMs = 0;
  #timers: Timer[] = [];
  #nextId = 1;

  constructor(startMs = 1_700_000_000_000) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  setTimeout(fn: () => void, delayMs: number): TimerId {
    const id = this.#nextId++;
    this.#timers.push({ id, atMs: this.nowMs + Math.max(0, delayMs) + this.lateMs, fn });
    return id as unknown as TimerId;
  }

  clearTimeout(id: TimerId): void {
    this.#timers = this.#timers.filter((t) => t.id !== (id as unknown as number));
  }

  /** Number of timers waiting. */
  get pending(): number {
    return this.#timers.length;
  }

  /** Moves time forward by `ms`, firing due timers in order and letting their work settle. */
  async advance(ms: number): Promise<void> {
    const endMs = this.nowMs + ms;
    for (;;) {
      this.#timers.sort((a, b) => a.atMs - b.atMs || a.id - b.id);
      const next = this.#timers[0];
      if (!next || next.atMs > endMs) break;
      this.#timers.shift();
      this.nowMs = Math.max(this.nowMs, next.atMs);
      next.fn();
      await settle();
    }
    this.nowMs = endMs;
    await settle();
  }
}

/** A WebSocket stand-in for the hub: records what it was sent. */
export class FakeSocket implements HubClient {
  readyState = 1;
  bufferedAmount = 0;
  sent: string[] = [];
  closed: { code?: number; reason?: string } | undefined;
  /** Make `send` throw, as a socket closed under our feet does. */
  failSend = false;

  send(data: string): void {
    if (this.failSend) throw new Error("socket closed");
    this.sent.push(data);
  }

  close(code?: number, reason?: string): void {
    this.closed = { code, reason };
    this.readyState = 2;
  }

  /** The close code, if the socket was closed (a method, so asserts do not narrow it). */
  closeCode(): number | undefined {
    return this.closed?.code;
  }

  /** The messages sent so far, parsed. */
  messages(): { type: string; [key: string]: unknown }[] {
    return this.sent.map((s) => JSON.parse(s));
  }
}

/** Rejects the next command of a fake with `error`, once. */
interface FailNext {
  failNext: Error | undefined;
}

function takeFailure(fake: FailNext): void {
  const error = fake.failNext;
  fake.failNext = undefined;
  if (error) throw error;
}

/** A {@link SimulatorControl} that keeps its state in fields and records every command. */
export class FakeSimulator implements SimulatorControl, FailNext {
  readonly type = "Fake";
  running = false;
  mode = "NORMAL";
  modes = ["NORMAL", "LOAD_SPIKE"];
  intervalMs = 1000;
  autoRotate = true;
  /** Commands received, e.g. `setMode LOAD_SPIKE`. */
  calls: string[] = [];
  failNext: Error | undefined;

  start(): Promise<boolean> {
    this.calls.push("start");
    const was = this.running;
    this.running = true;
    return Promise.resolve(!was);
  }

  stop(): Promise<boolean> {
    this.calls.push("stop");
    const was = this.running;
    this.running = false;
    return Promise.resolve(was);
  }

  setMode(mode: string): Promise<void> {
    this.calls.push(`setMode ${mode}`);
    return Promise.resolve().then(() => {
      takeFailure(this);
      this.mode = mode;
      this.autoRotate = false;
    });
  }

  setInterval(intervalMs: number): Promise<void> {
    this.calls.push(`setInterval ${intervalMs}`);
    return Promise.resolve().then(() => {
      takeFailure(this);
      this.intervalMs = intervalMs;
    });
  }

  state(): SimulatorState {
    return {
      mode: this.mode,
      modes: this.modes,
      interval_ms: this.intervalMs,
      auto_rotate: this.autoRotate,
    };
  }
}

const HOUR_MS = 3_600_000;

/** A {@link HistoryStore} over an in-memory list; `log` shows flushes and reads in order. */
export class FakeHistory implements HistoryStore {
  rawRetentionMs = 48 * HOUR_MS;
  rollupRetentionMs = 30 * 24 * HOUR_MS;
  /** Stored rows, oldest first. */
  rows: MeasurementRow[] = [];
  /** What `history()` and `minutes()` answer. */
  buckets: HistoryBucket[] = [];
  /** Calls in order, e.g. `flush`, `measurements 0 1000 10`. */
  log: string[] = [];
  pageRows = 2;
  pruned: CleanupResponse["deleted"] = {
    samples: 5,
    rollup_100ms: 4,
    rollup_1s: 3,
    rollup_1m: 2,
    alerts: 1,
  };

  flush(): void {
    this.log.push("flush");
  }

  #inWindow(fromMs: number, toMs: number): MeasurementRow[] {
    return this.rows.filter((r) => r.ts_ms >= fromMs && r.ts_ms < toMs);
  }

  measurements(fromMs: number, toMs: number, limit: number): MeasurementRow[] {
    this.log.push(`measurements ${fromMs} ${toMs} ${limit}`);
    return this.#inWindow(fromMs, toMs).reverse().slice(0, limit);
  }

  history(fromMs: number, toMs: number, plan: HistoryPlan): HistoryBucket[] {
    this.log.push(`history ${fromMs} ${toMs} ${plan.source} ${plan.bucketMs}`);
    return this.buckets;
  }

  minutes(fromMs: number, toMs: number): HistoryBucket[] {
    this.log.push(`minutes ${fromMs} ${toMs}`);
    return this.buckets;
  }

  *pages(fromMs: number, toMs: number): Generator<MeasurementRow[]> {
    this.log.push(`pages ${fromMs} ${toMs}`);
    const rows = this.#inWindow(fromMs, toMs);
    for (let i = 0; i < rows.length; i += this.pageRows) yield rows.slice(i, i + this.pageRows);
  }

  stats(): DatabaseStats {
    return {
      path: "/data/fake.db",
      rows: this.rows.length,
      oldest_ts_ms: this.rows[0]?.ts_ms ?? null,
      newest_ts_ms: this.rows.at(-1)?.ts_ms ?? null,
      file_bytes: 4096,
      wal_bytes: 0,
      pending: 0,
      written: this.rows.length,
      dropped: 0,
      last_flush_ms: null,
      last_error: null,
      checkpoints: "main",
      last_checkpoint_ms: null,
    };
  }

  prune(): Promise<CleanupResponse["deleted"]> {
    this.log.push("prune");
    return Promise.resolve(this.pruned);
  }

  vacuum(): Promise<number> {
    this.log.push("vacuum");
    return Promise.resolve(7);
  }
}

/** {@link AlertsControl} over fields. */
export class FakeAlerts implements AlertsControl {
  stored: AlertData[] = [];
  raised: ActiveAlert[] = [];
  ruleList: AlertRule[] = [];
  /** Calls in order, e.g. `history 0 1000 10 danger`. */
  log: string[] = [];

  history(fromMs: number, toMs: number, limit: number, severity?: Severity): AlertData[] {
    this.log.push(`history ${fromMs} ${toMs} ${limit} ${severity}`);
    return this.stored.filter((a) => !severity || a.severity === severity).slice(0, limit);
  }

  active(): ActiveAlert[] {
    return this.raised;
  }

  rules(): AlertRule[] {
    return this.ruleList;
  }

  setRules(rules: AlertRule[]): void {
    this.log.push("setRules");
    this.ruleList = rules;
  }
}

/** {@link LiveAnalysis} answering fixed figures. */
export class FakeAnalysis implements LiveAnalysis {
  outliers: OutlierData[] = [];

  movingAverages(metric: Metric, nowMs: number): Averages {
    const base = { v: 5, a: 0.2, w: 1 }[metric];
    return { ma_1m: base, ma_5m: base, ma_15m: nowMs > 0 ? base : null };
  }

  outlierSummary(_nowMs: number): OutlierSummary {
    const counts = { zscore: 0, iqr: 0, zscore_window: 0, iqr_window: 0 };
    return {
      window_s: 60,
      metrics: { v: counts, a: counts, w: counts },
      last: this.outliers.at(-1) ?? null,
    };
  }

  recentOutliers(limit: number): OutlierData[] {
    return this.outliers.slice(-limit).reverse();
  }
}

/** {@link SpanFigures} answering `answer`; `log` shows flushes and reads. */
export class FakeSpans implements SpanFigures {
  rollupRetentionMs = 30 * 24 * HOUR_MS;
  answer: SpanResponse = {
    from_ms: 0,
    to_ms: 0,
    duration_ms: 0,
    count: 0,
    errors: 0,
    v: { min: null, max: null, avg: null, p2p: null, rms: null, sd: null },
    a: { min: null, max: null, avg: null, p2p: null, rms: null, sd: null },
    w: { min: null, max: null, avg: null, p2p: null, rms: null, sd: null },
    energy_j: 0,
    energy_wh: 0,
    charge_c: 0,
    charge_ah: 0,
    source: { exact: true, from_ms: 0, to_ms: 0, steps_unknown: 0, parts: [] },
  };
  log: string[] = [];

  span(fromMs: number, toMs: number): SpanResponse {
    this.log.push(`span ${fromMs} ${toMs}`);
    return this.answer;
  }
}

/** {@link EnergyReset} with counters in fields. */
export class FakeEnergy implements EnergyReset {
  sinceResetJ = 0;
  sinceResetC = 0;
  nowMs = 1_700_000_000_000;
  resets = 0;

  reset(): ReturnType<EnergyReset["reset"]> {
    this.resets++;
    const previous = { sinceResetJ: this.sinceResetJ, sinceResetC: this.sinceResetC };
    this.sinceResetJ = 0;
    this.sinceResetC = 0;
    return { previous, resetAtMs: this.nowMs };
  }
}

/** A `/status` body with every field, for apps built from fakes. */
export function fakeStatus(over: Partial<StatusResponse> = {}): StatusResponse {
  return {
    server: "running",
    simulator: "disconnected",
    websocket_connections: 0,
    type: "Fake",
    source: "fake",
    mode: "NORMAL",
    modes: ["NORMAL", "LOAD_SPIKE"],
    auto_rotate: false,
    interval_ms: 1000,
    last_seq: 0,
    samples_total: 0,
    sample_rate_hz: 0,
    sensor_status: "unknown",
    last_error: null,
    uptime_s: 0,
    slow_client_skips: 0,
    slow_client_closes: 0,
    auth_required: false,
    version: "test",
    source_details: {},
    database: {
      path: "/data/fake.db",
      rows: 0,
      file_bytes: 0,
      pending: 0,
      dropped: 0,
      last_flush_ms: null,
      last_error: null,
      checkpoints: "main",
      last_checkpoint_ms: null,
    },
    mqtt: { enabled: false },
    retention: { raw_hours: 48, rollup_days: 30 },
    rejected_requests: { bad_host: 0, wrong_host: 0, cross_origin: 0 },
    connections: newConnectionCounters(),
    ...over,
  };
}

/** Every fake an app is built from; the tests read and steer them. */
export interface FakeParts {
  simulator: FakeSimulator;
  history: FakeHistory;
  alerts: FakeAlerts;
  analysis: FakeAnalysis;
  spans: FakeSpans;
  energy: FakeEnergy;
  hub: Hub;
}

/**
 * The real HTTP app (routes, validation, auth, errors) over fakes: route behaviour
 * without a sampler, a store or a database. `over` replaces any dependency.
 */
export function fakeApp(
  over: Partial<Omit<AppDeps, "sensor">> & { sensor?: SensorControl } = {},
): { app: OpenAPIHono; fakes: FakeParts; nowMs: number } {
  const nowMs = 1_700_000_000_000;
  const fakes: FakeParts = {
    simulator: new FakeSimulator(),
    history: new FakeHistory(),
    alerts: new FakeAlerts(),
    analysis: new FakeAnalysis(),
    spans: new FakeSpans(),
    energy: new FakeEnergy(),
    hub: new Hub(),
  };
  const app = createApp({
    version: "test",
    security: { apiToken: null, readTokenRequired: false, allowedOrigins: [] },
    status: () => fakeStatus(),
    greeting: () => statusMessage("hello", nowMs),
    upgrade: () => new Response(null, { status: 101 }),
    guard: {
      hosts: hostAllowlist(NO_HOST_FACTS, { boundHost: "127.0.0.1", extra: [] }),
      rejections: new RejectCounter({ log: () => {} }),
    },
    now: () => nowMs,
    channels: () => ({ channels: [] }),
    hub: fakes.hub,
    simulator: singleChannel(fakes.simulator),
    history: singleChannel(fakes.history),
    alerts: singleChannel(fakes.alerts),
    analysis: singleChannel(fakes.analysis),
    spans: singleChannel(fakes.spans),
    energy: singleChannel(fakes.energy),
    ...over,
    sensor: over.sensor ? singleChannel(over.sensor) : undefined,
  });
  return { app, fakes, nowMs };
}
