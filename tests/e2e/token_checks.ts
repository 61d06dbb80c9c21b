/**
 * Browser checks of the dashboard on a server with API_TOKEN: a saved token the server
 * refuses (malformed: 400; wrong: 401) brings the token dialog back instead of locking
 * the controls, and the CSV export sends the token in a header, never in the URL.
 * @module
 */
import assert from "node:assert/strict";
import type { CheckContext } from "./dashboard_checks.ts";

const TOKEN_KEY = "ina219-monitor.token";

/** Saves `stale` as if typed earlier, then Stop must ask again and work with `token`. */
async function stopWithStaleToken(ctx: CheckContext, stale: string, token: string) {
  const { page, url, timeoutMs } = ctx;
  await page.goto(`${url}/`);
  await page.evaluate(([key, value]) => localStorage.setItem(key, value), [TOKEN_KEY, stale]);
  await page.reload();
  await page.waitForSelector('#sim-state[data-state="running"]', { timeout: timeoutMs });
  await page.click("#btn-stop");
  await page.waitForSelector("#token-dialog[open]", { timeout: timeoutMs });
  assert.equal(await page.isVisible("#token-reason"), true, "the dialog says why it is back");
  await page.fill("#token-input", token);
  await page.click('#token-dialog button[value="save"]');
  await page.waitForSelector('#sim-state[data-state="stopped"]', { timeout: timeoutMs });
  assert.equal(await page.evaluate((key) => localStorage.getItem(key), TOKEN_KEY), token);
  await page.click("#btn-start");
  await page.waitForSelector('#sim-state[data-state="running"]', { timeout: timeoutMs });
}

/** Refused tokens are asked for again; the export carries the token in a header. */
export async function checkTokenReprompt(ctx: CheckContext, token: string): Promise<void> {
  await stopWithStaleToken(ctx, "my secret!pass", token); // 400: malformed header
  await stopWithStaleToken(ctx, "wrong-token-123", token); // 401: wrong token
  const { page, timeoutMs } = ctx;
  const exportUrls: string[] = [];
  page.on("request", (request) => {
    if (request.url().includes("/api/export.csv")) exportUrls.push(request.url());
  });
  const [file] = await Promise.all([
    page.waitForEvent("download", { timeout: timeoutMs }),
    page.evaluate(async () => {
      const { download } = await import("/api.js");
      const now = Date.now();
      await download("/api/export.csv", { from: String(now - 60_000), to: String(now) });
    }),
  ]);
  assert.match(file.suggestedFilename(), /^ina219-.*\.csv$/);
  const text = await Deno.readTextFile(await file.path());
  assert.equal(text.split("\n")[0], "time,ts_ms,seq,v,a,w,status,mode,error");
  assert.ok(exportUrls.length > 0, "the export was requested");
  for (const requested of exportUrls) assert.doesNotMatch(requested, /token|secret/i);
}
