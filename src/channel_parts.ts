/**
 * One channel's live parts, built from its {@link ChannelConfig}: a measured channel's
 * source, sampler, energy meter, analyzer and pipeline over its share of the store; a
 * derived channel's analyzer, energy meter, figures and pipeline fed by its inputs. And
 * what each channel is to the outside: its `/api/channels` entry and its stream encoding.
 * (Its history and span figures: channel_history.ts.)
 * @module
 */
import {
  AlertEngine,
  alertMetricsOf,
  DEFAULT_RULES,
  ruleMetricIssues,
  rulesFor,
} from "./analysis/alerts.ts";
import type { AlertRule } from "./protocol/alerts.ts";
import { Analyzer } from "./analysis/analyzer.ts";
import type { ChannelConfig, DerivedChannelConfig, MeasuredChannelConfig } from "./channels.ts";
import type { DerivedSample } from "./derived/combine.ts";
import { DerivedFigures } from "./derived/figures.ts";
import { derivedMeasurementMessage, derivedMeasurementsMessages } from "./derived/messages.ts";
import { EnergyMeter, hardwareSteps, type HardwareTotals } from "./energy_meter.ts";
import type { ChannelEncoder, Hub, HubChannel } from "./hub.ts";
import { initialRules, Pipeline } from "./pipeline.ts";
import type { ChannelInfo } from "./protocol/channels.ts";
import type { StatusMessage } from "./protocol/ws.ts";
import type { Sample } from "./sample.ts";
import { Sampler } from "./sampler.ts";
import { Signal } from "./signal.ts";
import { resolutionOf } from "./sources/resolution.ts";
import type { Source } from "./sources/source.ts";
import { SampleRate, type SamplingView, type SourceView } from "./status.ts";
import type { ChannelStore } from "./store/channel_store.ts";
import type { Store } from "./store/store.ts";

/** Energy is not integrated across a gap of more than this many sample intervals. */
const ENERGY_MAX_GAP_INTERVALS = 5;

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

/**
 * The channel's analyzer with its alert rules: those of ALERT_RULES for the metrics it
 * has, else the saved ones, else the defaults (the 5 V rail's for a measured channel,
 * none for a derived one). Saved rules of metrics it does not have are dropped, said.
 */
function analyzerFor(
  config: ChannelConfig,
  store: ChannelStore,
  shared: Pick<ChannelShared, "alertRules" | "log">,
): Analyzer {
  const metrics = alertMetricsOf(config);
  const defaults = config.kind === "measured" ? DEFAULT_RULES : [];
  let rules = initialRules(store, rulesFor(shared.alertRules, metrics), defaults, shared.log);
  const issues = ruleMetricIssues(rules, metrics);
  if (issues.length > 0) {
    shared.log(
      `Warning: channel "${config.name}": saved alert rules are no longer valid (${
        issues[0].path
      }: ${issues[0].message}); using the defaults until new rules are saved`,
    );
    rules = [...defaults];
  }
  return new Analyzer({ alerts: new AlertEngine(rules) });
}

/**
 * A measured channel's parts over `source`; `onSample` hears each sample after the
 * pipeline (the derived channels reading it).
 */
export function measuredParts(
  config: MeasuredChannelConfig,
  parts: {
    source: Source;
    store: Store;
    onSample: (sample: Sample) => void;
    /** Whether the sampler wakes aligned with the other channels' (see {@link alignedChannels}). */
    alignWakeUps?: boolean;
  },
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
    alignWakeUps: parts.alignWakeUps,
  });
  // An INA228's own accumulators count what the chip measured between the samples too.
  const totals = (parts.source as { accumulators?: () => HardwareTotals | undefined })
    .accumulators;
  const energy = new EnergyMeter({
    storage: store,
    maxGapMs: () => ENERGY_MAX_GAP_INTERVALS * sampler.intervalMs,
    announce: announceTo(hub, config.name),
    accumulator: config.sensor === "ina228" && totals
      ? hardwareSteps(() => totals.call(parts.source))
      : undefined,
  });
  const analyzer = analyzerFor(config, store, shared);
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

/**
 * The channels whose samplers tick on the main thread in batches (the mock:
 * `DEFAULT_BATCH_MS` of samples per wake-up) and should wake aligned: all of
 * them when there are several, so they wake in the same timer turn on one drift-free
 * grid and each `channel=*` client gets every channel's batch in one write. Measured
 * (`bench/fanout.ts --runs ch3`, docs/benchmarks.md): three aligned mocks at 1 kHz gave
 * p99 15.8–17.4 ms at 27–29 % CPU, spread evenly over the period 17.6–18.6 ms at
 * 34–41 % (one burst per channel costs each client's connection a write). A single
 * such channel is not aligned: it keeps the repeating timer, the cheapest wake-up.
 *
 * @example
 * ```ts
 * alignedChannels(config.channels); // three mocks: Set { "a", "b", "c" }
 * ```
 */
export function alignedChannels(channels: readonly ChannelConfig[]): Set<string> {
  const batched = channels.filter((c) => c.kind === "measured" && c.sensor === "mock");
  return new Set(batched.length < 2 ? [] : batched.map((c) => c.name));
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
  const analyzer = analyzerFor(config, store, shared);
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
    resolution: parts.kind === "measured"
      ? resolutionOf(parts.config.sensor, parts.source.details())
      : null,
  };
}

/** How a channel's samples are written on the stream (a derived one's with its extras). */
export function hubChannel(channel: ChannelConfig): HubChannel {
  if (channel.kind === "measured") return { name: channel.name };
  const name = channel.name;
  const encoder: ChannelEncoder = {
    text: (sample) => {
      const message = derivedMeasurementMessage(sample as DerivedSample);
      message.data.channel = name;
      return JSON.stringify(message);
    },
    batch: (samples) => {
      const messages = derivedMeasurementsMessages(samples as DerivedSample[]);
      for (const message of messages) message.data.channel = name;
      return messages;
    },
  };
  return { name, encoder };
}
