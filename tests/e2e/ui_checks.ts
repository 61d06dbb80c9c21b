/**
 * The dashboard's language, theme, layout, units and notice checks (issue 14, items 5–7),
 * run by browser_test.ts. In-page code is passed as strings: the project is type-checked
 * without the DOM library. Values that must take a given magnitude (150 µA…) come from a
 * routed WebSocket (`page.routeWebSocket`): the page talks to the real server for REST and
 * to the test for the stream.
 * @module
 */
import assert from "node:assert/strict";
import type { Page } from "./playwright.ts";
import { type CheckContext, getJson } from "./dashboard_checks.ts";
import en from "../../static/i18n/en.js";
import ko from "../../static/i18n/ko.js";

/** Runs `code` (an expression) in the page. */
function inPage<T>(page: Page, code: string): Promise<T> {
  return page.evaluate(code) as Promise<T>;
}

/** The localStorage keys of the choices (static/i18n.js, static/preferences.js). */
const LANGUAGE_KEY = "ina219.language";
const THEME_KEY = "ina219.theme";

/** Opens the dashboard with `language` (and `theme`, when given) remembered. */
async function openWith(
  ctx: CheckContext,
  choices: { language?: "en" | "ko"; theme?: "light" | "dark" | null },
  path = "/",
): Promise<void> {
  const { page, url, timeoutMs } = ctx;
  await page.goto(`${url}${path}`);
  await page.evaluate(
    ([lk, lang, tk, theme]) => {
      const storage = (globalThis as unknown as {
        localStorage: { setItem(k: string, v: string): void; removeItem(k: string): void };
      }).localStorage;
      if (lang) storage.setItem(lk, lang);
      if (theme) storage.setItem(tk, theme);
      else storage.removeItem(tk);
    },
    [LANGUAGE_KEY, choices.language ?? "", THEME_KEY, choices.theme ?? ""],
  );
  await page.reload();
  if (path === "/") await page.waitForSelector('#conn[data-state="live"]', { timeout: timeoutMs });
}

/**
 * In-page: every `[data-i18n]` element whose text is still its key, and every key used
 * by `data-i18n` / `data-i18n-attr`.
 */
const RAW_KEYS = `(() => {
  const raw = [];
  const keys = new Set();
  for (const el of document.querySelectorAll("[data-i18n]")) {
    const key = el.getAttribute("data-i18n");
    keys.add(key);
    if (el.textContent.trim() === key) raw.push(key);
  }
  for (const el of document.querySelectorAll("[data-i18n-attr]")) {
    for (const pair of el.getAttribute("data-i18n-attr").split(";")) {
      const [attr, key] = pair.split(":").map((s) => s.trim());
      keys.add(key);
      if (el.getAttribute(attr) === key) raw.push(key);
    }
  }
  return { raw, keys: [...keys] };
})()`;

/**
 * In-page: the visible text of this engineer's parts of the dashboard (not the chart and
 * history sections, nor what the server or the device writes: the log, mode names).
 */
const VISIBLE_TEXT = `(() => {
  const roots = [".topbar", ".readouts", "#stats", "#alerts", ".controls", ".footer",
    "#notices"];
  const skip = "#log, #mode-select, #server-info, #sim-detail, #sample-mode, #language-picker";
  const texts = [];
  for (const root of roots.flatMap((s) => [...document.querySelectorAll(s)])) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!el || el.closest(skip) || !el.checkVisibility()) continue;
      const text = node.textContent.trim();
      if (text) texts.push(text);
    }
  }
  return texts;
})()`;

/** Words that are the same in Korean: names, codes and units. */
const NOT_ENGLISH = new Set(["INA219", "API", "WebSocket", "English", "mWh", "mAh", "kWh"]);

