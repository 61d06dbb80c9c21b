/**
 * The live analysis as a user meets it, on the real assembly: alert and analysis
 * routes through `app.request()` fed by the real pipeline, persistence across a
 * restart, and the LOAD_SPIKE scenario over a real WebSocket. Route validation and
 * shapes on fakes: tests/http/routes_analysis_test.ts.
 */
import assert from "node:assert/strict";
import { DEFAULT_RULES } from "../../src/analysis/alerts.ts";
import { loadConfig } from "../../src/config.ts";
import { createCore, type MonitorCore, startMonitor } from "../../src/monitor.ts";
import { MovingAverages, OutlierSummary, PowerEfficiency } from "../../src/protocol/analysis.ts";
import type { Sample } from "../../src/sample.ts";
import { parseServerMessage } from "../ws_messages.ts";
import { poll } from "../daemon.ts";
import { FakeSocket } from "../fakes.ts";

const TOKEN = "secret-token-1";
const auth = { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" };

async function withCore(
  env: Record<string, string>,
  fn: (core: MonitorCore) => void | Promise<void>,
): Promise<void> {
  const core = createCore(loadConfig({ DB_PATH: ":memory:", MOCK_SEED: "1", ...env }, []));
  try {
    await fn(core);
  } finally {
    core.store.close();
  }
}

/** Feeds 1 Hz samples at 5 V with the given currents, ending just before now. */
function feed(core: MonitorCore, currents: number[]): void {
  const startMs = Date.now() - currents.length * 1000;
  currents.forEach((a, i) => {
    core.pipeline.onSample(
      {
        tsMs: startMs + i * 1000,
        seq: i + 1,
        v: 5,
        a,
        w: Math.round(5 * a * 1000) / 1000,
        status: "ok",
        mode: "NORMAL",
      } satisfies Sample,
    );
  });
}

const repeat = (n: number, a: number) => Array<number>(n).fill(a);

Deno.test("alert routes: history by severity, active alerts, rules read and replaced", async () => {
  await withCore({ API_TOKEN: TOKEN }, async ({ app }) => {
    const rules = await (await app.request("/api/alerts/rules")).json();
    assert.deepEqual(rules.rules, DEFAULT_RULES);
  });
  await withCore({}, async (core) => {
    const { app } = core;
    feed(core, [...repeat(10, 0.2), ...repeat(5, 0.9), ...repeat(10, 0.2)]);
    const all = await (await app.request("/api/alerts?hours=1")).json();
    const current = all.data.filter((e: { metric: string }) => e.metric === "a");
    assert.deepEqual(current.map((e: { state: string }) => e.state), ["cleared", "raised"]);
    assert.ok(current.every((e: { id: number }) => e.id > 0));
    const danger = await (await app.request("/api/alerts?hours=1&severity=danger")).json();
    assert.ok(danger.data.every((e: { severity: string }) => e.severity === "danger"));
    const bad = await app.request("/api/alerts?severity=critical");
    assert.equal(bad.status, 400);
    await bad.body?.cancel();
    const active = await (await app.request("/api/alerts/active")).json();
    assert.deepEqual(active, { data: [], count: 0 });
  });
});

Deno.test("PUT /api/alerts/rules validates, needs the token, applies and persists", async () => {
  const dir = await Deno.makeTempDir();
  const env = { DB_PATH: `${dir}/t.db`, API_TOKEN: TOKEN };
  try {
    await withCore(env, async ({ app, hub }) => {
      const put = (body: unknown, headers: Record<string, string> = auth) =>
        app.request("/api/alerts/rules", {
          method: "PUT",
          headers,
          body: JSON.stringify(body),
        });
      const rule = { metric: "a", warning_high: 0.1, hysteresis: 0.01, for_ms: 0 };
      let res = await put({ rules: [rule] }, { "Content-Type": "application/json" });
      assert.equal(res.status, 401);
      await res.body?.cancel();
      const unchanged = await (await app.request("/api/alerts/rules")).json();
      assert.deepEqual(unchanged.rules, DEFAULT_RULES, "refused rules change nothing");
      const socket = new FakeSocket();
      hub.add(socket);
      res = await put({ rules: [rule] });
      assert.equal(res.status, 200);
      assert.ok(
        socket.messages().some((m) => m.type === "status" && m.event === "rules_updated"),
        "clients are told the rules changed",
      );
      assert.deepEqual((await res.json()).rules, [{ ...rule, enabled: true }]);
    });
    await withCore(env, async ({ app }) => {
      const after = await (await app.request("/api/alerts/rules")).json();
      assert.deepEqual(after.rules, [{
        metric: "a",
        warning_high: 0.1,
        hysteresis: 0.01,
        for_ms: 0,
        enabled: true,
      }], "rules survive a restart");
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("energy counters survive a restart; POST /api/energy/reset zeroes them", async () => {
  const dir = await Deno.makeTempDir();
  const env = { DB_PATH: `${dir}/t.db` };
  try {
    await withCore(env, (core) => {
      feed(core, repeat(3601, 0.2)); // 1 W for an hour
      core.store.flush();
    });
    await withCore(env, async ({ app, pipeline }) => {
      const snap = pipeline.statistics(Date.now());
      assert.ok(Math.abs(snap.energy_wh - 1) < 1e-9, `${snap.energy_wh} Wh after restart`);
      assert.ok(Math.abs(snap.charge_ah - 0.2) < 1e-9);
      const efficiency = await (await app.request("/api/power-efficiency?hours=2")).json();
      PowerEfficiency.parse(efficiency);
      assert.ok(Math.abs(efficiency.energy_wh - 1) < 1e-9);
      assert.ok(Math.abs(efficiency.charge_ah - 0.2) < 1e-9);
      assert.equal(efficiency.avg_power_w, 1);
      assert.equal(efficiency.peak_power_w, 1);
      assert.equal(efficiency.avg_voltage_v, 5);
      assert.equal(efficiency.samples, 3601);
      const reset = await (await app.request("/api/energy/reset", { method: "POST" })).json();
      assert.equal(reset.status, "ok");
      assert.ok(Math.abs(reset.previous.energy_wh - 1) < 1e-9);
      const after = pipeline.statistics(Date.now());
      assert.equal(after.energy_wh, 0);
      assert.ok(Math.abs(after.energy_total_wh - 1) < 1e-9, "the total keeps counting");
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("analysis routes: moving averages and outliers", async () => {
  await withCore({}, async (core) => {
    const { app } = core;
    feed(core, repeat(120, 0.2).map((a, i) => (i === 100 ? 0.9 : a)));
    const ma = await (await app.request("/api/analysis/moving-averages")).json();
    MovingAverages.parse(ma);
    assert.ok(ma.v.ma_1m === 5 && ma.v.ma_15m === 5);
    const summary = await (await app.request("/api/analysis/outliers/summary")).json();
    OutlierSummary.parse(summary);
    assert.ok(summary.metrics.a.zscore >= 1, "the 0.9 A spike is a z-score outlier");
    const recent = await (await app.request("/api/analysis/outliers/recent?limit=2")).json();
    assert.ok(recent.count <= 2);
    assert.equal(recent.data[0].metric, "w");
    const bad = await app.request("/api/analysis/outliers/recent?limit=0");
    assert.equal(bad.status, 400);
    await bad.body?.cancel();
  });
});

Deno.test("LOAD_SPIKE raises one current danger alert over WebSocket; NORMAL clears it once", async () => {
  const dataDir = await Deno.makeTempDir();
  const monitor = await startMonitor(
    loadConfig({
      PORT: "0",
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      MOCK_SEED: "3",
      MOCK_AUTO_ROTATE_S: "0",
      SAMPLE_INTERVAL_MS: "100",
      STATUS_INTERVAL_S: "0",
    }, []),
    { log: () => {} },
  );
  const ws = new WebSocket(`${monitor.url.replace("http", "ws")}/ws`);
  const messages: { type: string; data: Record<string, unknown> }[] = [];
  ws.onmessage = (e) => messages.push(parseServerMessage(e.data) as (typeof messages)[number]);
  const closed = new Promise((resolve) => ws.onclose = resolve);
  const currentAlerts = () =>
    messages.filter((m) => m.type === "alert" && m.data.metric === "a").map((m) => m.data);
  try {
    await new Promise((resolve) => ws.onopen = resolve);
    await poll(
      "a statistics message",
      () => Promise.resolve(messages.some((m) => m.type === "statistics")),
    );
    const post = (mode: string) =>
      fetch(`${monitor.url}/simulator/mode`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ mode }),
      }).then((r) => r.body?.cancel());
    const spikeAt = Date.now();
    await post("LOAD_SPIKE");
    await poll("current alert", () => Promise.resolve(currentAlerts().length > 0), 5000);
    const modeMessage = messages.find((m) =>
      m.type === "status" && (m as { message?: string }).message === "Simulation Mode: LOAD_SPIKE"
    ) as unknown as Record<string, unknown>;
    assert.deepEqual(
      [modeMessage?.mode, modeMessage?.interval_ms, modeMessage?.simulator],
      ["LOAD_SPIKE", 100, "connected"],
      "status messages carry the state they leave behind",
    );
    assert.ok(Date.now() - spikeAt < 3000, "within a couple of seconds");
    assert.equal(currentAlerts()[0].severity, "danger");
    assert.equal(currentAlerts()[0].state, "raised");
    const history = await (await fetch(`${monitor.url}/api/alerts?hours=1`)).json();
    assert.ok(
      history.data.some((e: { metric: string; state: string }) =>
        e.metric === "a" && e.state === "raised"
      ),
    );
    const stats = messages.filter((m) => m.type === "statistics").at(-1)!.data as {
      a: { max: number; min: number; avg: number };
      energy_wh: number;
      samples: number;
    };
    assert.ok(stats.samples > 0 && stats.a.max >= stats.a.avg && stats.a.avg >= stats.a.min);
    assert.ok(stats.energy_wh > 0);
    await post("NORMAL");
    await poll("cleared", () => Promise.resolve(currentAlerts().length >= 2), 5000);
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(currentAlerts().map((a) => a.state), ["raised", "cleared"], "once each");
  } finally {
    ws.close();
    await closed;
    await monitor.shutdown();
    await Deno.remove(dataDir, { recursive: true });
  }
});
