/**
 * End-to-end browser test: a real monitor on a free loopback port, with 47 hours of
 * synthetic history written first, driven by the system Chromium through
 * playwright-core. Checks the dashboard (live chart, statistics, controls, alerts,
 * history and span selection, CSV export, phone layout), the WebSocket test page and
 * the API docs, with no console errors and no request leaving this machine; then the
 * dashboard's channels on a second monitor with three (issue 13).
 * @module
 */
import assert from "node:assert/strict";
import { type Browser, type BrowserContext, chromium, type Page } from "./playwright.ts";
import { loadConfig } from "../../src/config.ts";
import { type Monitor, startMonitor } from "../../src/monitor.ts";
import { fillHistory } from "./fill_history.ts";
import {
  checkAlerts,
  checkLiveDashboard,
  checkPhoneLayout,
  checkStatistics,
  checkStopStart,
  checkWithoutChartJs,
  waitForNumber,
} from "./dashboard_checks.ts";
import { checkCsvExport, checkHistorySelection } from "./history_checks.ts";
import { checkTokenReprompt } from "./token_checks.ts";
import { checkRecordings, checkRecordingsPhone } from "./recordings_checks.ts";
import { checkChannels, checkSingleChannel, TEST_CHANNELS } from "./channel_checks.ts";
import {
  checkCursorFigures,
  checkNavigation,
  checkStopsWhenHidden,
  fillKnown,
} from "./scope_checks.ts";
import {
  checkControlStates,
  checkLanguages,
  checkLayout,
  checkRulesEditor,
  checkStreamPolish,
  checkThemes,
  checkTimeFields,
} from "./ui_checks.ts";

const CHROMIUM_PATH = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
const SCREENSHOTS = new URL("./screenshots/", import.meta.url);
const TIMEOUT_MS = 20_000;

function chromiumInstalled(): boolean {
  try {
    return Deno.statSync(CHROMIUM_PATH).isFile;
  } catch {
    return false; // Only absence matters here; what to do about it is decided below.
  }
}

const hasChromium = chromiumInstalled();
const inCi = Deno.env.get("CI") === "true";

/** Everything the pages did that the test later asserts on. */
interface PageLog {
  consoleErrors: string[];
  requests: string[];
}

function isLocal(url: string): boolean {
  if (url.startsWith("data:") || url.startsWith("blob:")) return true;
  const { hostname } = new URL(url);
  return hostname === "127.0.0.1" || hostname === "localhost";
}

