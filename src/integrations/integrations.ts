/**
 * The outward integrations of one monitor, built from its config and live parts:
 * Prometheus metrics (unless METRICS_ENABLED=false) and the MQTT publisher (when
 * MQTT_URL is set). Their libraries are loaded on first use: together they cost
 * about 15 MB of memory, which a monitor nobody scrapes should not pay.
 * @module
 */
import type { Config } from "../config.ts";
import type { EnergyCounters } from "../analysis/energy.ts";
import type { AlertMessage } from "../protocol/alerts.ts";
import type { MetricsSource } from "./metrics.ts";
import type { MqttPublisher, MqttState, MqttStatus } from "./mqtt.ts";
import { redactUrl } from "./redact.ts";

/** The live state MQTT publishes. */
export interface LiveState {
  /** The newest measured sample, if any. */
  last(): { v: number; a: number; w: number; tsMs: number } | undefined;
  /** The energy and charge counters. */
  energy(): EnergyCounters;
  /** `stopped`, or the sensor's state while sampling. */
  sampling(): "stopped" | "ok" | "error" | "unknown";
  /** The device mode. */
  mode(): string;
}

/** What the integrations read and listen to. */
export interface IntegrationParts {
  /** The figures a Prometheus scrape reads. */
  metrics: MetricsSource;
  /** The state MQTT publishes. */
  live: LiveState;
  /** Subscribes to every alert message. */
  onAlert(listener: (message: AlertMessage) => void): void;
  /** This build's version (MQTT discovery). */
  version: string;
  /** Where informational lines go. */
  log?: (line: string) => void;
}

/** Built integrations. */
export interface Integrations {
  /** Prometheus text and its content type; absent when METRICS_ENABLED=false. */
  metrics?: { render(): Promise<string>; contentType: string };
  /** Connects the MQTT publisher, if MQTT_URL is set. */
  startMqtt(): Promise<void>;
  /** Says `offline` and disconnects. */
  stopMqtt(): Promise<void>;
  /** The `mqtt` section of `/status`. */
  mqttStatus(): ({ enabled: true } & MqttStatus) | { enabled: false };
}

/** The content type of the text exposition format (what prom-client sends). */
const PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

function mqttState(live: LiveState): MqttState {
  const last = live.last();
  const e = live.energy();
  return {
    v: last?.v ?? null,
    a: last?.a ?? null,
    w: last?.w ?? null,
    energy_total_kwh: e.totalJ / 3_600_000,
    energy_wh: e.sinceResetJ / 3600,
    charge_ah: e.sinceResetC / 3600,
    status: live.sampling(),
    mode: live.mode(),
    ts_ms: last?.tsMs ?? null,
  };
}

/** Builds the integrations the config asks for; connects nothing yet. */
export function createIntegrations(config: Config, parts: IntegrationParts): Integrations {
  let render: (() => Promise<string>) | undefined;
  const metrics = config.metricsEnabled
    ? {
      contentType: PROMETHEUS_TEXT,
      render: async () => {
        if (!render) {
          const { createMetrics } = await import("./metrics.ts");
          render = createMetrics(parts.metrics).render;
        }
        return render();
      },
    }
    : undefined;

  let mqtt: MqttPublisher | undefined;
  return {
    metrics,
    async startMqtt() {
      if (config.mqttUrl === null || mqtt) return;
      const { MqttPublisher } = await import("./mqtt.ts");
      const publisher = new MqttPublisher({
        url: config.mqttUrl,
        username: config.mqttUsername ?? undefined,
        password: config.mqttPassword ?? undefined,
        prefix: config.mqttTopicPrefix,
        discoveryPrefix: config.mqttDiscoveryPrefix,
        intervalMs: config.mqttIntervalMs,
        deviceId: config.deviceId,
        version: parts.version,
        log: parts.log,
        state: () => mqttState(parts.live),
      });
      mqtt = publisher;
      parts.onAlert((message) => publisher.publishAlert(message.data));
      publisher.start();
    },
    async stopMqtt() {
      await mqtt?.stop();
    },
    mqttStatus: () => {
      if (config.mqttUrl === null) return { enabled: false };
      return mqtt ? { enabled: true as const, ...mqtt.status() } : {
        enabled: true as const,
        url: redactUrl(config.mqttUrl),
        connected: false,
        state_topic: `${config.mqttTopicPrefix}/state`,
        published: 0,
        last_error: null,
      };
    },
  };
}
