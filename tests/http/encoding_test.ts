/** Tests of src/http/encoding.ts: content negotiation and the compressed-file cache. */
import assert from "node:assert/strict";
import { CompressedCache, negotiateEncoding } from "../../src/http/encoding.ts";

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
