/**
 * The notification series of `/metrics`, labelled by destination id (`webhook-<hash>`,
 * `ntfy-<hash>`: never a URL, token or topic) and type. Registered by
 * src/integrations/metrics.ts when notifications are configured.
 * @module
 */
import { Counter, Gauge, type Registry } from "prom-client";
import type { DestinationMetrics } from "./notifier.ts";

/** What a scrape reads of the notifier. */
export type NotifyMetricsSource = () => {
  destinations: DestinationMetrics[];
  suppressedTotal: number;
  held: number;
};

/** Registers the notification gauges and counters in `registry`. */
export function registerNotifyMetrics(registry: Registry, read: NotifyMetricsSource): void {
  const registers = [registry];
  const labelNames = ["destination", "type"];
  new Gauge({
    name: "ina219_notifications_pending",
    help: "Notifications waiting in the outbox for (another) attempt.",
    labelNames,
    registers,
    collect() {
      this.reset();
      for (const d of read().destinations) {
        this.set({ destination: d.id, type: d.type }, d.pending);
      }
    },
  });
  const counter = (name: string, help: string, pick: (d: DestinationMetrics) => number) => {
    const seen = new Map<string, number>();
    new Counter({
      name,
      help,
      labelNames,
      registers,
      collect() {
        for (const d of read().destinations) {
          const value = pick(d);
          const before = seen.get(d.id) ?? 0;
          this.inc({ destination: d.id, type: d.type }, Math.max(0, value - before));
          seen.set(d.id, Math.max(before, value));
        }
      },
    });
  };
  counter(
    "ina219_notifications_delivered_total",
    "Notifications acknowledged (2xx) since start.",
    (d) => d.deliveredTotal,
  );
  counter(
    "ina219_notifications_failed_total",
    "Notifications given up since start (refused with a 4xx, or undeliverable for 24 h).",
    (d) => d.failedTotal,
  );
  counter(
    "ina219_notification_attempt_errors_total",
    "Delivery attempts that failed and will be retried, since start.",
    (d) => d.attemptErrorsTotal,
  );
  new Gauge({
    name: "ina219_notifications_held",
    help: "Notifications the database refused (disk full), held in memory and retried.",
    registers,
    collect() {
      this.set(read().held);
    },
  });
  let seen = 0;
  new Counter({
    name: "ina219_notifications_suppressed_total",
    help: "Alert transitions folded into a flapping rule's summary since start.",
    registers,
    collect() {
      const value = read().suppressedTotal;
      this.inc(Math.max(0, value - seen));
      seen = Math.max(seen, value);
    },
  });
}