function watch(page: Page, log: PageLog): void {
  page.on("console", (message) => {
    if (message.type() === "error") log.consoleErrors.push(`${page.url()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => log.consoleErrors.push(`${page.url()}: ${error.message}`));
  page.on("request", (request) => log.requests.push(request.url()));
  page.on("websocket", (socket) => log.requests.push(socket.url()));
}

/** A browser context that refuses (and so lists) anything not on this machine. */
async function localContext(
  browser: Browser,
  options: Parameters<Browser["newContext"]>[0],
): Promise<BrowserContext> {
  const context = await browser.newContext(options);
  await context.route((url) => !isLocal(url.href), (route) => route.abort());
  return context;
}

/** `fullPage: false` suits pages that render lazily below the fold, such as Scalar's. */
async function screenshot(page: Page, name: string, fullPage = true): Promise<void> {
  await page.screenshot({ path: new URL(name, SCREENSHOTS).pathname, fullPage });
}

async function checkTestPage(page: Page, monitor: Monitor): Promise<void> {
  await page.goto(`${monitor.url}/test_websocket.html`);
  const wsUrl = monitor.url.replace(/^http/, "ws") + "/ws";
  assert.equal(await page.inputValue("#url"), wsUrl);
  await page.click("#connect");
  await page.waitForSelector('#state[data-state="open"]', { timeout: TIMEOUT_MS });
  await waitForNumber(page, "count-measurements", { gt: 19 }, TIMEOUT_MS);
  const count = async (id: string) => Number(await page.textContent(`#${id}`));
  assert.ok(await count("count-messages") >= await count("count-measurements"));
  assert.ok(await count("count-status") >= 1, "the server greets each client with a status");
  assert.equal(await count("count-gaps"), 0);
  assert.equal(await count("count-errors"), 0);
  await screenshot(page, "test_websocket.png");
  await page.click("#disconnect");
  await page.waitForSelector('#state[data-state="closed"]', { timeout: TIMEOUT_MS });
}

async function checkDocs(page: Page, monitor: Monitor): Promise<void> {
  await page.goto(`${monitor.url}/docs`);
  // Scalar renders client-side: the operation path only appears once it has run.
  await page.getByText("/simulator/start").first().waitFor({ timeout: TIMEOUT_MS });
  await page.getByText("/status").first().waitFor({ timeout: TIMEOUT_MS });
  await screenshot(page, "docs.png", false);
}

Deno.test({
  name: "browser: dashboard, WebSocket test page and API docs work against a real monitor",
  ignore: !hasChromium && !inCi,
  async fn(t) {
    if (!hasChromium) {
      throw new Error(`Cannot run the browser test: ${CHROMIUM_PATH} is missing (CI=true)`);
    }
    await Deno.mkdir(SCREENSHOTS, { recursive: true });
    const tmpDir = await Deno.makeTempDir({ prefix: "ina219-e2e-" });
    const tokenDir = await Deno.makeTempDir({ prefix: "ina219-e2e-token-" });
    const channelsDir = await Deno.makeTempDir({ prefix: "ina219-e2e-channels-" });
    const scopeDir = await Deno.makeTempDir({ prefix: "ina219-e2e-scope-" });
    let scopeMonitor: Monitor | undefined;
    let monitor: Monitor | undefined;
    let tokenMonitor: Monitor | undefined;
    let channelsMonitor: Monitor | undefined;
    let browser: Browser | undefined;
    try {
      const env = {
        PORT: "0",
        HOST: "127.0.0.1",
        MOCK_SEED: "1",
        // Modes change only when the test says so.
        MOCK_AUTO_ROTATE_S: "0",
        DATA_DIR: tmpDir,
      };
      // The past at one sample per 5 s (energy is integrated across up to 5 intervals).
      fillHistory(loadConfig({ ...env, SAMPLE_INTERVAL_MS: "5000" }, []), {
        hours: 47,
        stepMs: 5_000,
        endMs: Date.now() - 1_000,
      });
      monitor = await startMonitor(
        loadConfig({ ...env, SAMPLE_INTERVAL_MS: "100" }, []),
        { log: () => {} },
      );
      browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
      const log: PageLog = { consoleErrors: [], requests: [] };
      const desktop = await localContext(browser, { viewport: { width: 1440, height: 900 } });
      const page = await desktop.newPage();
      watch(page, log);
      const ctx = { page, url: monitor.url, timeoutMs: TIMEOUT_MS, screenshot };

      await t.step(
        "one channel: no picker, overview or compare, and no request names a channel",
        () => checkSingleChannel(ctx),
      );
      await t.step(
        "dashboard connects, shows samples and the live chart gains points",
        () => checkLiveDashboard(ctx),
      );
      await t.step(
        "statistics panel updates and the energy counter resets",
        () => checkStatistics(ctx),
      );
      await t.step("Stop and Start change the simulator state", () => checkStopStart(ctx));
      await t.step("LOAD_SPIKE raises an alert and NORMAL clears it", () => checkAlerts(ctx));
      await t.step(
        "history renders and a dragged selection shows its statistics",
        () => checkHistorySelection(ctx),
      );
      await t.step("the selection downloads as CSV", () => checkCsvExport(ctx));
      await t.step(
        "recordings: record, mark, stop and compare two runs; trigger, export, delete",
        () => checkRecordings(ctx),
      );
      await t.step(
        "English and Korean render with no missing key, remembered",
        () => checkLanguages(ctx),
      );
      await t.step(
        "light and dark themes: system first, toggle remembered, readouts pass AA",
        () => checkThemes(ctx),
      );
      await t.step(
        "1280×720 fits readouts, live chart and statistics; 390×844 in two screens",
        () => checkLayout(ctx),
      );
      await t.step("time fields are 24-hour and not clipped", () => checkTimeFields(ctx));
      await t.step(
        "Start/Stop reflect the state; disabled buttons look it",
        () => checkControlStates(ctx),
      );
      // Not watched: the refused rule's 400 is logged as a console error on purpose.
      const rulesPage = await desktop.newPage();
      await t.step(
        "alert rules are edited in the page",
        () => checkRulesEditor({ ...ctx, page: rulesPage }),
      );
      await rulesPage.close();
      const streamPage = await desktop.newPage();
      watch(streamPage, log);
      await t.step(
        "units by magnitude, partial averages, one notice, ticking ages and countdown",
        () => checkStreamPolish({ ...ctx, page: streamPage }),
      );
      await streamPage.close();

      const phone = await localContext(browser, {
        viewport: { width: 390, height: 844 },
        isMobile: true,
        hasTouch: true,
      });
      const phonePage = await phone.newPage();
      watch(phonePage, log);
      await t.step(
        "phone-width layout has no sideways scrolling",
        () => checkPhoneLayout({ ...ctx, page: phonePage }),
      );
      await t.step(
        "the Recordings view fits a 390×844 phone",
        () => checkRecordingsPhone({ ...ctx, page: phonePage }),
      );
      await phone.close();

      // Not watched: the refused uPlot request is logged as a console error on purpose.
      const bare = await localContext(browser, { viewport: { width: 1280, height: 800 } });
      await t.step(
        "without uPlot the page still shows numbers",
        async () => checkWithoutChartJs({ ...ctx, page: await bare.newPage() }),
      );
      await bare.close();

      const running = monitor;
      await t.step(
        "test_websocket.html counts messages with no gaps",
        () => checkTestPage(page, running),
      );
      await t.step("/docs renders the Scalar API reference", () => checkDocs(page, running));

      // The same dashboard on a second server that has a token.
      const TOKEN = "e2e-token-0123";
      tokenMonitor = await startMonitor(
        loadConfig({ ...env, API_TOKEN: TOKEN, DATA_DIR: tokenDir, SAMPLE_INTERVAL_MS: "100" }, []),
        { log: () => {} },
      );
      const tokenContext = await localContext(browser, { acceptDownloads: true });
      const tokenPage = await tokenContext.newPage();
      const tokenUrl = tokenMonitor.url;
      await t.step(
        "a refused saved token brings the token dialog back; CSV sends it in a header",
        () => checkTokenReprompt({ ...ctx, page: tokenPage, url: tokenUrl }, TOKEN),
      );
      await tokenContext.close();

      // Three channels: two mock sensors and the efficiency between them.
      channelsMonitor = await startMonitor(
        loadConfig({
          ...env,
          DATA_DIR: channelsDir,
          SAMPLE_INTERVAL_MS: "100",
          CHANNELS: JSON.stringify(TEST_CHANNELS),
        }, []),
        { log: () => {} },
      );
      const channelsContext = await localContext(browser, {
        viewport: { width: 1440, height: 900 },
      });
      const channelsPage = await channelsContext.newPage();
      watch(channelsPage, log);
      const channelsUrl = channelsMonitor.url;
      await t.step(
        "channels: picker, overview, picking a channel and compare",
        () => checkChannels({ ...ctx, page: channelsPage, url: channelsUrl }),
      );
      await channelsContext.close();

      // Known samples (24.5 h at 1 Hz with a 30 s burst at 1 kHz): the charts' cursors,
      // navigation and drawing only while seen (issue 14).
      const known = fillKnown(
        loadConfig({ ...env, DATA_DIR: scopeDir, SAMPLE_INTERVAL_MS: "1000" }, []),
        Date.now() - 2_000,
      );
      scopeMonitor = await startMonitor(
        loadConfig({ ...env, DATA_DIR: scopeDir, SAMPLE_INTERVAL_MS: "1000" }, []),
        { log: () => {} },
      );
      const scopeContext = await localContext(browser, { viewport: { width: 1440, height: 900 } });
      const scopePage = await scopeContext.newPage();
      watch(scopePage, log);
      const scopeCtx = { ...ctx, page: scopePage, url: scopeMonitor.url };
      await t.step(
        "cursor figures equal the samples' own for 5 ms, 72 ms, 1.44 s, 10 min and 24 h",
        () => checkCursorFigures(scopeCtx, known),
      );
      await t.step(
        "wheel zoom and axis drag change the range; 50 ms reads single raw samples",
        () => checkNavigation(scopeCtx, known),
      );
      await t.step(
        "the live chart stops drawing when the tab is hidden or it is off-screen",
        () => checkStopsWhenHidden(scopeCtx),
      );
      await scopeContext.close();

      assert.deepEqual(log.consoleErrors, []);
      assert.deepEqual(log.requests.filter((url) => !isLocal(url)), []);
    } finally {
      await browser?.close();
      await monitor?.shutdown();
      await tokenMonitor?.shutdown();
      await channelsMonitor?.shutdown();
      await scopeMonitor?.shutdown();
      await Deno.remove(tmpDir, { recursive: true });
      await Deno.remove(tokenDir, { recursive: true });
      await Deno.remove(channelsDir, { recursive: true });
      await Deno.remove(scopeDir, { recursive: true });
    }
  },
});
