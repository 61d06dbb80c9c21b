/**
 * Threshold alerts with hysteresis and a minimum duration, so a noisy value near a
 * limit raises once and clears once. Pure: fed samples, returns transitions.
 * @module
 */
import type { ChannelConfig } from "../channels.ts";
import {
  type ActiveAlert,
  ALERT_METRIC_NAMES as NAMES,
  ALERT_METRIC_UNITS as UNITS,
  type AlertEvent,
  type AlertMetric,
  type AlertRule,
} from "../protocol/alerts.ts";
import type { Issue, Severity } from "../protocol/common.ts";

type Level = 0 | 1 | 2; // ok, warning, danger
const SEVERITY: Record<1 | 2, Severity> = { 1: "warning", 2: "danger" };

/** The user's 5 V rail: 4.5–5.5 V (warning within 0.2 V), 0.5 A (0.4), 2 W (1.7). */
export const DEFAULT_RULES: readonly AlertRule[] = Object.freeze([
  {
    metric: "v",
    danger_low: 4.5,
    warning_low: 4.7,
    warning_high: 5.3,
    danger_high: 5.5,
    hysteresis: 0.05,
    for_ms: 1000,
    enabled: true,
  },
  {
    metric: "a",
    warning_high: 0.4,
    danger_high: 0.5,
    hysteresis: 0.02,
    for_ms: 1000,
    enabled: true,
  },
  {
    metric: "w",
    warning_high: 1.7,
    danger_high: 2.0,
    hysteresis: 0.05,
    for_ms: 1000,
    enabled: true,
  },
]);

/** The metrics a derived channel's alert rules watch, read from its samples. */
const DERIVED_METRICS = ["efficiency", "loss_w"] as const;

/**
 * The metrics a channel's alert rules may watch: a measured channel's `v`, `a` and `w`;
 * a derived efficiency channel's `efficiency` and `loss_w`; a derived sum channel's `w`.
 */
export function alertMetricsOf(channel: ChannelConfig): readonly AlertMetric[] {
  if (channel.kind === "measured") return ["v", "a", "w"];
  return channel.derived === "efficiency" ? DERIVED_METRICS : ["w"];
}

/**
 * What is wrong with `rules` on a channel whose metrics are `metrics`: one issue per
 * rule of a metric the channel does not have (path `rules.<i>.metric`).
 */
export function ruleMetricIssues(
  rules: readonly AlertRule[],
  metrics: readonly AlertMetric[],
): Issue[] {
  const issues: Issue[] = [];
  rules.forEach((rule, i) => {
    if (metrics.includes(rule.metric)) return;
    issues.push({
      path: `rules.${i}.metric`,
      message: `this channel has no ${rule.metric}: its metrics are ${metrics.join(", ")}`,
    });
  });
  return issues;
}

/**
 * The rules of `rules` a channel with `metrics` takes (ALERT_RULES applies to each
 * channel the rules of the metrics it has); `null` when none is its.
 */
export function rulesFor(
  rules: readonly AlertRule[] | null,
  metrics: readonly AlertMetric[],
): AlertRule[] | null {
  const mine = rules?.filter((r) => metrics.includes(r.metric)) ?? [];
  return mine.length > 0 ? mine : null;
}

/** The extras a derived sample carries that its alert rules read. */
export interface DerivedFigures {
  /** P_out / P_in; null when P_in ≤ 0 (no value to judge). */
  readonly efficiency?: number | null;
  /** P_in − P_out in W. */
  readonly lossW?: number;
}

/**
 * The level of `x` under `rule`, with every limit moved inward by `slack`. A number, not
 * an object with the limit: it runs for every metric of every sample, and almost always
 * answers "unchanged" ({@link limitOf} is asked only on a change).
 */
function levelOf(rule: AlertRule, x: number, slack: number): Level {
  const { danger_low: dl, warning_low: wl, warning_high: wh, danger_high: dh } = rule;
  if (dh !== undefined && x > dh - slack) return 2;
  if (dl !== undefined && x < dl + slack) return 2;
  if (wh !== undefined && x > wh - slack) return 1;
  if (wl !== undefined && x < wl + slack) return 1;
  return 0;
}

/** The limit {@link levelOf} placed `x` by (with the same `slack`); for level 0 a limit of the rule. */
function limitOf(rule: AlertRule, x: number, slack: number): number {
  const { danger_low: dl, warning_low: wl, warning_high: wh, danger_high: dh } = rule;
  if (dh !== undefined && x > dh - slack) return dh;
  if (dl !== undefined && x < dl + slack) return dl;
  if (wh !== undefined && x > wh - slack) return wh;
  if (wl !== undefined && x < wl + slack) return wl;
  return wh ?? wl ?? dh ?? dl ?? 0;
}

interface MetricState {
  level: Level;
  limit: number;
  sinceMs: number;
  value: number;
  /** A different level seen since `pendingSinceMs`, not yet held long enough. */
  pending?: { level: Level; limit: number; sinceMs: number; samples: number };
}

