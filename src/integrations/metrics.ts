/**
 * Prometheus metrics in base units, rendered by prom-client (which works under Deno;
 * only its default Node.js collectors are left out, as their event-loop probes do not).
 * Every value is read at scrape time from the live objects: nothing is kept twice.
 * @module
 */
import { Counter, Gauge, Registry } from "prom-client";

/** The live figures a scrape reads. */
export interface MetricsSource {
  /** The newest measured sample, if any. */
  last(): { v: number; a: number; w: number } | undefined;
  /** Energy (J) and charge (C) since the database began. */
  totals(): { energyJ: number; chargeC: number };
  /** Samples produced since start-up, failed reads included. */
  samplesTotal(): number;
  /** Failed reads since start-up. */
  sensorErrorsTotal(): number;
  /** Ticks that produced no sample: a read overran its interval, or a stall was given up on. */
  sequenceGapsTotal(): number;
  /** Whether sampling runs and the last read succeeded. */
  sensorUp(): boolean;
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
  /** The alerts raised now, one per metric. */
  activeAlerts(): { metric: string; severity: string }[];
}

/** Builds the registry; `render()` gives the text exposition format. */
export function createMetrics(
  source: MetricsSource,
): { render(): Promise<string>; contentType: string } {
  const registry = new Registry();
  const registers = [registry];
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
  // Counters only ever grow; prom-client's Counter refuses a decrease, so the running
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

  gauge("ina219_bus_voltage_volts", "Bus voltage of the newest sample.", () => source.last()?.v);
  gauge("ina219_current_amperes", "Current of the newest sample.", () => source.last()?.a);
  gauge("ina219_power_watts", "Power of the newest sample.", () => source.last()?.w);
  counter(
    "ina219_energy_joules_total",
    "Energy since the database began.",
    () => source.totals().energyJ,
  );
  counter(
    "ina219_charge_coulombs_total",
    "Charge since the database began.",
    () => source.totals().chargeC,
  );
  counter("ina219_samples_total", "Samples produced since start.", source.samplesTotal);
  counter(
    "ina219_sensor_errors_total",
    "Failed sensor reads since start.",
    source.sensorErrorsTotal,
  );
  counter(
    "ina219_sequence_gaps_total",
    "Ticks the sampler skipped (a stalled process, or a sensor read that ran over its interval).",
    source.sequenceGapsTotal,
  );
  gauge("ina219_sensor_up", "1 while the sensor reads succeed.", () => (source.sensorUp() ? 1 : 0));
  gauge("ina219_websocket_clients", "Connected WebSocket clients.", source.websocketClients);
  counter(
    "ina219_websocket_slow_client_skips_total",
    "Messages not sent to a client whose buffer was full.",
    source.slowClientSkips,
  );
  counter(
    "ina219_websocket_slow_client_closes_total",
    "Clients closed because they stayed stuck.",
    source.slowClientCloses,
  );
  gauge("ina219_database_rows", "Raw samples stored.", source.databaseRows);
  gauge("ina219_database_size_bytes", "Database file plus write-ahead log.", source.databaseBytes);
  counter(
    "ina219_database_dropped_samples_total",
    "Queued samples dropped because the database refused writes past DB_MAX_QUEUE.",
    source.databaseDropped,
  );
  gauge(
    "process_resident_memory_bytes",
    "Resident memory of this process.",
    () => Deno.memoryUsage().rss,
  );
  gauge("process_heap_used_bytes", "JavaScript heap in use.", () => Deno.memoryUsage().heapUsed);
  new Gauge({
    name: "ina219_alert_active",
    help: "1 for each alert currently raised, by metric and severity.",
    labelNames: ["metric", "severity"],
    registers,
    collect() {
      this.reset();
      for (const a of source.activeAlerts()) {
        this.set({ metric: a.metric, severity: a.severity }, 1);
      }
    },
  });
  return { render: () => registry.metrics(), contentType: registry.contentType };
}
