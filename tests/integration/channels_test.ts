/**
 * Channels end to end on the real assembly (createCore, `app.request()`): three channels
 * (two mocks and their efficiency), the channel list, /status, start/stop per channel,
 * `?channel=` on every route family, and a derived channel's history from its inputs'.
 * Over a real server and WebSockets: tests/integration/channels_stream_test.ts.
 * @module
 */
import assert from "node:assert/strict";
import { loadConfig } from "../../src/config.ts";
import { createCore, type MonitorCore } from "../../src/monitor.ts";
import { ChannelsResponse } from "../../src/protocol/channels.ts";
import { StatusResponse } from "../../src/protocol/status.ts";
import { post } from "../assertions.ts";
import { THREE_CHANNELS } from "./harness.ts";

const opened: MonitorCore[] = [];

function core(env: Record<string, string> = {}): MonitorCore {
  const c = createCore(
    loadConfig({
      MOCK_AUTO_ROTATE_S: "0",
      DB_PATH: ":memory:",
      CHANNELS: THREE_CHANNELS,
      ...env,
    }, []),
    "test",
  );
  opened.push(c);
  return c;
}

function test(name: string, fn: (t: Deno.TestContext) => void | Promise<void>) {
  Deno.test(name, async (t) => {
    try {
      await fn(t);
    } finally {
      for (const c of opened.splice(0)) {
        for (const p of c.channels.values()) if (p.kind === "measured") await p.sampler.stop();
        c.store.close();
      }
    }
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs every channel for `ms`, then stops them. */
async function run(c: MonitorCore, ms: number): Promise<void> {
  const res = await c.app.request("/simulator/start", post());
  assert.equal(res.status, 200);
  await res.body?.cancel();
  await sleep(ms);
  (await c.app.request("/simulator/stop", post())).body?.cancel();
}

test("GET /api/channels lists every channel; /status adds them, its v1 fields the first's", async () => {
  const c = core();
  const list = ChannelsResponse.parse(await (await c.app.request("/api/channels")).json());
  assert.deepEqual(
    list.channels.map((ch) => [ch.name, ch.kind, ch.sensor ?? ch.derived, ch.state]),
    [["a", "measured", "mock", "stopped"], ["b", "measured", "mock", "stopped"], [
      "eff",
      "derived",
      "efficiency",
      "stopped",
    ]],
  );
  assert.deepEqual(list.channels[2].inputs, ["a", "b"]);
  assert.equal(list.channels[0].settings.mock_seed, 1);
  assert.equal(list.channels[0].interval_ms, 10);
  assert.deepEqual(list.channels[0].resolution, { v: 0.001, a: 0.001, w: 0.001 }, "the mock's");
  assert.equal(list.channels[2].resolution, null, "a derived channel has no sensor step");
  const status = StatusResponse.parse(await (await c.app.request("/status")).json());
  assert.deepEqual(status.channels?.map((ch) => ch.name), ["a", "b", "eff"]);
  assert.equal("settings" in status.channels![0], false, "/status lists them compactly");
  assert.equal(status.interval_ms, 10);
  assert.equal(status.source, "mock");
});

test("start and stop one channel leave the others as they were", async () => {
  const c = core();
  const state = async () =>
    ChannelsResponse.parse(await (await c.app.request("/api/channels")).json()).channels
      .map((ch) => `${ch.name}:${ch.state === "stopped" ? "stopped" : "running"}`);
  let res = await c.app.request("/simulator/start?channel=b", post());
  assert.equal(res.status, 200);
  assert.equal((await res.json()).already_running, false);
  assert.deepEqual(await state(), ["a:stopped", "b:running", "eff:stopped"]);
  res = await c.app.request("/simulator/start", post());
  assert.equal((await res.json()).already_running, false, "a was started");
  assert.deepEqual(await state(), ["a:running", "b:running", "eff:running"]);
  res = await c.app.request("/simulator/stop?channel=a", post());
  assert.equal((await res.json()).was_running, true);
  assert.deepEqual(await state(), ["a:stopped", "b:running", "eff:stopped"]);
  for (const bad of ["x", "eff"]) {
    res = await c.app.request(`/simulator/start?channel=${bad}`, post());
    assert.equal(res.status, 400, bad);
    const body = await res.json();
    assert.equal(body.error, `Unknown channel "${bad}"`);
    assert.deepEqual(body.issues, [{ path: "channel", message: "expected one of: a, b" }]);
  }
  res = await c.app.request("/simulator/interval?channel=b", post({ interval_ms: 20 }));
  assert.equal(res.status, 200);
  await res.body?.cancel();
  const list = ChannelsResponse.parse(await (await c.app.request("/api/channels")).json());
  assert.deepEqual(list.channels.map((ch) => ch.interval_ms), [10, 20, 20]);
});

test("every per-channel route answers 400 listing the names for an unknown channel", async () => {
  const c = core();
  const routes: [string, RequestInit?][] = [
    ["/api/measurements?channel=nope"],
    ["/api/history?channel=nope"],
    ["/api/statistics?channel=nope"],
    ["/api/export.csv?channel=nope"],
    [`/api/span?channel=nope&from=${Date.now() - 1000}&to=${Date.now()}`],
    ["/api/power-efficiency?channel=nope"],
    ["/api/analysis/moving-averages?channel=nope"],
    ["/api/analysis/outliers/summary?channel=nope"],
    ["/api/analysis/outliers/recent?channel=nope"],
    ["/api/alerts?channel=nope"],
    ["/api/alerts/active?channel=nope"],
    ["/api/alerts/rules?channel=nope"],
    ["/api/energy/reset?channel=nope", post()],
  ];
  for (const [path, init] of routes) {
    const res = await c.app.request(path, init);
    assert.equal(res.status, 400, path);
    assert.deepEqual(await res.json(), {
      error: 'Unknown channel "nope"',
      issues: [{ path: "channel", message: "expected one of: a, b, eff" }],
    }, path);
  }
});

test("history, export, span and analysis answer per channel; the derived one from its inputs", async () => {
  const c = core();
  await run(c, 400);
  const rows = async (channel: string) =>
    (await (await c.app.request(`/api/measurements?channel=${channel}&limit=100000`)).json())
      .data as {
        seq: number;
        w: number;
        ts_ms: number;
        status: string;
        derived?: string;
        efficiency?: number;
      }[];
  const [a, b, eff] = [await rows("a"), await rows("b"), await rows("eff")];
  assert.ok(a.length > 10 && b.length > 10, `${a.length} and ${b.length} samples stored`);
  assert.equal(a[a.length - 1].seq, 1, "each channel's seq starts at 1");
  assert.equal(b[b.length - 1].seq, 1);
  assert.notDeepEqual(a.map((r) => r.w), b.map((r) => r.w), "different seeds, different data");
  const empty = await c.app.request("/api/measurements?channel=");
  assert.equal(empty.status, 400, "an empty channel name is unknown, not the first");
  await empty.body?.cancel();
  assert.ok(eff.length > 5, `${eff.length} derived rows replayed from a and b`);
  assert.ok(eff.every((r) => r.derived === "efficiency"));
  // A derived row is stamped with its pacing input's sample and takes the other input's
  // nearest sample (a tie: the earlier), as DerivedChannel does: its v/a/w are b's (the
  // output), its efficiency P_b / P_a. The two samplers' ticks need not share a millisecond.
  const nearest = (list: typeof a, tsMs: number) =>
    list.reduce((best, r) => {
      const [d, dBest] = [Math.abs(r.ts_ms - tsMs), Math.abs(best.ts_ms - tsMs)];
      return d < dBest || (d === dBest && r.ts_ms < best.ts_ms) ? r : best;
    });
  const [aAt, bAt] = [new Map(a.map((r) => [r.ts_ms, r])), new Map(b.map((r) => [r.ts_ms, r]))];
  let checked = 0;
  for (const r of eff) {
    let pin = aAt.get(r.ts_ms), pout = bAt.get(r.ts_ms);
    if (pin && !pout) pout = nearest(b, r.ts_ms);
    else if (pout && !pin) pin = nearest(a, r.ts_ms);
    if (!pin || !pout || pin.w <= 0 || r.status !== "ok") continue;
    assert.equal(r.w, pout.w);
    assert.ok(Math.abs(r.efficiency! - pout.w / pin.w) < 1e-9);
    checked++;
  }
  assert.ok(checked > 0, "some derived rows line up with both inputs' samples");

  const history = await (await c.app.request("/api/history?channel=eff&hours=1")).json();
  assert.ok(history.count > 0);
  assert.equal(history.data[0].derived, "efficiency");
  const csv = await (await c.app.request("/api/export.csv?channel=b")).text();
  assert.equal(csv.trim().split("\n").length, b.length + 1, "b's rows and the header");
  const span = await (await c.app.request(
    `/api/span?channel=b&from=${b[b.length - 1].ts_ms}&to=${b[0].ts_ms + 1}`,
  )).json();
  assert.equal(span.count, b.length);
  for (const channel of ["a", "b", "eff"]) {
    const res = await c.app.request(`/api/analysis/moving-averages?channel=${channel}`);
    assert.equal(res.status, 200, channel);
    await res.body?.cancel();
  }
  const rules = await (await c.app.request("/api/alerts/rules?channel=eff")).json();
  assert.ok(Array.isArray(rules.rules));
  const reset = await c.app.request("/api/energy/reset?channel=b", post());
  assert.equal(reset.status, 200);
  assert.ok((await reset.json()).previous.energy_wh >= 0);
});

test("PUT /api/sensor/adc takes ?channel=; the OpenAPI document lists the parameter", async () => {
  const c = core();
  const put = (query: string) =>
    c.app.request(`/api/sensor/adc${query}`, {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ samples: 4 }),
    });
  let res = await put("?channel=nope");
  assert.equal(res.status, 400);
  assert.deepEqual((await res.json()).issues, [
    { path: "channel", message: "expected one of: a, b" },
  ]);
  res = await put("?channel=b");
  assert.equal(res.status, 409, "a mock has no ADC setting");
  await res.body?.cancel();
  const doc = await (await c.app.request("/openapi.json")).json();
  const documented = (path: string, method: string) =>
    (doc.paths[path][method].parameters ?? []).some((p: { name: string }) => p.name === "channel");
  for (
    const [path, method] of [
      ["/ws", "get"],
      ["/api/measurements", "get"],
      ["/api/history", "get"],
      ["/api/statistics", "get"],
      ["/api/export.csv", "get"],
      ["/api/span", "get"],
      ["/api/power-efficiency", "get"],
      ["/api/analysis/moving-averages", "get"],
      ["/api/alerts", "get"],
      ["/api/alerts/rules", "put"],
      ["/api/energy/reset", "post"],
      ["/simulator/start", "post"],
      ["/simulator/interval", "post"],
      ["/api/sensor/adc", "put"],
    ]
  ) assert.ok(documented(path, method), `${method} ${path}`);
  assert.ok(doc.paths["/api/channels"].get, "GET /api/channels is documented");
});

test("ALERT_RULES gives each channel the rules of the metrics it has; a derived one has no defaults", async () => {
  const rules = async (c: MonitorCore, channel: string) =>
    ((await (await c.app.request(`/api/alerts/rules?channel=${channel}`)).json()).rules as {
      metric: string;
    }[]).map((r) => r.metric);
  const plain = core();
  assert.deepEqual(await rules(plain, "a"), ["v", "a", "w"], "the 5 V rail's defaults");
  assert.deepEqual(await rules(plain, "eff"), [], "no defaults for a derived channel");
  const c = core({
    ALERT_RULES: JSON.stringify([
      { metric: "w", warning_high: 1.5, hysteresis: 0.05, for_ms: 0 },
      { metric: "efficiency", danger_low: 0.5, hysteresis: 0.05, for_ms: 0 },
    ]),
  });
  assert.deepEqual(await rules(c, "a"), ["w"]);
  assert.deepEqual(await rules(c, "eff"), ["efficiency"]);
});