function describe(rule: AlertRule, e: Omit<AlertEvent, "message">): string {
  const unit = UNITS[rule.metric] ? ` ${UNITS[rule.metric]}` : "";
  const value = `${e.value.toFixed(3)}${unit}`;
  const side = rule.danger_high === e.limit || rule.warning_high === e.limit ? "above" : "below";
  if (e.state === "cleared") return `${NAMES[rule.metric]} back to normal: ${value}`;
  return `${NAMES[rule.metric]} ${e.severity}: ${value} is ${side} ${e.limit}${unit}`;
}

const NO_EVENTS: readonly AlertEvent[] = Object.freeze([]);

/** Evaluates samples against rules; one state machine per metric. */
export class AlertEngine {
  #rules = new Map<AlertMetric, AlertRule>();
  #states = new Map<AlertMetric, MetricState>();
  #derived: readonly (typeof DERIVED_METRICS[number])[] = [];

  /** Starts with every metric clear under `rules`. */
  constructor(rules: readonly AlertRule[]) {
    this.setRules(rules);
  }

  /** The rules in force. */
  get rules(): AlertRule[] {
    return [...this.#rules.values()];
  }

  /**
   * Replaces the rules. Metrics whose rule is gone or disabled are forgotten without
   * an event; the caller reports that the rules changed.
   */
  setRules(rules: readonly AlertRule[]): void {
    this.#rules = new Map(rules.filter((r) => r.enabled).map((r) => [r.metric, r]));
    this.#derived = DERIVED_METRICS.filter((m) => this.#rules.has(m));
    for (const metric of [...this.#states.keys()]) {
      if (!this.#rules.has(metric)) this.#states.delete(metric);
    }
  }

  /** Alerts currently raised. */
  active(): ActiveAlert[] {
    const out: ActiveAlert[] = [];
    for (const [metric, s] of this.#states) {
      if (s.level > 0) {
        out.push({
          metric,
          severity: SEVERITY[s.level as 1 | 2],
          since_ms: s.sinceMs,
          value: s.value,
          limit: s.limit,
        });
      }
    }
    return out;
  }

  /**
   * Feeds a derived efficiency sample's `efficiency` and `lossW` to their rules (none:
   * nothing to do); returns the transitions they complete. An efficiency of null (no
   * power in) is no value: its alert holds as it is.
   */
  evaluateDerived(sample: DerivedFigures, tsMs: number): readonly AlertEvent[] {
    if (this.#derived.length === 0) return NO_EVENTS;
    const events: AlertEvent[] = [];
    for (const metric of this.#derived) {
      const value = metric === "efficiency" ? sample.efficiency : sample.lossW;
      if (value === null || value === undefined) continue;
      const event = this.evaluate(metric, value, tsMs);
      if (event) events.push(event);
    }
    return events;
  }

  /** Feeds one measured value; returns the transition it completes, if any. */
  evaluate(metric: AlertMetric, value: number, tsMs: number): AlertEvent | undefined {
    const rule = this.#rules.get(metric);
    if (!rule) return undefined;
    let s = this.#states.get(metric);
    if (!s) this.#states.set(metric, s = { level: 0, limit: 0, sinceMs: tsMs, value });
    if (s.level > 0) s.value = value;
    // Going up needs the limit itself; going down needs the value back inside by the
    // hysteresis, so a value hovering at a limit does not flap.
    let slack = 0;
    let level = levelOf(rule, value, 0);
    if (level < s.level) {
      const held = levelOf(rule, value, rule.hysteresis);
      // Held at its level unless back inside by the hysteresis.
      level = held >= s.level ? s.level : held;
      slack = rule.hysteresis;
    }
    if (level === s.level) {
      s.pending = undefined;
      return undefined;
    }
    const limit = limitOf(rule, value, slack);
    const p = s.pending;
    const sameWay = p && (p.level > s.level) === (level > s.level);
    if (!p || !sameWay) {
      s.pending = { level, limit, sinceMs: tsMs, samples: 1 };
      if (rule.for_ms > 0) return undefined;
    } else {
      p.level = level;
      p.limit = limit;
      p.samples++;
    }
    const pending = s.pending!;
    if (rule.for_ms > 0 && (tsMs - pending.sinceMs < rule.for_ms || pending.samples < 2)) {
      return undefined;
    }
    const from = s.level;
    const to = pending.level;
    const state = from === 0
      ? "raised"
      : to === 0
      ? "cleared"
      : to > from
      ? "escalated"
      : "deescalated";
    const severity = SEVERITY[(to === 0 ? from : to) as 1 | 2];
    const eventLimit = to === 0 ? s.limit : pending.limit;
    s.level = to;
    s.limit = pending.limit;
    s.sinceMs = tsMs;
    s.value = value;
    s.pending = undefined;
    const event = { metric, severity, state, value, limit: eventLimit, ts_ms: tsMs } as const;
    return { ...event, message: describe(rule, event) };
  }
}
