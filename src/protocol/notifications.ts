/**
 * Notifications on the wire: the JSON body a webhook receives for every alert transition
 * (or summary of a flapping rule), and the `notifications` section of `/status`.
 * @module
 */
import { z } from "zod";
import { AlertMetric } from "./alerts.ts";
import { ChannelName, Severity } from "./common.ts";

/** What a notification reports. */
export const NotificationKind = z.enum(["raised", "escalated", "cleared", "summary"]);
/** What a notification reports. */
export type NotificationKind = z.output<typeof NotificationKind>;

/** The body POSTed to each webhook (and the source of the ntfy message). */
export const NotificationBody = z.object({
  version: z.literal(1),
  kind: NotificationKind,
  event_id: z.string().meta({
    description: "One transition (or summary); the same at every destination",
  }),
  idempotency_key: z.string().meta({
    description:
      "One delivery (event × destination); the same on every retry, also in `Idempotency-Key`",
  }),
  alert_id: z.number().int().nullable().meta({
    description: "The transition's id in `/api/alerts` and the `alert` message; null: summary",
  }),
  rule: z.string().meta({ description: "`<channel>/<metric>`", example: "main/v" }),
  device: z.string().meta({ description: "DEVICE_ID of the monitor" }),
  channel: ChannelName,
  metric: AlertMetric,
  level: Severity.meta({
    description: "The level now; for `cleared`, the level that ended; for `summary`, the last",
  }),
  active: z.boolean().meta({ description: "Whether the alert is raised after this event" }),
  value: z.number(),
  threshold: z.number(),
  unit: z.string(),
  message: z.string(),
  ts_ms: z.number().int(),
  ts: z.string(),
  summary: z.object({
    suppressed: z.number().int().meta({ description: "Transitions not pushed one by one" }),
    window_ms: z.number().int(),
    first_ts_ms: z.number().int(),
    last_ts_ms: z.number().int(),
  }).optional().meta({ description: "Only for `kind: summary`" }),
});
/** The webhook body. */
export type NotificationBody = z.output<typeof NotificationBody>;

/** One destination's deliveries in `/status`. */
export const DestinationStatus = z.object({
  id: z.string().meta({ description: "Stable name without secrets; the `destination` label" }),
  type: z.enum(["webhook", "ntfy"]),
  url: z.string().meta({ description: "Scheme and host only" }),
  pending: z.number().int().meta({ description: "Waiting for (another) attempt" }),
  delivered: z.number().int().meta({ description: "Acknowledged (rows kept 7 days)" }),
  failed: z.number().int().meta({
    description: "Given up: refused (4xx) or undeliverable for 24 h (rows kept 7 days)",
  }),
  last_error: z.string().nullable(),
});
/** One destination's deliveries. */
export type DestinationStatus = z.output<typeof DestinationStatus>;

/** The `notifications` section of `/status`. */
export const NotificationsStatus = z.union([
  z.object({ enabled: z.literal(false) }),
  z.object({
    enabled: z.literal(true),
    destinations: z.array(DestinationStatus),
    suppressed: z.number().int().meta({
      description: "Transitions folded into summaries since start-up",
    }),
    held: z.number().int().meta({
      description:
        "Outbox rows the database refused (disk full), held in memory and stored again every 5 s",
    }),
    held_dropped: z.number().int().meta({
      description: "Held rows dropped since start-up because more than 1000 were held",
    }),
  }),
]).meta({ description: "Alert notifications (webhooks, ntfy) through the outbox" });
/** The `notifications` section of `/status`. */
export type NotificationsStatus = z.output<typeof NotificationsStatus>;
