/** Tests of src/http/auth.ts: which requests need the token. */
import assert from "node:assert/strict";
import { tokenNeeded } from "../../src/http/auth.ts";

Deno.test("tokenNeeded() guards writes and bulk reads; READ_TOKEN_REQUIRED adds the rest", async (t) => {
  const rows: [string, string, boolean, boolean][] = [
    // method, path, needed by default, needed with READ_TOKEN_REQUIRED
    ["POST", "/simulator/stop", true, true],
    ["PUT", "/api/alerts/rules", true, true],
    ["GET", "/api/export.csv", true, true],
    ["HEAD", "/api/export.csv", true, true],
    ["GET", "/api/database/stats", true, true],
    ["GET", "/metrics", true, true],
    ["GET", "/api/history", false, true],
    ["GET", "/api/alerts/rules", false, true],
    ["GET", "/status", false, false],
    ["GET", "/ws", false, false],
    ["GET", "/", false, false],
    ["GET", "/app.js", false, false],
    ["GET", "/test_websocket.html", false, false],
    ["GET", "/vendor/uplot/uPlot.esm.js", false, false],
    ["GET", "/docs", false, false],
    ["GET", "/openapi.json", false, false],
    ["OPTIONS", "/api/history", false, false],
  ];
  for (const [method, path, open, closed] of rows) {
    await t.step(`${method} ${path}`, () => {
      assert.equal(tokenNeeded(method, path, { readTokenRequired: false }), open);
      assert.equal(tokenNeeded(method, path, { readTokenRequired: true }), closed);
    });
  }
});
