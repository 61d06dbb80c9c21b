/**
 * The history API over SQLite: raw measurements, downsampled history, per-minute
 * statistics, CSV export, and database maintenance.
 * @module
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { CleanupResponse, DatabaseStats, VacuumResponse } from "../protocol/database.ts";
import { roundMetrics } from "../protocol/figures.ts";
import {
  type HistoryBucket,
  HistoryResponse,
  type MeasurementRow,
  MeasurementsResponse,
  StatisticsResponse,
} from "../protocol/history.ts";
import { type HistoryPlan, planHistory } from "../store/queries.ts";
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

/** The stored history as the history routes read and maintain it. */
export interface HistoryStore {
  /** How long raw samples are kept. */
  readonly rawRetentionMs: number;
  /** How long per-minute rollups (and alerts) are kept. */
  readonly rollupRetentionMs: number;
  /** Writes what is queued, so a read sees every sample handed out. */
  flush(): void;
  /** Raw samples in [from, to), newest first. */
  measurements(fromMs: number, toMs: number, limit: number): MeasurementRow[];
  /** Buckets of `plan` in [from, to), oldest first. */
  history(fromMs: number, toMs: number, plan: HistoryPlan): HistoryBucket[];
  /** Per-minute rows in [from, to), oldest first. */
  minutes(fromMs: number, toMs: number): HistoryBucket[];
  /** Raw samples in [from, to), oldest first, a page at a time (for the CSV export). */
  pages(fromMs: number, toMs: number): Iterator<MeasurementRow[], unknown, undefined>;
  /** Size and contents of the database. */
  stats(): DatabaseStats;
  /** Applies retention now; rows deleted per table. */
  prune(): Promise<CleanupResponse["deleted"]>;
  /** Returns free pages to the file system; how many. */
  vacuum(): Promise<number>;
}

/** What the history routes act on. */
export interface HistoryDeps {
  /**
   * Each channel's stored samples and rollups (a derived channel's computed from its
   * inputs'); the database routes act on the whole database through the first.
   */
  history: PerChannel<HistoryStore>;
  /** The clock windows end at (default `Date.now`). */
  now?: () => number;
}

const bad = badRequest("Invalid parameters (window, limits, times) or unknown channel");

const measurementsRoute = createRoute({
  method: "get",
  path: "/api/measurements",
  tags: ["History"],
  summary: "Raw samples, newest first",
  description: "Every stored sample (ok and error) in the window. Default: the last hour.",
  request: {
    query: z.object({
      ...WINDOW_QUERY,
      ...CHANNEL_QUERY,
      limit: z.coerce.number().int().min(1).max(100_000).default(1000),
    }),
  },
  responses: { 200: json(MeasurementsResponse, "Samples"), 400: bad },
});

const historyRoute = createRoute({
  method: "get",
  path: "/api/history",
  tags: ["History"],
  summary: "Downsampled min/max/avg buckets",
  description:
    "At most `points` buckets of equal width, aligned to multiples of the width, covering the " +
    "window (default: the last 24 h). Read from raw samples, per-second or per-minute rollups, " +
    "whichever is cheapest and still exact for the width. Min and max keep peaks visible; failed " +
    "reads are counted in `errors` and excluded from the figures; buckets without data are absent.",
  request: {
    query: z.object({
      ...WINDOW_QUERY,
      ...CHANNEL_QUERY,
      points: z.coerce.number().int().min(1).max(5000).default(500),
    }),
  },
  responses: { 200: json(HistoryResponse, "Buckets, oldest first"), 400: bad },
});

const statisticsRoute = createRoute({
  method: "get",
  path: "/api/statistics",
  tags: ["History"],
  summary: "Per-minute statistics",
  description: "One row per minute with count and min/max/avg of each metric. Default: 24 h.",
  request: { query: z.object({ ...WINDOW_QUERY, ...CHANNEL_QUERY }) },
  responses: { 200: json(StatisticsResponse, "Minutes, oldest first"), 400: bad },
});

const exportRoute = createRoute({
  method: "get",
  path: "/api/export.csv",
  tags: ["History"],
  summary: "Raw samples as CSV",
  description:
    "Streamed from the database page by page, oldest first: `time,ts_ms,seq,v,a,w,status,mode,error`. " +
    "Default: the last hour. Needs the bearer token when API_TOKEN is set.",
  security: SECURED,
  request: { query: z.object({ ...WINDOW_QUERY, ...CHANNEL_QUERY }) },
  responses: {
    200: { content: { "text/csv": { schema: z.string() } }, description: "CSV with a header row" },
    400: bad,
    401: UNAUTHORIZED,
  },
});

const statsRoute = createRoute({
  method: "get",
  path: "/api/database/stats",
  tags: ["History"],
  summary: "Database size and contents",
  description: "Needs the bearer token when API_TOKEN is set (it shows the file path).",
  security: SECURED,
  responses: { 200: json(DatabaseStats, "Figures"), 401: UNAUTHORIZED },
});

const cleanupRoute = createRoute({
  method: "post",
  path: "/api/database/cleanup",
  tags: ["History"],
  summary: "Apply retention now",
  description: "Deletes raw samples older than RETENTION_HOURS and rollups past their limits.",
  security: SECURED,
  responses: { 200: json(CleanupResponse, "Rows deleted"), 401: UNAUTHORIZED },
});

const vacuumRoute = createRoute({
  method: "post",
  path: "/api/database/vacuum",
  tags: ["History"],
  summary: "Return free space to the file system",
  description:
    "Incremental vacuum in chunks (sampling keeps running), then a WAL checkpoint that truncates it.",
  security: SECURED,
  responses: { 200: json(VacuumResponse, "Space returned"), 401: UNAUTHORIZED },
});

