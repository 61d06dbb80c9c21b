/**
 * The little HTTP/1.1 the front needs: where a request head ends, whether it asks
 * for a WebSocket, whether its `Host` headers are as RFC 9112 §3.2 requires, whether a
 * response is `101`, and a minimal JSON refusal written straight to a socket. Pure; no I/O.
 * @module
 */
import type { Issue } from "../protocol/common.ts";

/** Largest request head (request line and headers) the front accepts. */
export const MAX_HEAD_BYTES = 16 * 1024;

const CR = 13;
const LF = 10;

/**
 * The offset just past the head's blank line (`\r\n\r\n`) in `bytes[0, length)`,
 * or -1; `from` is how much was searched before (the search restarts 3 bytes back).
 */
export function headEnd(bytes: Uint8Array, length: number, from = 0): number {
  for (let i = Math.max(3, from); i < length; i++) {
    if (
      bytes[i] === LF && bytes[i - 1] === CR && bytes[i - 2] === LF && bytes[i - 3] === CR
    ) return i + 1;
  }
  return -1;
}

/** What the front needs to know about a request head. */
export interface RequestHead {
  /** `Upgrade: websocket` is among the headers. */
  upgrade: boolean;
  /**
   * Why the head must get 400 under RFC 9112 §3.2 (an HTTP/1.1 request without `Host`, or
   * any request with more than one), as `{error, issues}`; undefined when it is fine.
   */
  hostError?: { error: string; issues: Issue[] };
}

const decoder = new TextDecoder("latin1");
const REQUEST_LINE = /^[A-Z]+ [\x21-\x7e]+ HTTP\/1\.([01])$/;
const UPGRADE_WEBSOCKET = /^upgrade:[ \t]*websocket[ \t]*$/im;

/** Parses a head (with its blank line); `undefined` if it is not an HTTP/1.x request. */
export function parseHead(head: Uint8Array): RequestHead | undefined {
  const text = decoder.decode(head);
  const lineEnd = text.indexOf("\r\n");
  const requestLine = REQUEST_LINE.exec(text.slice(0, lineEnd));
  if (!requestLine) return undefined;
  const fields = text.slice(lineEnd + 2);
  const parsed: RequestHead = { upgrade: UPGRADE_WEBSOCKET.test(fields) };
  const hosts = fields.split("\r\n").filter((line) => /^host:/i.test(line)).length;
  if (hosts > 1) {
    parsed.hostError = {
      error: "More than one Host header",
      issues: [{ path: "host", message: `${hosts} Host headers: a request carries one` }],
    };
  } else if (hosts === 0 && requestLine[1] === "1") {
    parsed.hostError = {
      error: "Missing Host header",
      issues: [{ path: "host", message: "an HTTP/1.1 request must carry a Host header" }],
    };
  }
  return parsed;
}

const SWITCHING = new TextEncoder().encode("HTTP/1.1 101 ");

/** Bytes of a response's start needed by {@link isSwitchingProtocols}. */
export const STATUS_PREFIX_BYTES = SWITCHING.length;

/** Whether a response starting with `start` (at least {@link STATUS_PREFIX_BYTES}) is a 101. */
export function isSwitchingProtocols(start: Uint8Array): boolean {
  if (start.length < SWITCHING.length) return false;
  for (let i = 0; i < SWITCHING.length; i++) {
    if (start[i] !== SWITCHING[i]) return false;
  }
  return true;
}

/** The statuses the front answers by itself. */
export type RefusalStatus = 400 | 408 | 429 | 431 | 503;

const REASONS: Record<RefusalStatus, string> = {
  400: "Bad Request",
  408: "Request Timeout",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  503: "Service Unavailable",
};

/** A complete `Connection: close` response with the JSON error body `{error, issues}`. */
export function refusalResponse(
  status: RefusalStatus,
  error: string,
  issues: readonly Issue[] = [],
): Uint8Array {
  const body = JSON.stringify({ error, issues });
  const retry = status === 429 || status === 503 ? "Retry-After: 10\r\n" : "";
  return new TextEncoder().encode(
    `HTTP/1.1 ${status} ${REASONS[status]}\r\ncontent-type: application/json\r\n` +
      `content-length: ${new TextEncoder().encode(body).length}\r\n${retry}` +
      `connection: close\r\n\r\n${body}`,
  );
}
