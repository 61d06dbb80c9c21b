/**
 * Alert rules on derived channels over a real server: an efficiency channel's
 * `efficiency` and `loss_w`, a sum channel's `w`; PUT checks the metrics the channel
 * has; transitions reach the channel's WebSocket clients marked, the alert history,
 * the active list and /metrics.
 * @module
 */
import assert from "node:assert/strict";
import { type Message, withMonitor } from "./harness.ts";

const CHANNELS = JSON.stringify([
  { name: "a", sensor: "mock", mock_seed: 1, sample_interval_ms: 10 },
  { name: "b", sensor: "mock", mock_seed: 2, sample_interval_ms: 10 },
  { name: "eff", derived: "efficiency", input: "a", output: "b" },
  { name: "tot", derived: "sum", inputs: ["a", "b"] },
]);

const put = (rules: unknown[]) => ({
  method: "PUT",
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify({ rules }),
});

/** The `alert` messages' data. */
function alerts(messages: Message[]): Record<string, unknown>[] {
  return messages.filter((m) => m.type === "alert").map((m) => m.data as never);
}

Deno.test("alert rules on derived channels: efficiency and loss raise and clear, marked with the channel", async () => {
  await withMonitor({ CHANNELS }, async (h) => {
    // Metrics the channel does not have are refused, naming the rule and the metrics.
    const bad = await h.request(
      "PUT",
      "/api/alerts/rules?channel=eff",
      put([
        { metric: "efficiency", danger_low: 0.6, hysteresis: 0.05, for_ms: 0 },
        { metric: "v", danger_low: 4.5, hysteresis: 0.05, for_ms: 0 },
      ]),
    );
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body, {
      error: "Invalid alert rules",
      issues: [{
        path: "rules.1.metric",
        message: "this channel has no v: its metrics are efficiency, loss_w",
      }],
    });
    const sumBad = await h.request(
      "PUT",
      "/api/alerts/rules?channel=tot",
      put([
        { metric: "loss_w", warning_high: 1, hysteresis: 0.1, for_ms: 0 },
      ]),
    );
    assert.equal(sumBad.status, 400);
    assert.equal(sumBad.body.issues[0].message, "this channel has no loss_w: its metrics are w");
    const measuredBad = await h.request(
      "PUT",
      "/api/alerts/rules?channel=a",
      put([
        { metric: "efficiency", danger_low: 0.5, hysteresis: 0.05, for_ms: 0 },
      ]),
    );
    assert.equal(measuredBad.status, 400, "a measured channel has no efficiency");
    const range = await h.request(
      "PUT",
      "/api/alerts/rules?channel=eff",
      put([
        { metric: "efficiency", danger_low: 3, hysteresis: 0.05, for_ms: 0 },
      ]),
    );
    assert.equal(range.status, 400);
    assert.match(JSON.stringify(range.body.issues), /must be within 0…2/);
    // Nothing changed: a derived channel starts with no rules (the 5 V defaults are a rail's).
    assert.deepEqual((await h.request("GET", "/api/alerts/rules?channel=eff")).body, { rules: [] });

    // NORMAL on both: efficiency 0.65 to 1.5, loss under 0.3 W; LOAD_SPIKE on a: at
    // most 0.45 and at least 2 W.
    const rules = [
      { metric: "efficiency", danger_low: 0.5, hysteresis: 0.05, for_ms: 0 },
      { metric: "loss_w", warning_high: 1.5, hysteresis: 0.2, for_ms: 0 },
    ];
    const ok = await h.request("PUT", "/api/alerts/rules?channel=eff", put(rules));
    assert.equal(ok.status, 200);
    assert.equal(ok.body.rules.length, 2);
    const sum = await h.request(
      "PUT",
      "/api/alerts/rules?channel=tot",
      put([
        { metric: "w", warning_high: 50, hysteresis: 1, for_ms: 0 },
      ]),
    );
    assert.equal(sum.status, 200);

    const eff = await h.connect("?channel=eff");
    const plain = await h.connect();
    await eff.nextMeasurements(20);
    assert.deepEqual(alerts(eff.messages), [], "NORMAL on both: efficiency about 1");
    // The input draws about 4 W: efficiency about 0.25, loss about 3 W.
    assert.equal((await h.post("/simulator/mode?channel=a", { mode: "LOAD_SPIKE" })).status, 200);
    const raised = await eff.until(
      "efficiency and loss raised",
      (ms) => alerts(ms).filter((a) => a.state === "raised").length >= 2,
    );
    const up = alerts(raised);
    assert.deepEqual(
      up.map((a) => [a.channel, a.metric, a.severity, a.state]).sort(),
      [["eff", "efficiency", "danger", "raised"], ["eff", "loss_w", "warning", "raised"]],
    );
    const efficiency = up.find((a) => a.metric === "efficiency")!;
    assert.ok((efficiency.value as number) < 0.5 && efficiency.limit === 0.5);
    assert.match(efficiency.message as string, /^Efficiency danger: 0\.\d{3} is below 0\.5$/);
    assert.match(
      up.find((a) => a.metric === "loss_w")!.message as string,
      /^Loss warning: \d\.\d{3} W is above 1\.5 W$/,
    );

    const active = await h.request("GET", "/api/alerts/active?channel=eff");
    assert.deepEqual(
      active.body.data.map((a: { metric: string }) => a.metric).sort(),
      ["efficiency", "loss_w"],
    );
    const metrics = (await h.request("GET", "/metrics")).body as string;
    assert.match(
      metrics,
      /ina219_alert_active\{channel="eff",metric="efficiency",severity="danger"\} 1/,
    );

    const from = eff.messages.length;
    assert.equal((await h.post("/simulator/mode?channel=a", { mode: "NORMAL" })).status, 200);
    const cleared = await eff.until(
      "efficiency and loss cleared",
      (ms) => alerts(ms).filter((a) => a.state === "cleared").length >= 2,
      { from },
    );
    assert.deepEqual(
      alerts(cleared).filter((a) => a.state === "cleared").map((a) => a.metric).sort(),
      ["efficiency", "loss_w"],
    );
    const history = await h.request("GET", "/api/alerts?channel=eff&hours=1");
    assert.ok(history.body.count >= 4, `${history.body.count} transitions stored`);
    assert.ok(
      history.body.data.every((a: { metric: string }) =>
        ["efficiency", "loss_w"].includes(a.metric)
      ),
    );
    assert.deepEqual(alerts(plain.messages), [], "the first channel's clients hear none of it");
  });
});