const CSV_HEADER = "time,ts_ms,seq,v,a,w,status,mode,error\n";

function csvField(text: string | null): string {
  if (text === null) return "";
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function csvLine(r: MeasurementRow): string {
  return `${new Date(r.ts_ms).toISOString()},${r.ts_ms},${r.seq},${r.v},${r.a},${r.w},${r.status},${
    csvField(r.mode)
  },${csvField(r.error)}\n`;
}

/** Registers the history and database routes on `app`. */
export function historyRoutes(app: OpenAPIHono, deps: HistoryDeps): void {
  const channels = deps.history;
  // Retention and the database are the same for every channel.
  const store = channels.get(channels.names[0]);
  const now = deps.now ?? Date.now;
  const rawKeptMs = store.rawRetentionMs;
  const rollupKeptMs = store.rollupRetentionMs;

  const window = (
    q: { from?: number; to?: number; hours?: number },
    keptMs: number,
    hours: number,
  ) => windowOrIssue(q, now(), keptMs, hours);

  app.openapi(measurementsRoute, (c) => {
    const q = c.req.valid("query");
    const pick = channelPart(channels, q.channel);
    if (!pick.ok) return c.json(pick.body, 400);
    const w = window(q, rawKeptMs, 1);
    if ("message" in w) return c.json(invalidWindow(w), 400);
    store.flush();
    const data = pick.part.measurements(w.fromMs, w.toMs, q.limit);
    return c.json({
      data,
      count: data.length,
      from_ms: w.fromMs,
      to_ms: w.toMs,
      limit: q.limit,
      truncated: data.length === q.limit,
    }, 200);
  });

  app.openapi(historyRoute, (c) => {
    const q = c.req.valid("query");
    const pick = channelPart(channels, q.channel);
    if (!pick.ok) return c.json(pick.body, 400);
    const w = window(q, rollupKeptMs, 24);
    if ("message" in w) return c.json(invalidWindow(w), 400);
    store.flush();
    // Only the per-minute rollups reach back past the raw data.
    const minRes = w.fromMs < now() - rawKeptMs ? 60_000 : 1;
    const plan = planHistory(w.fromMs, w.toMs, q.points, minRes);
    const data = pick.part.history(w.fromMs, w.toMs, plan).map(roundMetrics);
    return c.json({
      data,
      count: data.length,
      from_ms: w.fromMs,
      to_ms: w.toMs,
      bucket_ms: plan.bucketMs,
      source: plan.source,
    }, 200);
  });

  app.openapi(statisticsRoute, (c) => {
    const q = c.req.valid("query");
    const pick = channelPart(channels, q.channel);
    if (!pick.ok) return c.json(pick.body, 400);
    const w = window(q, rollupKeptMs, 24);
    if ("message" in w) return c.json(invalidWindow(w), 400);
    store.flush();
    const data = pick.part.minutes(w.fromMs, w.toMs).map(roundMetrics);
    return c.json({ data, count: data.length, from_ms: w.fromMs, to_ms: w.toMs }, 200);
  });

  app.openapi(exportRoute, (c) => {
    const q = c.req.valid("query");
    const pick = channelPart(channels, q.channel);
    if (!pick.ok) return c.json(pick.body, 400);
    const w = window(q, rawKeptMs, 1);
    if ("message" in w) return c.json(invalidWindow(w), 400);
    store.flush();
    const pages = pick.part.pages(w.fromMs, w.toMs);
    const encoder = new TextEncoder();
    let headerSent = false;
    let rows = 0;
    const body = new ReadableStream<Uint8Array>({
      // One page per pull: memory stays bounded whatever the range, and a slow
      // client only slows its own download.
      pull(controller) {
        if (!headerSent) {
          headerSent = true;
          controller.enqueue(encoder.encode(CSV_HEADER));
          return;
        }
        let next: IteratorResult<MeasurementRow[]>;
        try {
          next = pages.next();
        } catch (error) {
          // Erroring the stream aborts the chunked response without its last chunk:
          // clients report a broken transfer instead of a short file that looks whole.
          console.error(`CSV export aborted after ${rows} rows: ${(error as Error).message}`);
          controller.error(error);
          return;
        }
        if (next.done) return controller.close();
        rows += next.value.length;
        controller.enqueue(encoder.encode(next.value.map(csvLine).join("")));
      },
      cancel() {
        pages.return?.(undefined);
      },
      // No read-ahead: a page is read from the database when the client takes one.
    }, { highWaterMark: 0 });
    // The first channel's file keeps its single-channel name.
    const tag = pick.name === channels.names[0] ? "" : `${pick.name}-`;
    const name = `ina219-${tag}${new Date(w.fromMs).toISOString()}-${
      new Date(w.toMs).toISOString()
    }`
      .replaceAll(":", "");
    return c.body(body, 200, {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${name}.csv"`,
    }) as never;
  });

  app.openapi(statsRoute, (c) => c.json(store.stats(), 200));

  app.openapi(cleanupRoute, async (c) => {
    store.flush();
    const deleted = await store.prune();
    return c.json({ status: "ok" as const, deleted }, 200);
  });

  app.openapi(vacuumRoute, async (c) => {
    const before = store.stats().file_bytes;
    const pagesFreed = await store.vacuum();
    return c.json({
      status: "ok" as const,
      pages_freed: pagesFreed,
      file_bytes_before: before,
      file_bytes_after: store.stats().file_bytes,
    }, 200);
  });
}
