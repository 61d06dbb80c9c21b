/**
 * deploy/prometheus/ as promtool sees it: the configuration and the rule files are valid,
 * the unit tests in deploy/prometheus/tests/ pass, every alert rule (and severity) has one,
 * and they fail when a threshold is wrong.
 */
import assert from "node:assert/strict";
import { parse } from "yaml";
import { prometheusAvailable, promtool } from "../prometheus.ts";

const ignore = !prometheusAvailable();
const DIR = new URL("../../deploy/prometheus/", import.meta.url).pathname;

interface Rule {
  alert?: string;
  record?: string;
  labels?: Record<string, string>;
}

function rulesOf(file: string): Rule[] {
  const doc = parse(Deno.readTextFileSync(`${DIR}/${file}`)) as { groups: { rules: Rule[] }[] };
  return doc.groups.flatMap((g) => g.rules);
}

function ruleTestFiles(): string[] {
  return [...Deno.readDirSync(`${DIR}/tests`)].map((e) => `tests/${e.name}`).sort();
}

Deno.test({
  name: "deploy/prometheus passes promtool check config and check rules",
  ignore,
  async fn() {
    const config = await promtool(["check", "config", "prometheus.yml"], DIR);
    assert.equal(config.code, 0, config.output);
    // check config loads the rule files the configuration names: both are found.
    assert.match(config.output, /ina219_alerts\.yml/);
    assert.match(config.output, /ina219_recording\.yml/);
    const rules = await promtool(["check", "rules", "rules/ina219_alerts.yml"], DIR);
    assert.equal(rules.code, 0, rules.output);
    const recording = await promtool(["check", "rules", "rules/ina219_recording.yml"], DIR);
    assert.equal(recording.code, 0, recording.output);
  },
});

Deno.test({
  name: "deploy/prometheus/tests: promtool test rules passes",
  ignore,
  async fn() {
    const files = ruleTestFiles();
    assert.ok(files.length >= 3, files.join());
    const run = await promtool(["test", "rules", ...files], DIR);
    assert.equal(run.code, 0, run.output);
  },
});

Deno.test("deploy/prometheus/tests cover every alert rule at each of its severities", () => {
  const wanted = new Set(
    rulesOf("rules/ina219_alerts.yml").filter((r) => r.alert).map((r) =>
      `${r.alert}/${r.labels?.severity}`
    ),
  );
  assert.ok(wanted.size >= 12, [...wanted].join());
  const firing = new Set<string>();
  for (const file of ruleTestFiles()) {
    const doc = parse(Deno.readTextFileSync(`${DIR}/${file}`)) as {
      tests: {
        alert_rule_test?: {
          alertname: string;
          exp_alerts: { exp_labels: Record<string, string> }[];
        }[];
      }[];
    };
    for (const t of doc.tests) {
      for (const a of t.alert_rule_test ?? []) {
        for (const e of a.exp_alerts) firing.add(`${a.alertname}/${e.exp_labels.severity}`);
      }
    }
  }
  assert.deepEqual([...wanted].filter((w) => !firing.has(w)), [], "alerts no test sees fire");
  // Every recording rule has an expression test too.
  const recorded = rulesOf("rules/ina219_recording.yml").map((r) => r.record!);
  const tested = Deno.readTextFileSync(`${DIR}/tests/recording_test.yml`);
  assert.deepEqual(recorded.filter((r) => !tested.includes(`expr: ${r}\n`)), []);
});

Deno.test({
  name: "deploy/prometheus/tests fail when a rule's threshold or duration is wrong",
  ignore,
  async fn(t) {
    const mutations: [string, string, string][] = [
      [
        "danger current at 0.6 A",
        "ina219_current_amperes > 0.5\n",
        "ina219_current_amperes > 0.6\n",
      ],
      ["warning bands overlap", "ina219_power_watts > 1.7 <= 2.0", "ina219_power_watts > 1.7"],
      [
        "low voltage at 4.4 V",
        "ina219_bus_voltage_volts < 4.5\n",
        "ina219_bus_voltage_volts < 4.4\n",
      ],
      [
        "monitor down after 2 m",
        'up{job="ina219"} == 0\n        for: 1m',
        'up{job="ina219"} == 0\n        for: 2m',
      ],
      [
        "sample rate at 50 %",
        "< 0.8 / ina219_sample_interval_seconds",
        "< 0.5 / ina219_sample_interval_seconds",
      ],
      ["no keep_firing_for", "keep_firing_for: 1m", "keep_firing_for: 0s"],
    ];
    const copy = await Deno.makeTempDir({ prefix: "ina219-rules-" });
    try {
      await Deno.mkdir(`${copy}/rules`);
      await Deno.mkdir(`${copy}/tests`);
      for (const f of ruleTestFiles()) await Deno.copyFile(`${DIR}/${f}`, `${copy}/${f}`);
      await Deno.copyFile(
        `${DIR}/rules/ina219_recording.yml`,
        `${copy}/rules/ina219_recording.yml`,
      );
      const original = Deno.readTextFileSync(`${DIR}/rules/ina219_alerts.yml`);
      for (const [what, from, to] of mutations) {
        await t.step(what, async () => {
          assert.ok(original.includes(from), from);
          Deno.writeTextFileSync(`${copy}/rules/ina219_alerts.yml`, original.replaceAll(from, to));
          const run = await promtool(["test", "rules", ...ruleTestFiles()], copy);
          assert.notEqual(run.code, 0, `${what}: the tests still pass`);
        });
      }
    } finally {
      await Deno.remove(copy, { recursive: true });
    }
  },
});
