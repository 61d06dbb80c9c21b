/**
 * @module
 * The dashboard in real Chromium (headless, software canvas) against a monitor run as
 * `deno task start` runs it: frames per second (requestAnimationFrame counted in the
 * page), main-thread busy (CDP Performance.getMetrics TaskDuration over wall time),
 * live-chart redraws per second, JS heap (after a forced GC) and the time from a
 * cursor drag over an hour of 1 kHz history to the figures shown.
 *
 * ```sh
 * deno run -A bench/dashboard.ts                       # every scenario, once
 * deno run -A bench/dashboard.ts --repeat 3            # medians of 3
 * deno run -A bench/dashboard.ts --server-dir /tmp/before   # another checkout (before)
 * deno run -A bench/dashboard.ts --only heap --heap-minutes 10
 * ```
 * Results: docs/benchmarks.md, "Dashboard".
 */
import { parseArgs } from "node:util";
import { chromium, type Page } from "../tests/e2e/playwright.ts";
import { REPO_DIR, startServer } from "./_server.ts";

/** The little of the page's DOM the in-page callbacks use (no DOM lib here). */
declare const document: {
  getElementById(id: string): { dataset: Record<string, string | undefined> } | null;
};

const args = parseArgs({
  options: {
    "server-dir": { type: "string", default: REPO_DIR },
    repeat: { type: "string", default: "1" },
    only: { type: "string", default: "live,cursor" },
    "measure-s": { type: "string", default: "10" },
    "heap-minutes": { type: "string", default: "10" },
  },
});
const serverDir = args.values["server-dir"]!;
const repeat = Number(args.values.repeat);
const only = new Set(args.values.only!.split(","));
const measureS = Number(args.values["measure-s"]);
const heapMinutes = Number(args.values["heap-minutes"]);
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu"];
const VIEWPORT = { width: 1440, height: 900 };

/** Counts animation frames and (Chart.js or uPlot) canvas clears of the live chart. */
const PAGE_PROBE = `
  window.__frames = 0;
  window.__count = true;
  (function count() { window.__frames++; if (window.__count) requestAnimationFrame(count); })();
  window.__clears = 0;
  const clear = CanvasRenderingContext2D.prototype.clearRect;
  CanvasRenderingContext2D.prototype.clearRect = function (...a) {
    const c = this.canvas;
    if (c.id === "live-chart" || c.closest?.("#live-chart")) window.__clears++;
    return clear.apply(this, a);
  };
`;

interface Sample {
  fps: number;
  busyPct: number;
  redrawsPerS: number;
  heapMB: number;
}

async function metrics(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  const read = async () => {
    const { metrics } = await cdp.send("Performance.getMetrics");
    const get = (name: string) => metrics.find((m) => m.name === name)?.value ?? 0;
    const counters = await page.evaluate(() => {
      const w = globalThis as unknown as { __frames: number; __clears: number };
      const redraws = document.getElementById("live-chart")?.dataset.redraws;
      return {
        frames: w.__frames,
        clears: w.__clears,
        redraws: redraws === undefined ? null : Number(redraws),
      };
    });
    return { task: get("TaskDuration"), wall: performance.now() / 1000, ...counters };
  };
  const heap = async () => {
    await cdp.send("HeapProfiler.collectGarbage");
    const { usedSize } = await cdp.send("Runtime.getHeapUsage");
    return usedSize / 1024 / 1024;
  };
  return { read, heap };
}

/**
 * Two windows of `seconds`: frames counted by a requestAnimationFrame loop, then (that
 * loop stopped, as it costs a frame's work every vsync itself) main-thread busy and
 * chart redraws; then the heap after a forced GC.
 */
async function measure(page: Page, seconds: number): Promise<Sample> {
  const { read, heap } = await metrics(page);
  const f0 = await read();
  await page.waitForTimeout(seconds * 1000);
  const f1 = await read();
  const fps = (f1.frames - f0.frames) / (f1.wall - f0.wall);
  await page.evaluate(() => ((globalThis as unknown as { __count: boolean }).__count = false));
  await page.waitForTimeout(1000);
  const a = await read();
  await page.waitForTimeout(seconds * 1000);
  const b = await read();
  const wall = b.wall - a.wall;
  const redraws = a.redraws !== null && b.redraws !== null
    ? b.redraws - a.redraws
    : b.clears - a.clears; // Chart.js: one clear of its canvas per draw
  return {
    fps,
    busyPct: 100 * (b.task - a.task) / wall,
    redrawsPerS: redraws / wall,
    heapMB: await heap(),
  };
}

function loadAverage(): string {
  return Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
}

