/**
 * A recording's data: history buckets (`points=`, exact as `/api/history`), span figures
 * of any sub-span with battery life (exact as `/api/span`), the CSV export, and the CSV
 * import (this server's recordings, `/api/export.csv`, nRF Connect Power Profiler).
 * @module
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { roundMetrics } from "../protocol/figures.ts";
import { HistoryResponse } from "../protocol/history.ts";
import { ImportResponse, type Recording } from "../protocol/recordings.ts";
import {
  CsvImportError,
  markerCsvLine,
  readCsv,
  RECORDING_CSV_HEADER,
  recordingCsvLine,
} from "../recordings/csv.ts";
import { MarkerList } from "../protocol/markers.ts";
import { RecordingError } from "../recordings/recordings_types.ts";
import { planHistory } from "../store/queries.ts";
import { badRequest, json, SECURED, UNAUTHORIZED } from "./route_helpers.ts";
import {
  ID_PARAM,
  markersOf,
  RECORDING_ERRORS,
  recordingBody,
  type RecordingsDeps,
  refusal,
} from "./recordings_shared.ts";
import { BATTERY_QUERY, batteryIssue, spanBody } from "./routes_span.ts";
import { SpanResponse } from "../protocol/span.ts";
import { TimeParam } from "./times.ts";

/** The path of the import (the app's 16 KiB body limit does not apply to it). */
export const RECORDINGS_IMPORT_PATH = "/api/recordings/import";

const tags = ["Recordings"];

const SPAN_QUERY = {
  from: TimeParam.optional().openapi({ description: "Start (inclusive); default the recording's" }),
  to: TimeParam.optional().openapi({ description: "End (exclusive); default the recording's" }),
  channel: z.string().optional().openapi({ description: "Default: the recording's first" }),
};

const historyRoute = createRoute({
  method: "get",
  path: "/api/recordings/{id}/history",
  tags,
  summary: "A recording's history buckets",
  description: "As `/api/history` over the recording's own samples and rollups: at most " +
    "`points` aligned buckets, exact for their width. Default: the whole recording.",
  request: {
    params: ID_PARAM,
    query: z.object({
      ...SPAN_QUERY,
      points: z.coerce.number().int().min(1).max(5000).default(500),
    }),
  },
  responses: {
    200: json(HistoryResponse, "Buckets, oldest first"),
    400: badRequest("Invalid parameters"),
    404: RECORDING_ERRORS[404],
    422: RECORDING_ERRORS[422],
  },
});

const markersRoute = createRoute({
  method: "get",
  path: "/api/recordings/{id}/markers",
  tags,
  summary: "A recording's markers",
  description: "For a live or history recording: every marker of its channels stamped " +
    "inside it (as `/api/markers`); for an imported one: the markers its file carried.",
  request: { params: ID_PARAM },
  responses: {
    200: json(MarkerList, "Markers, oldest first"),
    400: badRequest("Invalid id"),
    404: RECORDING_ERRORS[404],
  },
});

const spanRoute = createRoute({
  method: "get",
  path: "/api/recordings/{id}/span",
  tags,
  summary: "Figures of a recording's span, with battery life",
  description: "As `/api/span` over the recording's samples (exact to the sample). Default: " +
    "the whole recording. With `capacity_mah` (and `nominal_v`), `battery` gives the expected " +
    "runtime at the span's average draw (no chemistry model: said in `battery.assumption`).",
  request: { params: ID_PARAM, query: z.object({ ...SPAN_QUERY, ...BATTERY_QUERY }) },
  responses: {
    200: json(SpanResponse, "Figures"),
    400: badRequest("Invalid parameters"),
    404: RECORDING_ERRORS[404],
    422: RECORDING_ERRORS[422],
  },
});

const exportRoute = createRoute({
  method: "get",
  path: "/api/recordings/{id}/export.csv",
  tags,
  summary: "A recording as CSV",
  description: `Every row, channel by channel, oldest first: \`${RECORDING_CSV_HEADER}\`. ` +
    "Numbers are written so that an import gives back the same values (and figures). Needs " +
    "the bearer token when API_TOKEN is set, as /api/export.csv.",
  security: SECURED,
  request: {
    params: ID_PARAM,
    query: z.object({
      channel: z.string().optional().openapi({ description: "Only this channel" }),
    }),
  },
  responses: {
    200: { content: { "text/csv": { schema: z.string() } }, description: "CSV with a header" },
    400: badRequest("Invalid parameters"),
    401: UNAUTHORIZED,
    404: RECORDING_ERRORS[404],
    422: RECORDING_ERRORS[422],
  },
});

