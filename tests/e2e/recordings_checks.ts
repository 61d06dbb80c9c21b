/**
 * The Recordings view in a real browser (issue 15), run by browser_test.ts: record two
 * runs, mark each with the M key, stop them, compare them (figures with deltas, the
 * overlay aligned at their start and at the marker), a recording's detail with its
 * markers and battery life, a trigger armed from the form going armed → recording →
 * stopped, the CSV export with its `#marker` line, delete with its confirming press,
 * and the view on a 390×844 phone.
 * @module
 */
import assert from "node:assert/strict";
import type { Page } from "./playwright.ts";
import { type CheckContext, getJson } from "./dashboard_checks.ts";
import type { Recording } from "../../src/protocol/recordings.ts";

interface RecordingList {
  data: Recording[];
}

/** The row of the recording named `name`. */
function row(page: Page, name: string) {
  return page.locator("#rec-list tr", { has: page.locator(".rec-open", { hasText: name }) });
}

/** Waits for the row of `name` to show `state`. */
async function waitForState(ctx: CheckContext, name: string, state: string): Promise<void> {
  await row(ctx.page, name).locator(`.rec-state[data-state="${state}"]`).waitFor({
    timeout: ctx.timeoutMs,
  });
}

/** Presses M with nothing focused, labels the marker and waits for it in the list. */
async function markWithKey(ctx: CheckContext, label: string): Promise<void> {
  const { page, timeoutMs } = ctx;
  await page.evaluate("document.activeElement?.blur()");
  await page.keyboard.press("m");
  await page.waitForSelector("#marker-dialog[open]", { timeout: timeoutMs });
  await page.fill("#marker-label", label);
  await page.click('#marker-form button[value="save"]');
  await page.locator("#marker-list li", { hasText: label }).first().waitFor({
    timeout: timeoutMs,
  });
}

/** Starts a recording named `name`, marks it, lets it run, stops it. */
async function recordRun(ctx: CheckContext, name: string): Promise<void> {
  const { page } = ctx;
  await page.fill("#rec-name", name);
  await page.click("#rec-start");
  await waitForState(ctx, name, "recording");
  await page.waitForTimeout(600);
  await markWithKey(ctx, "radio on");
  await page.waitForTimeout(900);
  await row(page, name).locator('button[data-action="stop"]').click();
  await waitForState(ctx, name, "stopped");
}

