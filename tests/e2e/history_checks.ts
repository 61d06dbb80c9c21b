/**
 * Browser checks of the history view: ranges, a dragged selection's figures checked
 * against the raw samples, CSV export, and selecting by keyboard.
 * @module
 */
import assert from "node:assert/strict";
import { type CheckContext, dataNumber, getJson } from "./dashboard_checks.ts";

interface Row {
  ts_ms: number;
  v: number;
  a: number;
  w: number;
  status: string;
}

/**
 * History draws the 1 h and 48 h ranges; a span dragged across the chart shows exactly
 * the min/avg/max of its raw samples, and energy that matches its average power.
 */
export async function checkHistorySelection(ctx: CheckContext): Promise<void> {
  const { page, url, timeoutMs } = ctx;
  const wait = { timeout: timeoutMs };
  await page.waitForSelector('#history[data-state="ready"]', wait);
  assert.ok(await dataNumber(page, "#history-chart", "buckets") > 100);
  await page.click('label[for="history-range-48"]');
  await page.locator("#history-meta", { hasText: /\(48 h 00 min\).*per-minute rollups/ }).waitFor(
    wait,
  );
  await page.click('label[for="history-range-1"]');
  await page.locator("#history-meta", { hasText: /\(1 h 00 min\).*per-second rollups/ }).waitFor(
    wait,
  );
  const canvas = page.locator("#history-chart");
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  assert.ok(box, "the history chart is on the page");
  // 20 %–80 % of the last hour: 48 to 12 minutes ago, across the filled spike 40 min ago.
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * 0.2, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.8, y, { steps: 8 });
  await page.mouse.up();
  await page.waitForSelector('#selection[data-state="ready"]', wait);
  assert.equal(await page.isVisible("#history-selection"), true);

  const fromMs = await dataNumber(page, "#selection", "from-ms");
  const toMs = await dataNumber(page, "#selection", "to-ms");
  const spanMin = (toMs - fromMs) / 60_000;
  // 60 % of the chart's box; the plot area (without the axes) is a little narrower.
  assert.ok(spanMin > 20 && spanMin < 50, `selected ${spanMin} min`);
  const raw = await getJson<{ data: Row[]; truncated: boolean }>(
    `${url}/api/measurements?from=${fromMs}&to=${toMs}&limit=100000`,
  );
  assert.equal(raw.truncated, false);
  const ok = raw.data.filter((r) => r.status === "ok");
  assert.ok(ok.length > 100);
  for (const m of ["v", "a", "w"] as const) {
    const values = ok.map((r) => r[m]);
    const [min, avg, max] = await Promise.all(
      ["min", "avg", "max"].map((f) => dataNumber(page, `#sel-${m}-${f}`, "value")),
    );
    // /api/span counts exactly the samples stamped in the span, whatever its edges.
    assert.equal(min, Math.min(...values), `${m} min`);
    assert.equal(max, Math.max(...values), `${m} max`);
    const mean = values.reduce((s, x) => s + x, 0) / values.length;
    // Averages are sent to 6 significant digits (docs/api.md#numbers): within half a unit.
    assert.ok(Math.abs(avg - mean) <= Math.abs(mean) * 5e-6, `${m} avg ${avg} vs ${mean}`);
  }
  assert.ok(await dataNumber(page, "#sel-a-max", "value") >= 0.8, "the spike is in the span");
  const energyWh = await dataNumber(page, "#sel-energy", "value");
  const avgW = await dataNumber(page, "#sel-w-avg", "value");
  const expected = avgW * (toMs - fromMs) / 3_600_000;
  assert.ok(Math.abs(energyWh - expected) / expected < 0.03, `${energyWh} Wh vs ${expected}`);
  assert.match(
    await page.textContent("#sel-resolution") ?? "",
    /^Exact to the sample, from .*per-second rollups/,
  );
  await page.mouse.move(0, 0); // no tooltip in the picture

  // The band follows the view: zoomed out 2× about the middle it is half as wide, and
  // as wide as before after Back.
  const bandWidth = async () => (await page.locator("#history-selection").boundingBox())!.width;
  const waitForBand = async (ok: (width: number) => boolean, what: string) => {
    const deadlineMs = Date.now() + timeoutMs;
    for (let width = await bandWidth(); !ok(width); width = await bandWidth()) {
      if (Date.now() > deadlineMs) throw new Error(`selection band ${width} px: ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const selectedWidth = await bandWidth();
  await page.focus("#history-chart");
  await page.keyboard.press("-");
  await waitForBand((w) => w < selectedWidth * 0.7, "narrower after zooming out");
  const ratio = await bandWidth() / selectedWidth;
  assert.ok(ratio > 0.4 && ratio < 0.6, `band ${ratio} of its width after zooming out 2×`);
  await page.keyboard.press("Backspace");
  await waitForBand((w) => Math.abs(w - selectedWidth) < 2, "as wide as before after Back");
  await ctx.screenshot(page, "dashboard.png");
}

/** "Download CSV" saves the selected span; Escape clears; typed times select again. */
export async function checkCsvExport(ctx: CheckContext): Promise<void> {
  const { page, timeoutMs } = ctx;
  const fromMs = await dataNumber(page, "#selection", "from-ms");
  const toMs = await dataNumber(page, "#selection", "to-ms");
  const [download] = await Promise.all([
    page.waitForEvent("download", { timeout: timeoutMs }),
    page.click("#sel-export"),
  ]);
  assert.match(download.suggestedFilename(), /\.csv$/);
  const path = await download.path();
  const lines = (await Deno.readTextFile(path)).trim().split("\n");
  assert.equal(lines[0], "time,ts_ms,seq,v,a,w,status,mode,error");
  assert.ok(lines.length > 100, `${lines.length} lines`);
  for (const line of lines.slice(1)) {
    const ts = Number(line.split(",")[1]);
    assert.ok(ts >= fromMs && ts < toMs, `row at ${ts} outside the selection`);
  }

  await page.focus("#history-chart");
  await page.keyboard.press("Escape");
  await page.waitForSelector('#selection[data-state="empty"]', { timeout: timeoutMs });
  assert.equal(await page.isVisible("#history-selection"), false);

  // Keyboard users type the span instead of dragging it.
  const local = (ms: number) =>
    page.evaluate((ms) => {
      const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
      return d.toISOString().slice(0, 19);
    }, ms);
  const start = Math.floor((Date.now() - 30 * 60_000) / 1000) * 1000;
  await page.fill("#sel-from", await local(start));
  await page.fill("#sel-to", await local(start + 10 * 60_000));
  await page.press("#sel-to", "Enter");
  await page.waitForSelector('#selection[data-state="ready"]', { timeout: timeoutMs });
  assert.equal(await page.textContent("#sel-duration"), "10 min 00 s");
}
