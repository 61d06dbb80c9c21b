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

/** The 400 body for a channel name that is not one of `names`. */
export function unknownChannel(
  name: string,
  names: readonly string[],
): { error: string; issues: Issue[] } {
  return {
    error: `Unknown channel ${JSON.stringify(name)}`,
    issues: [{ path: "channel", message: `expected one of: ${names.join(", ")}` }],
  };
}

/** The `channel` query parameter of every per-channel route. */
export const CHANNEL_QUERY = {
  channel: z.string().optional().openapi({
    description: "The channel (default: the first, the one the v1 protocol describes); " +
      "an unknown name gets 400 listing the names (`GET /api/channels`)",
    example: "main",
  }),
};

/** The 400 response entry of a route with a `channel` parameter. */
export const BAD_CHANNEL: JsonResponse<typeof ErrorBody> = badRequest(
  "Unknown channel, or invalid parameters",
);

/**
 * Per-channel parts a route acts on: the names (the first is the default) and each
 * channel's part.
 */
export interface PerChannel<T> {
  /** The channels' names, in configuration order; the first is the default. */
  readonly names: readonly string[];
  /** The part of the channel `name` (one of `names`). */
  get(name: string): T;
}

/** A {@link PerChannel} over a map (in the map's order). */
export function perChannel<T>(parts: ReadonlyMap<string, T>): PerChannel<T> {
  return { names: [...parts.keys()], get: (name) => parts.get(name)! };
}

/** A {@link PerChannel} of one channel (`main`): tests and single-channel callers. */
export function singleChannel<T>(part: T, name = "main"): PerChannel<T> {
  return { names: [name], get: () => part };
}

/** What {@link channelPart} found: the channel's name and part, or the 400 body. */
export type ChannelPick<T> =
  | { ok: true; name: string; part: T }
  | { ok: false; body: { error: string; issues: Issue[] } };

/**
 * The part of the channel `asked` (`?channel=`; the first when undefined) with its
 * name, or the 400 body for an unknown one.
 *
 * @example
 * ```ts
 * const pick = channelPart(deps.history, c.req.valid("query").channel);
 * if (!pick.ok) return c.json(pick.body, 400);
 * ```
 */
export function channelPart<T>(parts: PerChannel<T>, asked: string | undefined): ChannelPick<T> {
  const name = asked ?? parts.names[0];
  if (!parts.names.includes(name)) {
    return { ok: false, body: unknownChannel(name, parts.names) };
  }
  return { ok: true, name, part: parts.get(name) };
}