/** Records, marks, stops and compares two runs; detail, battery, trigger, export, delete. */
export async function checkRecordings(ctx: CheckContext): Promise<void> {
  const { page, url, timeoutMs } = ctx;
  await page.goto(`${url}/`);
  await page.waitForSelector('#conn[data-state="live"]', { timeout: timeoutMs });
  assert.equal(await page.isVisible("#rec-empty"), true);

  // Typing "m" in a field is text, not a marker.
  await page.fill("#rec-name", "mmm");
  assert.equal(await page.isVisible("#marker-dialog"), false);

  await recordRun(ctx, "firmware A");
  await recordRun(ctx, "firmware B");
  const { data } = await getJson<RecordingList>(`${url}/api/recordings`);
  assert.deepEqual(data.map((r) => [r.name, r.state]), [
    ["firmware B", "stopped"],
    ["firmware A", "stopped"],
  ]);
  for (const r of data) assert.ok(r.samples >= 5, `${r.name}: ${r.samples} samples`);

  // Alt+click on the history chart marks that instant; people's markers are on both charts.
  await page.waitForSelector('#history[data-state="ready"]', { timeout: timeoutMs });
  const plot = page.locator("#history-chart .u-over").first();
  const box = (await plot.boundingBox())!;
  const before = Date.now();
  await plot.click({ modifiers: ["Alt"], position: { x: box.width * 0.9, y: box.height / 2 } });
  await page.waitForSelector("#marker-dialog[open]", { timeout: timeoutMs });
  await page.fill("#marker-label", "alt mark");
  await page.click('#marker-form button[value="save"]');
  await page.locator("#marker-list li", { hasText: "alt mark" }).waitFor({ timeout: timeoutMs });
  const all = await getJson<{ data: { label: string; ts_ms: number }[] }>(`${url}/api/markers`);
  const alt = all.data.find((m) => m.label === "alt mark")!;
  const viewMin = Number(await page.getAttribute("#history-chart", "data-view-min"));
  assert.ok(alt.ts_ms > viewMin && alt.ts_ms < before, "at the time clicked, not now");
  for (const chart of ["#live-chart", "#history-chart"]) {
    assert.equal(await page.getAttribute(chart, "data-user-marks"), "3", chart);
  }

  // Compare: the button counts the picks and needs two.
  assert.equal(await page.isDisabled("#rec-compare"), true);
  await row(page, "firmware A").locator(".rec-pick input").check();
  await row(page, "firmware B").locator(".rec-pick input").check();
  await page.click("#rec-compare");
  await page.waitForSelector("#rec-compare-box:not([hidden])", { timeout: timeoutMs });
  await page.locator("#rec-compare-table tr[data-field]").first().waitFor({ timeout: timeoutMs });
  assert.equal(await page.locator("#rec-compare-table tr[data-field]").count(), 13);
  assert.ok(await page.locator("#rec-compare-table .rec-delta").count() >= 10, "deltas shown");
  await page.waitForSelector("#rec-overlay .uplot", { timeout: timeoutMs });
  // The legend: the time axis, then one entry per recording.
  assert.deepEqual(
    await page.evaluate(
      `[...document.querySelectorAll("#rec-overlay .u-legend .u-series .u-label")].map((e) => e.textContent)`,
    ),
    ["Time from the alignment point", "firmware A", "firmware B"],
  );
  const align = page.locator("#rec-overlay-align");
  assert.deepEqual(
    await page.evaluate(
      `[...document.querySelectorAll("#rec-overlay-align option")].map((o) => o.value)`,
    ),
    ["", "radio on"],
  );
  await align.selectOption("radio on");
  await page.waitForSelector("#rec-overlay .uplot", { timeout: timeoutMs });

  // A/B cursors on the overlay: a drag marks a span of offsets; each recording's figures
  // over it are the server's exact span of that recording from its own alignment point.
  const over = page.locator("#rec-overlay .u-over");
  const ob = (await over.boundingBox())!;
  await page.mouse.move(ob.x + ob.width * 0.05, ob.y + ob.height / 2);
  await page.mouse.down();
  await page.mouse.move(ob.x + ob.width * 0.95, ob.y + ob.height / 2, { steps: 8 });
  await page.mouse.up();
  await page.waitForSelector("#rec-overlay-span:not([hidden]) tr[data-count]", {
    timeout: timeoutMs,
  });
  const [fromOffset, toOffset] = (await page.getAttribute("#rec-overlay", "data-span"))!
    .split(",").map(Number);
  assert.ok(toOffset > fromOffset, `span ${fromOffset}..${toOffset} ms`);
  const shown = await page.evaluate(
    `[...document.querySelectorAll("#rec-overlay-span tr[data-count]")].map((tr) => [tr.querySelector("th").textContent, Number(tr.dataset.count)])`,
  ) as [string, number][];
  assert.deepEqual(shown.map(([name]) => name), ["firmware A", "firmware B"]);
  for (const [name, count] of shown) {
    const rec = data.find((r) => r.name === name)!;
    const marks = await getJson<{ data: { label: string; ts_ms: number }[] }>(
      `${url}/api/recordings/${rec.id}/markers`,
    );
    const zero = marks.data.find((m) => m.label === "radio on")!.ts_ms;
    const span = await getJson<{ count: number }>(
      `${url}/api/recordings/${rec.id}/span?from=${zero + fromOffset}&to=${zero + toOffset}`,
    );
    assert.equal(count, span.count, `${name}: the server's span from its own marker`);
    assert.ok(count > 0, `${name}: samples between the cursors`);
  }
  await ctx.screenshot(page, "recordings-compare.png");

  // Detail: its marker, battery life with its assumption.
  await row(page, "firmware A").locator(".rec-open").click();
  await page.waitForSelector("#rec-detail:not([hidden])", { timeout: timeoutMs });
  await page.locator("#rec-markers li", { hasText: "radio on" }).waitFor({ timeout: timeoutMs });
  const capacity = page.locator("#rec-battery input").first();
  await capacity.fill("2000");
  await capacity.dispatchEvent("change");
  await page.waitForFunction(
    `/≈/.test(document.querySelector("#rec-battery .battery-figures")?.textContent ?? "")`,
    null,
    { timeout: timeoutMs },
  );
  assert.match(await page.textContent("#rec-battery .battery-assumption") ?? "", /chemistry/);
  // Annotate.
  await page.fill('#rec-annotate [name="notes"]', "radio at 0.6 s");
  await page.fill('#rec-annotate [name="tags"]', "fw-a, boot");
  await page.click('#rec-annotate button[type="submit"]');
  await page.waitForFunction(
    `/saved/.test(document.getElementById("rec-feedback")?.textContent ?? "")`,
    null,
    { timeout: timeoutMs },
  );
  const a = data.find((r) => r.name === "firmware A")!;
  const annotated = await getJson<Recording>(`${url}/api/recordings/${a.id}`);
  assert.deepEqual([annotated.notes, annotated.tags], ["radio at 0.6 s", ["fw-a", "boot"]]);

  // The CSV export carries the marker.
  const [download] = await Promise.all([
    page.waitForEvent("download", { timeout: timeoutMs }),
    row(page, "firmware A").locator('button[data-action="export"]').click(),
  ]);
  const lines = (await Deno.readTextFile(await download.path())).split("\n");
  assert.equal(lines[0], "channel,time,ts_ms,seq,v,a,w,status,mode,error,step_ms");
  assert.match(lines[1], /^#marker,main,.*,user,radio on$/);

  // A trigger from the form: current above 0 A starts it at once, 1 s stops it.
  await page.fill("#rec-name", "triggered");
  await page.click("#rec-arm summary");
  await page.fill('[name="start_value"]', "0");
  await page.selectOption('[name="start_metric"]', "a");
  await page.selectOption('[name="start_op"]', ">");
  await page.fill('[name="pre_trigger_ms"]', "200");
  await page.fill('[name="duration_s"]', "1");
  await page.click("#rec-arm-submit");
  await waitForState(ctx, "triggered", "stopped");
  const triggered = (await getJson<RecordingList>(`${url}/api/recordings`)).data
    .find((r) => r.name === "triggered")!;
  assert.equal(triggered.stop_reason, "duration");
  assert.equal(
    triggered.end_ms! - triggered.start_ms!,
    1200,
    "1 s after the trigger, 200 ms before",
  );
  const log = await page.textContent("#log") ?? "";
  for (const state of ["armed", "triggered", "stopped"]) {
    assert.match(log, new RegExp(`Recording "triggered" \\(\\d+\\) ${state}`));
  }

  // An armed one that never fires, stopped by hand; then deleted with two presses.
  await page.fill("#rec-name", "never");
  await page.fill('[name="start_value"]', "50");
  await page.fill('[name="pre_trigger_ms"]', "0");
  await page.fill('[name="duration_s"]', "");
  await page.click("#rec-arm-submit");
  await waitForState(ctx, "never", "armed");
  await row(page, "never").locator('button[data-action="stop"]').click();
  await waitForState(ctx, "never", "stopped");
  const del = row(page, "never").locator('button[data-action="delete"]');
  await del.click();
  assert.equal(await row(page, "never").count(), 1, "the first press only asks");
  await del.click();
  await row(page, "never").waitFor({ state: "detached", timeout: timeoutMs });
  await ctx.screenshot(page, "recordings.png");
}

/** The Recordings view fits a 390×844 phone: no sideways scrolling, rows as cards. */
export async function checkRecordingsPhone(ctx: CheckContext): Promise<void> {
  const { page, url, timeoutMs } = ctx;
  await page.goto(`${url}/#recordings`);
  await page.waitForSelector('#conn[data-state="live"]', { timeout: timeoutMs });
  await page.locator("#rec-list tr").first().waitFor({ timeout: timeoutMs });
  await page.locator("#recordings").scrollIntoViewIfNeeded();
  const overflow = await page.evaluate<number>(
    "document.documentElement.scrollWidth - document.documentElement.clientWidth",
  );
  assert.equal(overflow, 0, "no sideways scrolling at 390 px");
  const width = await page.evaluate<number>(
    `document.querySelector("#rec-list tr").getBoundingClientRect().width`,
  );
  assert.ok(width <= 390, `a row is ${width} px wide`);
  await ctx.screenshot(page, "recordings-phone.png");
}