/** Both languages render with no missing key and (in Korean) no English left over. */
export async function checkLanguages(ctx: CheckContext): Promise<void> {
  const { page } = ctx;
  for (const [lang, catalogue] of [["en", en], ["ko", ko]] as const) {
    await openWith(ctx, { language: lang });
    assert.equal(await page.getAttribute("html", "lang"), lang);
    assert.equal(await page.inputValue("#language-picker"), lang);
    const { raw, keys } = await inPage<{ raw: string[]; keys: string[] }>(page, RAW_KEYS);
    assert.deepEqual(raw, [], `${lang}: elements showing their key`);
    const table = catalogue as Record<string, string>;
    assert.deepEqual(keys.filter((k) => !(k in table)), [], `${lang}: keys not in the catalogue`);
    assert.equal(await page.textContent("#conn-text"), table["conn.live"]);
    if (lang === "ko") {
      const texts = await inPage<string[]>(page, VISIBLE_TEXT);
      const english = texts.filter((text) =>
        (text.match(/[A-Za-z][A-Za-z0-9]{2,}/g) ?? []).some((word) => !NOT_ENGLISH.has(word))
      );
      assert.deepEqual(english, [], "English left in the Korean page");
      assert.equal(await page.title(), ko["common.title"]);
    }
  }
  // The switch changes the page at once and is remembered.
  await openWith(ctx, { language: "en" });
  await page.selectOption("#language-picker", "ko");
  assert.equal(await page.textContent("#conn-text"), ko["conn.live"]);
  assert.equal(await page.textContent("#stats-title"), ko["stats.title"]);
  await page.reload();
  await page.waitForSelector('#conn[data-state="live"]', { timeout: ctx.timeoutMs });
  assert.equal(await page.getAttribute("html", "lang"), "ko");
  assert.equal(await page.textContent("#stats-title"), ko["stats.title"]);
  await page.selectOption("#language-picker", "en");
  assert.equal(await page.textContent("#conn-text"), "Live");

  // The WebSocket test page speaks both too.
  for (const lang of ["ko", "en"] as const) {
    await openWith(ctx, { language: lang }, "/test_websocket.html");
    await page.waitForSelector("#language-picker:not([hidden])");
    const { raw } = await inPage<{ raw: string[]; keys: string[] }>(page, RAW_KEYS);
    assert.deepEqual(raw, [], `test page, ${lang}`);
    assert.equal(await page.textContent("#state"), (lang === "ko" ? ko : en)["ws.disconnected"]);
  }
}

/** In-page: WCAG contrast of each readout text against what is behind it. */
const READOUT_CONTRAST = `(() => {
  const parse = (c) => {
    const p = c.match(/rgba?\\(([^)]+)\\)/)[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, bottom) => [0, 1, 2].map((i) => top[i] * top[3] + bottom[i] * (1 - top[3]))
    .concat(1);
  const backdrop = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 1) break;
    }
    return layers.reverse().reduce((bottom, top) => over(top, bottom), [255, 255, 255, 1]);
  };
  const opacity = (el) => {
    let o = 1;
    for (let e = el; e; e = e.parentElement) o *= Number(getComputedStyle(e).opacity);
    return o;
  };
  const lum = (c) => {
    const f = (x) => (x /= 255) <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const out = [];
  const selector = ".readout-label, .readout-value output, .readout-value .unit, " +
    ".meta dt, .meta dd, #sensor-status, #sim-state, #conn-text";
  for (const el of document.querySelectorAll(selector)) {
    if (!el.checkVisibility()) continue;
    const bg = backdrop(el);
    const fg = parse(getComputedStyle(el).color);
    const text = over([fg[0], fg[1], fg[2], fg[3] * opacity(el)], bg);
    const [a, b] = [lum(text), lum(bg)].sort((x, y) => y - x);
    out.push({ what: (el.id || el.className) + " " + el.textContent.trim(),
      ratio: Math.round((a + 0.05) / (b + 0.05) * 100) / 100 });
  }
  return { theme: document.documentElement.dataset.theme ?? "system",
    background: getComputedStyle(document.body).backgroundColor, out };
})()`;

interface Contrast {
  theme: string;
  background: string;
  out: { what: string; ratio: number }[];
}

/**
 * Light and dark: the system's scheme until the toggle is used, then the toggle's
 * (remembered); in both, every readout text passes WCAG AA (4.5:1).
 */
