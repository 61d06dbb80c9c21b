/**
 * Alerts on the wire: the threshold rules (`GET|PUT /api/alerts/rules`, ALERT_RULES),
 * the `alert` WebSocket message of every transition, and the alerts currently raised.
 * @module
 */
import { z } from "zod";
import { ChannelName, METRIC_NAMES, METRIC_UNITS, Severity } from "./common.ts";

/**
 * What an alert rule watches: a measured channel's `v`, `a` and `w`; a derived
 * efficiency channel's `efficiency` (P_out / P_in, a ratio) and `loss_w` (P_in − P_out);
 * a derived sum channel's `w` (the summed power).
 */
export const AlertMetric = z.enum(["v", "a", "w", "efficiency", "loss_w"]);
/** `v`, `a`, `w`, `efficiency` or `loss_w`. */
export type AlertMetric = z.output<typeof AlertMetric>;

/** Each alert metric's unit, as messages print it (`""`: a ratio). */
export const ALERT_METRIC_UNITS: Readonly<Record<AlertMetric, string>> = Object.freeze({
  ...METRIC_UNITS,
  efficiency: "",
  loss_w: "W",
});

/** Each alert metric's name, as messages print it. */
export const ALERT_METRIC_NAMES: Readonly<Record<AlertMetric, string>> = Object.freeze({
  ...METRIC_NAMES,
  efficiency: "Efficiency",
  loss_w: "Loss",
});

/**
 * The physical range of each metric's limits: wide enough for any INA2xx board
 * (the INA228 measures up to 85 V; a 1 kA shunt at 100 V is 100 kW), narrow enough
 * that a typo such as `1e308` is refused instead of silently disabling an alert.
 * Efficiency is a ratio: 0 to 2 leaves room above 1 for channels that disagree.
 */
export const METRIC_RANGE: Readonly<Record<AlertMetric, { min: number; max: number }>> = Object
  .freeze({
    v: { min: -40, max: 100 },
    a: { min: -1000, max: 1000 },
    w: { min: -100_000, max: 100_000 },
    efficiency: { min: 0, max: 2 },
    loss_w: { min: -100_000, max: 100_000 },
  });

const LIMITS = ["danger_low", "warning_low", "warning_high", "danger_high"] as const;

/** One metric's thresholds. Low limits alert below, high limits above. */
export const AlertRule = z.object({
  metric: AlertMetric,
  danger_low: z.number().optional(),
  warning_low: z.number().optional(),
  warning_high: z.number().optional(),
  danger_high: z.number().optional(),
  hysteresis: z.number().min(0).meta({
    description:
      "How far back inside a limit a value must come before the alert clears (units); small enough that the value can clear",
  }),
  for_ms: z.number().int().min(0).max(3_600_000).meta({
    description: "How long a new level must hold (and at least 2 samples) before it is reported",
  }),
  enabled: z.boolean().default(true),
}).strict().superRefine((r, ctx) => {
  const unit = ALERT_METRIC_UNITS[r.metric] ? ` ${ALERT_METRIC_UNITS[r.metric]}` : "";
  const { min, max } = METRIC_RANGE[r.metric];
  for (const field of LIMITS) {
    const x = r[field];
    if (x === undefined || (x >= min && x <= max)) continue;
    ctx.addIssue({
      code: "custom",
      path: [field],
      message: `${field} ${x}${unit} is not a physical ${
        ALERT_METRIC_NAMES[r.metric].toLowerCase()
      } limit: must be within ${min}…${max}${unit}`,
    });
  }
  const ordered = LIMITS.map((f) => r[f]).filter((x): x is number => x !== undefined);
  if (ordered.length === 0) {
    ctx.addIssue({ code: "custom", message: "needs at least one limit" });
  }
  for (let i = 1; i < ordered.length; i++) {
    if (ordered[i] < ordered[i - 1]) {
      ctx.addIssue({
        code: "custom",
        message: "limits must be ordered danger_low ≤ warning_low ≤ warning_high ≤ danger_high",
      });
      break;
    }
  }
  // A raised alert clears only once the value is back inside every limit by the
  // hysteresis, so the band left between the limits (or the physical range where a
  // side has none) must survive losing the hysteresis on both sides.
  const lows = [r.danger_low, r.warning_low].filter((x): x is number => x !== undefined);
  const highs = [r.warning_high, r.danger_high].filter((x): x is number => x !== undefined);
  const floor = lows.length ? Math.max(...lows) : min;
  const ceiling = highs.length ? Math.min(...highs) : max;
  const span = ceiling - floor;
  const needed = (lows.length ? r.hysteresis : 0) + (highs.length ? r.hysteresis : 0);
  if (ordered.length > 0 && span >= 0 && r.hysteresis > 0 && needed >= span) {
    ctx.addIssue({
      code: "custom",
      path: ["hysteresis"],
      message: `hysteresis ${r.hysteresis}${unit} is too large: an alert could never clear (${
        lows.length && highs.length ? "twice the hysteresis" : "the hysteresis"
      } must be less than the ${span}${unit} between ${
        lows.length && highs.length ? "the low and high limits" : "the limit and the physical bound"
      })`,
    });
  }
});
/** A rule. */
export type AlertRule = z.output<typeof AlertRule>;

/**
 * A rule set: at most one rule per metric (a channel takes the rules of the metrics it
 * has; which those are is checked where the channel is known).
 */
export const AlertRules = z.array(AlertRule).max(AlertMetric.options.length).superRefine(
  (rules, ctx) => {
    const seen = new Set<string>();
    for (const [i, r] of rules.entries()) {
      if (seen.has(r.metric)) {
        ctx.addIssue({
          code: "custom",
          path: [i, "metric"],
          message: `second rule for ${r.metric}`,
        });
      }
      seen.add(r.metric);
    }
  },
);

/** Body of `GET|PUT /api/alerts/rules`. */
export const AlertRulesBody = z.object({ rules: AlertRules }).strict();

/** The kinds of alert transition. */
const AlertState = z.enum(["raised", "escalated", "deescalated", "cleared"]);

/** One alert transition, as sent and stored. */
export const AlertData = z.object({
  id: z.number().int(),
  metric: AlertMetric,
  severity: Severity.meta({
    description: "The level now; for `cleared`, the level that ended",
  }),
  state: AlertState,
  value: z.number(),
  limit: z.number(),
  message: z.string(),
  ts_ms: z.number().int(),
  channel: ChannelName.optional(),
});
/** A stored alert transition. */
export type AlertData = z.output<typeof AlertData>;
/** A transition of one metric's alert, before it is stored (no id yet). */
export type AlertEvent = Omit<AlertData, "id">;

/** `{"type":"alert","data":{…},"timestamp":"…"}` on every transition. */
export const AlertMessage = z.object({
  type: z.literal("alert"),
  data: AlertData,
  timestamp: z.string(),
});
/** The `alert` message. */
export type AlertMessage = z.output<typeof AlertMessage>;

/** The `alert` message of a stored transition (of `channel`, when given). */
export function alertMessage(event: AlertEvent, id: number, channel?: string): AlertMessage {
  return {
    type: "alert",
    data: channel === undefined ? { id, ...event } : { id, ...event, channel },
    timestamp: new Date(event.ts_ms).toISOString(),
  };
}

/** An alert currently raised. */
export const ActiveAlert = z.object({
  metric: AlertMetric,
  severity: Severity,
  since_ms: z.number().int(),
  value: z.number().meta({ description: "The latest value" }),
  limit: z.number(),
});
/** An alert currently raised. */
export type ActiveAlert = z.output<typeof ActiveAlert>;
