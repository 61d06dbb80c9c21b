import { chromium } from "../tests/e2e/playwright.ts";
import { loadConfig } from "../src/config.ts";
import { startMonitor } from "../src/monitor.ts";
const dir = await Deno.makeTempDir();
const monitor = await startMonitor(
  loadConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    DATA_DIR: dir,
    SAMPLE_INTERVAL_MS: "1",
    MOCK_SEED: "1",
  }, []),
  { log: () => {} },
);
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu"],
});
const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
const errors: string[] = [];
page.on("console", (m) => {
  if (m.type() === "error" || m.type() === "warning") errors.push(m.text());
});
page.on("response", (r) => {
  if (r.status() >= 400) errors.push(r.url());
});
page.on("pageerror", (e) => errors.push(e.message));
await page.goto(monitor.url + "/");
await page.waitForTimeout(5000);
console.log(await page.evaluate(() => ({ ...document.getElementById("live-chart")!.dataset })));
await page.screenshot({ path: "/tmp/smoke.png", fullPage: true });
console.log(errors);
await browser.close();
await monitor.shutdown();
await Deno.remove(dir, { recursive: true });
