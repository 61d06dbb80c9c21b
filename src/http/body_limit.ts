/**
 * Request body limit. Hono's `bodyLimit` answers 413 for an oversize chunked body
 * without cancelling its reader, which leaves Deno's request-body resource open (one
 * leak per request); this one cancels the stream before answering.
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";

/** Answers `onTooLarge(c)` for bodies over `maxBytes`; smaller bodies pass on intact. */
export function bodyLimit(
  maxBytes: number,
  onTooLarge: (c: Context) => Response,
): MiddlewareHandler {
  return async (c, next) => {
    const body = c.req.raw.body;
    if (!body) return next();
    const declared = c.req.header("content-length");
    if (declared !== undefined) {
      if (Number(declared) <= maxBytes) return next();
      await body.cancel();
      return onTooLarge(c);
    }
    // No length given (chunked): read up to the limit, then hand on what was read.
    const reader = body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        return onTooLarge(c);
      }
      chunks.push(value);
    }
    const whole = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) {
      whole.set(chunk, offset);
      offset += chunk.byteLength;
    }
    c.req.raw = new Request(c.req.raw, { body: whole });
    return next();
  };
}
