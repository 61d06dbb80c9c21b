// @ts-check
/// <reference lib="dom" />
/**
 * @module REST helpers: JSON GET and POST, and file downloads, with the API token. The token
 * is asked for when the server refuses a request for want of it (missing, malformed or
 * wrong: 401, or 400/403 with a Bearer challenge) and kept in this browser's local storage.
 */

import { isAuthFailure, TOKEN_PATTERN } from "./auth.js";
import { byId } from "./dom.js";

const TOKEN_KEY = "ina219-monitor.token";

/** @returns {string | null} */
function readStoredToken() {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null; // Storage can be disabled (privacy mode); then the token lives in memory.
  }
}

/** The token in use; local storage keeps it across visits when the browser allows. */
let currentToken = typeof localStorage === "undefined" ? null : readStoredToken();

/** @param {string | null} token */
function writeToken(token) {
  currentToken = token;
  try {
    if (token) localStorage.setItem(TOKEN_KEY, token);
    else localStorage.removeItem(TOKEN_KEY);
  } catch {
    // See readStoredToken(): without storage the token is kept only until the page closes.
  }
}

let authRequired = false;

/**
 * Tells downloads whether the server has a token (from /status `auth_required`).
 * @param {boolean} required
 */
export function setAuthRequired(required) {
  authRequired = Boolean(required);
}

/** @type {Promise<string | null> | null} */
let tokenPrompt = null;

/**
 * Asks for the API token; concurrent refusals share the same open dialog.
 * @param {boolean} refused whether a token was sent and refused (says so in the dialog)
 * @returns {Promise<string | null>} the token entered, or null when cancelled
 */
function askToken(refused) {
  tokenPrompt ??= new Promise((resolve) => {
    const dialog = byId("token-dialog", HTMLDialogElement);
    const input = byId("token-input", HTMLInputElement);
    byId("token-reason").hidden = !refused;
    input.value = "";
    dialog.returnValue = ""; // Escape keeps the old value, so clear the last "save".
    dialog.addEventListener("close", () => {
      const token = input.value.trim();
      // The input's pattern stops a malformed token; this keeps one out of a header anyway.
      resolve(dialog.returnValue === "save" && TOKEN_PATTERN.test(token) ? token : null);
    }, { once: true });
    dialog.showModal();
  }).finally(() => tokenPrompt = null);
  return tokenPrompt;
}

/** Wires the token dialog's Cancel button. */
export function wireTokenDialog() {
  const dialog = byId("token-dialog", HTMLDialogElement);
  byId("token-cancel").addEventListener("click", () => dialog.close("cancel"));
}

/**
 * @param {Record<string, string>} [headers]
 * @returns {Record<string, string>}
 */
function withAuth(headers = {}) {
  return currentToken ? { ...headers, authorization: `Bearer ${currentToken}` } : headers;
}

/**
 * Runs `request(headers)` with the token; when the server refuses the token (or its
 * absence), forgets it, asks for it and retries once with the new one.
 * @param {(headers: Record<string, string>) => Promise<Response>} request
 * @returns {Promise<Response>}
 */
async function authorized(request) {
  const response = await request(withAuth());
  if (!isAuthFailure(response.status, response.headers.get("www-authenticate"))) return response;
  const refused = currentToken !== null;
  writeToken(null); // A refused token must not be sent again silently.
  const token = await askToken(refused);
  if (!token) return response;
  await response.body?.cancel();
  writeToken(token);
  return request(withAuth());
}

/**
 * "what failed: detail; detail" from an error body, or the HTTP status.
 * @param {Response} response
 * @param {unknown} payload the parsed body, if it was JSON
 * @returns {string}
 */
function describeError(response, payload) {
  const body = /** @type {{ error?: unknown, issues?: unknown } | null} */ (
    typeof payload === "object" ? payload : null
  );
  const issues = Array.isArray(body?.issues)
    ? body.issues.map((i) => i?.message ?? String(i)).join("; ")
    : "";
  const error = typeof body?.error === "string"
    ? body.error
    : `${response.status} ${response.statusText}`;
  return issues ? `${error}: ${issues}` : error;
}

/**
 * POSTs JSON with the token (asked for when refused); non-2xx throws. The answer's type
 * is the caller's to state (`T`), from the route's schema in src/protocol/.
 * @template [T=unknown]
 * @param {string} path
 * @param {unknown} [body]
 * @param {string} [method]
 * @returns {Promise<T>}
 */
export async function postJson(path, body, method = "POST") {
  const response = await authorized((headers) =>
    fetch(path, {
      method,
      headers: { ...headers, "content-type": "application/json" },
      body: JSON.stringify(body ?? {}),
    })
  );
  const payload = await response.json().catch(() => null);
  if (!response.ok) throw new Error(describeError(response, payload));
  return payload;
}

/**
 * GETs JSON (with the token, when the server wants it for reads); non-2xx throws. The
 * answer's type is the caller's to state (`T`), from the route's schema in src/protocol/.
 * @template [T=unknown]
 * @param {string} path
 * @param {Record<string, string>} [params] query parameters
 * @param {RequestInit} [init]
 * @returns {Promise<T>}
 */
export async function getJson(path, params, init) {
  const url = params ? `${path}?${new URLSearchParams(params)}` : path;
  const response = await authorized((headers) =>
    fetch(url, { ...init, headers: { ...init?.headers, ...headers } })
  );
  const payload = await response.json().catch(() => null);
  if (!response.ok) throw new Error(describeError(response, payload));
  return payload;
}

/**
 * @param {string} href
 * @param {string} filename empty for the server's name
 */
function clickDownload(href, filename) {
  const link = document.createElement("a");
  link.href = href;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
}

/**
 * Downloads `path?params` under the server's file name. Without a token the browser streams it straight
 * to disk; with one it is fetched with the Authorization header and saved from memory, so
 * the token never goes into a URL (and from there into logs and history).
 * @param {string} path
 * @param {Record<string, string>} params
 * @returns {Promise<void>}
 */
export async function download(path, params) {
  const url = `${path}?${new URLSearchParams(params)}`;
  if (!authRequired && !currentToken) {
    clickDownload(url, "");
    return;
  }
  const response = await authorized((headers) => fetch(url, { headers }));
  if (!response.ok) {
    throw new Error(describeError(response, await response.json().catch(() => null)));
  }
  const disposition = response.headers.get("content-disposition") ?? "";
  const filename = /filename="([^"]+)"/.exec(disposition)?.[1] ?? "download";
  const href = URL.createObjectURL(await response.blob());
  try {
    clickDownload(href, filename);
  } finally {
    // The click has handed the blob to the download; the URL itself is no longer needed.
    setTimeout(() => URL.revokeObjectURL(href), 60_000);
  }
}
