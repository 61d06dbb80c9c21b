/**
 * The outward integrations of one monitor, built from its config and a view of each
 * channel: Prometheus metrics (unless METRICS_ENABLED=false) and the MQTT publisher (when
 * MQTT_URL is set). Their libraries are loaded on first use: together they cost about
 * 15 MB of memory, which a monitor nobody scrapes should not pay.
 *
 * @example The monitor, one view per channel (the first is the v1 channel):
 * ```ts
 * const integrations = createIntegrations(config, {
 *   channels: config.channels.map((c) => channelView(c, { metrics: ..., live: ... })),
 *   global: { websocketClients: () => hub.size, ... },
 *   onAlert: (listener) => pipeline.onAlert(listener), // data.channel routes each alert
 *   version,
 *   log,
 * });
 * ```
 * @module
 */
import type { ChannelConfig } from "../channels.ts";
import type { Config } from "../config.ts";
import type { EnergyCounters } from "../analysis/energy.ts";
import type { AlertMessage } from "../protocol/alerts.ts";
import type {
  ChannelMetricsSource,
  ChannelReading,
  GlobalMetricsSource,
  MetricsSource,
} from "./metrics.ts";
import type {
  DerivedMqttState,
  MqttPublisher,
  MqttState,
  MqttStatus,
  PublishedChannel,
} from "./mqtt.ts";
import { redactUrl } from "./redact.ts";
import type { NotifyMetricsSource } from "../notify/metrics.ts";

/** The live state of one channel MQTT publishes. */
export interface LiveState {
  /** The newest sample, if any (a derived channel's carries `efficiency` and `lossW`). */
  last(): (ChannelReading & { tsMs: number }) | undefined;
  /** The energy and charge counters; a derived channel has none. */
  energy?(): EnergyCounters;
  /** `stopped`, or the sensor's state while sampling; `error` makes the channel unavailable. */
  sampling(): "stopped" | "ok" | "error" | "unknown";
  /** The device mode; a derived channel has none. */
  mode?(): string;
}

/** One channel as the integrations see it. */
export interface ChannelView {
  /** The channel's name: the `channel` label, and in MQTT topics and Home Assistant ids. */
  name: string;
  /** For people: the Home Assistant device's name. */
  label: string;
  /** Measured or derived (derived figures are published apart and marked). */
  kind: "measured" | "derived";
  /** A measured channel's sensor (`ina219`, `mock`, …). */
  sensor?: string;
  /** A derived channel's computation. */
  derived?: "efficiency" | "sum";
  /** What a Prometheus scrape reads of it. */
  metrics: ChannelMetricsSource;
  /** What MQTT publishes of it. */
  live: LiveState;
}

/** What the integrations read and listen to. */
export interface IntegrationParts {
  /** Every channel, in configuration order; the first is the v1 channel. At least one. */
  channels: readonly ChannelView[];
  /** The figures that belong to no channel (WebSocket clients, database). */
  global: GlobalMetricsSource;
  /** Subscribes to every alert message; `data.channel` names its channel (default: the first). */
  onAlert(listener: (message: AlertMessage) => void): void;
  /** This build's version (MQTT discovery). */
  version: string;
  /** The notifier's figures, when notifications are configured. */
  notifications?: NotifyMetricsSource;
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

/** A channel's view from its resolved config and its live figures. */
export function channelView(
  channel: ChannelConfig,
  parts: { metrics: ChannelMetricsSource; live: LiveState },
): ChannelView {
  return {
    name: channel.name,
    label: channel.label,
    kind: channel.kind,
    ...(channel.kind === "measured"
      ? { sensor: channel.sensor }
      : { sensor: channel.derived, derived: channel.derived }),
    metrics: parts.metrics,
    live: parts.live,
  };
}

/**
 * The parts of a monitor that still has one sampler: its first channel (`main` without
 * CHANNELS) from today's single-sensor objects, the global figures from the same source.
 */
export function singleChannelParts(
  config: Pick<Config, "channels">,
  parts: Omit<IntegrationParts, "channels" | "global"> & {
    metrics: MetricsSource;
    live: LiveState;
  },
): IntegrationParts {
  const { metrics, live, ...rest } = parts;
  return {
    ...rest,
    channels: [channelView(config.channels[0], { metrics, live })],
    global: metrics,
  };
}

/** The content type of the text exposition format (what prom-client sends). */
const PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

function mqttState(view: ChannelView): MqttState | DerivedMqttState {
  const live = view.live;
  const last = live.last();
  if (view.kind === "derived") {
    const efficiency = last?.efficiency;
    return {
      derived: view.derived ?? "sum",
      w: last?.w ?? null,
      ...(view.derived === "efficiency"
        ? {
          efficiency_pct: efficiency === undefined || efficiency === null ? null : efficiency * 100,
          loss_w: last?.lossW ?? null,
        }
        : {}),
      status: live.sampling(),
      ts_ms: last?.tsMs ?? null,
    };
  }
  const e = live.energy?.();
  return {
    v: last?.v ?? null,
    a: last?.a ?? null,
    w: last?.w ?? null,
    energy_total_kwh: (e?.totalJ ?? 0) / 3_600_000,
    energy_wh: (e?.sinceResetJ ?? 0) / 3600,
    charge_ah: (e?.sinceResetC ?? 0) / 3600,
    status: live.sampling(),
    mode: live.mode?.() ?? "",
    ts_ms: last?.tsMs ?? null,
  };
}

function published(view: ChannelView): PublishedChannel {
  return {
    name: view.name,
    label: view.label,
    kind: view.kind,
    sensor: view.sensor,
    derived: view.derived,
    state: () => mqttState(view),
    available: () => view.live.sampling() !== "error",
  };
}

/** Builds the integrations the config asks for; connects nothing yet. */
export function createIntegrations(config: Config, parts: IntegrationParts): Integrations {
  if (parts.channels.length === 0) throw new RangeError("integrations need at least one channel");
  let render: (() => Promise<string>) | undefined;
  const metrics = config.metricsEnabled
    ? {
      contentType: PROMETHEUS_TEXT,
      render: async () => {
        if (!render) {
          const { createMetrics } = await import("./metrics.ts");
          render = createMetrics(parts.channels, parts.global, parts.notifications).render;
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
        channels: parts.channels.map(published),
      });
      mqtt = publisher;
      parts.onAlert((message) => {
        const channel = (message.data as { channel?: unknown }).channel;
        publisher.publishAlert(message.data, typeof channel === "string" ? channel : undefined);
      });
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
