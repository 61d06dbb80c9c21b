// @ts-check
/**
 * @module What the API token may be and when the server refuses it. Pure (no DOM), so it
 * is unit-tested outside the browser; api.js does the asking and the requests.
 */

/** What a bearer token may contain (RFC 6750), as the server checks it. */
export const TOKEN_PATTERN = /^[A-Za-z0-9._~+/-]+=*$/;

/**
 * Whether an answer says the token is missing, malformed or refused, so the user should be
 * asked for it again. A 403 without a Bearer challenge (a refused Origin) is not about it.
 * @param {number} status
 * @param {string | null | undefined} wwwAuthenticate
 * @returns {boolean}
 */
export function isAuthFailure(status, wwwAuthenticate) {
  if (status === 401) return true;
  return (status === 400 || status === 403) && /^Bearer\b/i.test(wwwAuthenticate ?? "");
}
