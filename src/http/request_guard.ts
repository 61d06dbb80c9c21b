/**
 * The first check of every request: a well-formed `Host` that is one of this server's
 * names (400 / 421), and, for state-changing requests, no foreign browser origin
 * (403). Refusals are counted for /status and logged at most once a minute per kind.
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { errorResponse } from "./errors.ts";
import { hostAllowed, type HostAllowlist, parseHost, urlAuthority } from "./host_guard.ts";

/** Why a request was refused before reaching a route. */
export type RejectKind = "bad_host" | "wrong_host" | "cross_origin";

/** How long one kind of refusal stays quiet in the log after a line, in ms. */
const REJECT_LOG_INTERVAL_MS = 60_000;

/** Counts refusals and logs them, at most one line per kind per interval. */
export class RejectCounter {
  /** Refusals so far, by kind, for `/status`. */
  readonly counts: Record<RejectKind, number> = { bad_host: 0, wrong_host: 0, cross_origin: 0 };
  readonly #log: (line: string) => void;
  readonly #now: () => number;
  readonly #intervalMs: number;
  readonly #quiet = new Map<RejectKind, { lastMs: number; suppressed: number }>();

  /** Logs through `log`, at most once per kind per `intervalMs` (default a minute). */
  constructor(
    options: { log: (line: string) => void; now?: () => number; intervalMs?: number },
  ) {
    this.#log = options.log;
    this.#now = options.now ?? Date.now;
    this.#intervalMs = options.intervalMs ?? REJECT_LOG_INTERVAL_MS;
  }

  /** Counts one refusal; logs `line` unless this kind was logged within the interval. */
  record(kind: RejectKind, line: string): void {
    this.counts[kind]++;
    const nowMs = this.#now();
    const quiet = this.#quiet.get(kind);
    if (quiet && nowMs - quiet.lastMs < this.#intervalMs) {
      quiet.suppressed++;
      return;
    }
    const more = quiet?.suppressed
      ? ` (${quiet.suppressed} more ${kind} refusals not logged since the last line)`
      : "";
    this.#log(`${line}${more}`);
    this.#quiet.set(kind, { lastMs: nowMs, suppressed: 0 });
  }
}

/**
 * Whether a browser page at `origin` may use a server reached as `host` (the request's
 * validated Host value): no Origin (not a browser), the server's own origin over http or
 * https (a TLS proxy in front), or ALLOWED_ORIGINS (`*` = any, `null` = pages opened from
 * disk or sandboxed frames, which are refused otherwise).
 */
export function originAllowed(
  origin: string | undefined,
  host: string,
  allowed: readonly string[],
): boolean {
  if (origin === undefined) return true;
  if (allowed.includes("*") || allowed.includes(origin)) return true;
  return origin === `http://${host}` || origin === `https://${host}`;
}

/** The Host a request was sent to: the header, else the URL's authority. */
export function requestHost(
  c: { req: { header(name: string): string | undefined; url: string } },
): string {
  return c.req.header("host") ?? urlAuthority(c.req.url);
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** What {@link requestGuard} checks against. */
export interface GuardOptions {
  /** The Host names and ports the server answers to. */
  hosts: HostAllowlist;
  /** Origins allowed besides the server's own (`*` = any, `null` = pages from disk). */
  allowedOrigins: readonly string[];
  /** Counts and logs each refusal. */
  rejections: RejectCounter;
}

/** Quotes an attacker-chosen value for a log line: JSON-escaped and cut short. */
function quote(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

/** The middleware: Host check on every request, Origin check on state-changing ones. */
export function requestGuard(options: GuardOptions): MiddlewareHandler {
  const { hosts, allowedOrigins, rejections } = options;
  return async (c, next) => {
    const header = c.req.header("host");
    const authority = urlAuthority(c.req.url);
    // An absolute request target (`GET http://x/ HTTP/1.1`) wins over Host: check both.
    for (
      const value of header === undefined || header === authority
        ? [authority]
        : [header, authority]
    ) {
      const parts = parseHost(value);
      if (!parts) {
        rejections.record("bad_host", `Refused a request with a malformed Host ${quote(value)}`);
        return errorResponse(c, 400, "Malformed Host header", [{
          path: "host",
          message: "must be a host name or address with an optional :port",
        }]);
      }
      if (!hostAllowed(parts.name, hosts)) {
        rejections.record("wrong_host", `Refused a request for Host ${quote(value)}`);
        return errorResponse(
          c,
          421,
          `Host ${parts.name} is not a name of this server: add it to ALLOWED_HOSTS`,
        );
      }
    }
    if (!SAFE_METHODS.has(c.req.method)) {
      const origin = c.req.header("origin");
      const crossSite = origin === undefined
        ? c.req.header("sec-fetch-site") === "cross-site"
        : !originAllowed(origin, header ?? authority, allowedOrigins);
      if (crossSite) {
        const from = origin ?? "a cross-site page";
        rejections.record(
          "cross_origin",
          `Refused ${c.req.method} ${c.req.path} from ${quote(from)}: not this server's origin`,
        );
        return errorResponse(
          c,
          403,
          `Origin ${from} may not change this server: add it to ALLOWED_ORIGINS`,
        );
      }
    }
    await next();
  };
}