const median = (xs: number[]) => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function liveScenarios() {
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
  });
  const rows: Record<string, Sample[]> = {};
  try {
    for (let round = 0; round < repeat; round++) {
      for (
        const [name, intervalMs, windowMs] of [
          ["1 kHz, 1 min window", 1, 60_000],
          ["1 kHz, 10 s window", 1, 10_000],
          ["1 Hz, 1 min window", 1000, 60_000],
        ] as const
      ) {
        const server = await startServer({ sampleIntervalMs: intervalMs, serverDir });
        const page = await browser.newPage({ viewport: VIEWPORT });
        try {
          await page.addInitScript(PAGE_PROBE);
          await page.goto(`${server.baseUrl}/`);
          await page.waitForSelector('#conn[data-state="live"]', { timeout: 30_000 });
          if (windowMs !== 60_000) await page.selectOption("#live-window", String(windowMs));
          await page.waitForTimeout(windowMs === 60_000 ? 8_000 : 5_000);
          const sample = await measure(page, measureS);
          (rows[name] ??= []).push(sample);
          console.log(name, JSON.stringify(sample), `load ${loadAverage()}`);
        } finally {
          await page.close();
          await server.stop();
        }
      }
    }
  } finally {
    await browser.close();
  }
  console.log("\nmedians:");
  for (const [name, samples] of Object.entries(rows)) {
    const m = (k: keyof Sample) => median(samples.map((s) => s[k])).toFixed(1);
    console.log(
      `${name}: ${m("fps")} fps, main thread ${m("busyPct")} %, ${
        m("redrawsPerS")
      } redraws/s, heap ${m("heapMB")} MB`,
    );
  }
}

async function heapRun() {
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
  });
  const server = await startServer({ sampleIntervalMs: 1, serverDir });
  try {
    const page = await browser.newPage({ viewport: VIEWPORT });
    await page.addInitScript(PAGE_PROBE);
    await page.goto(`${server.baseUrl}/`);
    await page.waitForSelector('#conn[data-state="live"]', { timeout: 30_000 });
    const { heap } = await metrics(page);
    for (let minute = 1; minute <= heapMinutes; minute++) {
      await page.waitForTimeout(60_000);
      console.log(`heap after ${minute} min at 1 kHz: ${(await heap()).toFixed(1)} MB`);
    }
  } finally {
    await browser.close();
    await server.stop();
  }
}

async function cursorRun() {
  // An hour of 1 kHz history, written with the checkout's own pipeline.
  const dataDir = await Deno.makeTempDir({ prefix: "ina219-bench-dash-" });
  const { loadConfig } = await import(`${serverDir}/src/config.ts`);
  const { fillHistory } = await import(`${serverDir}/tests/e2e/fill_history.ts`);
  const endMs = Date.now();
  const started = performance.now();
  fillHistory(loadConfig({ DATA_DIR: dataDir, SAMPLE_INTERVAL_MS: "1" }, []), {
    hours: 1,
    stepMs: 1,
    endMs,
  });
  console.log(`filled 1 h at 1 kHz in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  const server = await startServer({
    sampleIntervalMs: 1000,
    serverDir,
    env: { DATA_DIR: dataDir },
  });
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
  });
  const times: number[] = [];
  try {
    const page = await browser.newPage({ viewport: VIEWPORT });
    await page.goto(`${server.baseUrl}/`);
    await page.waitForSelector('#history[data-state="ready"]', { timeout: 30_000 });
    const chart = page.locator("#history-chart");
    await chart.scrollIntoViewIfNeeded();
    for (let i = 0; i < 3 + 2 * repeat; i++) {
      const box = (await chart.boundingBox())!;
      const y = box.y + box.height / 2;
      // Nearly the whole hour: a span of ~55 min at 1 kHz, its edges different each time.
      await page.mouse.move(box.x + box.width * (0.08 + 0.005 * i), y);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * (0.9 - 0.005 * i), y, { steps: 4 });
      const t0 = Date.now();
      await page.mouse.up();
      await page.waitForFunction(
        () => document.getElementById("selection")?.dataset.state === "ready",
        null,
        { timeout: 30_000, polling: "raf" },
      );
      const ms = Date.now() - t0;
      const span = await page.evaluate(() => {
        const d = document.getElementById("selection")!.dataset;
        return (Number(d.toMs) - Number(d.fromMs)) / 60_000;
      });
      if (i >= 1) times.push(ms); // the first warms the caches
      console.log(`cursor drag → figures: ${ms} ms (span ${span.toFixed(1)} min)`);
      await page.click("#sel-clear");
      await page.waitForFunction(
        () => document.getElementById("selection")?.dataset.state === "empty",
      );
    }
  } finally {
    await browser.close();
    await server.stop();
    await Deno.remove(dataDir, { recursive: true });
  }
  console.log(`cursor median ${median(times)} ms over ${times.length}, load ${loadAverage()}`);
}

console.log(`server ${serverDir}, load ${loadAverage()}, ${new Date().toISOString()}`);
if (only.has("live")) await liveScenarios();
if (only.has("cursor")) await cursorRun();
if (only.has("heap")) await heapRun();
