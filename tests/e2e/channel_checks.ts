/**
 * Browser checks of the dashboard's channels (issue 13), run by browser_test.ts: on a
 * monitor with three channels (two mock sensors and their efficiency) the picker, the
 * overview strip, picking a channel (readouts, stream and REST follow it, the choice is
 * kept) and a second channel on the live chart; on the single-channel monitor, that none
 * of it shows and no request names a channel.
 * @module
 */
import assert from "node:assert/strict";
import type { Page } from "./playwright.ts";
import { type CheckContext, waitForData, waitForNumber } from "./dashboard_checks.ts";

/** The in-page DOM the callbacks below touch (the project is checked without the DOM lib). */
declare const document: {
  getElementById(id: string): {
    textContent: string | null;
    dataset: Record<string, string | undefined>;
  } | null;
  querySelectorAll(selector: string): ArrayLike<{
    textContent: string | null;
    dataset: Record<string, string | undefined>;
  }>;
};

/** The three channels the test monitor runs (the example). */
export const TEST_CHANNELS = [
  { name: "a", label: "Input", sensor: "mock" },
  { name: "b", label: "Output", sensor: "mock", mock_mode: "LOAD_SPIKE" },
  { name: "eff", derived: "efficiency", input: "a", output: "b" },
];

/** Every card's figure `field` as shown now, by channel. */
function cardFigures(page: Page, field: string): Promise<Record<string, string>> {
  return page.evaluate((field) => {
    const out: Record<string, string> = {};
    const cards = document.querySelectorAll(".channel-card");
    for (let i = 0; i < cards.length; i++) {
      const card = cards[i];
      const figure = (card as unknown as {
        querySelector(s: string): { dataset: Record<string, string | undefined> } | null;
      }).querySelector(`[data-field="${field}"]`);
      out[card.dataset.channel ?? "?"] = figure?.dataset.value ?? "";
    }
    return out;
  }, field);
}

/** Waits until every card has shown samples and its `field` differs from `before`. */
async function waitForChangedFigures(
  page: Page,
  fields: Record<string, string>,
  before: Record<string, Record<string, string>>,
  timeoutMs: number,
): Promise<void> {
  await page.waitForFunction(
    ({ fields, before }) => {
      const cards = document.querySelectorAll(".channel-card");
      if (cards.length === 0) return false;
      for (let i = 0; i < cards.length; i++) {
        const card = cards[i] as unknown as {
          dataset: Record<string, string | undefined>;
          querySelector(s: string): { dataset: Record<string, string | undefined> } | null;
        };
        const name = card.dataset.channel ?? "";
        const value = card.querySelector(`[data-field="${fields[name]}"]`)?.dataset.value;
        if (!value || card.dataset.state !== "ok") return false;
        if (value === before[name]?.[fields[name]]) return false;
      }
      return true;
    },
    { fields, before },
    { timeout: timeoutMs, polling: 100 },
  );
}

/**
 * Three channels: the picker lists them, the overview's numbers move, picking `b` moves
 * the readouts, stream and REST to it (and is kept across a reload), compare draws a
 * second channel on the live chart, and a card click picks a channel.
 */
