/**
 * Static files: the pages in static/, uPlot from npm and the vendored Scalar bundle,
 * resolved from this module rather than the working directory so they are found in a
 * compiled binary too. Nothing is loaded from a CDN. Text is sent compressed (brotli or
 * gzip) to clients that accept it, compressed once and cached.
 * @module
 */
import type { Context, Hono } from "hono";
import {
  compress,
  CompressedCache,
  encodedEtag,
  type Encoding,
  ENCODINGS,
  etagMatches,
  negotiateEncoding,
} from "./encoding.ts";
import { errorResponse } from "./errors.ts";

/**
 * The folder holding static/ and node_modules/: two levels up from this file in src/http/,
 * or one level up from the single-file bundle in dist/ that `deno task start` runs (every
 * module of a bundle shares the bundle's URL).
 */
const ROOT = new URL(import.meta.url.endsWith(".ts") ? "../../" : "../", import.meta.url);

/**
 * Browser libraries served under /vendor/: uPlot (ES module and CSS) from its npm package, Scalar's
 * bundle vendored in static/vendor/ (`deno task vendor:scalar`; its npm package
 * would install a tree of 250+ packages for this one file).
 */
export const VENDOR_FILES: Readonly<Record<string, string>> = {
  "uplot/uPlot.esm.js": "node_modules/uplot/dist/uPlot.esm.js",
  "uplot/uPlot.min.css": "node_modules/uplot/dist/uPlot.min.css",
  "scalar/standalone.js": "static/vendor/scalar/standalone.js",
};

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  ico: "image/x-icon",
  json: "application/json",
};

function contentType(name: string): string {
  return TYPES[name.slice(name.lastIndexOf(".") + 1)] ?? "application/octet-stream";
}

/** Types worth compressing (PNG and ICO are compressed already). */
const COMPRESSIBLE = /^(text\/|image\/svg|application\/json)/;
/** Smaller files gain too little to be worth a `Content-Encoding`. */
const MIN_COMPRESS_BYTES = 1024;
/**
 * Larger files are sent compressed only from a pre-compressed `<file>.br` / `<file>.gz`
 * beside them (the vendor task writes those for Scalar's 4.35 MB bundle): compressing
 * that much in the server would stall its event loop for up to 1.4 s.
 */
const MAX_LIVE_COMPRESS_BYTES = 1024 * 1024;
const SUFFIX: Record<Encoding, string> = { br: ".br", gzip: ".gz" };

async function exists(relative: string): Promise<boolean> {
  try {
    return (await Deno.stat(new URL(relative, ROOT))).isFile;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** The codings `relative` can be sent in: any, when small; else those pre-compressed. */
async function encodingsFor(relative: string, size: number): Promise<readonly Encoding[]> {
  if (size < MIN_COMPRESS_BYTES) return [];
  if (size <= MAX_LIVE_COMPRESS_BYTES) return ENCODINGS;
  const found = await Promise.all(ENCODINGS.map((e) => exists(relative + SUFFIX[e])));
  return ENCODINGS.filter((_, i) => found[i]);
}

/** An asset opened for streaming, with what caching needs. */
interface Asset {
  file: Deno.FsFile;
  size: number;
  /** Weak validator from size and modification time; absent when the time is unknown. */
  etag?: string;
}

/** Opens a file for streaming; undefined when it does not exist. */
async function openAsset(relative: string): Promise<Asset | undefined> {
  try {
    const file = await Deno.open(new URL(relative, ROOT));
    const { size, mtime } = await file.stat();
    return {
      file,
      size,
      etag: mtime ? `W/"${size.toString(36)}-${mtime.getTime().toString(36)}"` : undefined,
    };
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/**
 * Adds `GET /` (static/index.html), `GET /<file>` for files directly in static/,
 * `GET /i18n/<lang>.js` for the language catalogues in static/i18n/, and
 * `GET /vendor/<lib>/<file>` for {@link VENDOR_FILES}. Uncompressed files are
 * streamed from disk (or the compiled binary) on each request rather than held in
 * memory; compressed ones are made once per file version and kept (about 2.3 MB for
 * Scalar's bundle in both codings, only once /docs has been loaded).
 */
export function serveStatic(app: Hono): void {
  const cache = new CompressedCache();
  // Pages revalidate on every load (cheap: a 304 when unchanged); libraries are cached.
  const send = async (c: Context, relative: string, name: string, maxAgeS: number) => {
    const asset = await openAsset(relative);
    if (!asset) return undefined;
    const type = contentType(name);
    const headers: Record<string, string> = {
      "Content-Type": type,
      "Cache-Control": maxAgeS > 0 ? `public, max-age=${maxAgeS}` : "no-cache",
    };
    const available = COMPRESSIBLE.test(type) ? await encodingsFor(relative, asset.size) : [];
    if (available.length > 0) headers.Vary = "Accept-Encoding";
    const encoding = negotiateEncoding(c.req.header("accept-encoding"), available);
    const etag = asset.etag && encoding ? encodedEtag(asset.etag, encoding) : asset.etag;
    if (etag) headers.ETag = etag;
    if (etag && etagMatches(c.req.header("if-none-match"), etag)) {
      asset.file.close();
      return new Response(null, { status: 304, headers });
    }
    if (!encoding) {
      headers["Content-Length"] = String(asset.size);
      return new Response(asset.file.readable, { headers });
    }
    const version = asset.etag ?? String(asset.size);
    const body = await cache.get(`${relative}:${encoding}`, version, async () => {
      if (asset.size <= MAX_LIVE_COMPRESS_BYTES) {
        return await compress(asset.file.readable, encoding);
      }
      return await Deno.readFile(new URL(relative + SUFFIX[encoding], ROOT));
    }).finally(() => {
      try {
        asset.file.close(); // not read when the body came from the cache
      } catch (error) {
        if (!(error instanceof Deno.errors.BadResource)) throw error;
      }
    });
    headers["Content-Encoding"] = encoding;
    headers["Content-Length"] = String(body.length);
    return new Response(body, { headers });
  };
  app.get("/", async (c) =>
    await send(c, "static/index.html", "index.html", 0) ??
      errorResponse(c, 404, "Dashboard page is missing"));
  app.get("/vendor/*", async (c) => {
    const key = c.req.path.slice("/vendor/".length);
    const file = VENDOR_FILES[key];
    return (file && await send(c, file, file, 86_400)) ||
      errorResponse(c, 404, `Not found: GET ${c.req.path}`);
  });
  // The dashboard's language catalogues (static/i18n/en.js, ko.js).
  app.get("/i18n/:file{[a-z]{2}\\.js}", async (c) => {
    const name = c.req.param("file");
    return await send(c, `static/i18n/${name}`, name, 0) ??
      errorResponse(c, 404, `Not found: GET ${c.req.path}`);
  });
  app.get("/:file{[A-Za-z0-9_-][A-Za-z0-9_.-]*\\.[a-z]+}", async (c) => {
    const name = c.req.param("file");
    return await send(c, `static/${name}`, name, 0) ??
      errorResponse(c, 404, `Not found: GET ${c.req.path}`);
  });
}
