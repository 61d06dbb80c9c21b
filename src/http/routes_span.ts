/**
 * `GET /api/span`: one span's figures (count, min/max/avg, energy, charge), exact to
 * the sample, as the store plans them; the dashboard's selection panel shows them.
 * @module
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Issue } from "../protocol/common.ts";
import { roundCounter, roundMetrics } from "../protocol/figures.ts";
import { SpanResponse } from "../protocol/span.ts";
import { batteryLife } from "../recordings/battery.ts";
import { badRequest, CHANNEL_QUERY, channelPart, json, type PerChannel } from "./route_helpers.ts";

/** What the span route acts on. */
export interface SpanDeps {
  /** Each channel's figures of [fromMs, toMs), with queued samples included. */
  span: PerChannel<(fromMs: number, toMs: number) => SpanResponse>;
  /** How far back data is kept (the per-minute rollups): also the longest span. */
  keptMs: number;
  /** The clock that dates "older than the data kept" (tests fix it); defaults to `Date.now`. */
  now?: () => number;
}

const Millis = z.coerce.number({ error: "must be a time in epoch milliseconds" })
  .int({ error: "must be whole epoch milliseconds (an integer)" })
  .min(0, { error: "must not be before 1970 (epoch milliseconds ≥ 0)" });

/** Query parameters of battery life (`capacity_mah`, `nominal_v`), on every span route. */
export const BATTERY_QUERY = {
  capacity_mah: z.coerce.number({ error: "must be a number of mAh" }).positive().max(1e9)
    .optional().openapi({
      description: "With it, `battery` gives the expected runtime of a cell of this capacity",
      example: 2000,
    }),
  nominal_v: z.coerce.number({ error: "must be a number of volts" }).positive().max(10_000)
    .optional().openapi({
      description: "The cell's nominal voltage: adds the runtime from energy",
      example: 3.7,
    }),
};

/**
 * A span's figures as the API writes them: figures to 6 significant digits, counters to
 * 9 decimals, and battery life when `capacity_mah` is given.
 */
export function spanBody(
  raw: SpanResponse,
  battery: { capacity_mah?: number; nominal_v?: number },
): SpanResponse {
  const span = roundMetrics(raw);
  return {
    ...span,
    energy_j: roundCounter(span.energy_j),
    energy_wh: roundCounter(span.energy_wh),
    charge_c: roundCounter(span.charge_c),
    charge_ah: roundCounter(span.charge_ah),
    ...(battery.capacity_mah === undefined
      ? {}
      : { battery: batteryLife(raw, battery.capacity_mah, battery.nominal_v) }),
  };
}

/** The 400 issue of `nominal_v` given without `capacity_mah`, if so. */
export function batteryIssue(q: { capacity_mah?: number; nominal_v?: number }): Issue | undefined {
  return q.nominal_v !== undefined && q.capacity_mah === undefined
    ? { path: "nominal_v", message: "nominal_v needs capacity_mah (the battery's capacity)" }
    : undefined;
}

const spanRoute = createRoute({
  method: "get",
  path: "/api/span",
  tags: ["History"],
  summary: "One span's figures, exact to the sample",
  description:
    "Count, failed reads, min/max/avg of v, a and w, energy and charge of the samples stamped in " +
    "[from, to): raw samples at the edges, 100 ms, 1 s and 1 min rollups inside, so any span " +
    "answers at once and counts every sample once. Energy and charge are the sum of each " +
    "sample's trapezoid step from the sample before it (never across a failed read or a gap " +
    "over 5 sample intervals). Older than the raw retention, the per-minute rollups that start " +
    "in the span answer, and `source.exact` is false. With `capacity_mah` (and `nominal_v`), " +
    "`battery` gives the expected runtime at the span's average draw (no chemistry model).",
  request: {
    query: z.object({
      from: Millis.openapi({ description: "Start (inclusive), epoch ms", example: 1767225600000 }),
      to: Millis.openapi({ description: "End (exclusive), epoch ms", example: 1767229200000 }),
      ...CHANNEL_QUERY,
      ...BATTERY_QUERY,
    }),
  },
  responses: {
    200: json(SpanResponse, "Figures"),
    400: badRequest(
      "Invalid span (not integers, empty, too long or older than the data kept), or unknown channel",
    ),
  },
});

/** Registers `GET /api/span` on `app`. */
export function spanRoutes(app: OpenAPIHono, deps: SpanDeps): void {
  const now = deps.now ?? Date.now;
  const days = (ms: number) => `${Math.round(ms / 86_400_000 * 10) / 10} days`;

  app.openapi(spanRoute, (c) => {
    const q = c.req.valid("query");
    const { from, to, channel } = q;
    const pick = channelPart(deps.span, channel);
    if (!pick.ok) return c.json(pick.body, 400);
    const nowMs = now();
    let issue: Issue | undefined;
    if (from >= to) {
      issue = { path: "from", message: `"from" must be before "to" (got ${from} ≥ ${to})` };
    } else if (to - from > deps.keptMs) {
      issue = {
        path: "to",
        message: `The span is ${to - from} ms: at most ${deps.keptMs} ms (${
          days(deps.keptMs)
        }, the data kept)`,
      };
    } else if (from < nowMs - deps.keptMs - 60_000) {
      // A minute of slack, as the other windows: "30 days back" asked a little late.
      issue = {
        path: "from",
        message: `The span starts before the data kept (${days(deps.keptMs)}, since ${
          new Date(nowMs - deps.keptMs).toISOString()
        })`,
      };
    }
    issue ??= batteryIssue(q);
    if (issue) return c.json({ error: "Invalid span", issues: [issue] }, 400);
    return c.json(spanBody(pick.part(from, to), q), 200);
  });
}
