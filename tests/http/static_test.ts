/** Tests of src/http/static.ts: compressed static files, ETags and the favicon. */
import assert from "node:assert/strict";
import { Hono } from "hono";
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

Deno.test("serveStatic() serves the language catalogues under /i18n/ and nothing else there", async () => {
  const app = staticApp();
  for (const lang of ["en", "ko"]) {
    const res = await app.request(`/i18n/${lang}.js`);
    assert.equal(res.status, 200, lang);
    assert.match(res.headers.get("content-type") ?? "", /^text\/javascript/);
    assert.deepEqual(
      new Uint8Array(await res.arrayBuffer()),
      await Deno.readFile(new URL(`static/i18n/${lang}.js`, ROOT)),
    );
  }
  for (const path of ["/i18n/fr.js", "/i18n/app.js", "/i18n/%2e%2e%2fapp.js", "/i18n/en.json"]) {
    const res = await app.request(path);
    assert.notEqual(res.status, 200, path);
    await res.body?.cancel();
  }
});
