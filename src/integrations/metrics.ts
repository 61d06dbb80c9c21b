/**
 * Prometheus metrics in base units, rendered by prom-client (which works under Deno;
 * only its default Node.js collectors are left out, as their event-loop probes do not).
 * Every per-channel series carries a `channel` label; the process, WebSocket and
 * database series carry none. Every value is read at scrape time from the live
 * objects: nothing is kept twice.
 * @module
 */
import { Counter, Gauge, Registry } from "prom-client";
import { type NotifyMetricsSource, registerNotifyMetrics } from "../notify/metrics.ts";

/** The newest sample of a channel: measured (v, a, w) or derived (w, efficiency, loss). */
export interface ChannelReading {
  /** Bus voltage (V); measured channels only. */
  v: number;
  /** Current (A); measured channels only. */
  a: number;
  /** Power (W): measured, or a derived channel's output power (efficiency) or total (sum). */
  w: number;
  /** Efficiency channels: P_out / P_in (0..1), null while P_in ≤ 0. */
  efficiency?: number | null;
  /** Efficiency channels: P_in − P_out (W). */
  lossW?: number;
}

/**
 * The live figures of one channel a scrape reads. Only `last` is required: a series whose
 * reader is absent (a derived channel has no sensor, no energy counter) is left out.
 */
export interface ChannelMetricsSource {
  /** The newest sample, if any. */
  last(): ChannelReading | undefined;
  /** Energy (J) and charge (C) since the database began. */
  totals?(): { energyJ: number; chargeC: number };
  /** Samples produced since start-up, failed reads included. */
  samplesTotal?(): number;
  /** Failed reads since start-up. */
  sensorErrorsTotal?(): number;
  /** Ticks that produced no sample: a read overran its interval, or a stall was given up on. */
  sequenceGapsTotal?(): number;
  /** Whether sampling runs and the last read succeeded. */
  sensorUp?(): boolean;
  /** Samples per second over the last seconds. */
  sampleRateHz?(): number;
  /** The interval sampling is set to (s), so a scrape can tell a dropped rate from a slow one. */
  sampleIntervalS?(): number;
  /** The alerts raised now on this channel, one per metric. */
  activeAlerts?(): { metric: string; severity: string }[];
}

/** The figures that belong to the whole process, not to a channel. */
export interface GlobalMetricsSource {
  /** Connected WebSocket clients. */
  websocketClients(): number;
  /** Messages not sent to a slow client so far. */
  slowClientSkips(): number;
  /** Clients closed for being too slow so far. */
  slowClientCloses(): number;
  /** Sample rows in the database. */
  databaseRows(): number;
  /** Size of the database files in bytes. */
  databaseBytes(): number;
  /** Samples dropped because the database refused writes for too long. */
  databaseDropped(): number;
}

/** A single-sensor monitor's figures in one object: one channel's and the global ones. */
export type MetricsSource =
  & Required<Omit<ChannelMetricsSource, "sampleRateHz" | "sampleIntervalS">>
  & Pick<ChannelMetricsSource, "sampleRateHz" | "sampleIntervalS">
  & GlobalMetricsSource;

/** One channel as a scrape sees it. */
export interface MetricsChannel {
  /** The `channel` label's value. */
  name: string;
  /** For people; in `ina219_channel_info`. */
  label: string;
  /** Derived channels' figures go to `ina219_derived_*` series, never mixed with measured ones. */
  kind: "measured" | "derived";
  /** The sensor (measured) or the computation (derived), for `ina219_channel_info`. */
  sensor?: string;
  /** Its figures. */
  metrics: ChannelMetricsSource;
}

type Channels = readonly MetricsChannel[];
type Read = (channel: MetricsChannel) => number | undefined;