const importRoute = createRoute({
  method: "post",
  path: RECORDINGS_IMPORT_PATH,
  tags,
  summary: "Import a CSV as a recording",
  description: "The body is a CSV file, told by its header: a recording's export " +
    `(\`${RECORDING_CSV_HEADER}\`, round-trips exactly), \`/api/export.csv\` (one channel: ` +
    "`channel`; energy steps inferred), or the nRF Connect Power Profiler app's export " +
    "(`Timestamp(ms),Current(uA)[,D0-D7…]`: needs `voltage_v`; times from `start_ms`; samples " +
    "averaged into 1 ms rows). Read as it arrives; refused with 507 when RECORDINGS_MAX_MB is " +
    "reached (nothing is kept then).",
  security: SECURED,
  request: {
    query: z.object({
      name: z.string().trim().min(1).max(200).openapi({ example: "firmware A" }),
      notes: z.string().max(10_000).default(""),
      tags: z.string().max(2000).optional().openapi({ description: "Comma-separated" }),
      channel: z.string().trim().min(1).max(64).default("main").openapi({
        description: "Channel of a file that names none",
      }),
      voltage_v: z.coerce.number().positive().max(10_000).optional().openapi({
        description: "Supply voltage of a Power Profiler file",
      }),
      start_ms: z.coerce.number().int().min(0).optional().openapi({
        description: "Unix ms of a Power Profiler file's time 0 (default: now)",
      }),
    }),
    body: { content: { "text/csv": { schema: z.string() } }, required: true },
  },
  responses: {
    201: json(ImportResponse, "The imported recording"),
    400: badRequest("Invalid parameters"),
    401: UNAUTHORIZED,
    413: json(RECORDING_ERRORS[422].content["application/json"].schema, "Body too large"),
    422: RECORDING_ERRORS[422],
    507: RECORDING_ERRORS[507],
  },
});

/** The recording's span [from, to) asked, or the refusal. */
function spanOf(
  r: Recording,
  q: { from?: number; to?: number; channel?: string },
  nowMs: number,
): { fromMs: number; toMs: number; channel: string } {
  if (r.start_ms === null) throw new RecordingError(422, `Recording ${r.id} holds no samples yet`);
  const end = r.end_ms ?? Math.max(r.start_ms + 1, nowMs);
  const fromMs = q.from ?? r.start_ms;
  const toMs = q.to ?? end;
  if (fromMs >= toMs) throw new RecordingError(422, `"from" must be before "to"`, "from");
  if (fromMs < r.start_ms || toMs > end) {
    throw new RecordingError(
      422,
      `The span must lie within the recording [${r.start_ms}, ${end})`,
      fromMs < r.start_ms ? "from" : "to",
    );
  }
  return { fromMs, toMs, channel: q.channel ?? r.channels[0] };
}

/** Counts a body's bytes and fails the stream past `maxBytes`. */
function capped(body: ReadableStream<Uint8Array>, maxBytes: number): ReadableStream<Uint8Array> {
  let size = 0;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        size += chunk.byteLength;
        if (size > maxBytes) {
          controller.error(new BodyTooLarge(`The file is over ${maxBytes} bytes`));
          return;
        }
        controller.enqueue(chunk);
      },
    }),
  );
}

class BodyTooLarge extends Error {}

