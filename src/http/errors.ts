/**
 * One shape for every error answer, `{"error": "...", "issues": [...]}`, and the
 * hooks that produce it: validation, unknown paths, wrong methods, oversize bodies.
 * A client's mistake is never a 500.
 * @module
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";
import type { Issue } from "../protocol/common.ts";

/** One field-level problem. */
export type { Issue };

/** Builds the JSON error answer. */
export function errorResponse(
  c: Context,
  status: ContentfulStatusCode,
  error: string,
  issues: Issue[] = [],
  headers?: Record<string, string>,
): Response {
  return c.json({ error, issues }, status, headers);
}

/** Converts zod issues to ours (a dotted path; `(root)` for the whole value). */
function zodIssues(error: z.ZodError): Issue[] {
  return error.issues.map((issue) => ({
    path: issue.path.length ? issue.path.join(".") : "(root)",
    message: issue.message,
  }));
}

/** The `defaultHook` of every OpenAPI route: invalid input → 400. */
export function validationHook(
  result: { success: boolean; error?: z.ZodError; target?: string },
  c: Context,
): Response | undefined {
  if (result.success || !result.error) return undefined;
  const where = result.target === "json" ? "request body" : result.target ?? "request";
  return errorResponse(c, 400, `Invalid ${where}`, zodIssues(result.error));
}

/** `app.onError`: HTTP exceptions keep their status; anything else is a 500 without a stack. */
export function onError(error: Error, c: Context): Response {
  if (error instanceof HTTPException) {
    // Middleware such as bearerAuth already built our JSON shape.
    if (error.res?.headers.get("content-type")?.includes("application/json")) return error.res;
    const status = error.status as ContentfulStatusCode;
    const res = error.getResponse();
    const headers: Record<string, string> = {};
    const auth = res.headers.get("WWW-Authenticate");
    if (auth) headers["WWW-Authenticate"] = auth;
    return errorResponse(c, status, error.message || res.statusText || "Error", [], headers);
  }
  console.error(`Unhandled error on ${c.req.method} ${c.req.path}:`, error);
  return errorResponse(c, 500, "Internal server error");
}

/** `app.notFound`. */
export function notFound(c: Context): Response {
  return errorResponse(c, 404, `Not found: ${c.req.method} ${c.req.path}`);
}

/** The 405 answer of `methodNotAllowed`. */
export function methodNotAllowedResponse(c: Context, methods: string[]): Response {
  return errorResponse(
    c,
    405,
    `Method ${c.req.method} not allowed on ${c.req.path}: use ${methods.join(", ")}`,
    [],
    { Allow: methods.join(", ") },
  );
}