export async function checkThemes(ctx: CheckContext): Promise<void> {
  const { page, timeoutMs } = ctx;
  const backgrounds = new Set<string>();
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await openWith(ctx, { language: "en", theme: null });
    await page.waitForSelector('#sim-state[data-state="running"]', { timeout: timeoutMs });
    await page.waitForFunction(`document.getElementById("value-v").dataset.value !== ""`);
    assert.equal(await page.getAttribute("#theme-toggle", "data-theme"), scheme);
    const result = await inPage<Contrast>(page, READOUT_CONTRAST);
    backgrounds.add(result.background);
    assert.ok(result.out.length >= 12, `${result.out.length} texts measured`);
    const failing = result.out.filter((o) => o.ratio < 4.5);
    assert.deepEqual(failing, [], `${scheme}: readout texts below 4.5:1`);
    await ctx.screenshot(page, `dashboard-${scheme}.png`, false);
  }
  assert.equal(backgrounds.size, 2, "the two schemes look different");
  // The toggle overrides the system and is remembered.
  await page.emulateMedia({ colorScheme: "dark" });
  await page.waitForSelector('#theme-toggle[data-theme="dark"]', { timeout: timeoutMs });
  await page.click("#theme-toggle");
  await page.waitForSelector('html[data-theme="light"]', { state: "attached", timeout: timeoutMs });
  await page.reload();
  // The page's script may run after "load" (its modules wait for Chart.js): wait for it.
  await page.waitForSelector('#conn[data-state="live"]', { timeout: timeoutMs });
  assert.equal(await page.getAttribute("html", "data-theme"), "light");
  assert.equal(await page.getAttribute("#theme-toggle", "data-theme"), "light");
  const light = await inPage<Contrast>(page, READOUT_CONTRAST);
  assert.deepEqual(light.out.filter((o) => o.ratio < 4.5), [], "light by the toggle");
  await page.click("#theme-toggle");
  await page.waitForSelector('html[data-theme="dark"]', { state: "attached", timeout: timeoutMs });
}

/** In-page: where the parts that must fit are, and the viewport. */
const PLACES = `(() => {
  const box = (s) => {
    const el = document.querySelector(s);
    if (!el) return null;
    const r = el.getBoundingClientRect();
    return { top: r.top, bottom: r.bottom, left: r.left, right: r.right };
  };
  // The live chart's container (its time axis is at its bottom edge), whatever draws in it.
  const chart = ["#live .chart-box", "#live .live-box", "#live canvas"].map(box).find(Boolean);
  return { chart, readouts: box(".readouts"), stats: box("#stats"), table: box(".stats-table"),
    innerHeight, innerWidth, scrollY,
    overflowX: document.documentElement.scrollWidth - document.documentElement.clientWidth };
})()`;

interface Box {
  top: number;
  bottom: number;
  left: number;
  right: number;
}
interface Places {
  chart: Box;
  readouts: Box;
  stats: Box;
  table: Box;
  innerHeight: number;
  innerWidth: number;
  scrollY: number;
  overflowX: number;
}

/**
 * 1280×720: readouts, the live chart down to its time axis and the statistics table fit
 * without scrolling. 390×844: the same within two screens, with no sideways scrolling.
 */
export async function checkLayout(ctx: CheckContext): Promise<void> {
  const { page } = ctx;
  await page.setViewportSize({ width: 1280, height: 720 });
  await openWith(ctx, { language: "en", theme: "dark" });
  await page.waitForFunction(`document.getElementById("stats").dataset.updated !== undefined`);
  const wide = await inPage<Places>(page, PLACES);
  assert.equal(wide.scrollY, 0);
  assert.ok(wide.readouts.top >= 0);
  assert.ok(wide.chart.bottom <= wide.innerHeight, `chart bottom ${wide.chart.bottom} > 720`);
  assert.ok(wide.table.bottom <= wide.innerHeight, `statistics bottom ${wide.table.bottom}`);
  assert.ok(wide.chart.bottom - wide.chart.top >= 250, "the chart keeps a readable height");
  await ctx.screenshot(page, "dashboard-1280x720.png", false);
  await page.setViewportSize({ width: 390, height: 844 });
  // A chart resizes asynchronously: load the page at this size rather than shrink it.
  await page.reload();
  await page.waitForSelector('#conn[data-state="live"]', { timeout: ctx.timeoutMs });
  await page.waitForFunction(`document.getElementById("stats").dataset.updated !== undefined`);
  const phone = await inPage<Places>(page, PLACES);
  assert.equal(phone.overflowX, 0);
  assert.ok(phone.stats.bottom <= 2 * 844, `statistics end at ${phone.stats.bottom} px`);
  assert.ok(phone.chart.bottom <= 2 * 844);
  await page.setViewportSize({ width: 1440, height: 900 });
}

