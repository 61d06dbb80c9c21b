/**
 * One channel's live parts, built from its {@link ChannelConfig}: a measured channel's
 * source, sampler, energy meter, analyzer and pipeline over its share of the store; a
 * derived channel's analyzer, energy meter, figures and pipeline fed by its inputs. And
 * what each part answers for the channel: its `/api/channels` entry, and a derived
 * channel's history computed from its inputs' (derived samples are never stored).
 * @module
 */
import { AlertEngine, DEFAULT_RULES } from "./analysis/alerts.ts";
import type { AlertRule } from "./protocol/alerts.ts";
import { Analyzer } from "./analysis/analyzer.ts";
import type { ChannelConfig, DerivedChannelConfig, MeasuredChannelConfig } from "./channels.ts";
import type { DerivedSample } from "./derived/combine.ts";
import { DerivedFigures } from "./derived/figures.ts";
import { deriveHistory, deriveRows, type InputBucket } from "./derived/history.ts";
import { EnergyMeter } from "./energy_meter.ts";
import type { HistoryStore } from "./http/routes_history.ts";
import type { SpanFigures } from "./http/routes_analysis.ts";
import type { Hub } from "./hub.ts";
import { initialRules, Pipeline } from "./pipeline.ts";
import type { ChannelInfo } from "./protocol/channels.ts";
import type { MeasurementRow } from "./protocol/history.ts";
import type { SpanResponse } from "./protocol/span.ts";
import type { StatusMessage } from "./protocol/ws.ts";
import type { Sample } from "./sample.ts";
import { Sampler } from "./sampler.ts";
import { Signal } from "./signal.ts";
import type { Source } from "./sources/source.ts";
import { SampleRate, type SamplingView, type SourceView } from "./status.ts";
import type { ChannelStore } from "./store/channel_store.ts";
import type { Store } from "./store/store.ts";

/** Energy is not integrated across a gap of more than this many sample intervals. */
const ENERGY_MAX_GAP_INTERVALS = 5;

/** Raw rows read per input to replay a derived channel's samples (the route's largest limit). */
const DERIVED_ROWS_MAX = 100_000;

/** A derived channel's CSV export replays its inputs an hour at a time. */
const DERIVED_PAGE_MS = 3_600_000;

/** What every channel's parts share. */
export interface ChannelShared {
  /** The WebSocket clients. */
  hub: Hub;
  /** ALERT_RULES: applied to every channel (and saved under its keys); null = saved or defaults. */
  alertRules: readonly Readonly<AlertRule>[] | null;
  /** Receives the channel's status messages (sampler, device, energy reset). */
  notice: (message: string) => void;
  /** Where log lines go. */
  log: (line: string) => void;
}

/** The parts every channel has. */
interface PartsBase {
  /** The channel's name. */
  readonly name: string;
  /** Its share of the store (a derived channel's: alerts and settings only). */
  readonly store: ChannelStore;
  /** Its live analysis and alert rules. */
  readonly analyzer: Analyzer;
  /** Its energy and charge counters. */
  readonly energy: EnergyMeter;
  /** What happens to each of its samples. */
  readonly pipeline: Pipeline;
  /** Its samples per second. */
  readonly rate: SampleRate;
}

/** A measured channel's parts. */
export interface MeasuredParts extends PartsBase {
  /** Measured. */
  readonly kind: "measured";
  /** Its configuration. */
  readonly config: MeasuredChannelConfig;
  /** Its device. */
  readonly source: Source;
  /** Its ticker, numbering its samples. */
  readonly sampler: Sampler;
}

/** A derived channel's parts. */
export interface DerivedParts extends PartsBase {
  /** Derived. */
  readonly kind: "derived";
  /** Its configuration. */
  readonly config: DerivedChannelConfig;
  /** Its efficiency and loss statistics. */
  readonly figures: DerivedFigures;
  /** The newest derived sample, its seq, status and error (/status, /metrics, MQTT). */
  readonly last: {
    seq: number;
    status: "ok" | "error" | undefined;
    error: string | undefined;
    sample: DerivedSample | undefined;
  };
}

/** One channel's parts, told apart by `kind`. */
export type ChannelParts = MeasuredParts | DerivedParts;

function announceTo(hub: Hub, channel: string): (message: StatusMessage) => void {
  return (message) => hub.broadcast({ ...message, channel }, channel);
}

function analyzerFor(store: ChannelStore, rules: ChannelShared["alertRules"]): Analyzer {
  return new Analyzer({ alerts: new AlertEngine(initialRules(store, rules, DEFAULT_RULES)) });
}

/**
 * A measured channel's parts over `source`; `onSample` hears each sample after the
 * pipeline (the derived channels reading it).
 */
