/**
 * The dashboard's browser checks, one function per behaviour, run in order on one page
 * by browser_test.ts (history ones in history_checks.ts), and the waits they share. Every wait is for a condition (with a generous timeout), never a
 * fixed sleep, so they hold on a busy two-core machine.
 * @module
 */
import assert from "node:assert/strict";
import type { Page } from "./playwright.ts";

/**
 * The little of the page's DOM that the in-page callbacks below use: the project is
 * type-checked without the DOM library (adding it globally breaks other tests' types).
 */
declare const document: {
  getElementById(id: string): {
    textContent: string | null;
    dataset: Record<string, string | undefined>;
  } | null;
  documentElement: { scrollWidth: number; clientWidth: number };
};

/** What each check gets. */
export interface CheckContext {
  page: Page;
  /** Base URL of the monitor. */
  url: string;
  timeoutMs: number;
  screenshot: (page: Page, name: string, fullPage?: boolean) => Promise<void>;
}

/** A number kept in a `data-*` attribute (NaN when absent). */
export async function dataNumber(page: Page, selector: string, name: string): Promise<number> {
  const text = await page.getAttribute(selector, `data-${name}`);
  return text === null || text === "" ? NaN : Number(text);
}

/** Bounds a waited-for number must pass (strictly). */
export interface Bounds {
  gt?: number;
  lt?: number;
}

/** Waits until `data-<name>` of `#id` is a number within `bounds`. */
export async function waitForData(
  { page, timeoutMs }: CheckContext,
  id: string,
  name: string,
  bounds: Bounds,
): Promise<void> {
  await page.waitForFunction(
    ({ id, name, bounds }) => {
      const raw = document.getElementById(id)?.dataset[name];
      if (raw === undefined || raw === "") return false;
      const x = Number(raw);
      return (bounds.gt === undefined || x > bounds.gt) &&
        (bounds.lt === undefined || x < bounds.lt);
    },
    { id, name, bounds },
    { timeout: timeoutMs, polling: 100 },
  );
}

/** Waits until the text of `#id` is a number within `bounds`. */
export async function waitForNumber(
  page: Page,
  id: string,
  bounds: Bounds,
  timeoutMs: number,
): Promise<void> {
  await page.waitForFunction(
    ({ id, bounds }) => {
      const x = Number(document.getElementById(id)?.textContent ?? NaN);
      return (bounds.gt === undefined || x > bounds.gt) &&
        (bounds.lt === undefined || x < bounds.lt);
    },
    { id, bounds },
    { timeout: timeoutMs, polling: 100 },
  );
}

export async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  assert.equal(response.status, 200, `GET ${url}`);
  return await response.json() as T;
}

/** Page loads, connects, shows numbers; the live chart gains points; pause freezes it. */
export async function checkLiveDashboard(ctx: CheckContext): Promise<void> {
  const { page, url, timeoutMs } = ctx;
  await page.goto(`${url}/`);
  await page.waitForSelector('#conn[data-state="live"]', { timeout: timeoutMs });
  assert.equal(await page.textContent("#conn-text"), "Live");
  await page.waitForFunction(
    () => /^\d+\.\d{3}$/.test(document.getElementById("value-v")?.textContent ?? ""),
    null,
    { timeout: timeoutMs },
  );
  await waitForData(ctx, "live-chart", "points", { gt: 0 });
  const before = await dataNumber(page, "#live-chart", "points");
  await waitForData(ctx, "live-chart", "points", { gt: before + 19 });

  await page.selectOption("#live-window", "10000");
  assert.equal(await page.textContent("#live-title"), "Live · last 10 s");
  await page.selectOption("#live-window", "60000");

  await page.click("#live-pause");
  assert.equal(await page.getAttribute("#live-pause", "aria-pressed"), "true");
  assert.equal(await page.isVisible("#live-paused"), true);
  const frozen = await dataNumber(page, "#live-chart", "samples");
  const seq = Number(await page.textContent("#sample-seq"));
  // The readouts keep moving while the chart holds still.
  await waitForNumber(page, "sample-seq", { gt: seq + 9 }, timeoutMs);
  assert.equal(await dataNumber(page, "#live-chart", "samples"), frozen);
  await page.click("#live-pause");
  await waitForData(ctx, "live-chart", "samples", { gt: frozen + 10 });
}

/** The statistics panel follows the messages; the energy reset takes two presses. */
export async function checkStatistics(ctx: CheckContext): Promise<void> {
  const { page, timeoutMs } = ctx;
  await waitForData(ctx, "stats", "updated", { gt: 0 });
  const first = await dataNumber(page, "#stats", "updated");
  await waitForData(ctx, "stats", "updated", { gt: first });
  for (const m of ["v", "a", "w"]) {
    const [min, avg, max] = await Promise.all(
      ["min", "avg", "max"].map((f) => dataNumber(page, `#stat-${m}-${f}`, "value")),
    );
    assert.ok(min <= avg && avg <= max, `${m}: ${min} ≤ ${avg} ≤ ${max}`);
    assert.ok(Number.isFinite(await dataNumber(page, `#stat-${m}-ma_15m`, "value")));
  }
  const avgV = await dataNumber(page, "#stat-v-avg", "value");
  assert.ok(avgV > 4.8 && avgV < 5.2, `NORMAL voltage averages about 5 V, got ${avgV}`);
  // The filled past holds tens of Wh; the reset brings the counter to about zero.
  assert.ok(await dataNumber(page, "#energy-wh", "value") > 1);
  await page.click("#energy-reset");
  assert.equal((await page.textContent("#energy-reset"))?.trim(), "Press again to reset");
  await page.click("#energy-reset");
  await page.waitForFunction(
    () => /^Reset\./.test(document.getElementById("energy-feedback")?.textContent ?? ""),
    null,
    { timeout: timeoutMs },
  );
  await waitForData(ctx, "energy-wh", "value", { lt: 0.01 });
}

