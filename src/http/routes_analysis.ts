/**
 * Live analysis over HTTP: alert history, active alerts and rules, moving averages,
 * outliers, power efficiency from the rollups, and the energy reset.
 * @module
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { METRICS } from "../analysis/rolling.ts";
import {
  ActiveAlert,
  AlertData,
  type AlertMetric,
  type AlertRule,
  AlertRulesBody,
} from "../protocol/alerts.ts";
import { ruleMetricIssues } from "../analysis/alerts.ts";

const MEASURED_METRICS: readonly AlertMetric[] = ["v", "a", "w"];
import { type Metric, Severity } from "../protocol/common.ts";
import {
  type Averages,
  EnergyResetResponse,
  MovingAverages,
  OutlierData,
  OutlierSummary,
  PowerEfficiency,
} from "../protocol/analysis.ts";
import { roundCounter, roundFigure, roundFigures } from "../protocol/figures.ts";
import type { SpanResponse } from "../protocol/span.ts";
import {
  badRequest,
  CHANNEL_QUERY,
  channelPart,
  invalidWindow,
  json,
  type PerChannel,
  SECURED,
  UNAUTHORIZED,
  WINDOW_QUERY,
  windowOrIssue,
} from "./route_helpers.ts";

/** Alerts as the alert routes read and change them. */
export interface AlertsControl {
  /** Stored transitions in [from, to), newest first. */
  history(fromMs: number, toMs: number, limit: number, severity?: Severity): AlertData[];
  /** Alerts raised now. */
  active(): ActiveAlert[];
  /** The rules in force. */
  rules(): AlertRule[];
  /** Replaces the rules (applied, saved and announced). */
  setRules(rules: AlertRule[]): void;
  /** The metrics the channel's rules may watch (default `v`, `a`, `w`: a measured channel). */
  readonly metrics?: readonly AlertMetric[];
}

/** The live analysis' figures. */
export interface LiveAnalysis {
  /** Moving averages of one metric over 1, 5 and 15 minutes. */
  movingAverages(metric: Metric, nowMs: number): Averages;
  /** Outlier counts per metric and method, and the latest flag. */
  outlierSummary(nowMs: number): OutlierSummary;
  /** The most recent outliers, newest first. */
  recentOutliers(limit: number): OutlierData[];
}

/** A window's figures, exact to the sample, as the store plans them. */
export interface SpanFigures {
  /** How long per-minute rollups (and alerts) are kept: the oldest data there is. */
  readonly rollupRetentionMs: number;
  /** Figures of [fromMs, toMs), with queued samples included. */
  span(fromMs: number, toMs: number): SpanResponse;
}

/** The energy counters' reset. */
export interface EnergyReset {
  /** Zeroes the since-reset counters; answers them as they were and when. */
  reset(): { previous: { sinceResetJ: number; sinceResetC: number }; resetAtMs: number };
}

/** What the analysis routes act on, each per channel (`?channel=`, default the first). */
export interface AnalysisDeps {
  /** Alert history, active alerts and rules. */
  alerts: PerChannel<AlertsControl>;
  /** The live analysis. */
  analysis: PerChannel<LiveAnalysis>;
  /** Span figures, for power efficiency and `/api/span`. */
  spans: PerChannel<SpanFigures>;
  /** The energy counters' reset. */
  energy: PerChannel<EnergyReset>;
  /** The clock windows end at (default `Date.now`). */
  now?: () => number;
}

const bad = badRequest("Invalid parameters or unknown channel");
const channelOnly = { query: z.object(CHANNEL_QUERY) };

const alertsRoute = createRoute({
  method: "get",
  path: "/api/alerts",
  tags: ["Alerts"],
  summary: "Alert history",
  description:
    "Every transition (raised, escalated, deescalated, cleared), newest first. Default 24 h.",
  request: {
    query: z.object({
      ...WINDOW_QUERY,
      ...CHANNEL_QUERY,
      severity: Severity.optional(),
      limit: z.coerce.number().int().min(1).max(10_000).default(1000),
    }),
  },
  responses: {
    200: json(
      z.object({
        data: z.array(AlertData),
        count: z.number().int(),
        from_ms: z.number().int(),
        to_ms: z.number().int(),
      }),
      "Transitions",
    ),
    400: bad,
  },
});

