/**
 * What the recordings routes share: their dependencies, the id parameter, the error
 * answers, and a recording's body as the API writes it.
 * @module
 */
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { ErrorBody } from "../protocol/common.ts";
import type { CreateRecordingBody, Recording } from "../protocol/recordings.ts";
import { CsvImportError } from "../recordings/csv.ts";
import type { MarkerData } from "../protocol/markers.ts";
import { markersOfRecording } from "../recordings/recording_markers.ts";
import type { Recordings } from "../recordings/recordings.ts";
import { type NewRecording, RecordingError } from "../recordings/recordings_types.ts";
import { json } from "./route_helpers.ts";
import { spanBody } from "./routes_span.ts";

/** The recordings as the routes use them. */
export type RecordingsControl = Pick<
  Recordings,
  | "list"
  | "get"
  | "start"
  | "fromHistory"
  | "beginImport"
  | "patch"
  | "stop"
  | "delete"
  | "history"
  | "span"
  | "rows"
  | "usedBytes"
  | "maxBytes"
  | "modeId"
  | "channels"
  | "importedMarkers"
>;

/** What the recordings routes act on. */
export interface RecordingsDeps {
  /** The recordings. */
  recordings: RecordingsControl;
  /**
   * Creates an armed recording from a body with trigger fields
   * (src/recordings/triggered_recordings.ts); without it those fields are answered 501.
   */
  armWithTriggers?: (spec: NewRecording, body: CreateRecordingBody) => Recording;
  /**
   * Stops (or disarms) a recording whose trigger is in force, through the trigger so
   * that its stop is announced once; undefined when `id` has none.
   */
  stopTriggered?: (id: number) => Recording | undefined;
  /** The live markers (`/api/markers`): a live or history recording's are those of its span. */
  markers?: { markersIn(channel: string, fromMs: number, toMs: number): MarkerData[] };
  /** The clock (default `Date.now`). */
  now?: () => number;
}

/** The markers of recording `r` (its file's for an import, else the live ones of its span). */
export function markersOf(deps: RecordingsDeps, r: Recording, nowMs: number): MarkerData[] {
  return markersOfRecording(r, {
    imported: (id) => deps.recordings.importedMarkers(id),
    live: deps.markers && ((c, from, to) => deps.markers!.markersIn(c, from, to)),
  }, nowMs);
}

/** The recordings' answers: one entry per refusal a recording can meet. */
export const RECORDING_ERRORS = {
  404: json(ErrorBody, "No recording with this id"),
  409: json(ErrorBody, "Not possible in the recording's state, or the span is no longer raw"),
  422: json(ErrorBody, "The request cannot be carried out as asked (see `error`)"),
  507: json(ErrorBody, "RECORDINGS_MAX_MB reached: delete recordings to make room"),
};

/** The id in the path. */
export const ID_PARAM = z.object({
  id: z.coerce.number({ error: "must be a recording id" }).int().positive().openapi({
    param: { name: "id", in: "path" },
    example: 1,
  }),
});

/** A recording with its figures as the API writes them (rounded as /api/span's: float noise out). */
export function recordingBody(r: Recording): Recording {
  const figures: Recording["figures"] = {};
  for (const [channel, span] of Object.entries(r.figures)) figures[channel] = spanBody(span, {});
  return { ...r, figures };
}

/** Answers a refused request (a {@link RecordingError} or a bad CSV); rethrows anything else. */
export function refusal(c: Context, error: unknown): Response {
  if (error instanceof RecordingError) {
    return c.json({
      error: error.message,
      issues: error.path ? [{ path: error.path, message: error.message }] : [],
    }, error.status);
  }
  if (error instanceof CsvImportError) return c.json({ error: error.message, issues: [] }, 422);
  throw error;
}