/** Stop and Start reach the server and show in the page. */
export async function checkStopStart(ctx: CheckContext): Promise<void> {
  const { page, url, timeoutMs } = ctx;
  await page.click("#btn-stop");
  await page.waitForSelector('#sim-state[data-state="stopped"]', { timeout: timeoutMs });
  assert.equal((await getJson<{ simulator: string }>(`${url}/status`)).simulator, "disconnected");
  await page.click("#btn-start");
  await page.waitForSelector('#sim-state[data-state="running"]', { timeout: timeoutMs });
  assert.equal((await getJson<{ simulator: string }>(`${url}/status`)).simulator, "connected");
  const seq = Number(await page.textContent("#sample-seq"));
  await waitForNumber(page, "sample-seq", { gt: seq + 2 }, timeoutMs);
}

async function setMode(page: Page, mode: string): Promise<void> {
  await page.selectOption("#mode-select", mode);
  await page.click('#form-mode button[type="submit"]');
}

/** LOAD_SPIKE raises a current danger alert with a notice; NORMAL clears every alert. */
export async function checkAlerts(ctx: CheckContext): Promise<void> {
  const { page, timeoutMs } = ctx;
  await setMode(page, "LOAD_SPIKE");
  const wait = { timeout: timeoutMs };
  await page.waitForSelector('#alerts-active li[data-metric="a"][data-severity="danger"]', wait);
  await page.waitForSelector('.notice[data-severity="danger"]', wait);
  await page.waitForSelector('#readout-a[data-level="danger"]', wait);
  assert.match(await page.textContent("#alerts-badge") ?? "", /^\d active alerts?$/);
  assert.match(await page.title(), /^⚠ \d/);
  const newest = page.locator("#alerts-history li").first();
  assert.match(await newest.textContent() ?? "", /raised/);
  await page.waitForSelector('#stat-a-max[data-level="danger"]', wait);
  await page.locator(".topbar").scrollIntoViewIfNeeded();
  await ctx.screenshot(page, "dashboard-alert.png", false);
  // Notices can be dismissed (the panel keeps the alert).
  while (await page.locator(".notice-close").count() > 0) {
    await page.locator(".notice-close").first().click();
  }

  await setMode(page, "NORMAL");
  await page.waitForSelector("#alerts-none", { ...wait, state: "visible" });
  assert.equal(await page.isVisible("#alerts-badge"), false);
  assert.match(await page.locator("#alerts-history li").first().textContent() ?? "", /cleared/);
  await page.waitForSelector('#readout-a[data-level="normal"]', wait);
}

/** At phone width every panel fits the screen and the page works. */
export async function checkPhoneLayout(ctx: CheckContext): Promise<void> {
  const { page, url, timeoutMs } = ctx;
  await page.goto(`${url}/`);
  await page.waitForSelector('#conn[data-state="live"]', { timeout: timeoutMs });
  await page.waitForSelector('#history[data-state="ready"]', { timeout: timeoutMs });
  await waitForData(ctx, "stats", "updated", { gt: 0 });
  await waitForData(ctx, "live-chart", "points", { gt: 10 });
  const overflow = await page.evaluate(() =>
    document.documentElement.scrollWidth - document.documentElement.clientWidth
  );
  // What sticks out, named in the failure (elements wider than the page).
  const wide = overflow === 0 ? "" : await page.evaluate(`(() => {
    const w = document.documentElement.clientWidth;
    return [...document.querySelectorAll("body *")]
      .filter((el) => el.getBoundingClientRect().right > w + 1 && !el.closest(".table-scroll, .scope"))
      .slice(0, 8)
      .map((el) => el.tagName + "#" + el.id + "." + el.className + " " +
        Math.round(el.getBoundingClientRect().right))
      .join(", ");
  })()`);
  assert.equal(overflow, 0, `no sideways scrolling at 390 px: ${wide}`);
  await ctx.screenshot(page, "dashboard-phone.png");
}

/**
 * With uPlot unreachable the page still connects and shows numbers, and each chart
 * says it is unavailable (uPlot is imported dynamically, so its failure is contained).
 */
export async function checkWithoutChartJs(ctx: CheckContext): Promise<void> {
  const { page, url, timeoutMs } = ctx;
  await page.route("**/vendor/uplot/**", (route) => route.abort());
  await page.goto(`${url}/`);
  await page.waitForFunction(
    () => /^\d+\.\d{3}$/.test(document.getElementById("value-v")?.textContent ?? ""),
    null,
    { timeout: timeoutMs },
  );
  assert.equal(await page.locator("#live-chart").count(), 0, "the live chart is replaced");
  assert.ok(await page.getByText("Chart unavailable").count() >= 1);
  await waitForNumber(page, "sample-seq", { gt: 0 }, timeoutMs);
}
