/**
 * Static files: the pages in static/ and the browser libraries installed from npm
 * (Chart.js, Scalar), resolved from this module rather than the working directory
 * so they are found in a compiled binary too. Nothing is loaded from a CDN.
 * @module
 */
import type { Hono } from "hono";
import { errorResponse } from "./errors.ts";

const ROOT = new URL("../../", import.meta.url);

/** Browser libraries served under /vendor/, from the npm packages in node_modules. */
export const VENDOR_FILES: Readonly<Record<string, string>> = {
  "chart.js/chart.umd.min.js": "node_modules/chart.js/dist/chart.umd.min.js",
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

/** Opens a file for streaming; undefined when it does not exist. */
async function openAsset(
  relative: string,
): Promise<{ file: Deno.FsFile; size: number } | undefined> {
  try {
    const file = await Deno.open(new URL(relative, ROOT));
    return { file, size: (await file.stat()).size };
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
  const send = async (relative: string, name: string, maxAgeS: number) => {
    const asset = await openAsset(relative);
    if (!asset) return undefined;
    return new Response(asset.file.readable, {
      headers: {
        "Content-Type": contentType(name),
        "Content-Length": String(asset.size),
        "Cache-Control": `public, max-age=${maxAgeS}`,
      },
    });
  };
  app.get("/", async (c) =>
    await send("static/index.html", "index.html", 0) ??
      errorResponse(c, 404, "Dashboard page is missing"));
  app.get("/vendor/*", async (c) => {
    const key = c.req.path.slice("/vendor/".length);
    const file = VENDOR_FILES[key];
    return (file && await send(file, file, 86_400)) ||
      errorResponse(c, 404, `Not found: GET ${c.req.path}`);
  });
  app.get("/:file{[A-Za-z0-9_-][A-Za-z0-9_.-]*\\.[a-z]+}", async (c) => {
    const name = c.req.param("file");
    return await send(`static/${name}`, name, 0) ??
      errorResponse(c, 404, `Not found: GET ${c.req.path}`);
  });
}
