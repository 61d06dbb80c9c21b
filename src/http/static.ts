/**
 * Static files: the pages in static/ and the browser libraries installed from npm
 * (Chart.js, Scalar), resolved from this module rather than the working directory
 * so they are found in a compiled binary too. Nothing is loaded from a CDN.
 * @module
 */
import type { Context, Hono } from "hono";
import { errorResponse } from "./errors.ts";

const ROOT = new URL("../../", import.meta.url);

/** Browser libraries served under /vendor/, from the npm packages in node_modules. */
export const VENDOR_FILES: Readonly<Record<string, string>> = {
  "chart.js/chart.js": "node_modules/chart.js/dist/chart.js",
  "chart.js/chunks/index.js": "node_modules/chart.js/dist/chunks/index.js",
  "@kurkle/color/color.esm.js": "node_modules/@kurkle/color/dist/color.esm.js",
  "scalar/standalone.js": "node_modules/@scalar/api-reference/dist/browser/standalone.js",
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

/** The path of a static/vendor file, for checks at start-up. */
export function assetUrl(relative: string): URL {
  return new URL(relative, ROOT);
}

/**
 * Adds `GET /` (static/index.html), `GET /<file>` for files directly in static/,
 * and `GET /vendor/<lib>/<file>` for {@link VENDOR_FILES}. Files are streamed from
 * disk (or the compiled binary) on each request rather than held in memory: Scalar's
 * bundle alone is over 4 MB, and pages are loaded rarely.
 */
export function serveStatic(app: Hono): void {
  // Pages revalidate on every load (cheap: a 304 when unchanged); libraries are cached.
  const send = async (c: Context, relative: string, name: string, maxAgeS: number) => {
    const asset = await openAsset(relative);
    if (!asset) return undefined;
    const headers: Record<string, string> = {
      "Content-Type": contentType(name),
      "Cache-Control": maxAgeS > 0 ? `public, max-age=${maxAgeS}` : "no-cache",
    };
    if (asset.etag) headers.ETag = asset.etag;
    if (asset.etag && c.req.header("if-none-match") === asset.etag) {
      asset.file.close();
      return new Response(null, { status: 304, headers });
    }
    headers["Content-Length"] = String(asset.size);
    return new Response(asset.file.readable, { headers });
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
  app.get("/:file{[A-Za-z0-9_-][A-Za-z0-9_.-]*\\.[a-z]+}", async (c) => {
    const name = c.req.param("file");
    return await send(c, `static/${name}`, name, 0) ??
      errorResponse(c, 404, `Not found: GET ${c.req.path}`);
  });
}
