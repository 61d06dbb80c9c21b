/**
 * The alert and analysis routes over fakes ({@link AlertsControl}, {@link LiveAnalysis},
 * {@link RollupTotals}, {@link EnergyReset}): validation, windows, figures and the
 * energy reset, with no analyzer and no store. On the real assembly:
 * tests/integration/analysis_test.ts.
 */
import assert from "node:assert/strict";
import { DEFAULT_RULES } from "../../src/analysis/alerts.ts";
import {
  EnergyResetResponse,
  MovingAverages,
  OutlierSummary,
  PowerEfficiency,
} from "../../src/protocol/analysis.ts";
import { AlertRulesBody } from "../../src/protocol/alerts.ts";
import { fakeApp } from "../fakes.ts";

const TOKEN = "secret-token-1";
const HOUR_MS = 3_600_000;
const json = { "Content-Type": "application/json" };

Deno.test("GET /api/alerts passes the window, limit and severity on; bad ones are 400", async (t) => {
  const { app, fakes, nowMs } = fakeApp();
  const event = {
    id: 7,
    metric: "a" as const,
    severity: "danger" as const,
    state: "raised" as const,
    value: 0.9,
    limit: 0.8,
    message: "Current high",
    ts_ms: nowMs - 1000,
  };
  fakes.alerts.stored = [event, { ...event, id: 8, severity: "warning" }];
  const body = await (await app.request("/api/alerts?hours=1&severity=danger&limit=5")).json();
  assert.deepEqual(body, { data: [event], count: 1, from_ms: nowMs - HOUR_MS, to_ms: nowMs });
  const day = await (await app.request("/api/alerts")).json();
  assert.equal(day.from_ms, nowMs - 24 * HOUR_MS, "default 24 h");
  assert.deepEqual(fakes.alerts.log, [
    `history ${nowMs - HOUR_MS} ${nowMs} 5 danger`,
    `history ${nowMs - 24 * HOUR_MS} ${nowMs} 1000 undefined`,
  ]);
  for (
    const path of [
      "/api/alerts?severity=critical",
      "/api/alerts?limit=0",
      "/api/alerts?limit=10001",
      "/api/alerts?hours=800",
      "/api/analysis/outliers/recent?limit=0",
      "/api/analysis/outliers/recent?limit=1001",
      "/api/power-efficiency?hours=800",
      "/api/power-efficiency?from=soon",
    ]
  ) {
    await t.step(path, async () => {
      const res = await app.request(path);
      assert.equal(res.status, 400);
      const answer = await res.json();
      assert.equal(typeof answer.error, "string");
      assert.ok(answer.issues.length > 0);
    });
  }
  assert.equal(fakes.alerts.log.length, 2, "refused requests read nothing");
  assert.deepEqual(fakes.spans.log, []);
});

Deno.test("GET /api/alerts/active and /api/alerts/rules answer what the alerts hold", async () => {
  const { app, fakes, nowMs } = fakeApp();
  const raised = {
    metric: "w" as const,
    severity: "warning" as const,
    since_ms: nowMs,
    value: 9,
    limit: 8,
  };
  fakes.alerts.raised = [raised];
  fakes.alerts.ruleList = [...DEFAULT_RULES];
  assert.deepEqual(await (await app.request("/api/alerts/active")).json(), {
    data: [raised],
    count: 1,
  });
  const rules = await (await app.request("/api/alerts/rules")).json();
  assert.deepEqual(AlertRulesBody.parse(rules).rules, DEFAULT_RULES);
});

Deno.test("PUT /api/alerts/rules validates, needs the token, and applies through setRules", async (t) => {
  const { app, fakes } = fakeApp({
    security: { apiToken: TOKEN, readTokenRequired: false, allowedOrigins: [] },
  });
  const put = (body: unknown, headers: Record<string, string> = {
    ...json,
    Authorization: `Bearer ${TOKEN}`,
  }) => app.request("/api/alerts/rules", { method: "PUT", headers, body: JSON.stringify(body) });
  const rule = { metric: "a", warning_high: 0.1, hysteresis: 0.01, for_ms: 0 };
  let res = await put({ rules: [rule] }, json);
  assert.equal(res.status, 401);
  await res.body?.cancel();
  const bad = [
    { rules: [{ ...rule, warning_high: undefined }] },
    { rules: [{ ...rule, danger_high: 0.05 }] },
    { rules: [rule, rule] },
    { rules: [{ ...rule, metric: "x" }] },
    { rules: [{ ...rule, hysteresis: -1 }] },
    { rules: [{ ...rule, extra: 1 }] },
  ];
  for (const body of bad) {
    await t.step(JSON.stringify(body), async () => {
      res = await put(body);
      assert.equal(res.status, 400);
      assert.ok((await res.json()).issues.length > 0);
    });
  }
  await t.step("a limit no current can reach names the field and the bound", async () => {
    res = await put({ rules: [DEFAULT_RULES[0], { ...rule, danger_high: 1e308 }] });
    assert.equal(res.status, 400);
    const body = await res.json();
    assert.equal(body.error, "Invalid request body");
    assert.deepEqual(body.issues, [{
      path: "rules.1.danger_high",
      message: "danger_high 1e+308 A is not a physical current limit: must be within -1000…1000 A",
    }]);
  });
  assert.deepEqual(fakes.alerts.log, [], "refused rules change nothing");
  res = await put({ rules: [rule] });
  assert.equal(res.status, 200);
  assert.deepEqual((await res.json()).rules, [{ ...rule, enabled: true }]);
  assert.deepEqual(fakes.alerts.log, ["setRules"]);
});

