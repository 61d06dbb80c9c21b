/** Tests of src/protocol/alerts.ts: the alert rule schema's physical limits. */
import assert from "node:assert/strict";
import { DEFAULT_RULES } from "../../src/analysis/alerts.ts";
import { AlertRule, AlertRules } from "../../src/protocol/alerts.ts";

Deno.test("AlertRule refuses limits outside the metric's physical range, naming the field", async (t) => {
  const rule = { metric: "v", danger_low: 4.5, danger_high: 5.5, hysteresis: 0.05, for_ms: 0 };
  const rows: [string, Record<string, unknown>, string, RegExp][] = [
    [
      "1e308 V",
      { danger_high: 1e308 },
      "danger_high",
      /^danger_high 1e\+308 V is not a physical voltage limit: must be within -40…100 V$/,
    ],
    ["-41 V", { danger_low: -41 }, "danger_low", /danger_low -41 V is not a physical/],
    [
      "1001 A",
      { metric: "a", danger_low: undefined, danger_high: 1001 },
      "danger_high",
      /within -1000…1000 A/,
    ],
    ["-1e6 W", { metric: "w", danger_low: -1e6 }, "danger_low", /within -100000…100000 W/],
    [
      "hysteresis ≥ half the band",
      { hysteresis: 0.5 },
      "hysteresis",
      /^hysteresis 0.5 V is too large: an alert could never clear \(twice the hysteresis must be less than the 1 V between the low and high limits\)$/,
    ],
    [
      "hysteresis past the physical bound",
      { metric: "a", danger_low: undefined, danger_high: 0.5, hysteresis: 2000 },
      "hysteresis",
      /the hysteresis must be less than the 1000.5 A between the limit and the physical bound/,
    ],
    ["for_ms over an hour", { for_ms: 3_600_001 }, "for_ms", /3600000/],
    ["negative hysteresis", { hysteresis: -0.1 }, "hysteresis", />=0/],
  ];
  for (const [name, change, field, message] of rows) {
    await t.step(name, () => {
      const result = AlertRule.safeParse({ ...rule, ...change });
      assert.equal(result.success, false);
      const issue = result.error!.issues.find((i) => i.path.join(".") === field);
      assert.ok(issue, JSON.stringify(result.error!.issues));
      assert.match(issue.message, message);
    });
  }
  await t.step("the index of the rule is in the path of a rule set", () => {
    const result = AlertRules.safeParse([DEFAULT_RULES[1], { ...rule, danger_high: 1e308 }]);
    assert.deepEqual(result.error?.issues.map((i) => i.path.join(".")), ["1.danger_high"]);
  });
  await t.step("the edges of the ranges and the defaults are accepted", () => {
    assert.ok(AlertRules.safeParse(DEFAULT_RULES).success);
    assert.ok(AlertRule.safeParse({ ...rule, danger_low: -40, danger_high: 100 }).success);
    assert.ok(AlertRule.safeParse({ ...rule, hysteresis: 0.5 - 1e-9 }).success);
    assert.ok(
      AlertRule.safeParse({ metric: "w", warning_high: 100_000, hysteresis: 0, for_ms: 3_600_000 })
        .success,
    );
  });
});

Deno.test("AlertRule: efficiency limits are a ratio within 0…2, loss limits within ±100 kW", async (t) => {
  const rows: [string, Record<string, unknown>, RegExp | null][] = [
    ["efficiency 0.8", { metric: "efficiency", danger_low: 0.8 }, null],
    [
      "efficiency 2.5",
      { metric: "efficiency", warning_high: 2.5 },
      /^warning_high 2.5 is not a physical efficiency limit: must be within 0…2$/,
    ],
    ["efficiency -0.1", { metric: "efficiency", danger_low: -0.1 }, /within 0…2$/],
    ["loss 50 W", { metric: "loss_w", warning_high: 50 }, null],
    [
      "loss 2e5 W",
      { metric: "loss_w", danger_high: 2e5 },
      /^danger_high 200000 W is not a physical loss limit: must be within -100000…100000 W$/,
    ],
  ];
  for (const [name, fields, message] of rows) {
    await t.step(name, () => {
      const result = AlertRule.safeParse({ hysteresis: 0.01, for_ms: 0, ...fields });
      if (message === null) return assert.ok(result.success, JSON.stringify(result.error));
      assert.ok(!result.success);
      assert.match(result.error.issues[0].message, message);
    });
  }
  // One rule per metric, all five metrics in one set (ALERT_RULES spans every channel kind).
  const all = ["v", "a", "w", "efficiency", "loss_w"].map((metric) => ({
    metric,
    warning_high: 1,
    hysteresis: 0.01,
    for_ms: 0,
  }));
  assert.ok(AlertRules.safeParse(all).success);
  assert.ok(!AlertRules.safeParse([...all, all[3]]).success, "a second efficiency rule");
});
