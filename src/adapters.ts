/**
 * How the real objects meet the narrow interfaces the routes and integrations take:
 * the sampler as a {@link SimulatorControl}, the source as a {@link SensorControl}, alerts
 * from the store, the analyzer and the pipeline, and the live figures `/metrics` and MQTT
 * read. (A channel's history and span figures: channel_parts.ts.) Delegation only: no policy lives here.
 * @module
 */
import type { Analyzer } from "./analysis/analyzer.ts";
import type { EnergyMeter } from "./energy_meter.ts";
import type { AlertsControl } from "./http/routes_analysis.ts";
import type { SensorControl } from "./http/routes_sensor.ts";
import type { SimulatorControl } from "./http/routes_simulator.ts";
import type { Hub } from "./hub.ts";
import type { LiveState } from "./integrations/integrations.ts";
import type { MetricsSource } from "./integrations/metrics.ts";
import type { Pipeline } from "./pipeline.ts";
import type { Sampler } from "./sampler.ts";
import type { Source } from "./sources/source.ts";
import type { Store } from "./store/store.ts";

/** The sampler and the source it drives, as the simulator routes see them. */
export function simulatorControl(sampler: Sampler, source: Source): SimulatorControl {
  return {
    type: source.type,
    start: () => sampler.start(),
    stop: () => sampler.stop(),
    setMode: (mode) => source.setMode(mode),
    setInterval: (intervalMs) => sampler.setIntervalMs(intervalMs),
    state: () => ({
      mode: source.mode,
      modes: source.modes,
      interval_ms: sampler.intervalMs,
      auto_rotate: source.autoRotate ?? false,
    }),
  };
}

/** The source's settings, as the sensor routes change them. */
export function sensorControl(source: Source): SensorControl {
  return {
    type: source.type,
    hasAdc: source.setAdcSamples !== undefined,
    setAdcSamples: (samples) => {
      if (!source.setAdcSamples) throw new Error(`The ${source.type} source has no ADC setting`);
      return source.setAdcSamples(samples);
    },
  };
}

/** Alerts: history from the store, live state from the analyzer, changes through the pipeline. */
export function alertsControl(
  store: Pick<Store, "alerts">,
  analyzer: Analyzer,
  pipeline: Pipeline,
): AlertsControl {
  return {
    history: (fromMs, toMs, limit, severity) => store.alerts.list(fromMs, toMs, limit, severity),
    active: () => analyzer.alerts.active(),
    rules: () => pipeline.rules(),
    setRules: (rules) => pipeline.setRules(rules),
  };
}

/** The live parts a Prometheus scrape and the MQTT state read. */
export interface LiveParts {
  /** The WebSocket clients. */
  hub: Hub;
  /** The device. */
  source: Source;
  /** The ticker. */
  sampler: Sampler;
  /** The history store. */
  store: Store;
  /** The per-sample fan-out. */
  pipeline: Pipeline;
  /** The live analysis. */
  analyzer: Analyzer;
  /** Energy and charge. */
  energy: EnergyMeter;
}

/** The figures a Prometheus scrape reads, from the live parts. */
export function metricsSource(parts: LiveParts): MetricsSource {
  const { hub, sampler, store, pipeline, analyzer, energy } = parts;
  return {
    last: () => pipeline.last,
    totals: () => {
      const e = energy.counters;
      return { energyJ: e.totalJ, chargeC: e.totalC };
    },
    samplesTotal: () => pipeline.samplesTotal,
    sensorErrorsTotal: () => pipeline.sensorErrorsTotal,
    sequenceGapsTotal: () => sampler.skippedTicks,
    sensorUp: () => sampler.running && sampler.sensorStatus === "ok",
    websocketClients: () => hub.size,
    slowClientSkips: () => hub.stats.slowSkips,
    slowClientCloses: () => hub.stats.slowCloses,
    databaseRows: () => store.rows,
    databaseBytes: () => store.sizeBytes(),
    databaseDropped: () => store.writer.dropped,
    activeAlerts: () => analyzer.alerts.active(),
  };
}

/** The state MQTT publishes, from the live parts. */
export function liveState(
  parts: Pick<LiveParts, "source" | "sampler" | "pipeline" | "energy">,
): LiveState {
  const { source, sampler, pipeline, energy } = parts;
  return {
    last: () => pipeline.last,
    energy: () => energy.counters,
    sampling: () => !sampler.running ? "stopped" : sampler.sensorStatus ?? "unknown",
    mode: () => source.mode,
  };
}
