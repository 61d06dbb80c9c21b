import assert from "node:assert/strict";
import { AlertEngine, DEFAULT_RULES } from "../src/analysis/alerts.ts";
import { Analyzer } from "../src/analysis/analyzer.ts";
import { EnergyMeter } from "../src/energy_meter.ts";
import { Hub } from "../src/hub.ts";
import { initialRules, Pipeline } from "../src/pipeline.ts";
import type { Sample } from "../src/sample.ts";
import { FakeSocket } from "./fakes.ts";

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

Deno.test("Pipeline of a channel: samples, alerts and statistics go to that channel, marked", () => {
  const hub = new Hub({ channels: [{ name: "a" }, { name: "b" }] });
  const onA = new FakeSocket(), onB = new FakeSocket();
  hub.add(onA, undefined, ["a"]);
  hub.add(onB, undefined, ["b"]);
  const stored: Sample[] = [];
  const settings = new Map<string, unknown>();
  const pipeline = new Pipeline({
    hub,
    store: {
      append: (sample) => void stored.push(sample),
      alerts: { add: () => 7 },
      setSetting: (key, value) => void settings.set(key, value),
    },
    analyzer: new Analyzer({
      alerts: new AlertEngine([
        { metric: "a", danger_high: 0.5, hysteresis: 0, for_ms: 0, enabled: true },
      ]),
    }),
    energy: new EnergyMeter({
      storage: { getSetting: () => undefined, setSetting: () => {}, saveWithEveryFlush: () => {} },
      maxGapMs: () => 5000,
      announce: () => {},
    }),
    channel: "b",
    now: () => 1_700_000_001_000,
  });
  pipeline.onSample({
    tsMs: 1_700_000_000_000,
    seq: 1,
    v: 5,
    a: 0.9,
    w: 4.5,
    status: "ok",
    mode: "N",
  });
  pipeline.broadcastStatistics();
  assert.equal(onA.sent.length, 0, "nothing reaches channel a's client");
  const types = onB.messages().map((m) => [m.type, (m.data as { channel: string }).channel]);
  assert.deepEqual(types, [["measurement", "b"], ["alert", "b"], ["statistics", "b"]]);
  assert.equal(stored.length, 1);
});

Deno.test("Pipeline of a derived channel never stores its samples", () => {
  const hub = new Hub({ channels: [{ name: "eff" }] });
  const stored: Sample[] = [];
  const pipeline = new Pipeline({
    hub,
    store: { append: (s) => void stored.push(s), alerts: { add: () => 1 }, setSetting: () => {} },
    analyzer: new Analyzer({ alerts: new AlertEngine([]) }),
    energy: new EnergyMeter({
      storage: { getSetting: () => undefined, setSetting: () => {}, saveWithEveryFlush: () => {} },
      maxGapMs: () => 5000,
      announce: () => {},
    }),
    channel: "eff",
    derived: true,
  });
  pipeline.onSample({ tsMs: 1, seq: 1, v: 5, a: 0.1, w: 0.5, status: "ok", mode: "DERIVED" });
  assert.equal(pipeline.samplesTotal, 1);
  assert.deepEqual(stored, []);
});
