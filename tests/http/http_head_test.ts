/** Tests of src/http/http_head.ts: the request heads the front reads and its refusals. */
import assert from "node:assert/strict";
import { parseHead, refusalResponse } from "../../src/http/http_head.ts";

const head = (text: string) => new TextEncoder().encode(text);

Deno.test("parseHead() finds the WebSocket upgrade and refuses what is not HTTP/1.x", () => {
  assert.deepEqual(
    parseHead(head("GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n")),
    { upgrade: true },
  );
  assert.deepEqual(parseHead(head("GET / HTTP/1.1\r\nHost: a\r\n\r\n")), { upgrade: false });
  assert.equal(parseHead(head("GET / HTTP/2.0\r\nHost: a\r\n\r\n")), undefined);
  assert.equal(parseHead(head("hello\r\n\r\n")), undefined);
});

Deno.test("parseHead() holds requests to RFC 9112 §3.2: one Host, none only in HTTP/1.0", async (t) => {
  const cases: [string, string, string | undefined][] = [
    ["HTTP/1.1 with Host", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", undefined],
    ["HTTP/1.1 with an empty Host", "GET / HTTP/1.1\r\nHost:\r\n\r\n", undefined],
    ["HTTP/1.1, host in any case", "GET / HTTP/1.1\r\nhOsT: a\r\n\r\n", undefined],
    ["HTTP/1.0 without Host", "GET / HTTP/1.0\r\n\r\n", undefined],
    ["HTTP/1.1 without Host", "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", "Missing Host header"],
    [
      "HTTP/1.1, a field merely ending in host",
      "GET / HTTP/1.1\r\nX-Forwarded-Host: a\r\n\r\n",
      "Missing Host header",
    ],
    ["two Hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "More than one Host header"],
    [
      "the same Host twice",
      "GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n",
      "More than one Host header",
    ],
    [
      "two Hosts in HTTP/1.0",
      "GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n",
      "More than one Host header",
    ],
  ];
  for (const [name, text, error] of cases) {
    await t.step(name, () => {
      const parsed = parseHead(head(text));
      assert.ok(parsed);
      assert.equal(parsed.hostError?.error, error);
      if (error) assert.equal(parsed.hostError?.issues[0].path, "host");
    });
  }
});

Deno.test("refusalResponse() writes a closing JSON error with its issues", () => {
  const text = new TextDecoder().decode(
    refusalResponse(400, "Missing Host header", [{ path: "host", message: "needed" }]),
  );
  const [top, body] = text.split("\r\n\r\n");
  assert.match(top, /^HTTP\/1\.1 400 Bad Request\r\n/);
  assert.match(top, /\r\nconnection: close$/);
  assert.match(top, new RegExp(`content-length: ${body.length}\r\n`));
  assert.deepEqual(JSON.parse(body), {
    error: "Missing Host header",
    issues: [{ path: "host", message: "needed" }],
  });
});