export function measuredParts(
  config: MeasuredChannelConfig,
  parts: { source: Source; store: Store; onSample: (sample: Sample) => void },
  shared: ChannelShared,
): MeasuredParts {
  const { hub } = shared;
  const store = parts.store.channel(config.name);
  const rate = new SampleRate();
  // The energy meter reads the sampler's interval and the sampler feeds the pipeline
  // built from it: the samples go through a signal made before both.
  const samples = new Signal<Sample>();
  const sampler = new Sampler(parts.source, {
    intervalMs: config.sampleIntervalMs,
    lastSeq: store.writer.lastSeq,
    onSample: samples.emit,
    onStatus: shared.notice,
  });
  const energy = new EnergyMeter({
    storage: store,
    maxGapMs: () => ENERGY_MAX_GAP_INTERVALS * sampler.intervalMs,
    announce: announceTo(hub, config.name),
  });
  const analyzer = analyzerFor(store, shared.alertRules);
  const pipeline = new Pipeline({ hub, store, analyzer, energy, channel: config.name });
  samples.listen(pipeline.onSample);
  samples.listen(rate.add);
  samples.listen(parts.onSample);
  return {
    kind: "measured",
    name: config.name,
    config,
    source: parts.source,
    sampler,
    store,
    analyzer,
    energy,
    pipeline,
    rate,
  };
}

/** A derived channel's parts; `staleMs` is how far apart its inputs' samples may be. */
export function derivedParts(
  config: DerivedChannelConfig,
  parts: { store: Store; staleMs: () => number },
  shared: ChannelShared,
): DerivedParts {
  const { hub } = shared;
  const store = parts.store.channel(config.name);
  const energy = new EnergyMeter({
    storage: store,
    maxGapMs: () => 2 * parts.staleMs(),
    announce: announceTo(hub, config.name),
  });
  const analyzer = analyzerFor(store, shared.alertRules);
  const figures = new DerivedFigures(config.derived);
  const pipeline = new Pipeline({
    hub,
    store,
    analyzer,
    energy,
    channel: config.name,
    derived: true,
    extraStatistics: (nowMs) => figures.snapshot(nowMs),
  });
  return {
    kind: "derived",
    name: config.name,
    config,
    store,
    analyzer,
    energy,
    pipeline,
    rate: new SampleRate(),
    figures,
    last: { seq: 0, status: undefined, error: undefined, sample: undefined },
  };
}

/** Hands one derived sample to its channel's parts. */
export function addDerived(parts: DerivedParts, sample: DerivedSample): void {
  parts.figures.add(sample);
  parts.last.seq = sample.seq;
  parts.last.status = sample.status === "error" ? "error" : "ok";
  if (sample.status === "error") parts.last.error = sample.error;
  else parts.last.sample = sample;
  parts.pipeline.onSample(sample);
  parts.rate.add();
}

/** The inputs of a derived channel, in configuration order. */
export function inputsOf(config: DerivedChannelConfig): readonly string[] {
  return config.derived === "efficiency" ? [config.input, config.output] : config.inputs;
}

/** The views `/status` and the status messages read of a channel. */
export function channelViews(
  parts: ChannelParts,
  all: ReadonlyMap<string, ChannelParts>,
): { source: SourceView; sampling: SamplingView } {
  if (parts.kind === "measured") {
    return { source: parts.source, sampling: parts.sampler };
  }
  const inputs = inputsOf(parts.config).map((n) => all.get(n) as MeasuredParts);
  const { last } = parts;
  return {
    source: {
      type: "Derived",
      kind: "derived",
      mode: "DERIVED",
      modes: [],
      details: () => ({ derived: parts.config.derived, inputs: inputsOf(parts.config) }),
    },
    sampling: {
      get running() {
        return inputs.every((p) => p.sampler.running);
      },
      get intervalMs() {
        return Math.max(...inputs.map((p) => p.sampler.intervalMs));
      },
      get lastSeq() {
        return last.seq;
      },
      get sensorStatus() {
        return last.status;
      },
      get lastError() {
        return last.error;
      },
    },
  };
}

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** A channel's resolved settings in the spelling of CHANNELS (`i2c_address`, …). */
function settingsOf(config: ChannelConfig): Record<string, unknown> {
  const skip = new Set(["name", "label", "kind", "sensor", "derived", "input", "output", "inputs"]);
  const settings: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (!skip.has(key)) settings[snake(key)] = value;
  }
  return settings;
}

/** A channel's `GET /api/channels` entry. */
export function channelInfo(
  parts: ChannelParts,
  all: ReadonlyMap<string, ChannelParts>,
): ChannelInfo {
  const { sampling } = channelViews(parts, all);
  const sensorStatus = sampling.sensorStatus ?? "unknown";
  const state = !sampling.running ? "stopped" : sensorStatus === "error" ? "error" : "running";
  const identity = parts.kind === "measured"
    ? { kind: "measured" as const, sensor: parts.config.sensor }
    : {
      kind: "derived" as const,
      derived: parts.config.derived,
      inputs: [...inputsOf(parts.config)],
    };
  return {
    name: parts.name,
    label: parts.config.label,
    ...identity,
    state,
    sensor_status: sensorStatus,
    interval_ms: sampling.intervalMs,
    sample_rate_hz: parts.rate.hz(),
    last_seq: sampling.lastSeq,
    settings: settingsOf(parts.config),
  };
}