const activeRoute = createRoute({
  method: "get",
  path: "/api/alerts/active",
  tags: ["Alerts"],
  summary: "Alerts currently raised",
  request: channelOnly,
  responses: {
    200: json(z.object({ data: z.array(ActiveAlert), count: z.number().int() }), "Active"),
    400: bad,
  },
});

const getRulesRoute = createRoute({
  method: "get",
  path: "/api/alerts/rules",
  tags: ["Alerts"],
  summary: "Alert rules in force",
  request: channelOnly,
  responses: { 200: json(AlertRulesBody, "Rules"), 400: bad },
});

const putRulesRoute = createRoute({
  method: "put",
  path: "/api/alerts/rules",
  tags: ["Alerts"],
  summary: "Replace the alert rules",
  description:
    "Validated (limits ordered, one rule per metric, only metrics the channel has: `v`, `a`, `w` " +
    "on a measured channel, `efficiency` and `loss_w` on a derived efficiency channel, `w` on a " +
    "derived sum channel), applied at once and saved in the database, so they survive a restart. " +
    "Metrics without a rule no longer alert.",
  security: SECURED,
  request: {
    ...channelOnly,
    body: { content: { "application/json": { schema: AlertRulesBody } }, required: true },
  },
  responses: { 200: json(AlertRulesBody, "Rules now in force"), 400: bad, 401: UNAUTHORIZED },
});

const averagesRoute = createRoute({
  method: "get",
  path: "/api/analysis/moving-averages",
  tags: ["Analysis"],
  summary: "Moving averages over 1, 5 and 15 minutes",
  request: channelOnly,
  responses: { 200: json(MovingAverages, "Averages"), 400: bad },
});

const outlierSummaryRoute = createRoute({
  method: "get",
  path: "/api/analysis/outliers/summary",
  tags: ["Analysis"],
  summary: "Outlier counts per metric and method",
  description:
    "z-score: |value − mean| / std over the 60 s window (warning ≥ 3, danger ≥ 5). IQR: distance " +
    "beyond the window's quartiles in IQRs (warning ≥ 1.5, danger ≥ 3). Failed reads never count.",
  request: channelOnly,
  responses: { 200: json(OutlierSummary, "Summary"), 400: bad },
});

const outlierRecentRoute = createRoute({
  method: "get",
  path: "/api/analysis/outliers/recent",
  tags: ["Analysis"],
  summary: "The most recent outliers, newest first",
  request: {
    query: z.object({
      ...CHANNEL_QUERY,
      limit: z.coerce.number().int().min(1).max(1000).default(10),
    }),
  },
  responses: {
    200: json(z.object({ data: z.array(OutlierData), count: z.number().int() }), "Outliers"),
    400: bad,
  },
});

const efficiencyRoute = createRoute({
  method: "get",
  path: "/api/power-efficiency",
  tags: ["Analysis"],
  summary: "Energy, charge and averages over a window",
  description:
    "The figures of `GET /api/span` over the window (default 24 h): exact to the sample inside " +
    "the raw retention, from the per-minute rollups before it.",
  request: { query: z.object({ ...WINDOW_QUERY, ...CHANNEL_QUERY }) },
  responses: { 200: json(PowerEfficiency, "Figures"), 400: bad },
});

const resetRoute = createRoute({
  method: "post",
  path: "/api/energy/reset",
  tags: ["Analysis"],
  summary: "Reset the energy and charge counters",
  description:
    "Zeroes `energy_wh` and `charge_ah` of the statistics message; totals keep counting.",
  security: SECURED,
  request: channelOnly,
  responses: { 200: json(EnergyResetResponse, "Reset"), 400: bad, 401: UNAUTHORIZED },
});

