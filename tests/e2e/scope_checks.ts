/**
 * Browser checks of the scope-grade charts (issue 14) on a monitor whose database holds
 * known samples: cursor figures equal a recomputation from those samples for spans of
 * 5 ms, 72 ms, 1.44 s, 10 min and 24 h; wheel zoom and axis drag change the visible
 * range; the history reaches single raw samples; the live chart stops drawing when the
 * tab is hidden or the chart scrolled away.
 * @module
 */
import assert from "node:assert/strict";
import type { Config } from "../../src/config.ts";
import { createCore } from "../../src/monitor.ts";
import type { Sample } from "../../src/sample.ts";
import type { CheckContext } from "./dashboard_checks.ts";

/** The little of the page's DOM the in-page callbacks use (no DOM lib in the tests). */
declare const document: {
  getElementById(id: string): { dataset: Record<string, string | undefined> } | null;
  hidden: boolean;
  dispatchEvent(event: unknown): boolean;
};
declare const Event: { new (type: string): unknown };
declare function scrollTo(x: number, y: number): void;

const HOUR = 3_600_000;
/** Failed reads within the 10-minute span (each a marked band on the charts). */
const FAILED_AT_S = [100, 101, 250];

/** The samples written, in time order, for recomputing any span. */
export interface KnownHistory {
  samples: Sample[];
  /** Start of the 1 kHz burst (30 s of samples 1 ms apart). */
  burstMs: number;
  endMs: number;
}

/**
 * Writes 24.5 h of known samples through a monitor core's pipeline (as a running
 * monitor would store them): one a second, with a 30-second burst at 1 kHz 20 minutes
 * before `endMs` and three failed reads around it. The config's interval (1 s) lets
 * energy integrate across every step.
 */
export function fillKnown(config: Config, endMs: number): KnownHistory {
  const core = createCore(config, "fill", () => {});
  const samples: Sample[] = [];
  const burstMs = Math.floor((endMs - 20 * 60_000) / 1000) * 1000 + 7;
  const spanStart = burstMs - 300_000;
  let seq = core.sampler.lastSeq;
  const value = (t: number) => {
    const phase = t / 1000;
    const v = Math.round((5 + 0.05 * Math.sin(phase / 7)) * 1000) / 1000;
    const a = Math.round((0.2 + 0.15 * Math.sin(phase * 3.1) + 0.01 * ((t * 7) % 11)) * 1e4) /
      1e4;
    return { v, a, w: Math.round(v * a * 1e4) / 1e4 };
  };
  const push = (tsMs: number) => {
    const failed = tsMs < burstMs &&
      FAILED_AT_S.some((s) => Math.abs(tsMs - (spanStart + s * 1000)) < 500);
    const sample: Sample = failed
      ? { tsMs, seq: ++seq, v: 0, a: 0, w: 0, status: "error", mode: "NORMAL", error: "test" }
      : { tsMs, seq: ++seq, ...value(tsMs), status: "ok", mode: "NORMAL" };
    core.pipeline.onSample(sample);
    samples.push(sample);
    if (samples.length % 10_000 === 0) core.store.flush();
  };
  try {
    const start = Math.floor((endMs - 24.5 * HOUR) / 1000) * 1000 + 3;
    for (let t = start; t < burstMs; t += 1000) push(t);
    for (let t = burstMs; t < burstMs + 30_000; t++) push(t);
    for (let t = Math.ceil((burstMs + 30_000 - 3) / 1000) * 1000 + 3; t < endMs; t += 1000) {
      push(t);
    }
  } finally {
    core.store.close();
  }
  return { samples, burstMs, endMs };
}

/** The figures of [fromMs, toMs) recomputed from the samples, as docs/api.md defines them. */
function recompute(known: KnownHistory, fromMs: number, toMs: number) {
  const { samples } = known;
  let count = 0;
  let errors = 0;
  let energyJ = 0;
  let chargeC = 0;
  const xs: Record<"v" | "a" | "w", number[]> = { v: [], a: [], w: [] };
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i];
    if (s.tsMs < fromMs || s.tsMs >= toMs) continue;
    if (s.status === "error") {
      errors++;
      continue;
    }
    count++;
    for (const m of ["v", "a", "w"] as const) xs[m].push(s[m]);
    // Each sample carries the trapezoid step from the one before it: not across a failed
    // read, nor across more than 5 intervals (5 s).
    const prev = samples[i - 1];
    if (prev && prev.status !== "error" && s.tsMs - prev.tsMs <= 5_000) {
      const dtS = (s.tsMs - prev.tsMs) / 1000;
      energyJ += (prev.w + s.w) / 2 * dtS;
      chargeC += (prev.a + s.a) / 2 * dtS;
    }
  }
  const stat = (values: number[]) => {
    const n = values.length;
    const avg = values.reduce((x, y) => x + y, 0) / n;
    const min = Math.min(...values);
    const max = Math.max(...values);
    const rms = Math.sqrt(values.reduce((x, y) => x + y * y, 0) / n);
    const sd = Math.sqrt(values.reduce((x, y) => x + (y - avg) ** 2, 0) / n);
    return { avg, min, max, rms, sd, p2p: max - min };
  };
  return { count, errors, energyJ, chargeC, v: stat(xs.v), a: stat(xs.a), w: stat(xs.w) };
}