/** Registers a recording's data routes on `app` (before `/api/recordings/{id}`). */
export function recordingsDataRoutes(app: OpenAPIHono, deps: RecordingsDeps): void {
  const rec = deps.recordings;
  const now = deps.now ?? Date.now;
  const must = (id: number) => {
    const r = rec.get(id);
    if (!r) throw new RecordingError(404, `No recording ${id}`);
    return r;
  };

  app.openapi(importRoute, async (c) => {
    const q = c.req.valid("query");
    const body = c.req.raw.body;
    if (!body) return c.json({ error: "Empty body: send the CSV file", issues: [] }, 422);
    const session = (() => {
      try {
        return rec.beginImport({
          name: q.name,
          notes: q.notes,
          tags: q.tags?.split(",").map((t) => t.trim()).filter((t) => t !== "") ?? [],
        }, q.start_ms ?? now());
      } catch (error) {
        return error as Error;
      }
    })();
    if (session instanceof Error) {
      await body.cancel();
      return refusal(c, session) as never;
    }
    try {
      const summary = await readCsv(capped(body, 2 * rec.maxBytes), {
        channel: q.channel,
        voltageV: q.voltage_v,
        startMs: q.start_ms ?? now(),
        modeId: (name) => rec.modeId(name),
        onRows: (channel, rows) => session.add(channel, rows),
      });
      if (summary.firstMs === null) throw new CsvImportError("The file holds no sample rows");
      const markers = session.addMarkers(summary.markers);
      const r = session.finish(summary.firstMs);
      return c.json({
        ...recordingBody(r),
        format: summary.format,
        rows_read: summary.lines,
        markers_read: markers,
        note: summary.note,
      }, 201);
    } catch (error) {
      await session.abort();
      if (error instanceof BodyTooLarge) {
        return c.json({ error: error.message, issues: [] }, 413);
      }
      return refusal(c, error) as never;
    }
  });

  app.openapi(historyRoute, (c) => {
    const { id } = c.req.valid("param");
    const q = c.req.valid("query");
    try {
      const r = must(id);
      const { fromMs, toMs, channel } = spanOf(r, q, now());
      const plan = planHistory(fromMs, toMs, q.points);
      const data = rec.history(id, channel, fromMs, toMs, plan).map(roundMetrics);
      return c.json({
        data,
        count: data.length,
        from_ms: fromMs,
        to_ms: toMs,
        bucket_ms: plan.bucketMs,
        source: plan.source,
      }, 200);
    } catch (error) {
      return refusal(c, error) as never;
    }
  });

  app.openapi(markersRoute, (c) => {
    const { id } = c.req.valid("param");
    try {
      const data = markersOf(deps, must(id), now());
      return c.json({ data, count: data.length }, 200);
    } catch (error) {
      return refusal(c, error) as never;
    }
  });

  app.openapi(spanRoute, (c) => {
    const { id } = c.req.valid("param");
    const q = c.req.valid("query");
    const issue = batteryIssue(q);
    if (issue) return c.json({ error: "Invalid span", issues: [issue] }, 400);
    try {
      const r = must(id);
      const { fromMs, toMs, channel } = spanOf(r, q, now());
      return c.json(spanBody(rec.span(id, channel, fromMs, toMs), q), 200);
    } catch (error) {
      return refusal(c, error) as never;
    }
  });

  app.openapi(exportRoute, (c) => {
    const { id } = c.req.valid("param");
    const q = c.req.valid("query");
    let r: Recording;
    try {
      r = must(id);
      if (q.channel !== undefined && !r.channels.includes(q.channel)) {
        throw new RecordingError(422, `Recording ${id} has no channel "${q.channel}"`, "channel");
      }
    } catch (error) {
      return refusal(c, error) as never;
    }
    const channels = q.channel === undefined ? r.channels : [q.channel];
    const markers = markersOf(deps, r, now()).filter((m) => channels.includes(m.channel));
    const encoder = new TextEncoder();
    const pages = (function* () {
      yield `${RECORDING_CSV_HEADER}\n${markers.map(markerCsvLine).join("")}`;
      for (const channel of channels) {
        for (const page of rec.rows(id, channel)) {
          yield page.map((row) => recordingCsvLine(channel, row)).join("");
        }
      }
    })();
    const body = new ReadableStream<Uint8Array>({
      // A page per pull: memory stays bounded, and a slow client slows only itself.
      pull(controller) {
        let next: IteratorResult<string>;
        try {
          next = pages.next();
        } catch (error) {
          console.error(`Recording CSV export aborted: ${(error as Error).message}`);
          controller.error(error);
          return;
        }
        if (next.done) return controller.close();
        controller.enqueue(encoder.encode(next.value));
      },
      cancel() {
        pages.return(undefined);
      },
    }, { highWaterMark: 0 });
    const name = `recording-${id}-${r.name.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 60)}`;
    return c.body(body, 200, {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${name}.csv"`,
    }) as never;
  });
}