/** Registers the alert and analysis routes on `app`. */
export function analysisRoutes(app: OpenAPIHono, deps: AnalysisDeps): void {
  const now = deps.now ?? Date.now;
  const keptMs = deps.spans.get(deps.spans.names[0]).rollupRetentionMs;
  const resolve = (q: { from?: number; to?: number; hours?: number }, hours: number) =>
    windowOrIssue(q, now(), keptMs, hours);

  app.openapi(alertsRoute, (c) => {
    const q = c.req.valid("query");
    const pick = channelPart(deps.alerts, q.channel);
    if (!pick.ok) return c.json(pick.body, 400);
    const w = resolve(q, 24);
    if ("message" in w) return c.json(invalidWindow(w), 400);
    const data = pick.part.history(w.fromMs, w.toMs, q.limit, q.severity);
    return c.json({ data, count: data.length, from_ms: w.fromMs, to_ms: w.toMs }, 200);
  });

  app.openapi(activeRoute, (c) => {
    const pick = channelPart(deps.alerts, c.req.valid("query").channel);
    if (!pick.ok) return c.json(pick.body, 400);
    const data = pick.part.active();
    return c.json({ data, count: data.length }, 200);
  });

  app.openapi(getRulesRoute, (c) => {
    const pick = channelPart(deps.alerts, c.req.valid("query").channel);
    if (!pick.ok) return c.json(pick.body, 400);
    return c.json({ rules: pick.part.rules() }, 200);
  });

  app.openapi(putRulesRoute, (c) => {
    const pick = channelPart(deps.alerts, c.req.valid("query").channel);
    if (!pick.ok) return c.json(pick.body, 400);
    const { rules } = c.req.valid("json");
    const issues = ruleMetricIssues(rules, pick.part.metrics ?? MEASURED_METRICS);
    if (issues.length > 0) return c.json({ error: "Invalid alert rules", issues }, 400);
    pick.part.setRules(rules);
    return c.json({ rules: pick.part.rules() }, 200);
  });

  app.openapi(averagesRoute, (c) => {
    const pick = channelPart(deps.analysis, c.req.valid("query").channel);
    if (!pick.ok) return c.json(pick.body, 400);
    const nowMs = now();
    const [v, a, w] = METRICS.map((m) => roundFigures(pick.part.movingAverages(m, nowMs)));
    return c.json({ ts_ms: nowMs, v, a, w }, 200);
  });

  app.openapi(outlierSummaryRoute, (c) => {
    const pick = channelPart(deps.analysis, c.req.valid("query").channel);
    if (!pick.ok) return c.json(pick.body, 400);
    return c.json(pick.part.outlierSummary(now()), 200);
  });

  app.openapi(outlierRecentRoute, (c) => {
    const q = c.req.valid("query");
    const pick = channelPart(deps.analysis, q.channel);
    if (!pick.ok) return c.json(pick.body, 400);
    const data = pick.part.recentOutliers(q.limit);
    return c.json({ data, count: data.length }, 200);
  });

  app.openapi(efficiencyRoute, (c) => {
    const q = c.req.valid("query");
    const pick = channelPart(deps.spans, q.channel);
    if (!pick.ok) return c.json(pick.body, 400);
    const w = resolve(q, 24);
    if ("message" in w) return c.json(invalidWindow(w), 400);
    const span = pick.part.span(w.fromMs, w.toMs);
    return c.json({
      from_ms: w.fromMs,
      to_ms: w.toMs,
      energy_wh: roundCounter(span.energy_wh),
      charge_ah: roundCounter(span.charge_ah),
      avg_power_w: roundFigure(span.w.avg),
      peak_power_w: roundFigure(span.w.max),
      avg_voltage_v: roundFigure(span.v.avg),
      avg_current_a: roundFigure(span.a.avg),
      samples: span.count,
      errors: span.errors,
    }, 200);
  });

  app.openapi(resetRoute, (c) => {
    const pick = channelPart(deps.energy, c.req.valid("query").channel);
    if (!pick.ok) return c.json(pick.body, 400);
    const { previous, resetAtMs } = pick.part.reset();
    return c.json({
      status: "ok" as const,
      energy_since_ms: resetAtMs,
      previous: {
        energy_wh: roundCounter(previous.sinceResetJ / 3600),
        charge_ah: roundCounter(previous.sinceResetC / 3600),
      },
    }, 200);
  });
}