/** `ms` as a datetime-local value with milliseconds, in the page's time zone. */
function localInput(ctx: CheckContext, ms: number): Promise<string> {
  return ctx.page.evaluate((ms) => {
    const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
    return d.toISOString().slice(0, 23);
  }, ms);
}

async function figure(ctx: CheckContext, id: string, attr = "value"): Promise<number> {
  const text = await ctx.page.getAttribute(`#${id}`, `data-${attr}`);
  assert.ok(text !== null && text !== "", `#${id} has data-${attr}`);
  return Number(text);
}

/** Whether `got` (6 significant digits on the wire) equals `want`. */
function sameFigure(got: number, want: number, what: string) {
  const slack = Math.max(Math.abs(want) * 6e-6, 1e-12);
  assert.ok(Math.abs(got - want) <= slack, `${what}: page ${got}, samples ${want}`);
}

/**
 * The cursors' figures, typed into the span form, equal the samples' own for spans of
 * 5 ms, 72 ms, 1.44 s, 10 min and 24 h.
 */
export async function checkCursorFigures(ctx: CheckContext, known: KnownHistory): Promise<void> {
  const { page, timeoutMs } = ctx;
  await page.goto(`${ctx.url}/`);
  await page.waitForSelector('#history[data-state="ready"]', { timeout: timeoutMs });
  const b = known.burstMs;
  const spans: [string, number, number][] = [
    ["5 ms", b + 1234, b + 1239],
    ["72 ms", b + 5013, b + 5085],
    ["1.44 s", b + 20_321, b + 21_761],
    ["10 min", b - 300_000 + 17, b + 300_017],
    ["24 h", known.endMs - 24 * HOUR - 5_000, known.endMs - 5_000],
  ];
  for (const [name, fromMs, toMs] of spans) {
    await page.fill("#sel-from", await localInput(ctx, fromMs));
    await page.fill("#sel-to", await localInput(ctx, toMs));
    await page.press("#sel-to", "Enter");
    await page.waitForFunction(
      ([from, to]) => {
        const d = document.getElementById("selection")?.dataset;
        return d?.state === "ready" && d.fromMs === String(from) && d.toMs === String(to);
      },
      [fromMs, toMs],
      { timeout: timeoutMs },
    );
    const want = recompute(known, fromMs, toMs);
    assert.equal(await figure(ctx, "sel-count"), want.count, `${name}: samples`);
    assert.equal(await figure(ctx, "sel-count", "errors"), want.errors, `${name}: failed reads`);
    for (const m of ["v", "a", "w"] as const) {
      for (const f of ["avg", "min", "max", "rms", "p2p"] as const) {
        sameFigure(await figure(ctx, `sel-${m}-${f}`), want[m][f], `${name}: ${m} ${f}`);
      }
      // σ comes from sums of squares: a constant signal's may read 1e-8 instead of 0.
      const sd = await figure(ctx, `sel-${m}-sd`);
      assert.ok(
        Math.abs(sd - want[m].sd) <= Math.max(want[m].sd * 6e-6, 1e-7 * want[m].rms),
        `${name}: ${m} sd page ${sd}, samples ${want[m].sd}`,
      );
    }
    // Energy and charge counters: 9 decimals on the wire.
    const near = (got: number, expected: number, what: string) =>
      assert.ok(
        Math.abs(got - expected) <= 2e-9 + Math.abs(expected) * 1e-9,
        `${name}: ${what} page ${got}, samples ${expected}`,
      );
    near(await figure(ctx, "sel-energy", "joules"), want.energyJ, "energy J");
    near(await figure(ctx, "sel-charge", "coulombs"), want.chargeC, "charge C");
    near(await figure(ctx, "sel-energy"), want.energyJ / 3600, "energy Wh");
    if (name === "72 ms") {
      assert.equal(want.count, 72, "72 samples in 72 ms at 1 kHz");
      // The units follow the magnitude: µAh and mJ, not "0.000".
      assert.match(await page.textContent("#sel-charge") ?? "", /µAh/);
      assert.match(await page.textContent("#sel-duration") ?? "", /^72[.,]00 ms$/);
    }
  }
  await ctx.screenshot(ctx.page, "scope-cursors.png");
}

/**
 * Does `act` until `done` holds (checked for up to 2 s after each try), within the
 * context's timeout: a gesture the page was too busy to take is given again.
 */
