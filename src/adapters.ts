/**
 * How the real objects meet the narrow interfaces the routes and integrations take:
 * the sampler as a {@link SimulatorControl}, the source as a {@link SensorControl}, alerts
 * from the store, the analyzer and the pipeline, and the live figures `/metrics` and MQTT
 * read. (A channel's history and span figures: channel_parts.ts.) Delegation only: no policy lives here.
 * @module
 */
import type { Analyzer } from "./analysis/analyzer.ts";
import type { AlertsControl } from "./http/routes_analysis.ts";
import type { AlertMetric } from "./protocol/alerts.ts";
import type { SensorControl } from "./http/routes_sensor.ts";
import type { SimulatorControl } from "./http/routes_simulator.ts";
import type { Hub } from "./hub.ts";
import { type ChannelView, channelView } from "./integrations/integrations.ts";
import type { GlobalMetricsSource } from "./integrations/metrics.ts";
import type { ChannelParts } from "./channel_parts.ts";
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
  metrics?: readonly AlertMetric[],
): AlertsControl {
  return {
    history: (fromMs, toMs, limit, severity) => store.alerts.list(fromMs, toMs, limit, severity),
    active: () => analyzer.alerts.active(),
    rules: () => pipeline.rules(),
    setRules: (rules) => pipeline.setRules(rules),
    metrics,
  };
}

/** One channel as `/metrics` and MQTT see it: its figures and live state. */
export function integrationChannel(parts: ChannelParts): ChannelView {
  const { pipeline, analyzer, rate } = parts;
  if (parts.kind === "derived") {
    const { last } = parts;
    const sampling = () => last.status ?? "unknown";
    const reading = () => last.sample;
    return channelView(parts.config, {
      metrics: {
        last: reading,
        samplesTotal: () => pipeline.samplesTotal,
        sampleRateHz: rate.hz,
        activeAlerts: () => analyzer.alerts.active(),
      },
      live: { last: reading, sampling },
    });
  }
  const { sampler, source, energy } = parts;
  return channelView(parts.config, {
    metrics: {
      last: () => pipeline.last,
      totals: () => {
        const e = energy.counters;
        return { energyJ: e.totalJ, chargeC: e.totalC };
      },
      samplesTotal: () => pipeline.samplesTotal,
      sensorErrorsTotal: () => pipeline.sensorErrorsTotal,
      sequenceGapsTotal: () => sampler.skippedTicks,
      sensorUp: () => sampler.running && sampler.sensorStatus === "ok",
      sampleRateHz: rate.hz,
      sampleIntervalS: () => sampler.intervalMs / 1000,
      activeAlerts: () => analyzer.alerts.active(),
    },
    live: {
      last: () => pipeline.last,
      energy: () => energy.counters,
      sampling: () => !sampler.running ? "stopped" : sampler.sensorStatus ?? "unknown",
      mode: () => source.mode,
    },
  });
}

/** The figures of the whole monitor a scrape reads (clients, database). */
export function globalMetrics(hub: Hub, store: Store): GlobalMetricsSource {
  return {
    websocketClients: () => hub.size,
    slowClientSkips: () => hub.stats.slowSkips,
    slowClientCloses: () => hub.stats.slowCloses,
    databaseRows: () => store.rows,
    databaseBytes: () => store.sizeBytes(),
    databaseDropped: () => store.dropped,
  };
}
