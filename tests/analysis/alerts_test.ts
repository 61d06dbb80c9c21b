/** Tests of src/analysis/alerts.ts: the alert engine raises, escalates and clears once. */
import assert from "node:assert/strict";
import {
  AlertEngine,
  alertMetricsOf,
  DEFAULT_RULES,
  ruleMetricIssues,
  rulesFor,
} from "../../src/analysis/alerts.ts";
import { loadConfig } from "../../src/config.ts";
import { type AlertEvent, AlertRule } from "../../src/protocol/alerts.ts";
import { type Metric } from "../../src/analysis/rolling.ts";
import { seededRandom } from "../../src/sources/mock.ts";

const T0 = 1_700_000_000_000;

function run(engine: AlertEngine, metric: Metric, values: number[], stepMs = 100) {
  const events: AlertEvent[] = [];
  values.forEach((x, i) => {
    const e = engine.evaluate(metric, x, T0 + i * stepMs);
    if (e) events.push(e);
  });
  return events;
}

const currentRule: AlertRule = {
  metric: "a",
  warning_high: 0.4,
  danger_high: 0.5,
  hysteresis: 0.02,
  for_ms: 1000,
  enabled: true,
};

Deno.test("AlertEngine raises once and clears once for a noisy signal at a limit", () => {
  const engine = new AlertEngine([currentRule]);
  const random = seededRandom(4);
  // 3 s normal, 5 s of noise straddling 0.5 A (mostly above), 5 s back to 0.2 A.
  const values = [
    ...Array.from({ length: 30 }, () => 0.2),
    ...Array.from({ length: 15 }, () => 0.52 + random() * 0.02),
    ...Array.from({ length: 35 }, () => 0.49 + random() * 0.05),
    ...Array.from({ length: 50 }, () => 0.2 + random() * 0.01),
  ];
  const events = run(engine, "a", values);
  assert.deepEqual(events.map((e) => `${e.state}:${e.severity}`), [
    "raised:danger",
    "cleared:danger",
  ]);
  assert.equal(events[0].limit, 0.5);
  assert.equal(events[0].ts_ms, T0 + 40 * 100, "after holding 1 s");
  assert.match(events[0].message, /Current danger: 0\.5\d\d A is above 0\.5 A/);
});

Deno.test("AlertEngine escalates, de-escalates and ignores blips shorter than for_ms", () => {
  const engine = new AlertEngine([currentRule]);
  const events = run(engine, "a", [
    ...Array(5).fill(0.45), // 0.5 s blip: too short
    ...Array(10).fill(0.2),
    ...Array(15).fill(0.45), // warning
    ...Array(15).fill(0.7), // danger
    ...Array(15).fill(0.45), // back to warning
    ...Array(15).fill(0.39), // inside 0.4 but not by the 0.02 hysteresis: stays warning
    ...Array(15).fill(0.1), // cleared
  ]);
  assert.deepEqual(events.map((e) => `${e.state}:${e.severity}`), [
    "raised:warning",
    "escalated:danger",
    "deescalated:warning",
    "cleared:warning",
  ]);
  assert.deepEqual(engine.active(), []);
});

Deno.test("AlertEngine handles low limits (voltage drop) with the default rules", () => {
  const engine = new AlertEngine(DEFAULT_RULES);
  const events = run(engine, "v", [
    ...Array(20).fill(5),
    ...Array(20).fill(4.2),
    ...Array(20).fill(5),
  ]);
  assert.deepEqual(events.map((e) => `${e.state}:${e.severity}:${e.limit}`), [
    "raised:danger:4.5",
    "cleared:danger:4.5",
  ]);
  assert.match(events[0].message, /Voltage danger: 4\.200 V is below 4\.5 V/);
});

Deno.test("AlertEngine.setRules() replaces rules and forgets removed metrics", () => {
  const engine = new AlertEngine([currentRule]);
  run(engine, "a", Array(20).fill(0.9));
  assert.equal(engine.active().length, 1);
  engine.setRules([]);
  assert.deepEqual(engine.active(), []);
  assert.equal(engine.evaluate("a", 5, T0 + 10_000), undefined);
});

Deno.test("AlertEngine.evaluateDerived() judges efficiency and loss; a null efficiency is no value", () => {
  const engine = new AlertEngine([
    { metric: "efficiency", danger_low: 0.7, hysteresis: 0.02, for_ms: 0, enabled: true },
    { metric: "loss_w", warning_high: 2, hysteresis: 0.1, for_ms: 0, enabled: true },
  ]);
  const at = (i: number) => T0 + i * 10;
  assert.deepEqual(engine.evaluateDerived({ efficiency: 0.9, lossW: 0.5 }, at(0)), []);
  const raised = engine.evaluateDerived({ efficiency: 0.6, lossW: 2.5 }, at(1));
  assert.deepEqual(raised.map((e) => [e.metric, e.severity, e.state, e.value, e.limit]), [
    ["efficiency", "danger", "raised", 0.6, 0.7],
    ["loss_w", "warning", "raised", 2.5, 2],
  ]);
  assert.deepEqual(raised.map((e) => e.message), [
    "Efficiency danger: 0.600 is below 0.7",
    "Loss warning: 2.500 W is above 2 W",
  ]);
  // No power in: no efficiency to judge, so its alert holds; the loss still counts.
  assert.deepEqual(engine.evaluateDerived({ efficiency: null, lossW: 2.5 }, at(2)), []);
  assert.deepEqual(engine.active().map((a) => a.metric), ["efficiency", "loss_w"]);
  const cleared = engine.evaluateDerived({ efficiency: 0.75, lossW: 1.5 }, at(3));
  assert.deepEqual(cleared.map((e) => [e.metric, e.state]), [
    ["efficiency", "cleared"],
    ["loss_w", "cleared"],
  ]);
  assert.equal(engine.active().length, 0);
  // Without derived rules (a measured channel) nothing is read.
  assert.deepEqual(new AlertEngine(DEFAULT_RULES).evaluateDerived({ efficiency: 0 }, at(4)), []);
});

Deno.test("alertMetricsOf(), ruleMetricIssues() and rulesFor(): each channel kind's metrics", () => {
  const channels = loadConfig({
    CHANNELS: JSON.stringify([
      { name: "a", sensor: "mock" },
      { name: "b", sensor: "mock" },
      { name: "eff", derived: "efficiency", input: "a", output: "b" },
      { name: "tot", derived: "sum", inputs: ["a", "b"] },
    ]),
  }, []).channels;
  assert.deepEqual(channels.map(alertMetricsOf), [
    ["v", "a", "w"],
    ["v", "a", "w"],
    ["efficiency", "loss_w"],
    ["w"],
  ]);
  const rule = (metric: string) =>
    AlertRule.parse({ metric, warning_high: 1, hysteresis: 0.01, for_ms: 0 });
  assert.deepEqual(ruleMetricIssues([rule("w"), rule("efficiency")], ["w"]), [
    { path: "rules.1.metric", message: "this channel has no efficiency: its metrics are w" },
  ]);
  const configured = [rule("v"), rule("w"), rule("efficiency")];
  assert.deepEqual(rulesFor(configured, ["v", "a", "w"])?.map((r) => r.metric), ["v", "w"]);
  assert.deepEqual(rulesFor(configured, ["efficiency", "loss_w"])?.map((r) => r.metric), [
    "efficiency",
  ]);
  assert.equal(rulesFor([rule("v")], ["efficiency", "loss_w"]), null, "none of its: saved rules");
  assert.equal(rulesFor(null, ["w"]), null);
});
