/**
 * What a notification says: an alert transition (or a flapping rule's summary) turned into
 * the documented webhook body, and that body turned into an ntfy message (title,
 * priority and tags by severity). Pure.
 * @module
 */
import type { AlertMessage } from "../protocol/alerts.ts";
import type { Severity } from "../protocol/common.ts";
import {
  ALERT_METRIC_NAMES as METRIC_NAMES,
  ALERT_METRIC_UNITS as METRIC_UNITS,
  type AlertMetric,
} from "../protocol/alerts.ts";
import type { NotificationBody } from "../protocol/notifications.ts";
import type { Summary } from "./limiter.ts";

/** An alert transition worth a notification. */
export interface NotifyEvent {
  /** What happened. */
  kind: "raised" | "escalated" | "cleared";
  /** The transition's id in the alert history (0 when it could not be stored). */
  alertId: number;
  /** The channel the alert belongs to. */
  channel: string;
  /** The metric of the rule. */
  metric: AlertMetric;
  /** The level now; for `cleared`, the level that ended. */
  level: Severity;
  /** The value that completed the transition. */
  value: number;
  /** The limit crossed (for `cleared`, the one it had crossed). */
  threshold: number;
  /** The alert's text for people. */
  message: string;
  /** When it happened (the sample's time). */
  tsMs: number;
}

/** The rule an alert belongs to: `<channel>/<metric>`. */
export function ruleOf(event: Pick<NotifyEvent, "channel" | "metric">): string {
  return `${event.channel}/${event.metric}`;
}

/**
 * The event of an `alert` message, or undefined for a de-escalation (danger back to
 * warning: the alert stays raised, and its clearing is pushed when it comes).
 */
export function eventOf(message: AlertMessage, defaultChannel: string): NotifyEvent | undefined {
  const d = message.data;
  if (d.state === "deescalated") return undefined;
  return {
    kind: d.state,
    alertId: d.id,
    channel: d.channel ?? defaultChannel,
    metric: d.metric,
    level: d.severity,
    value: d.value,
    threshold: d.limit,
    message: d.message,
    tsMs: d.ts_ms,
  };
}

/** Identity of one delivery. */
export interface Delivery {
  /** The event (the same at every destination). */
  eventId: string;
  /** This delivery: the event at one destination. */
  idempotencyKey: string;
  /** DEVICE_ID. */
  device: string;
}

/** The webhook body of a transition. */
export function transitionBody(event: NotifyEvent, d: Delivery): NotificationBody {
  return {
    version: 1,
    kind: event.kind,
    event_id: d.eventId,
    idempotency_key: d.idempotencyKey,
    alert_id: event.alertId,
    rule: ruleOf(event),
    device: d.device,
    channel: event.channel,
    metric: event.metric,
    level: event.level,
    active: event.kind !== "cleared",
    value: event.value,
    threshold: event.threshold,
    unit: METRIC_UNITS[event.metric],
    message: `${event.message} (${event.channel} on ${d.device})`,
    ts_ms: event.tsMs,
    ts: new Date(event.tsMs).toISOString(),
  };
}

/** The webhook body of a flapping rule's summary. */
export function summaryBody(s: Summary, d: Delivery): NotificationBody {
  const e = s.event;
  const active = e.kind !== "cleared";
  const minutes = Math.round(s.windowMs / 60_000);
  const window = minutes >= 1 ? `${minutes} min` : `${Math.round(s.windowMs / 1000)} s`;
  const now = active
    ? `now ${e.level}: ${e.value.toFixed(3)} ${METRIC_UNITS[e.metric]}`
    : `now back to normal: ${e.value.toFixed(3)} ${METRIC_UNITS[e.metric]}`;
  return {
    version: 1,
    kind: "summary",
    event_id: d.eventId,
    idempotency_key: d.idempotencyKey,
    alert_id: null,
    rule: s.rule,
    device: d.device,
    channel: e.channel,
    metric: e.metric,
    level: e.level,
    active,
    value: e.value,
    threshold: e.threshold,
    unit: METRIC_UNITS[e.metric],
    message: `${METRIC_NAMES[e.metric]} alert on ${e.channel} flapped ${s.suppressed} more times ` +
      `within ${window} (on ${d.device}); ${now}`,
    ts_ms: s.lastTsMs,
    ts: new Date(s.lastTsMs).toISOString(),
    summary: {
      suppressed: s.suppressed,
      window_ms: s.windowMs,
      first_ts_ms: s.firstTsMs,
      last_ts_ms: s.lastTsMs,
    },
  };
}

/** An ntfy message: the body text and its headers' values. */
export interface NtfyMessage {
  /** The `X-Title` header (ASCII). */
  title: string;
  /** 1 (min) to 5 (max). */
  priority: 1 | 2 | 3 | 4 | 5;
  /** Emoji short codes and plain tags. */
  tags: string[];
  /** The alert's text for people. */
  message: string;
}

/** The ntfy message of a body: danger is urgent (5), warning high (4), the rest default. */
export function ntfyMessage(body: NotificationBody): NtfyMessage {
  const name = METRIC_NAMES[body.metric];
  const what = body.kind === "summary"
    ? `${name} flapping`
    : body.kind === "cleared"
    ? `${name} back to normal`
    : `${name} ${body.level}`;
  const priority = body.kind === "cleared" || body.kind === "summary"
    ? 3
    : body.level === "danger"
    ? 5
    : 4;
  const emoji = body.kind === "cleared"
    ? "white_check_mark"
    : body.kind === "summary"
    ? "repeat"
    : body.level === "danger"
    ? "rotating_light"
    : "warning";
  return {
    // Header values must be ASCII: device and channel names are, the rest is ours.
    title: asciiOnly(`${body.device} ${body.channel}: ${what}`),
    priority,
    tags: [emoji, "ina219", asciiOnly(body.channel)],
    message: body.message,
  };
}

function asciiOnly(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, "?");
}
