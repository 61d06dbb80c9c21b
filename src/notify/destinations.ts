/**
 * Where notifications go and how one is sent: a webhook (the JSON body, signed with
 * HMAC-SHA256 when a secret is set) or an ntfy topic (text body, title, priority and
 * tags in headers, optional bearer token). Every delivery carries its `Idempotency-Key`.
 * Answers are sorted into delivered, retry and give up; error texts never carry a URL's
 * path, a token or the secret.
 * @module
 */
import { createHash, createHmac } from "node:crypto";
import type { NotificationBody } from "../protocol/notifications.ts";
import { ntfyMessage } from "./event.ts";

/** One configured destination. */
export interface Destination {
  /** `webhook-<8 hex>` or `ntfy-<8 hex>` from the URL's hash: stable, and secret-free. */
  id: string;
  /** What it is: a webhook or an ntfy topic. */
  type: "webhook" | "ntfy";
  /** The full URL (may hold a token or an ntfy topic: never shown). */
  url: string;
  /** Scheme and host only, for `/status` and logs. */
  shown: string;
  /** The webhook's HMAC key, or the ntfy bearer token. */
  credential: string | null;
}

/** What the configuration says about notifications. */
export interface NotifySettings {
  /** NOTIFY_WEBHOOK_URLS. */
  notifyWebhookUrls: readonly string[];
  /** NOTIFY_WEBHOOK_SECRET; `null` = unsigned. */
  notifyWebhookSecret: string | null;
  /** NOTIFY_NTFY_URL; `null` = none. */
  notifyNtfyUrl: string | null;
  /** NOTIFY_NTFY_TOKEN; `null` = none. */
  notifyNtfyToken: string | null;
}

/** `https://host:port` of a URL: what may be shown of it. */
export function schemeAndHost(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}`;
}

function destination(type: Destination["type"], url: string, credential: string | null) {
  const hash = createHash("sha256").update(url).digest("hex").slice(0, 8);
  return { id: `${type}-${hash}`, type, url, shown: schemeAndHost(url), credential };
}

/** The destinations the settings configure, webhooks first; a URL given twice counts once. */
export function destinationsOf(s: NotifySettings): Destination[] {
  const urls = [...new Set(s.notifyWebhookUrls)];
  const out = urls.map((u) => destination("webhook", u, s.notifyWebhookSecret));
  if (s.notifyNtfyUrl !== null) out.push(destination("ntfy", s.notifyNtfyUrl, s.notifyNtfyToken));
  return out;
}

/** `sha256=<hex>` of `body` under `secret`: the `X-Signature` header. */
export function signature(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/**
 * The ntfy sequence id of a delivery: its idempotency key in the characters and
 * length of an ntfy topic name (letters, digits, `-`, `_`; at most 64).
 */
export function ntfySequenceId(idempotencyKey: string): string {
  return idempotencyKey.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 64);
}

/** The HTTP request of one delivery. */
export function deliveryRequest(
  d: Destination,
  body: string,
  idempotencyKey: string,
): { url: string; init: RequestInit } {
  if (d.type === "webhook") {
    const headers: Record<string, string> = {
      "Content-Type": "application/json",
      "Idempotency-Key": idempotencyKey,
      "User-Agent": "ina219-monitor",
    };
    if (d.credential !== null) headers["X-Signature"] = signature(d.credential, body);
    return { url: d.url, init: { method: "POST", headers, body } };
  }
  const n = ntfyMessage(JSON.parse(body) as NotificationBody);
  const headers: Record<string, string> = {
    "Content-Type": "text/plain; charset=utf-8",
    "X-Title": n.title,
    "X-Priority": String(n.priority),
    "X-Tags": n.tags.join(","),
    // ntfy ignores it; a proxy or a receiver in between may deduplicate by it.
    "Idempotency-Key": idempotencyKey,
    // ntfy 2.16 and later replace the notification of the same sequence id, so a retry
    // after a lost answer updates the first notification instead of adding a second.
    "X-Sequence-ID": ntfySequenceId(idempotencyKey),
    "User-Agent": "ina219-monitor",
  };
  if (d.credential !== null) headers.Authorization = `Bearer ${d.credential}`;
  return { url: d.url, init: { method: "POST", headers, body: n.message } };
}

/** How an attempt ended. */
export type Outcome =
  | { result: "delivered" }
  | { result: "retry"; error: string; retryAfterMs?: number }
  | { result: "failed"; error: string };

/** Statuses worth trying again: timeouts, too early, too many, and the server's own trouble. */
function retryable(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/** `Retry-After` in ms (seconds or an HTTP date), if given. */
function retryAfterMs(header: string | null, nowMs: number): number | undefined {
  if (header === null) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** Replaces anything secret of `d` in `text` by `***` (the URL's path and query, the credential). */
export function scrub(d: Destination, text: string): string {
  const u = new URL(d.url);
  const secrets = [
    d.url,
    d.credential,
    u.pathname.length > 1 ? u.pathname : null,
    u.search,
    u.password,
  ]
    .filter((s): s is string => typeof s === "string" && s.length > 1)
    .sort((x, y) => y.length - x.length);
  let out = text;
  for (const s of secrets) out = out.replaceAll(s, "***");
  return out;
}

/** Sends one delivery with `fetch`; never throws. */
export async function attempt(
  d: Destination,
  body: string,
  idempotencyKey: string,
  options: { fetch: typeof fetch; signal: AbortSignal; nowMs: number },
): Promise<Outcome> {
  const { url, init } = deliveryRequest(d, body, idempotencyKey);
  let res: Response;
  try {
    res = await options.fetch(url, { ...init, signal: options.signal, redirect: "manual" });
  } catch (error) {
    // Deno says "fetch failed" and puts the reason (with the full URL) in `cause`.
    const cause = (error as Error).cause;
    const reason = cause instanceof Error ? cause.message : (error as Error).message;
    return {
      result: "retry",
      error: scrub(d, `cannot reach ${d.shown}: ${reason}`),
    };
  }
  await res.body?.cancel();
  if (res.status >= 200 && res.status < 300) return { result: "delivered" };
  const error = `${d.shown} answered ${res.status}${res.statusText ? ` ${res.statusText}` : ""}`;
  if (retryable(res.status)) {
    return {
      result: "retry",
      error,
      retryAfterMs: retryAfterMs(res.headers.get("retry-after"), options.nowMs),
    };
  }
  return { result: "failed", error: `${error}: not retried` };
}
