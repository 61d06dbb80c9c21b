import assert from "node:assert/strict";
import { DEFAULT_RULES } from "../src/analysis/alerts.ts";
import { initialRules } from "../src/pipeline.ts";

function settingsStore(saved: unknown) {
  const values = new Map<string, unknown>([["alert_rules", saved]]);
  return {
    getSetting: (key: string) => values.get(key),
    setSetting: (key: string, value: unknown) => void values.set(key, value),
  };
}

Deno.test("initialRules() warns when saved rules fail today's bounds, then uses the defaults", () => {
  const lines: string[] = [];
  const rules = initialRules(
    settingsStore([{ metric: "a", danger_high: 1e308, hysteresis: 0, for_ms: 0 }]),
    null,
    DEFAULT_RULES,
    (line) => lines.push(line),
  );
  assert.deepEqual(rules, [...DEFAULT_RULES]);
  assert.equal(lines.length, 1);
  assert.match(lines[0], /saved alert rules are no longer valid/);
});

Deno.test("initialRules() takes valid saved rules silently", () => {
  const lines: string[] = [];
  const saved = [{ metric: "a", danger_high: 0.5, hysteresis: 0.01, for_ms: 0 }];
  const rules = initialRules(settingsStore(saved), null, DEFAULT_RULES, (l) => lines.push(l));
  assert.equal(rules.length, 1);
  assert.equal(rules[0].danger_high, 0.5);
  assert.deepEqual(lines, []);
});