/** A measured channel's stored history, as the history routes read it. */
export function measuredHistory(store: Store, channel: ChannelStore): HistoryStore {
  return {
    rawRetentionMs: store.retention.rawRetentionMs,
    rollupRetentionMs: store.retention.rollupRetentionMs,
    flush: () => void store.flush(),
    measurements: (fromMs, toMs, limit) => channel.queries.measurements(fromMs, toMs, limit),
    history: (fromMs, toMs, plan) => channel.queries.history(fromMs, toMs, plan),
    minutes: (fromMs, toMs) => channel.queries.minutes(fromMs, toMs),
    pages: (fromMs, toMs) => channel.queries.iterate(fromMs, toMs),
    stats: () => store.stats(),
    prune: () => store.prune(),
    vacuum: () => store.retention.vacuum(),
  };
}

/**
 * A derived channel's history, computed from its inputs' stored history whenever asked:
 * buckets from their buckets (`deriveHistory`), rows by replaying their rows through the
 * live computation (`deriveRows`).
 */
export function derivedHistory(
  config: DerivedChannelConfig,
  store: Store,
  intervalMs: (input: string) => number,
): HistoryStore {
  const inputs = inputsOf(config);
  const stores = inputs.map((n) => store.channel(n));
  const base = measuredHistory(store, stores[0]);
  const staleMs = () => Math.max(100, 2 * Math.max(...inputs.map(intervalMs)));
  const buckets = (read: (c: ChannelStore) => InputBucket[]) =>
    Object.fromEntries(stores.map((c) => [c.name, read(c)]));
  /** The derived rows stamped in [fromMs, toMs), oldest first. */
  const rows = (fromMs: number, toMs: number): MeasurementRow[] => {
    const margin = staleMs();
    const input = Object.fromEntries(stores.map((c) => [
      c.name,
      c.queries.measurements(fromMs - margin, toMs + margin, DERIVED_ROWS_MAX).reverse(),
    ]));
    return deriveRows(config, input, { intervalMs })
      .filter((r) => r.ts_ms >= fromMs && r.ts_ms < toMs);
  };
  return {
    ...base,
    measurements: (fromMs, toMs, limit) => rows(fromMs, toMs).reverse().slice(0, limit),
    history: (fromMs, toMs, plan) =>
      deriveHistory(config, buckets((c) => c.queries.history(fromMs, toMs, plan))),
    minutes: (fromMs, toMs) =>
      deriveHistory(config, buckets((c) => c.queries.minutes(fromMs, toMs))),
    pages: function* (fromMs, toMs) {
      for (let t = fromMs; t < toMs; t += DERIVED_PAGE_MS) {
        const page = rows(t, Math.min(toMs, t + DERIVED_PAGE_MS));
        if (page.length > 0) yield page;
      }
    },
  };
}

/** A measured channel's span figures. */
export function measuredSpans(store: Store, channel: ChannelStore): SpanFigures {
  return {
    rollupRetentionMs: store.retention.rollupRetentionMs,
    span: (fromMs, toMs) => channel.span(fromMs, toMs),
  };
}

/**
 * A derived channel's span figures from its inputs': an efficiency channel's are its
 * output's (its v, a and w are the output's); a sum's add the inputs' power, current,
 * energy and charge (min and max are not known: null), with the mean of their voltages.
 */
export function derivedSpans(config: DerivedChannelConfig, store: Store): SpanFigures {
  const inputs = inputsOf(config).map((n) => store.channel(n));
  const span = (fromMs: number, toMs: number): SpanResponse => {
    if (config.derived === "efficiency") return inputs[1].span(fromMs, toMs);
    const spans = inputs.map((c) => c.span(fromMs, toMs));
    const sum = (pick: (s: SpanResponse) => number | null) => {
      let total = 0;
      for (const s of spans) {
        const x = pick(s);
        if (x === null) return null;
        total += x;
      }
      return total;
    };
    const v = sum((s) => s.v.avg);
    const only = (avg: number | null) => ({ min: null, max: null, avg });
    return {
      ...spans[0],
      count: Math.min(...spans.map((s) => s.count)),
      errors: Math.max(...spans.map((s) => s.errors)),
      v: only(v === null ? null : v / spans.length),
      a: only(sum((s) => s.a.avg)),
      w: only(sum((s) => s.w.avg)),
      energy_j: sum((s) => s.energy_j) ?? 0,
      energy_wh: sum((s) => s.energy_wh) ?? 0,
      charge_c: sum((s) => s.charge_c) ?? 0,
      charge_ah: sum((s) => s.charge_ah) ?? 0,
      source: { ...spans[0].source, exact: spans.every((s) => s.source.exact) },
    };
  };
  return { rollupRetentionMs: store.retention.rollupRetentionMs, span };
}
