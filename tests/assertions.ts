/**
 * Assertions and request builders shared by tests: approximate equality for figures
 * computed two ways, and the JSON error body every 4xx carries.
 * @module
 */
import assert from "node:assert/strict";

/** Asserts `actual` equals `expected` within a relative `eps` (both null also passes). */
export function close(
  actual: number | null,
  expected: number | null,
  what: string,
  eps = 1e-9,
): void {
  if (actual === null || expected === null) return assert.equal(actual, expected, what);
  assert.ok(
    Math.abs(actual - expected) <= eps * Math.max(1, Math.abs(expected)),
    `${what}: ${actual} ≠ ${expected}`,
  );
}

/** A POST init: JSON when `body` is an object, sent as is when it is a string. */
export function post(body?: unknown, headers: Record<string, string> = {}): RequestInit {
  return {
    method: "POST",
    headers: body === undefined ? headers : { "Content-Type": "application/json", ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  };
}

/** Asserts `res` carries our JSON error shape and returns it. */
export async function errorBody(
  res: Response,
): Promise<{ error: string; issues: { path: string; message: string }[] }> {
  assert.match(res.headers.get("content-type") ?? "", /application\/json/);
  const body = await res.json();
  assert.equal(typeof body.error, "string");
  assert.ok(Array.isArray(body.issues));
  return body;
}
