/**
 * @module REST helpers: JSON GET, and JSON POST with the API token (asked for once when
 * the server answers 401, kept in this browser's local storage).
 */

const TOKEN_KEY = "ina219-monitor.token";

function readToken() {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null; // Storage can be disabled (privacy mode); then we just never remember.
  }
}

function writeToken(token) {
  try {
    if (token) localStorage.setItem(TOKEN_KEY, token);
    else localStorage.removeItem(TOKEN_KEY);
  } catch {
    // See readToken(): without storage the token lives only for this request.
  }
}

let tokenPrompt = null;

/** Asks for the API token once; concurrent 401s share the same open dialog. */
function askToken() {
  tokenPrompt ??= new Promise((resolve) => {
    const dialog = document.getElementById("token-dialog");
    const input = document.getElementById("token-input");
    input.value = "";
    dialog.returnValue = ""; // Escape keeps the old value, so clear the last "save".
    dialog.addEventListener("close", () => {
      resolve(dialog.returnValue === "save" ? input.value.trim() || null : null);
    }, { once: true });
    dialog.showModal();
  }).finally(() => tokenPrompt = null);
  return tokenPrompt;
}

/** Wires the token dialog's Cancel button. */
export function wireTokenDialog() {
  const dialog = document.getElementById("token-dialog");
  document.getElementById("token-cancel").addEventListener("click", () => dialog.close("cancel"));
}

function send(method, path, body) {
  const headers = { "content-type": "application/json" };
  const token = readToken();
  if (token) headers.authorization = `Bearer ${token}`;
  return fetch(path, { method, headers, body: JSON.stringify(body ?? {}) });
}

/** "what failed: detail; detail" from an error body, or the HTTP status. */
function describeError(response, payload) {
  const issues = Array.isArray(payload?.issues)
    ? payload.issues.map((i) => i?.message ?? String(i)).join("; ")
    : "";
  const error = payload?.error ?? `${response.status} ${response.statusText}`;
  return issues ? `${error}: ${issues}` : error;
}

/** POSTs JSON; on 401 asks for a token, stores it and retries once. */
export async function postJson(path, body, method = "POST") {
  let response = await send(method, path, body);
  if (response.status === 401) {
    writeToken(null); // A rejected token must not be sent again silently.
    const token = await askToken();
    if (token) {
      writeToken(token);
      response = await send(method, path, body);
    }
  }
  const payload = await response.json().catch(() => null);
  if (!response.ok) throw new Error(describeError(response, payload));
  return payload;
}

/** GETs JSON; a non-2xx answer throws with the server's message. */
export async function getJson(path, params, init) {
  const url = params ? `${path}?${new URLSearchParams(params)}` : path;
  const response = await fetch(url, init);
  const payload = await response.json().catch(() => null);
  if (!response.ok) throw new Error(describeError(response, payload));
  return payload;
}
