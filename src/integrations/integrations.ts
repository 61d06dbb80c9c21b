/**
 * The outward integrations of one monitor, built from its config and live parts:
 * Prometheus metrics (unless METRICS_ENABLED=false) and the MQTT publisher (when
 * MQTT_URL is set).
 * @module
 */
import type { Config } from "../config.ts";
import type { Hub } from "../hub.ts";
import type { Pipeline } from "../pipeline.ts";
import type { Sampler } from "../sampler.ts";
import type { Store } from "../store/store.ts";
import { createMetrics } from "./metrics.ts";
import { MqttPublisher, type MqttStatus } from "./mqtt.ts";

/** The live parts the integrations read. */
export interface IntegrationParts {
  hub: Hub;
  pipeline: Pipeline;
  sampler: Sampler;
  store: Store;
  version: string;
  log?: (line: string) => void;
}

/** Built integrations. */
export interface Integrations {
  metrics?: ReturnType<typeof createMetrics>;
  mqtt?: MqttPublisher;
  /** The `mqtt` section of `/status`. */
  mqttStatus(): ({ enabled: true } & MqttStatus) | { enabled: false };
}

/** This machine's name as a device id: `ina219-<hostname>`, letters, digits, - and _. */
export function defaultDeviceId(hostname: () => string = Deno.hostname): string {
  let host = "monitor";
  try {
    host = hostname().toLowerCase().replace(/[^a-z0-9_-]+/g, "-").replace(/^-+|-+$/g, "") ||
      host;
  } catch (error) {
    // Without --allow-sys=hostname the name is unknown; a fixed one still works.
    console.warn(
      `Cannot read the host name (${(error as Error).message}): DEVICE_ID ina219-${host}`,
    );
  }
  return `ina219-${host}`.slice(0, 64);
}

/** Builds the integrations the config asks for; starts nothing. */
export function createIntegrations(config: Config, parts: IntegrationParts): Integrations {
  const { hub, pipeline, sampler, store } = parts;
  const metrics = config.metricsEnabled
    ? createMetrics({
      last: () => pipeline.last,
      totals: () => {
        const e = pipeline.analyzer.energy;
        return { energyJ: e.totalJ, chargeC: e.totalC };
      },
      samplesTotal: () => pipeline.samplesTotal,
      sensorErrorsTotal: () => pipeline.sensorErrorsTotal,
      sequenceGapsTotal: () => sampler.skippedTicks,
      sensorUp: () => sampler.running && sampler.sensorStatus === "ok",
      websocketClients: () => hub.size,
      slowClientSkips: () => hub.stats.slowSkips,
      slowClientCloses: () => hub.stats.slowCloses,
      databaseRows: () => store.stats().rows,
      databaseBytes: () => {
        const s = store.stats();
        return s.file_bytes + s.wal_bytes;
      },
      activeAlerts: () => pipeline.analyzer.alerts.active(),
    })
    : undefined;

  let mqtt: MqttPublisher | undefined;
  if (config.mqttUrl) {
    const deviceId = config.deviceId ?? defaultDeviceId();
    mqtt = new MqttPublisher({
      url: config.mqttUrl,
      username: config.mqttUsername,
      password: config.mqttPassword,
      prefix: config.mqttTopicPrefix ?? `ina219/${deviceId}`,
      discoveryPrefix: config.mqttDiscoveryPrefix,
      intervalS: config.mqttIntervalS,
      deviceId,
      version: parts.version,
      log: parts.log,
      state: () => {
        const last = pipeline.last;
        const e = pipeline.analyzer.energy;
        return {
          v: last?.v ?? null,
          a: last?.a ?? null,
          w: last?.w ?? null,
          energy_total_kwh: e.totalJ / 3_600_000,
          energy_wh: e.sinceResetJ / 3600,
          charge_ah: e.sinceResetC / 3600,
          status: !sampler.running ? "stopped" : sampler.sensorStatus ?? "unknown",
          mode: sampler.source.mode,
          ts_ms: last?.tsMs ?? null,
        };
      },
    });
    const publisher = mqtt;
    pipeline.onAlert((message) => publisher.publishAlert(message.data));
  }
  return {
    metrics,
    mqtt,
    mqttStatus: () => (mqtt ? { enabled: true as const, ...mqtt.status() } : { enabled: false }),
  };
}