async function repeatUntil(
  ctx: CheckContext,
  act: () => Promise<void>,
  done: () => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + ctx.timeoutMs;
  while (Date.now() < deadline) {
    await act();
    for (const settle = Date.now() + 2000; Date.now() < settle;) {
      if (await done()) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`the page did not take the gesture within ${ctx.timeoutMs} ms`);
}

async function view(ctx: CheckContext, id: string): Promise<[number, number]> {
  const min = await figure(ctx, id, "view-min");
  const max = await figure(ctx, id, "view-max");
  return [min, max];
}

/**
 * Wheel zoom narrows the history's range around the pointer, a drag on the time axis
 * moves it, Back returns, and a 50 ms view reads single raw samples.
 */
export async function checkNavigation(ctx: CheckContext, known: KnownHistory): Promise<void> {
  const { page, timeoutMs } = ctx;
  const chart = page.locator("#history-chart");
  await chart.scrollIntoViewIfNeeded();
  await page.click('label[for="history-range-1"]');
  await page.waitForSelector('#history[data-state="ready"]', { timeout: timeoutMs });
  const before = await view(ctx, "history-chart");
  // On a busy machine the page may still be laying out or redrawing when the first wheel
  // event comes: wheel again (from the chart's position then) until the range narrows.
  await repeatUntil(ctx, async () => {
    await chart.scrollIntoViewIfNeeded();
    const box = (await chart.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 3);
    await page.mouse.wheel(0, -400);
  }, async () => {
    const [min, max] = await view(ctx, "history-chart");
    return max - min < 0.8 * (before[1] - before[0]);
  });
  const zoomed = await view(ctx, "history-chart");
  assert.ok(zoomed[0] > before[0] && zoomed[1] < before[1], "zoomed in around the pointer");
  // Drag the time axis (below the plot) to the right: earlier times come into view.
  await page.evaluate(() =>
    (document.getElementById("history-chart") as unknown as {
      scrollIntoView(o: { block: string }): void;
    }).scrollIntoView({ block: "end" })
  );
  await repeatUntil(ctx, async () => {
    const now = (await chart.boundingBox())!;
    const axisY = now.y + now.height - 12;
    await page.mouse.move(now.x + now.width * 0.4, axisY);
    await page.mouse.down();
    await page.mouse.move(now.x + now.width * 0.6, axisY, { steps: 5 });
    await page.mouse.up();
  }, async () => (await view(ctx, "history-chart"))[0] < zoomed[0] - 1);
  const panned = await view(ctx, "history-chart");
  const width = (x: [number, number]) => x[1] - x[0];
  assert.ok(Math.abs(width(panned) - width(zoomed)) < width(zoomed) * 1e-6, "a pan keeps the span");
  await page.click("#history-back");
  await page.waitForFunction(
    ([min]) => Number(document.getElementById("history-chart")?.dataset.viewMin) === min,
    zoomed,
    { timeout: timeoutMs },
  );
  // Zoomed in to 50 ms of the 1 kHz burst: the buckets are single raw samples.
  const from = known.burstMs + 10_000;
  await page.click('label[for="history-range-custom"]');
  await page.fill("#history-from", await localInput(ctx, from));
  await page.fill("#history-to", await localInput(ctx, from + 50));
  await page.press("#history-to", "Enter");
  await page.waitForFunction(
    () => document.getElementById("history-chart")?.dataset.source === "raw",
    null,
    { timeout: timeoutMs },
  );
  assert.equal(await figure(ctx, "history-chart", "bucket-ms"), 1);
  assert.equal(await figure(ctx, "history-chart", "buckets"), 50);
  await ctx.screenshot(ctx.page, "scope-raw.png");
}

/** The live chart redraws while seen, and not at all while the tab is hidden or it is off-screen. */
export async function checkStopsWhenHidden(ctx: CheckContext): Promise<void> {
  const { page, timeoutMs } = ctx;
  const redraws = () => figure(ctx, "live-chart", "redraws");
  await page.evaluate(() => scrollTo(0, 0));
  const grows = async () => {
    const start = await redraws();
    await page.waitForFunction(
      (n) => Number(document.getElementById("live-chart")?.dataset.redraws) > n + 2,
      start,
      { timeout: timeoutMs },
    );
  };
  await grows();
  const still = async () => {
    await page.waitForTimeout(600); // a frame in flight may still land
    const a = await redraws();
    await page.waitForTimeout(2_500); // at 1 Hz the chart redraws at least once a second
    assert.equal(await redraws(), a, "no redraw");
  };
  // The tab hidden (as a browser does on switching tabs).
  await page.evaluate(() => {
    Object.defineProperty(document, "hidden", { configurable: true, get: () => true });
    document.dispatchEvent(new Event("visibilitychange"));
  });
  await still();
  await page.evaluate(() => {
    Object.defineProperty(document, "hidden", { configurable: true, get: () => false });
    document.dispatchEvent(new Event("visibilitychange"));
  });
  await grows();
  // Scrolled away: the chart is out of the viewport.
  await page.evaluate(() => scrollTo(0, 100_000));
  await still();
  await page.evaluate(() => scrollTo(0, 0));
  await grows();
}
