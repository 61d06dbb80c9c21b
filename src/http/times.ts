/**
 * Time windows of the history API: `from`/`to` as epoch milliseconds or ISO-8601, or
 * `hours` back from now, checked against what the store keeps.
 * @module
 */
import { z } from "@hono/zod-openapi";

/** Parses epoch milliseconds (digits) or an ISO-8601 time; undefined if neither. */
function parseTime(text: string): number | undefined {
  const s = text.trim();
  if (/^\d{1,15}$/.test(s)) return Number(s);
  // Date.parse also takes loose formats; require an ISO-looking date first.
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(s)) {
    return undefined;
  }
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? undefined : ms;
}

/** A query parameter holding a time. */
export const TimeParam = z.string().transform((s, ctx) => {
  const ms = parseTime(s);
  if (ms === undefined) {
    ctx.addIssue({
      code: "custom",
      message: `"${s}" is not a time: use epoch milliseconds or ISO-8601 (2026-01-01T12:00:00Z)`,
    });
    return z.NEVER;
  }
  return ms;
});

/** A resolved window [fromMs, toMs). */
export interface Window {
  /** Start, inclusive, in Unix ms. */
  fromMs: number;
  /** End, exclusive, in Unix ms. */
  toMs: number;
}

/** Why a window was refused: one message and the offending parameter. */
export class WindowError extends Error {
  /** `param` names the query parameter at fault, for the 400's `issues`. */
  constructor(readonly param: string, message: string) {
    super(message);
  }
}

/**
 * Resolves `from`/`to`/`hours` into a window of whole milliseconds: `to` defaults to
 * now, `from` to `to − hours` (fractional hours allowed). Edges are rounded outwards,
 * `from` down and `to` up, here and only here, so every query binds integers.
 * Refuses empty windows and ones that start before `keptMs` ago.
 */
export function resolveWindow(
  q: { from?: number; to?: number; hours?: number },
  nowMs: number,
  keptMs: number,
  defaultHours: number,
): Window {
  const toMs = Math.ceil(q.to ?? nowMs);
  const fromMs = Math.floor(q.from ?? toMs - (q.hours ?? defaultHours) * 3_600_000);
  if (fromMs >= toMs) {
    throw new WindowError("from", `"from" must be before "to" (got ${fromMs} ≥ ${toMs})`);
  }
  const oldestMs = nowMs - keptMs;
  // A minute of slack: "the last 48 hours" asked a little late is still the window kept.
  if (fromMs < oldestMs - 60_000) {
    const kept = keptMs > 3 * 86_400_000
      ? `${keptMs / 86_400_000} days`
      : `${keptMs / 3_600_000} h`;
    throw new WindowError(
      q.from !== undefined ? "from" : "hours",
      `The window starts before the data kept (${kept}, since ${new Date(oldestMs).toISOString()})`,
    );
  }
  return { fromMs, toMs };
}