/** Time fields are 24-hour text fields, never AM/PM, and the To field is not clipped. */
export async function checkTimeFields(ctx: CheckContext): Promise<void> {
  const { page, timeoutMs } = ctx;
  await openWith(ctx, { language: "en" });
  await page.waitForSelector('#history[data-state="ready"]', { timeout: timeoutMs });
  await page.click('label[for="history-range-custom"]');
  const pattern = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
  for (const id of ["history-from", "history-to", "sel-from", "sel-to"]) {
    assert.equal(await page.getAttribute(`#${id}`, "type"), "text", id);
  }
  for (const id of ["history-from", "history-to"]) {
    assert.match(await page.inputValue(`#${id}`), pattern, id);
  }
  // The whole value is visible: nothing scrolled out of the field.
  const clipped = await inPage<string[]>(
    page,
    `["history-from", "history-to", "sel-from", "sel-to"].filter((id) => {
      const el = document.getElementById(id);
      el.value = "2026-11-30 23:59:59";
      return el.scrollWidth > el.clientWidth;
    })`,
  );
  assert.deepEqual(clipped, []);
  await page.fill("#sel-from", "2026-11-30 9:05 PM");
  assert.equal(
    await inPage<boolean>(page, `document.getElementById("sel-from").checkValidity()`),
    false,
  );
  await page.fill("#sel-from", "2026-11-30 21:05:00");
  assert.equal(
    await inPage<boolean>(page, `document.getElementById("sel-from").checkValidity()`),
    true,
  );
  const text = await inPage<string>(page, "document.body.innerText");
  assert.doesNotMatch(text, /\b\d{1,2}:\d{2}(:\d{2})?\s?(AM|PM)\b/, "no 12-hour times");
  await page.click('label[for="history-range-1"]');
}

/** Controls reflect state: Start off while running, Stop off while stopped; disabled looks it. */
export async function checkControlStates(ctx: CheckContext): Promise<void> {
  const { page, timeoutMs } = ctx;
  await openWith(ctx, { language: "en" });
  await page.waitForSelector('#sim-state[data-state="running"]', { timeout: timeoutMs });
  assert.equal(await page.isDisabled("#btn-start"), true, "Start while running");
  assert.equal(await page.isEnabled("#btn-stop"), true);
  const look = (selector: string) =>
    inPage<{ background: string; border: string }>(
      page,
      `(() => { const s = getComputedStyle(document.querySelector(${JSON.stringify(selector)}));
        return { background: s.backgroundColor, border: s.borderTopStyle }; })()`,
    );
  // Download CSV (primary) is disabled until there is a selection: it looks it.
  assert.equal(await page.isDisabled("#sel-export"), true);
  const disabled = await look("#sel-export");
  assert.deepEqual(disabled, { background: "rgba(0, 0, 0, 0)", border: "dashed" });
  assert.notDeepEqual(await look("#btn-stop"), disabled, "an enabled button looks enabled");
  await page.click("#btn-stop");
  await page.waitForSelector('#sim-state[data-state="stopped"]', { timeout: timeoutMs });
  await page.waitForSelector("#btn-start:enabled", { timeout: timeoutMs });
  assert.equal(await page.isDisabled("#btn-stop"), true, "Stop while stopped");
  await page.click("#btn-start");
  await page.waitForSelector('#sim-state[data-state="running"]', { timeout: timeoutMs });
}

/** Alert rules are edited in the page and saved on the server. */
export async function checkRulesEditor(ctx: CheckContext): Promise<void> {
  const { page, url, timeoutMs } = ctx;
  type Rules = { rules: { metric: string; warning_high?: number }[] };
  const before = await getJson<Rules>(`${url}/api/alerts/rules`);
  await openWith(ctx, { language: "en" });
  await page.click("#rules-editor summary");
  const field = "#rule-a-warning_high";
  await page.waitForSelector(field, { timeout: timeoutMs });
  const old = before.rules.find((r) => r.metric === "a")?.warning_high;
  assert.equal(Number(await page.inputValue(field)), old);
  await page.fill(field, "0.45");
  await page.click("#rules-save");
  await page.waitForFunction(
    `document.getElementById("rules-feedback").textContent === "Rules saved."`,
    null,
    { timeout: timeoutMs },
  );
  const after = await getJson<Rules>(`${url}/api/alerts/rules`);
  assert.equal(after.rules.find((r) => r.metric === "a")?.warning_high, 0.45);
  // A refused rule shows the server's reason and changes nothing.
  await page.fill(field, "5");
  await page.click("#rules-save");
  await page.waitForFunction(
    `document.getElementById("rules-feedback").dataset.error === "true"`,
    null,
    { timeout: timeoutMs },
  );
  assert.match(await page.textContent("#rules-feedback") ?? "", /ordered|limit/);
  const unchanged = await getJson<Rules>(`${url}/api/alerts/rules`);
  assert.equal(unchanged.rules.find((r) => r.metric === "a")?.warning_high, 0.45);
  // Put the rules back for the checks after this one.
  const response = await fetch(`${url}/api/alerts/rules`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ rules: before.rules }),
  });
  assert.equal(response.status, 200);
  await response.body?.cancel();
}

