import assert from "node:assert/strict";
import { Hono } from "hono";
import { CompressedCache, negotiateEncoding } from "../../src/http/encoding.ts";
import { serveStatic } from "../../src/http/static.ts";

const ROOT = new URL("../../", import.meta.url);

function staticApp(): Hono {
  const app = new Hono();
  serveStatic(app);
  return app;
}

async function decompress(body: ArrayBuffer, encoding: string): Promise<Uint8Array> {
  const format = (encoding === "br" ? "brotli" : "gzip") as CompressionFormat;
  const stream = new Blob([body]).stream().pipeThrough(new DecompressionStream(format));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const CASES = [
  // A page compressed on first request, and Scalar's 4.35 MB bundle, pre-compressed.
  { path: "/app.js", file: "static/app.js" },
  { path: "/vendor/scalar/standalone.js", file: "static/vendor/scalar/standalone.js" },
];

Deno.test("serveStatic() sends text compressed to clients that accept it", async (t) => {
  const app = staticApp();
  for (const { path, file } of CASES) {
    const raw = await Deno.readFile(new URL(file, ROOT));
    const plain = await app.request(path);
    const plainEtag = plain.headers.get("etag") ?? "";
    await t.step(`${path} without Accept-Encoding is sent as it is`, async () => {
      assert.equal(plain.status, 200);
      assert.equal(plain.headers.get("content-encoding"), null);
      assert.equal(plain.headers.get("vary"), "Accept-Encoding");
      assert.match(plainEtag, /^W\/"[^"]+"$/);
      assert.deepEqual(new Uint8Array(await plain.arrayBuffer()), raw);
    });
    for (const [accept, encoding] of [["gzip, deflate", "gzip"], ["gzip, deflate, br", "br"]]) {
      await t.step(`${path} with "${accept}" is sent as ${encoding}`, async () => {
        const res = await app.request(path, { headers: { "Accept-Encoding": accept } });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("content-encoding"), encoding);
        assert.equal(res.headers.get("vary"), "Accept-Encoding");
        assert.match(res.headers.get("content-type") ?? "", /javascript/);
        const etag = res.headers.get("etag") ?? "";
        assert.equal(etag, `${plainEtag.slice(0, -1)}-${encoding}"`, "one ETag per coding");
        const body = await res.arrayBuffer();
        assert.equal(Number(res.headers.get("content-length")), body.byteLength);
        assert.ok(body.byteLength < raw.length / 2, `${body.byteLength} of ${raw.length} bytes`);
        assert.deepEqual(await decompress(body, encoding), raw);

        const again = await app.request(path, { headers: { "Accept-Encoding": accept } });
        assert.deepEqual(new Uint8Array(await again.arrayBuffer()), new Uint8Array(body));

        const revalidated = await app.request(path, {
          headers: { "Accept-Encoding": accept, "If-None-Match": etag },
        });
        assert.equal(revalidated.status, 304);
        assert.equal(revalidated.headers.get("etag"), etag);
        assert.equal(await revalidated.text(), "");
        // The compressed variant's ETag does not validate the plain one.
        const other = await app.request(path, { headers: { "If-None-Match": etag } });
        assert.equal(other.status, 200);
        assert.equal(other.headers.get("content-encoding"), null);
        await other.body?.cancel();
      });
    }
    await t.step(`${path}: the plain ETag still gives 304`, async () => {
      const res = await app.request(path, { headers: { "If-None-Match": plainEtag } });
      assert.equal(res.status, 304);
    });
  }
});

Deno.test("serveStatic() serves the favicon", async () => {
  const res = await staticApp().request("/favicon.svg", { headers: { "Accept-Encoding": "gzip" } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "image/svg+xml");
  assert.equal(res.headers.get("content-encoding"), null, "too small to be worth compressing");
  assert.match(await res.text(), /^<svg /);
  for (const page of ["static/index.html", "static/test_websocket.html"]) {
    const html = await Deno.readTextFile(new URL(page, ROOT));
    assert.match(html, /<link rel="icon" href="\/favicon\.svg"/, page);
  }
});

Deno.test("negotiateEncoding() picks the best accepted coding", async (t) => {
  const both = ["br", "gzip"] as const;
  const cases: [string | undefined, string | undefined][] = [
    [undefined, undefined],
    ["", undefined],
    ["identity", undefined],
    ["gzip, deflate", "gzip"],
    ["gzip, deflate, br, zstd", "br"],
    ["br;q=0, gzip", "gzip"],
    ["br;q=0.5, gzip;q=0.8", "gzip"],
    ["*", "br"],
    ["br;q=0, *", "gzip"],
    ["*;q=0", undefined],
    ["GZIP", "gzip"],
  ];
  for (const [header, expected] of cases) {
    await t.step(String(header), () => assert.equal(negotiateEncoding(header, both), expected));
  }
  assert.equal(negotiateEncoding("br", ["gzip"]), undefined);
});

Deno.test("CompressedCache compresses once per file version and retries after a failure", async () => {
  const cache = new CompressedCache();
  let made = 0;
  const make = () => Promise.resolve(new Uint8Array([++made]));
  const [a, b] = await Promise.all([cache.get("k", "v1", make), cache.get("k", "v1", make)]);
  assert.equal(made, 1);
  assert.equal(a, b);
  assert.deepEqual(await cache.get("k", "v2", make), new Uint8Array([2]));
  await assert.rejects(cache.get("f", "v1", () => Promise.reject(new Error("disk"))), /disk/);
  await Promise.resolve();
  assert.deepEqual(await cache.get("f", "v1", make), new Uint8Array([3]));
});
