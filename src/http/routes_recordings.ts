/**
 * `/api/recordings`: create (now, armed, or from a past span), list, get, rename and
 * annotate, stop, delete, and compare recordings. Their data (history, span figures,
 * CSV export and import) is in routes_recordings_data.ts.
 * @module
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { ErrorBody } from "../protocol/common.ts";
import {
  CompareResponse,
  CreateRecordingBody,
  PatchRecordingBody,
  Recording as RecordingSchema,
  RecordingList,
} from "../protocol/recordings.ts";
import { compare } from "../recordings/compare.ts";
import { roundCounter, roundFigure } from "../protocol/figures.ts";
import { type NewRecording, RecordingError } from "../recordings/recordings_types.ts";
import {
  ID_PARAM,
  RECORDING_ERRORS,
  recordingBody,
  type RecordingsDeps,
  refusal,
} from "./recordings_shared.ts";
import { badRequest, json, SECURED, UNAUTHORIZED } from "./route_helpers.ts";
import { recordingsDataRoutes } from "./routes_recordings_data.ts";

export type { RecordingsControl, RecordingsDeps } from "./recordings_shared.ts";

const TRIGGER_FIELDS = ["start_trigger", "stop_trigger", "pre_trigger_ms", "duration_ms"] as const;

const tags = ["Recordings"];

const COUNTERS = new Set(["energy_j", "charge_c"]);

/** A comparison without float noise: counters to 9 decimals, the rest to 6 digits. */
function roundComparison(out: CompareResponse): CompareResponse {
  const round = (key: string, x: number | null) =>
    x === null ? null : COUNTERS.has(key) ? roundCounter(x) : roundFigure(x);
  return {
    ...out,
    items: out.items.map((item) => ({
      ...item,
      figures: Object.fromEntries(
        Object.entries(item.figures).map(([k, x]) => [k, round(k, x)]),
      ) as CompareResponse["items"][number]["figures"],
      deltas: Object.fromEntries(
        Object.entries(item.deltas).map((
          [k, d],
        ) => [k, { abs: round(k, d.abs), pct: roundFigure(d.pct) }]),
      ),
    })),
  };
}

const createRouteDef = createRoute({
  method: "post",
  path: "/api/recordings",
  tags,
  summary: "Start, arm or keep a recording",
  description: "Without `from_ms`/`to_ms`: starts recording now; every flush of the store " +
    "copies the new samples. With them: keeps that past span's raw samples from history " +
    "(409 when part of it is older than the raw retention). With `start_trigger`: armed " +
    "until the condition holds on the channel it names (default: the recording's first), " +
    "starting `pre_trigger_ms` before it; `stop_trigger` and `duration_ms` stop it (501 " +
    "when this build has no trigger module). Refused with 507 when RECORDINGS_MAX_MB is " +
    "reached.",
  security: SECURED,
  request: {
    body: { content: { "application/json": { schema: CreateRecordingBody } }, required: true },
  },
  responses: {
    201: json(RecordingSchema, "The recording"),
    400: badRequest("Invalid body or trigger"),
    401: UNAUTHORIZED,
    409: RECORDING_ERRORS[409],
    422: RECORDING_ERRORS[422],
    501: json(ErrorBody, "Trigger fields given, but this build has no trigger module"),
    507: RECORDING_ERRORS[507],
  },
});

const listRoute = createRoute({
  method: "get",
  path: "/api/recordings",
  tags,
  summary: "Every recording, newest first",
  responses: { 200: json(RecordingList, "Recordings and the budget") },
});

const compareRoute = createRoute({
  method: "get",
  path: "/api/recordings/compare",
  tags,
  summary: "Recordings side by side",
  description: "The figures of one channel of each recording (default: each one's first) and " +
    "each one's deltas from the first id's: absolute and in per cent.",
  request: {
    query: z.object({
      ids: z.string().regex(/^\d+(,\d+){1,9}$/, "2 to 10 recording ids, comma-separated")
        .openapi({ example: "1,2" }),
      channel: z.string().optional().openapi({ description: "Channel compared in every one" }),
    }),
  },
  responses: {
    200: json(CompareResponse, "Figures and deltas"),
    400: badRequest("Invalid ids"),
    404: RECORDING_ERRORS[404],
    422: RECORDING_ERRORS[422],
  },
});

const getRoute = createRoute({
  method: "get",
  path: "/api/recordings/{id}",
  tags,
  summary: "One recording",
  request: { params: ID_PARAM },
  responses: {
    200: json(RecordingSchema, "The recording"),
    400: badRequest("Invalid id"),
    404: RECORDING_ERRORS[404],
  },
});