/** A routed stream: what the test sends, and how many times the page connected. */
interface FakeStream {
  send: (message: unknown) => void;
  close: () => void;
  connections: () => number;
  /** Whether new connections are refused (closed at once). */
  refuse: (yes: boolean) => void;
}

/** Routes the page's /ws to the test (before the page loads). */
async function fakeStream(page: Page): Promise<FakeStream> {
  let current: { send(m: string): void; close(): Promise<void> } | null = null;
  let count = 0;
  let refusing = false;
  await page.routeWebSocket(/\/ws(\?.*)?$/, (ws) => {
    count++;
    if (refusing) {
      ws.close();
      return;
    }
    current = ws;
  });
  return {
    send: (message) => current?.send(JSON.stringify(message)),
    close: () => {
      current?.close();
      current = null;
    },
    connections: () => count,
    refuse: (yes) => refusing = yes,
  };
}

function measurement(seq: number, v: number, a: number, w: number) {
  return {
    type: "measurement",
    data: { v, a, w, ts: Date.now() / 1000, ts_ms: Date.now(), seq, status: "ok", mode: "NORMAL" },
  };
}

function alertMessage(id: number, metric: string, value: number, tsMs = Date.now()) {
  return {
    type: "alert",
    data: {
      id,
      metric,
      severity: "danger",
      state: "raised",
      value,
      limit: 0.5,
      message: "from the server",
      ts_ms: tsMs,
    },
  };
}

/**
 * With a routed stream: units switch at the right magnitudes, moving averages say when
 * they are partial, one alert notice at a time that never covers the selection panel,
 * alert ages tick, and the reconnect countdown ticks with a working "retry now".
 */
