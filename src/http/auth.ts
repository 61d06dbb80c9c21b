/**
 * The bearer-token check: required on every state-changing request when the
 * server has API_TOKEN, and on reads that expose more than the stream (metrics).
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { bearerAuth } from "hono/bearer-auth";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Checks `Authorization: Bearer <token>`, answering 401 in our JSON error shape. */
export function bearerCheck(token: string): MiddlewareHandler {
  const message = (text: string) => ({ error: text, issues: [] });
  return bearerAuth({
    token,
    noAuthenticationHeader: {
      message: message("Missing token: send Authorization: Bearer <token>"),
    },
    invalidAuthenticationHeader: {
      message: message("Malformed Authorization header: expected Bearer <token>"),
    },
    invalidToken: { message: message("Invalid token") },
  });
}

/** Requires the token on every state-changing request. */
export function requireToken(token: string | undefined): MiddlewareHandler {
  if (!token) return (_c, next) => next();
  const check = bearerCheck(token);
  return (c, next) => SAFE_METHODS.has(c.req.method) ? next() : check(c, next);
}