const patchRoute = createRoute({
  method: "patch",
  path: "/api/recordings/{id}",
  tags,
  summary: "Rename, annotate or tag a recording",
  security: SECURED,
  request: {
    params: ID_PARAM,
    body: { content: { "application/json": { schema: PatchRecordingBody } }, required: true },
  },
  responses: {
    200: json(RecordingSchema, "The recording"),
    400: badRequest("Invalid id or body"),
    401: UNAUTHORIZED,
    404: RECORDING_ERRORS[404],
  },
});

const stopRoute = createRoute({
  method: "post",
  path: "/api/recordings/{id}/stop",
  tags,
  summary: "Stop a running or armed recording",
  security: SECURED,
  request: { params: ID_PARAM },
  responses: {
    200: json(RecordingSchema, "The stopped recording"),
    400: badRequest("Invalid id"),
    401: UNAUTHORIZED,
    404: RECORDING_ERRORS[404],
    409: RECORDING_ERRORS[409],
  },
});

const deleteRoute = createRoute({
  method: "delete",
  path: "/api/recordings/{id}",
  tags,
  summary: "Delete a recording and its samples",
  security: SECURED,
  request: { params: ID_PARAM },
  responses: {
    200: json(z.object({ status: z.literal("ok"), id: z.number().int() }), "Deleted"),
    400: badRequest("Invalid id"),
    401: UNAUTHORIZED,
    404: RECORDING_ERRORS[404],
  },
});

/** Registers every `/api/recordings` route on `app`. */
export function recordingsRoutes(app: OpenAPIHono, deps: RecordingsDeps): void {
  const rec = deps.recordings;
  const now = deps.now ?? Date.now;
  const notFound = (id: number) => ({ error: `No recording ${id}`, issues: [] });

  // Before `/{id}`: "compare" and "import" are not ids.
  app.openapi(compareRoute, (c) => {
    const q = c.req.valid("query");
    const ids = q.ids.split(",").map(Number);
    try {
      const inputs = ids.map((id) => {
        const r = rec.get(id);
        if (!r) throw new RecordingError(404, `No recording ${id}`, "ids");
        const channel = q.channel ?? r.channels[0];
        if (r.start_ms === null) {
          throw new RecordingError(422, `Recording ${id} holds no samples yet (armed)`, "ids");
        }
        const span = r.figures[channel] ??
          rec.span(id, channel, r.start_ms, r.end_ms ?? Math.max(r.start_ms + 1, now()));
        return { id, name: r.name, channel, span };
      });
      return c.json(roundComparison(compare(inputs)), 200);
    } catch (error) {
      return refusal(c, error) as never;
    }
  });
  recordingsDataRoutes(app, deps);

  app.openapi(createRouteDef, async (c) => {
    const body = c.req.valid("json");
    const spec: NewRecording = {
      name: body.name,
      notes: body.notes,
      tags: body.tags,
      channels: body.channels,
      triggers: {
        start_trigger: body.start_trigger ?? null,
        stop_trigger: body.stop_trigger ?? null,
        pre_trigger_ms: body.pre_trigger_ms ?? null,
        duration_ms: body.duration_ms ?? null,
      },
    };
    try {
      const triggered = TRIGGER_FIELDS.filter((f) => body[f] !== undefined);
      if (triggered.length > 0) {
        if (!deps.armWithTriggers) {
          return c.json({
            error: "Triggers not available in this build",
            issues: triggered.map((f) => ({ path: f, message: "not available in this build" })),
          }, 501);
        }
        return c.json(recordingBody(deps.armWithTriggers(spec, body)), 201);
      }
      const r = body.from_ms !== undefined && body.to_ms !== undefined
        ? await rec.fromHistory(spec, body.from_ms, body.to_ms)
        : rec.start(spec);
      return c.json(recordingBody(r), 201);
    } catch (error) {
      return refusal(c, error) as never;
    }
  });

  app.openapi(listRoute, (c) => {
    const data = rec.list().map(recordingBody);
    return c.json({
      data,
      count: data.length,
      used_bytes: rec.usedBytes(),
      max_bytes: rec.maxBytes,
    }, 200);
  });

  app.openapi(getRoute, (c) => {
    const { id } = c.req.valid("param");
    const r = rec.get(id);
    return r ? c.json(recordingBody(r), 200) : c.json(notFound(id), 404);
  });

  app.openapi(patchRoute, (c) => {
    const { id } = c.req.valid("param");
    try {
      return c.json(recordingBody(rec.patch(id, c.req.valid("json"))), 200);
    } catch (error) {
      return refusal(c, error) as never;
    }
  });

  app.openapi(stopRoute, (c) => {
    const { id } = c.req.valid("param");
    try {
      return c.json(recordingBody(deps.stopTriggered?.(id) ?? rec.stop(id)), 200);
    } catch (error) {
      return refusal(c, error) as never;
    }
  });

  app.openapi(deleteRoute, async (c) => {
    const { id } = c.req.valid("param");
    if (!(await rec.delete(id))) return c.json(notFound(id), 404);
    return c.json({ status: "ok" as const, id }, 200);
  });
}