export async function checkStreamPolish(ctx: CheckContext): Promise<void> {
  const { page, timeoutMs } = ctx;
  const wait = { timeout: timeoutMs };
  const stream = await fakeStream(page);
  await openWith(ctx, { language: "en" });
  // The panels load their state on connect; wait for that before sending.
  await page.waitForFunction(
    `document.querySelectorAll("#alerts-history li").length > 0 ||
      !document.getElementById("alerts-history-none").hidden`,
    null,
    wait,
  );

  const readout = async (m: string) =>
    `${await page.textContent(`#value-${m}`)} ${await page.textContent(`#unit-${m}`)}`;
  const cases: [[number, number, number], [string, string, string]][] = [
    [[5.012, 0.00015, 0.000752], ["5.012 V", "150 µA", "752 µW"]],
    [[0.5, 0.213, 0.1066], ["500 mV", "213 mA", "107 mW"]],
    [[12.01, 1.5, 18], ["12.01 V", "1.500 A", "18.00 W"]],
  ];
  let seq = 1;
  for (const [[v, a, w], want] of cases) {
    stream.send(measurement(seq++, v, a, w));
    await page.waitForFunction(
      `document.getElementById("value-a").dataset.value === ${JSON.stringify(String(a))}`,
      null,
      wait,
    );
    assert.deepEqual([await readout("v"), await readout("a"), await readout("w")], want);
  }

  const figures = {
    min: 0.0001,
    max: 0.0003,
    avg: 0.00015,
    ma_1m: 0.00015,
    ma_5m: 0.00015,
    ma_15m: 0.00015,
  };
  const statistics = (covered: Record<string, number>) => ({
    type: "statistics",
    data: {
      window_s: 60,
      v: { ...figures, min: 5, max: 5, avg: 5, ma_1m: 5, ma_5m: 5, ma_15m: 5 },
      a: figures,
      w: figures,
      energy_wh: 0.0000039,
      charge_ah: 0.0000039,
      energy_total_wh: 1.5,
      charge_total_ah: 0.3,
      energy_since_ms: Date.now() - 60_000,
      samples: 60,
      ma_covered_s: covered,
    },
  });
  stream.send(statistics({ ma_1m: 13, ma_5m: 13, ma_15m: 13 }));
  await page.waitForSelector("#partial-ma_15m:not([hidden])", wait);
  assert.equal(await page.textContent("#partial-ma_15m"), "partial (13 s)");
  assert.equal(await page.textContent("#stat-a-avg .num"), "150 µA");
  assert.equal(await page.textContent("#energy-wh"), "3.900 µWh");
  stream.send(statistics({ ma_1m: 60, ma_5m: 300, ma_15m: 900 }));
  await page.waitForSelector("#partial-ma_15m", { ...wait, state: "hidden" });

  // One notice at a time, the newest, counting the others; dismissable.
  stream.send(alertMessage(9001, "a", 0.9));
  stream.send(alertMessage(9002, "v", 4.1));
  stream.send(alertMessage(9003, "w", 6));
  await page.waitForFunction(`document.querySelector(".notice-more") !== null`, null, wait);
  assert.equal(await page.locator(".notice").count(), 1);
  assert.match(await page.textContent(".notice-more") ?? "", /\+2 more/);
  assert.match(await page.textContent(".notice-text") ?? "", /^Power danger: 6\.000 W is above/);
  await page.click(".notice-close");
  assert.equal(await page.locator(".notice").count(), 0);

  // A notice never covers the selection panel.
  await page.locator("#selection").scrollIntoViewIfNeeded();
  await page.waitForSelector('#notices[data-docked="true"]', { ...wait, state: "attached" });
  stream.send(alertMessage(9004, "a", 0.95));
  await page.waitForSelector(".notice", wait);
  const overlap = await inPage<number>(
    page,
    `(() => {
      const a = document.querySelector(".notice").getBoundingClientRect();
      const b = document.getElementById("selection").getBoundingClientRect();
      return Math.max(0, Math.min(a.right, b.right) - Math.max(a.left, b.left)) *
        Math.max(0, Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top));
    })()`,
  );
  assert.equal(overlap, 0, "the notice covers the selection panel");
  await page.click(".notice-close");

  // The active alert's age ticks every second.
  stream.send(alertMessage(9005, "a", 0.97, Date.now() - 20_000));
  const age = () =>
    page.getAttribute('#alerts-active li[data-metric="a"] .alert-time', "data-age-ms")
      .then(Number);
  await page.waitForSelector('#alerts-active li[data-metric="a"]', wait);
  const first = await age();
  assert.ok(first >= 19_000, `age ${first} ms`);
  await page.waitForFunction(
    `Number(document.querySelector('#alerts-active li[data-metric="a"] .alert-time')
      .dataset.ageMs) >= ${first + 1500}`,
    null,
    wait,
  );
  assert.match(
    await page.textContent('#alerts-active li[data-metric="a"] .alert-time') ?? "",
    /^since \d{2}:\d{2}:\d{2} \(2\d\.\d s\)$/,
  );

  // Reconnecting: the countdown ticks down, and "retry now" connects at once.
  stream.refuse(true);
  stream.close();
  // Refused again and again, the wait doubles: 0.5, 1, 2, 4 s.
  await page.waitForFunction(
    `Number(document.getElementById("banner-conn").dataset.countdownMs) > 2500`,
    null,
    wait,
  );
  const countdown = () => page.getAttribute("#banner-conn", "data-countdown-ms").then(Number);
  const a = await countdown();
  await page.waitForFunction(
    `Number(document.getElementById("banner-conn").dataset.countdownMs) < ${a - 500}`,
    null,
    wait,
  );
  assert.match(await page.textContent("#conn-text") ?? "", /^Reconnecting in \d+\.\d s$/);
  stream.refuse(false);
  const before = stream.connections();
  await page.click("#conn-retry");
  await page.waitForSelector('#conn[data-state="live"]', { timeout: 2_000 });
  assert.equal(stream.connections(), before + 1, "one attempt, at once");
  assert.equal(await page.isVisible("#banner-conn"), false);
}
