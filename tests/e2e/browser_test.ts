/**
 * End-to-end browser test: a real monitor on a free loopback port, driven by the system
 * Chromium through playwright-core. Checks the live page, the WebSocket test page and
 * the API docs, with no console errors and no request leaving this machine.
 * @module
 */
import assert from "node:assert/strict";
import { type Browser, chromium, type Page } from "playwright-core";
import { loadConfig } from "../../src/config.ts";
import { type Monitor, startMonitor } from "../../src/monitor.ts";

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
const TIMEOUT_MS = 15_000;

function chromiumInstalled(): boolean {
  try {
    return Deno.statSync(CHROMIUM_PATH).isFile;
  } catch {
    return false; // Only absence matters here; what to do about it is decided below.
  }
}

const hasChromium = chromiumInstalled();
const inCi = Deno.env.get("CI") === "true";

/** Everything a page did that the test later asserts on. */
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

/** `fullPage: false` suits pages that render lazily below the fold, such as Scalar's. */
async function screenshot(page: Page, name: string, fullPage = true): Promise<void> {
  await page.screenshot({ path: new URL(name, SCREENSHOTS).pathname, fullPage });
}

async function serverStatus(monitor: Monitor): Promise<Record<string, unknown>> {
  const response = await fetch(`${monitor.url}/status`);
  assert.equal(response.status, 200);
  return await response.json();
}

/** Polls an element's text until `accept` takes it; returns that text. */
async function waitForText(
  page: Page,
  selector: string,
  accept: (text: string) => boolean,
): Promise<string> {
  const deadline = Date.now() + TIMEOUT_MS;
  let text = "";
  while (Date.now() < deadline) {
    text = await page.textContent(selector) ?? "";
    if (accept(text)) return text;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`Timed out waiting on ${selector}: last text was "${text}"`);
}

/** Waits until the page shows a sample number other than `previous`. */
function waitForNewSample(page: Page, previous: string): Promise<string> {
  return waitForText(page, "#sample-seq", (seq) => seq !== "—" && seq !== previous);
}

async function checkLivePage(page: Page, monitor: Monitor): Promise<void> {
  await page.goto(`${monitor.url}/`);
  await page.waitForSelector('#conn[data-state="live"]', { timeout: TIMEOUT_MS });
  assert.equal(await page.textContent("#conn-text"), "Live");
  const first = await waitForNewSample(page, "—");
  await waitForNewSample(page, first);
  assert.match(await page.textContent("#value-v") ?? "", /^\d+\.\d{3}$/);
  assert.equal(await page.textContent("#sim-state"), "running");

  await page.click("#btn-stop");
  await page.waitForSelector('#sim-state[data-state="stopped"]', { timeout: TIMEOUT_MS });
  assert.equal((await serverStatus(monitor)).simulator, "disconnected");

  await page.click("#btn-start");
  await page.waitForSelector('#sim-state[data-state="running"]', { timeout: TIMEOUT_MS });
  assert.equal((await serverStatus(monitor)).simulator, "connected");
  const resumed = await waitForNewSample(page, await page.textContent("#sample-seq") ?? "");
  await waitForNewSample(page, resumed);
  // Let the 100 ms stream draw a visible stretch of chart before the picture.
  await page.waitForTimeout(2_000);
  await screenshot(page, "index.png");
}

async function checkTestPage(page: Page, monitor: Monitor): Promise<void> {
  await page.goto(`${monitor.url}/test_websocket.html`);
  const wsUrl = monitor.url.replace(/^http/, "ws") + "/ws";
  assert.equal(await page.inputValue("#url"), wsUrl);
  await page.click("#connect");
  await page.waitForSelector('#state[data-state="open"]', { timeout: TIMEOUT_MS });
  await waitForText(page, "#count-measurements", (n) => Number(n) >= 20);
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
  name: "browser: live page, WebSocket test page and API docs work against a real monitor",
  ignore: !hasChromium && !inCi,
  async fn(t) {
    if (!hasChromium) {
      throw new Error(`Cannot run the browser test: ${CHROMIUM_PATH} is missing (CI=true)`);
    }
    await Deno.mkdir(SCREENSHOTS, { recursive: true });
    const tmpDir = await Deno.makeTempDir({ prefix: "ina219-e2e-" });
    let monitor: Monitor | undefined;
    let browser: Browser | undefined;
    try {
      const config = loadConfig({
        PORT: "0",
        HOST: "127.0.0.1",
        MOCK_SEED: "1",
        DATA_DIR: tmpDir,
        SAMPLE_INTERVAL_MS: "100",
      }, []);
      monitor = await startMonitor(config, { log: () => {} });
      browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const log: PageLog = { consoleErrors: [], requests: [] };
      // Anything not on this machine is refused, so a stray CDN link fails fast and is listed.
      await context.route((url) => !isLocal(url.href), (route) => route.abort());
      const page = await context.newPage();
      watch(page, log);
      const running = monitor;

      await t.step(
        "live page shows samples and follows Stop/Start",
        () => checkLivePage(page, running),
      );
      await t.step(
        "test_websocket.html counts messages with no gaps",
        () => checkTestPage(page, running),
      );
      await t.step("/docs renders the Scalar API reference", () => checkDocs(page, running));

      assert.deepEqual(log.consoleErrors, []);
      assert.deepEqual(log.requests.filter((url) => !isLocal(url)), []);
    } finally {
      await browser?.close();
      await monitor?.shutdown();
      await Deno.remove(tmpDir, { recursive: true });
    }
  },
});