export async function checkChannels(ctx: CheckContext): Promise<void> {
  const { page, url, timeoutMs } = ctx;
  const wait = { timeout: timeoutMs };
  const requests: string[] = [];
  page.on("request", (request) => requests.push(request.url()));
  page.on("websocket", (socket) => requests.push(socket.url()));
  await page.goto(`${url}/`);
  await page.waitForSelector('#conn[data-state="live"]', wait);

  // The picker: three channels, the first shown.
  await page.waitForSelector("#channel-picker-box", { ...wait, state: "visible" });
  const options = await page.$$eval(
    "#channel-picker option",
    (os) => os.map((o) => [(o as unknown as { value: string }).value, o.textContent ?? ""]),
  );
  assert.deepEqual(options.map(([value]) => value), ["a", "b", "eff"]);
  assert.match(options[0][1], /Input/);
  assert.match(options[1][1], /Output/);
  assert.match(options[2][1], /derived/, "a derived channel is marked in the picker");
  assert.equal(await page.inputValue("#channel-picker"), "a");

  // The overview: three cards whose numbers change (V/A/W; efficiency and loss for eff).
  await page.waitForSelector("#overview", { ...wait, state: "visible" });
  assert.equal(await page.locator(".channel-card").count(), 3);
  const fields = { a: "w", b: "w", eff: "eff" };
  await waitForChangedFigures(page, fields, {}, timeoutMs);
  const before = { w: await cardFigures(page, "w"), eff: await cardFigures(page, "eff") };
  await waitForChangedFigures(
    page,
    fields,
    { a: before.w, b: before.w, eff: before.eff },
    timeoutMs,
  );
  const eff = Number((await cardFigures(page, "eff")).eff);
  assert.ok(eff > 0, `the efficiency card shows a percentage, got ${eff}`);
  const loss = Number((await cardFigures(page, "loss")).eff);
  assert.ok(Number.isFinite(loss), "the efficiency card shows the loss");
  assert.equal(await page.locator('.channel-card[data-channel="a"] [data-field="v"]').count(), 1);
  assert.equal(
    await page.getAttribute('.channel-card[data-channel="a"]', "aria-pressed"),
    "true",
    "the card of the channel shown is marked",
  );
  await ctx.screenshot(page, "channels-overview.png", false);

  // Picking b: the readouts show LOAD_SPIKE's current; REST and the stream name b.
  requests.length = 0;
  await page.selectOption("#channel-picker", "b");
  // The readout's text is auto-ranged ("912 mA"); data-value holds amperes.
  await waitForData(ctx, "value-a", "value", { gt: 0.75, lt: 1.05 });
  await page.waitForSelector('#history[data-state="ready"]', wait);
  await page.waitForFunction(
    () => Number(document.getElementById("stat-a-avg")?.dataset.value) > 0.75,
    null,
    { ...wait, polling: 100 },
  );
  const named = (path: string) =>
    requests.filter((r) => new URL(r).pathname === path)
      .map((r) => new URL(r).searchParams.get("channel"));
  assert.ok(named("/api/history").length >= 1, "history was reloaded");
  assert.deepEqual([...new Set(named("/api/history"))], ["b"], "history asks for b");
  assert.deepEqual([...new Set(named("/api/alerts/active"))], ["b"], "alerts ask for b");
  assert.deepEqual([...new Set(named("/ws"))], ["b"], "the stream is b's");
  assert.equal(new URL(page.url()).searchParams.get("channel"), "b", "the URL keeps it");
  assert.equal(
    await page.evaluate(() => localStorage.getItem("ina219-monitor.channel")),
    "b",
  );
  assert.equal(
    await page.getAttribute('.channel-card[data-channel="b"]', "aria-pressed"),
    "true",
  );

  // Compare: a's trace joins b's on the live chart, with a legend naming both.
  await page.selectOption("#live-compare", "a");
  await page.waitForFunction(
    () => {
      const traces = (document.getElementById("live-chart")?.dataset.traces ?? "").split("|");
      return traces.some((t) => t.endsWith("· Input")) &&
        traces.some((t) => t.endsWith("· Output"));
    },
    null,
    { ...wait, polling: 100 },
  );
  assert.equal(await page.getAttribute("#live-chart", "data-compare"), "a");
  assert.equal(await page.isVisible("#live-legend"), true);
  assert.equal(await page.textContent("#live-legend-main"), "Output");
  assert.equal(await page.textContent("#live-legend-compare"), "Input");
  const compareOptions = await page.$$eval(
    "#live-compare option",
    (os) => os.map((o) => (o as unknown as { value: string }).value),
  );
  assert.deepEqual(compareOptions, ["", "a", "eff"], "the channel shown is not offered");
  await page.locator(".topbar").scrollIntoViewIfNeeded();
  await ctx.screenshot(page, "channels-compare.png", false);
  await page.selectOption("#live-compare", "");
  await page.waitForSelector("#live-legend", { ...wait, state: "hidden" });

  // The choice survives a reload (URL), and a visit without it (local storage).
  await page.reload();
  await page.waitForSelector('#conn[data-state="live"]', wait);
  assert.equal(await page.inputValue("#channel-picker"), "b");
  await page.goto(`${url}/`);
  await page.waitForSelector('#conn[data-state="live"]', wait);
  assert.equal(await page.inputValue("#channel-picker"), "b");

  // A card click picks its channel; a derived channel cannot be started or stopped.
  await page.click('.channel-card[data-channel="eff"]');
  await page.waitForFunction(
    () => (document.getElementById("controls-title")?.textContent ?? "").includes("eff"),
    null,
    { ...wait, polling: 100 },
  );
  assert.equal(await page.inputValue("#channel-picker"), "eff");
  assert.equal(await page.isDisabled("#btn-stop"), true);
  // Its readouts are its output's V, A and W, with its efficiency and loss beside them.
  await waitForNumber(page, "sample-efficiency", { gt: 0 }, timeoutMs);
  assert.match(await page.textContent("#sample-loss") ?? "", /^-?\d+(\.\d+)? [µm]?W$/);
  await page.click('.channel-card[data-channel="a"]');
  await waitForData(ctx, "value-a", "value", { gt: 0, lt: 0.7 });
  await page.waitForSelector("#btn-stop:enabled", wait);
  assert.match(await page.textContent("#controls-title") ?? "", /Input/);
}

/** One channel: no picker, overview or compare, and no request names a channel. */
export async function checkSingleChannel(ctx: CheckContext): Promise<void> {
  const { page, url, timeoutMs } = ctx;
  const requests: string[] = [];
  page.on("request", (request) => requests.push(request.url()));
  page.on("websocket", (socket) => requests.push(socket.url()));
  await page.goto(`${url}/`);
  await page.waitForSelector('#conn[data-state="live"]', { timeout: timeoutMs });
  await page.waitForSelector('#history[data-state="ready"]', { timeout: timeoutMs });
  assert.equal(await page.isVisible("#channel-picker-box"), false);
  assert.equal(await page.isVisible("#overview"), false);
  assert.equal(await page.isVisible("#live-compare-box"), false);
  assert.equal(await page.isVisible("#live-legend"), false);
  const sockets = requests.filter((r) => new URL(r).pathname === "/ws");
  // One stream, the batched one (issue 14), naming no channel.
  assert.deepEqual(
    sockets.map((r) => new URL(r).search),
    ["?format=batch&batch_ms=50"],
    "one /ws, batched, with no channel",
  );
  assert.deepEqual(requests.filter((r) => new URL(r).searchParams.has("channel")), []);
}
