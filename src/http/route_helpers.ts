/**
 * Pieces every OpenAPI route file shares: JSON response entries, the bearer-token
 * security requirement, and the history window (`from`/`to`/`hours`) with its checks.
 * @module
 */
import { z } from "@hono/zod-openapi";
import { ErrorBody } from "../protocol/common.ts";
import type { Issue } from "./errors.ts";
import { resolveWindow, TimeParam, type Window, WindowError } from "./times.ts";

/** One status code's entry in a `createRoute` `responses` table: a JSON body and its meaning. */
export interface JsonResponse<T> {
  /** The body's schema, under `application/json`. */
  content: { "application/json": { schema: T } };
  /** What the status code means for this route. */
  description: string;
}

/** A JSON response entry for `createRoute`. */
export function json<T>(schema: T, description: string): JsonResponse<T> {
  return { content: { "application/json": { schema } }, description };
}

/** The response entry of a 400. */
export function badRequest(description: string): JsonResponse<typeof ErrorBody> {
  return json(ErrorBody, description);
}

/** Needs the bearer token when the server has API_TOKEN. */
export const SECURED = [{ bearerAuth: [] }];

/** The response entry of a 401. */
export const UNAUTHORIZED: JsonResponse<typeof ErrorBody> = json(
  ErrorBody,
  "A token is set and the request did not carry it",
);

/** Query parameters of a time window. */
export const WINDOW_QUERY = {
  from: TimeParam.optional().openapi({
    description: "Start (inclusive): epoch ms or ISO-8601",
    example: "2026-01-01T00:00:00Z",
  }),
  to: TimeParam.optional().openapi({
    description: "End (exclusive): epoch ms or ISO-8601; default now",
  }),
  hours: z.coerce.number().positive().optional().openapi({
    description: "Window length back from `to` when `from` is absent",
    example: 24,
  }),
};

/** Resolves a window, or says what is wrong with it (for a 400). */
export function windowOrIssue(
  q: { from?: number; to?: number; hours?: number },
  nowMs: number,
  keptMs: number,
  defaultHours: number,
): Window | Issue {
  try {
    return resolveWindow(q, nowMs, keptMs, defaultHours);
  } catch (error) {
    if (!(error instanceof WindowError)) throw error;
    return { path: error.param, message: error.message };
  }
}

/** The 400 body of a refused window. */
export function invalidWindow(issue: Issue): { error: string; issues: Issue[] } {
  return { error: "Invalid window", issues: [issue] };
}
