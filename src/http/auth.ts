/**
 * The bearer-token policy: which requests need `Authorization: Bearer <token>` when the
 * server has API_TOKEN (every state-changing request, the bulk and sensitive reads, and
 * with READ_TOKEN_REQUIRED every read but the pages, /status and /ws), and the check.
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import { timingSafeEqual } from "hono/utils/buffer";

/** Reads that need the token whenever one is set: bulk data, file paths, process details. */
export const TOKEN_READS: readonly string[] = [
  "/api/export.csv",
  "/api/database/stats",
  "/metrics",
];

/** Reads of bulk data under a recording's id that need the token as TOKEN_READS do. */
const TOKEN_READ_PATTERN = /^\/api\/recordings\/[^/]+\/export\.csv$/;

/**
 * Reads that stay open even with READ_TOKEN_REQUIRED: the dashboard's files and the API
 * description (no data), and the v1 protocol's `/status` and `/ws`, which v1 clients use
 * without a token (a browser cannot add a header to a WebSocket upgrade).
 */
const OPEN_READ =
  /^\/(|status|ws|docs|openapi\.json|vendor\/.*|[A-Za-z0-9_-][A-Za-z0-9_.-]*\.[a-z]+)$/;

/** Whether a request needs the token on a server that has one. */
export function tokenNeeded(
  method: string,
  path: string,
  options: { readTokenRequired: boolean },
): boolean {
  if (method === "OPTIONS") return false;
  if (method !== "GET" && method !== "HEAD") return true;
  if (TOKEN_READS.includes(path) || TOKEN_READ_PATTERN.test(path)) return true;
  return options.readTokenRequired && !OPEN_READ.test(path);
}

/** A well-formed bearer header, as the token check accepts it (RFC 6750 §2.1). */
const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*)$/i;

/**
 * Whether `authorization` (the request's header) carries `token`, compared in constant
 * time; false without a token or header. For open routes that show more to the token's
 * holder (`/status`'s database path), where a missing or wrong token is no refusal.
 */
export async function carriesToken(
  token: string | null,
  authorization: string | undefined,
): Promise<boolean> {
  if (!token || !authorization) return false;
  const match = BEARER.exec(authorization);
  return match !== null && await timingSafeEqual(token, match[1]);
}

/** Checks `Authorization: Bearer <token>`, answering 401 (400 if malformed) as JSON. */
function bearerCheck(token: string): MiddlewareHandler {
  const message = (text: string) => ({ error: text, issues: [] });
  return bearerAuth({
    token,
    realm: "ina219-monitor",
    noAuthenticationHeader: {
      message: message("Missing token: send Authorization: Bearer <token>"),
    },
    invalidAuthenticationHeader: {
      message: message("Malformed Authorization header: expected Bearer <token>"),
    },
    invalidToken: { message: message("Invalid token") },
  });
}

/** Requires the token where {@link tokenNeeded} says so; nothing without a token. */
export function requireToken(
  token: string | null,
  options: { readTokenRequired: boolean },
): MiddlewareHandler {
  if (!token) return (_c, next) => next();
  const check = bearerCheck(token);
  return (c, next) => tokenNeeded(c.req.method, c.req.path, options) ? check(c, next) : next();
}