/** Builds the registry; `render()` gives the text exposition format. */
export function createMetrics(
  channels: Channels,
  global: GlobalMetricsSource,
  notifications?: NotifyMetricsSource,
): { render(): Promise<string>; contentType: string } {
  const registry = new Registry();
  if (notifications) registerNotifyMetrics(registry, notifications);
  const registers = [registry];
  const labelNames = ["channel"];
  const measured = channels.filter((c) => c.kind === "measured");
  const derived = channels.filter((c) => c.kind === "derived");
  const gauge = (name: string, help: string, read: () => number | undefined) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        const value = read();
        if (value === undefined) this.reset();
        else this.set(value);
      },
    });
  const channelGauge = (name: string, help: string, of: Channels, read: Read) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers,
      collect() {
        this.reset();
        for (const c of of) {
          const value = read(c);
          if (value !== undefined) this.set({ channel: c.name }, value);
        }
      },
    });
  // Counters only ever grow; prom-client's Counter refuses a decrease, so each running
  // total is mirrored by adding the difference at each scrape.
  const counter = (name: string, help: string, read: () => number) => {
    let seen = 0;
    return new Counter({
      name,
      help,
      registers,
      collect() {
        const value = read();
        if (value >= seen) this.inc(value - seen);
        seen = Math.max(seen, value);
      },
    });
  };
  const channelCounter = (name: string, help: string, read: Read) => {
    const seen = new Map<string, number>();
    return new Counter({
      name,
      help,
      labelNames,
      registers,
      collect() {
        for (const c of channels) {
          const value = read(c);
          if (value === undefined) continue;
          const before = seen.get(c.name) ?? 0;
          // inc(0) still creates the series, so a channel shows 0 before its first count.
          this.inc({ channel: c.name }, Math.max(0, value - before));
          seen.set(c.name, Math.max(before, value));
        }
      },
    });
  };

  new Gauge({
    name: "ina219_channel_info",
    help: "1 per channel, with its label, kind and sensor (or computation).",
    labelNames: ["channel", "label", "kind", "sensor"],
    registers,
    collect() {
      this.reset();
      for (const c of channels) {
        this.set({ channel: c.name, label: c.label, kind: c.kind, sensor: c.sensor ?? "" }, 1);
      }
    },
  });
  const m = (c: MetricsChannel) => c.metrics;
  channelGauge(
    "ina219_bus_voltage_volts",
    "Bus voltage of the newest sample.",
    measured,
    (c) => m(c).last()?.v,
  );
  channelGauge(
    "ina219_current_amperes",
    "Current of the newest sample.",
    measured,
    (c) => m(c).last()?.a,
  );
  channelGauge(
    "ina219_power_watts",
    "Power of the newest sample.",
    measured,
    (c) => m(c).last()?.w,
  );
  channelGauge(
    "ina219_derived_power_watts",
    "A derived channel's power: the output power (efficiency) or the summed power (sum).",
    derived,
    (c) => m(c).last()?.w,
  );
  channelGauge(
    "ina219_derived_efficiency_ratio",
    "An efficiency channel's P_out / P_in (absent while P_in <= 0).",
    derived,
    (c) => m(c).last()?.efficiency ?? undefined,
  );
  channelGauge(
    "ina219_derived_loss_watts",
    "An efficiency channel's loss, P_in - P_out.",
    derived,
    (c) => m(c).last()?.lossW,
  );
  channelCounter(
    "ina219_energy_joules_total",
    "Energy since the database began.",
    (c) => m(c).totals?.().energyJ,
  );
  channelCounter(
    "ina219_charge_coulombs_total",
    "Charge since the database began.",
    (c) => m(c).totals?.().chargeC,
  );
  channelCounter(
    "ina219_samples_total",
    "Samples produced since start.",
    (c) => m(c).samplesTotal?.(),
  );
  channelCounter(
    "ina219_sensor_errors_total",
    "Failed sensor reads since start.",
    (c) => m(c).sensorErrorsTotal?.(),
  );
  channelCounter(
    "ina219_sequence_gaps_total",
    "Ticks the sampler skipped (a stalled process, or a sensor read that ran over its interval).",
    (c) => m(c).sequenceGapsTotal?.(),
  );
  channelGauge("ina219_sensor_up", "1 while the sensor reads succeed.", channels, (c) => {
    const up = m(c).sensorUp;
    return up ? (up() ? 1 : 0) : undefined;
  });
  channelGauge(
    "ina219_sample_rate_hertz",
    "Samples per second over the last seconds.",
    channels,
    (c) => m(c).sampleRateHz?.(),
  );
  channelGauge(
    "ina219_sample_interval_seconds",
    "The interval sampling is set to; 1 / this is the rate ina219_sample_rate_hertz should reach.",
    measured,
    (c) => m(c).sampleIntervalS?.(),
  );
  gauge("ina219_websocket_clients", "Connected WebSocket clients.", global.websocketClients);
  counter(
    "ina219_websocket_slow_client_skips_total",
    "Messages not sent to a client whose buffer was full.",
    global.slowClientSkips,
  );
  counter(
    "ina219_websocket_slow_client_closes_total",
    "Clients closed because they stayed stuck.",
    global.slowClientCloses,
  );
  gauge("ina219_database_rows", "Raw samples stored.", global.databaseRows);
  gauge("ina219_database_size_bytes", "Database file plus write-ahead log.", global.databaseBytes);
  counter(
    "ina219_database_dropped_samples_total",
    "Queued samples dropped because the database refused writes past DB_MAX_QUEUE.",
    global.databaseDropped,
  );
  gauge(
    "process_resident_memory_bytes",
    "Resident memory of this process.",
    () => Deno.memoryUsage().rss,
  );
  gauge("process_heap_used_bytes", "JavaScript heap in use.", () => Deno.memoryUsage().heapUsed);
  new Gauge({
    name: "ina219_alert_active",
    help: "1 for each alert currently raised, by channel, metric and severity.",
    labelNames: ["channel", "metric", "severity"],
    registers,
    collect() {
      this.reset();
      for (const c of channels) {
        for (const a of c.metrics.activeAlerts?.() ?? []) {
          this.set({ channel: c.name, metric: a.metric, severity: a.severity }, 1);
        }
      }
    },
  });
  return { render: () => registry.metrics(), contentType: registry.contentType };
}