Deno.test("moving averages and outliers answer the live analysis in the documented shapes", async () => {
  const { app, fakes, nowMs } = fakeApp();
  const ma = await (await app.request("/api/analysis/moving-averages")).json();
  assert.deepEqual(MovingAverages.parse(ma), {
    ts_ms: nowMs,
    v: { ma_1m: 5, ma_5m: 5, ma_15m: 5 },
    a: { ma_1m: 0.2, ma_5m: 0.2, ma_15m: 0.2 },
    w: { ma_1m: 1, ma_5m: 1, ma_15m: 1 },
  });
  const outlier = (seq: number) => ({
    metric: "a" as const,
    method: "zscore" as const,
    value: 0.9,
    score: 6,
    severity: "danger" as const,
    ts_ms: nowMs - seq,
    seq,
  });
  fakes.analysis.outliers = [outlier(1), outlier(2), outlier(3)];
  const recent = await (await app.request("/api/analysis/outliers/recent?limit=2")).json();
  assert.deepEqual(recent.data.map((o: { seq: number }) => o.seq), [3, 2]);
  assert.equal(recent.count, 2);
  const summary = await (await app.request("/api/analysis/outliers/summary")).json();
  assert.equal(OutlierSummary.parse(summary).last?.seq, 3);
});

Deno.test("GET /api/power-efficiency: reports the span figures of its window", async () => {
  const { app, fakes, nowMs } = fakeApp();
  fakes.spans.answer = {
    ...fakes.spans.answer,
    count: 4,
    errors: 1,
    v: { min: 4.9, max: 5.1, avg: 5, p2p: 0.2, rms: 5, sd: 0.1 },
    a: { min: 0.3, max: 0.5, avg: 0.4, p2p: 0.2, rms: 0.4, sd: 0.1 },
    w: { min: 1, max: 3, avg: 2, p2p: 2, rms: 2, sd: 1 },
    energy_j: 7200,
    energy_wh: 2,
    charge_c: 1440,
    charge_ah: 0.4,
  };
  const body = await (await app.request("/api/power-efficiency?hours=2")).json();
  assert.deepEqual(PowerEfficiency.parse(body), {
    from_ms: nowMs - 2 * HOUR_MS,
    to_ms: nowMs,
    energy_wh: 2,
    charge_ah: 0.4,
    avg_power_w: 2,
    peak_power_w: 3,
    avg_voltage_v: 5,
    avg_current_a: 0.4,
    samples: 4,
    errors: 1,
  });
  await (await app.request("/api/power-efficiency")).body?.cancel();
  assert.deepEqual(fakes.spans.log, [
    `span ${nowMs - 2 * HOUR_MS} ${nowMs}`,
    `span ${nowMs - 24 * HOUR_MS} ${nowMs}`,
  ], "one span read per request, over the window asked (24 h by default)");
  fakes.spans.answer = {
    ...fakes.spans.answer,
    count: 0,
    w: { min: null, max: null, avg: null, p2p: null, rms: null, sd: null },
  };
  const empty = await (await app.request("/api/power-efficiency?hours=1")).json();
  assert.deepEqual([empty.avg_power_w, empty.peak_power_w], [null, null], "no samples: no figures");
});

Deno.test("POST /api/energy/reset answers the counters before it, and needs the token", async () => {
  const { app, fakes } = fakeApp({
    security: { apiToken: TOKEN, readTokenRequired: false, allowedOrigins: [] },
  });
  fakes.energy.sinceResetJ = 7200;
  fakes.energy.sinceResetC = 720;
  let res = await app.request("/api/energy/reset", { method: "POST" });
  assert.equal(res.status, 401);
  await res.body?.cancel();
  assert.equal(fakes.energy.resets, 0);
  res = await app.request("/api/energy/reset", {
    method: "POST",
    headers: { Authorization: `Bearer ${TOKEN}` },
  });
  assert.equal(res.status, 200);
  assert.deepEqual(EnergyResetResponse.parse(await res.json()), {
    status: "ok",
    energy_since_ms: fakes.energy.nowMs,
    previous: { energy_wh: 2, charge_ah: 0.2 },
  });
  assert.equal(fakes.energy.resets, 1);
});
