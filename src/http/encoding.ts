/**
 * Content-coding negotiation (`Accept-Encoding`) and the cache of compressed static
 * files, so each file is compressed once rather than on every request.
 * @module
 */

/** Content codings the server sends, in order of preference. */
export type Encoding = "br" | "gzip";

/** Every coding the server can send, best first. */
export const ENCODINGS: readonly Encoding[] = ["br", "gzip"];

/**
 * The best of `available` that an `Accept-Encoding` header accepts (RFC 9110 §12.5.3:
 * a q of 0 refuses, `*` stands for codings not named), or undefined for the identity.
 *
 * @example
 * ```ts
 * negotiateEncoding("gzip, deflate", ["br", "gzip"]); // "gzip"
 * negotiateEncoding("br;q=0, *", ["br", "gzip"]); // "gzip"
 * ```
 */
export function negotiateEncoding(
  header: string | undefined,
  available: readonly Encoding[],
): Encoding | undefined {
  if (!header) return undefined;
  const weights = new Map<string, number>();
  for (const part of header.split(",")) {
    const [coding, ...params] = part.trim().toLowerCase().split(";");
    if (!coding) continue;
    const q = params.map((p) => /^\s*q\s*=\s*([\d.]+)\s*$/.exec(p)).find(Boolean);
    weights.set(coding.trim(), q ? Number(q[1]) : 1);
  }
  let best: Encoding | undefined;
  let bestQ = 0;
  for (const coding of available) {
    const q = weights.get(coding) ?? weights.get("*") ?? 0;
    if (q > bestQ) [best, bestQ] = [coding, q];
  }
  return best;
}

/** The ETag of an encoded variant: `W/"abc"` becomes `W/"abc-br"`, so caches keep both apart. */
export function encodedEtag(etag: string, encoding: Encoding): string {
  return `${etag.slice(0, -1)}-${encoding}"`;
}

/** Whether an `If-None-Match` header names `etag` (weak comparison, lists and `*`). */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const weak = (tag: string) => tag.trim().replace(/^W\//, "");
  return header.split(",").some((tag) => tag.trim() === "*" || weak(tag) === weak(etag));
}

/** Compresses a stream with the platform's CompressionStream (gzip or brotli). */
export async function compress(
  source: ReadableStream<Uint8Array<ArrayBuffer>>,
  encoding: Encoding,
): Promise<Uint8Array<ArrayBuffer>> {
  const format = (encoding === "br" ? "brotli" : "gzip") as CompressionFormat;
  const stream = source.pipeThrough<Uint8Array<ArrayBuffer>>(new CompressionStream(format));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * Compressed bodies by file and coding, each kept for one version of its file (a new
 * ETag replaces the old body). Concurrent first requests share one compression.
 */
export class CompressedCache {
  #entries = new Map<string, { version: string; body: Promise<Uint8Array<ArrayBuffer>> }>();

  /** The cached body of `key` at `version`, or the one `make` produces (then cached). */
  get(
    key: string,
    version: string,
    make: () => Promise<Uint8Array<ArrayBuffer>>,
  ): Promise<Uint8Array<ArrayBuffer>> {
    const entry = this.#entries.get(key);
    if (entry?.version === version) return entry.body;
    const body = make();
    this.#entries.set(key, { version, body });
    // A failed compression is not cached: the next request tries again.
    body.catch(() => {
      if (this.#entries.get(key)?.body === body) this.#entries.delete(key);
    });
    return body;
  }
}
