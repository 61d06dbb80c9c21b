import assert from "node:assert/strict";
import { AlertEngine, DEFAULT_RULES } from "../../src/analysis/alerts.ts";
import { type AlertEvent, AlertRule, AlertRules } from "../../src/protocol/alerts.ts";
import { Analyzer } from "../../src/analysis/analyzer.ts";
import { SecondBuckets } from "../../src/analysis/averages.ts";
import { EnergyIntegrator, EnergyTotals } from "../../src/analysis/energy.ts";
import { OutlierDetector, quantile } from "../../src/analysis/outliers.ts";
import { type Metric, METRICS, RollingWindow } from "../../src/analysis/rolling.ts";
import type { Sample } from "../../src/sample.ts";
import { seededRandom } from "../../src/sources/mock.ts";

const T0 = 1_700_000_000_000;

function close(actual: number | null, expected: number | null, what: string, eps = 1e-9) {
  if (actual === null || expected === null) return assert.equal(actual, expected, what);
  assert.ok(
    Math.abs(actual - expected) <= eps * Math.max(1, Math.abs(expected)),
    `${what}: ${actual} ≠ ${expected}`,
  );
}

Deno.test("RollingWindow equals a naive recomputation on random streams", async (t) => {
  const kinds = {
    "irregular": (r: () => number) => Math.round(r() * 1000) / 1000,
    "long equal runs": (r: () => number) => (r() < 0.95 ? 1.5 : Math.floor(r() * 4)),
    "monotonic ramps": (() => {
      let x = 0;
      return (r: () => number) => (x += r() < 0.99 ? 0.001 : -5);
    })(),
  };
  for (const [name, next] of Object.entries(kinds)) {
    await t.step(name, () => {
      const random = seededRandom(name.length);
      const window = new RollingWindow(2000, 4); // tiny initial capacity: exercises growth
      const seen: { ts: number; v: number; a: number; w: number }[] = [];
      let ts = T0;
      for (let i = 0; i < 6000; i++) {
        // Mostly 1-20 ms apart, sometimes a gap longer than the whole window.
        ts += random() < 0.002 ? 5000 : 1 + Math.floor(random() * 20);
        const s = { ts, v: next(random), a: next(random), w: next(random) };
        window.push(s.ts, s.v, s.a, s.w);
        seen.push(s);
        if (i % 7 !== 0) continue;
        const inside = seen.filter((x) => x.ts > ts - 2000);
        assert.equal(window.count, inside.length);
        for (const m of METRICS) {
          const values = inside.map((x) => x[m]);
          const stats = window.stats(m);
          const avg = values.reduce((p, x) => p + x, 0) / values.length;
          close(stats.min, Math.min(...values), `${m}.min @${i}`);
          close(stats.max, Math.max(...values), `${m}.max @${i}`);
          close(stats.avg, avg, `${m}.avg @${i}`, 1e-9);
          const std = Math.sqrt(values.reduce((p, x) => p + (x - avg) ** 2, 0) / values.length);
          close(stats.std, std, `${m}.std @${i}`, 1e-6);
        }
      }
    });
  }
});

Deno.test("RollingWindow is empty after a gap longer than the window", () => {
  const window = new RollingWindow(1000);
  window.push(T0, 1, 2, 3);
  window.evict(T0 + 5000);
  assert.deepEqual(window.stats("v"), { count: 0, min: null, max: null, avg: null, std: null });
});

Deno.test("SecondBuckets averages whole seconds over 1, 5 and 15 minutes", () => {
  const buckets = new SecondBuckets(900);
  const all: { ts: number; v: number }[] = [];
  const random = seededRandom(9);
  for (let ts = T0; ts < T0 + 1_200_000; ts += 1 + Math.floor(random() * 300)) {
    const v = random();
    buckets.add(ts, v, 0, 0);
    all.push({ ts, v });
  }
  const nowMs = all.at(-1)!.ts;
  const nowS = Math.floor(nowMs / 1000);
  for (const windowS of [60, 300, 900]) {
    const inside = all.filter((x) => Math.floor(x.ts / 1000) > nowS - windowS);
    const want = inside.reduce((p, x) => p + x.v, 0) / inside.length;
    close(buckets.average("v", windowS, nowMs), want, `${windowS} s`, 1e-9);
  }
  assert.equal(buckets.average("v", 60, nowMs + 3_600_000), null, "nothing in the last minute");
});

Deno.test("EnergyIntegrator: 1 W for an hour is 1 Wh; a known waveform matches its integral", () => {
  const e = new EnergyIntegrator(() => 5000);
  let joules = 0, coulombs = 0;
  for (let s = 0; s <= 3600; s++) {
    const step = e.add(T0 + s * 1000, 1, 0.2);
    joules += step.energyJ;
    coulombs += step.chargeC;
  }
  close(joules / 3600, 1, "Wh");
  close(coulombs / 3600, 0.2, "Ah");

  // w(t) = 2 + sin(2πt/10 s) over 10 s at 1 ms: the integral is 20 J.
  const wave = new EnergyIntegrator(() => 5);
  let waveJ = 0;
  for (let ms = 0; ms <= 10_000; ms++) {
    waveJ += wave.add(T0 + ms, 2 + Math.sin(2 * Math.PI * ms / 10_000), 0).energyJ;
  }
  close(waveJ, 20, "sine energy", 1e-6);
});

Deno.test("EnergyIntegrator skips gaps longer than the limit and restarts after a break", () => {
  const e = new EnergyIntegrator(() => 2500);
  e.add(T0, 1, 1);
  assert.deepEqual(e.add(T0 + 3000, 1, 1), { energyJ: 0, chargeC: 0 }, "3 s gap > 2.5 s");
  assert.deepEqual(e.add(T0 + 4000, 1, 1), { energyJ: 1, chargeC: 1, dtMs: 1000 });
  e.break();
  assert.deepEqual(e.add(T0 + 5000, 1, 1), { energyJ: 0, chargeC: 0 }, "after a failed read");
});

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

Deno.test("OutlierDetector flags a spike by z-score and IQR, and not uniform noise", () => {
  const window = new RollingWindow(60_000);
  const detector = new OutlierDetector(window);
  const random = seededRandom(2);
  let flagged = 0;
  for (let i = 0; i < 600; i++) {
    const v = 5 + (random() * 2 - 1) * 0.05;
    window.push(T0 + i * 100, v, 0, 0);
    flagged += detector.check("v", v, T0 + i * 100, i).length;
  }
  assert.equal(flagged, 0, "uniform noise is never 3 standard deviations out");
  window.push(T0 + 60_000, 6, 0, 0);
  const flags = detector.check("v", 6, T0 + 60_000, 600);
  assert.deepEqual(flags.map((f) => `${f.method}:${f.severity}`).sort(), [
    "iqr:danger",
    "zscore:danger",
  ]);
  assert.ok(flags.every((f) => f.score > 3));
});

Deno.test("quantile() interpolates", () => {
  const sorted = new Float64Array([1, 2, 3, 4]);
  assert.equal(quantile(sorted, 0), 1);
  assert.equal(quantile(sorted, 0.5), 2.5);
  assert.equal(quantile(sorted, 1), 4);
});

Deno.test("Analyzer: failed reads never move any figure", () => {
  const analyzer = new Analyzer({ alerts: new AlertEngine(DEFAULT_RULES) });
  // The energy figures sit beside the window figures in the statistics message.
  const totals = new EnergyTotals(undefined, T0);
  const snapshot = (nowMs: number) => ({ ...analyzer.snapshot(nowMs), ...totals.figures() });
  const ok = (i: number, a: number): Sample => ({
    tsMs: T0 + i * 1000,
    seq: i,
    v: 5,
    a,
    w: 5 * a,
    status: "ok",
    mode: "NORMAL",
  });
  for (let i = 0; i < 30; i++) {
    totals.add({ energyJ: 1, chargeC: 0.2 });
    analyzer.add(ok(i, 0.2));
  }
  const before = snapshot(T0 + 30_000);
  const beforeOutliers = analyzer.outlierSummary(T0 + 30_000);
  for (let i = 30; i < 40; i++) {
    totals.add({ energyJ: 0, chargeC: 0 });
    const events = analyzer.add(
      {
        tsMs: T0 + i * 1000,
        seq: i,
        v: 0,
        a: 0,
        w: 0,
        status: "error",
        mode: "NORMAL",
        error: "x",
      },
    );
    assert.deepEqual(events, []);
  }
  const after = snapshot(T0 + 30_000);
  assert.deepEqual(after, before);
  assert.deepEqual(analyzer.outlierSummary(T0 + 30_000), beforeOutliers);
  assert.deepEqual(analyzer.alerts.active(), []);
  assert.equal(after.energy_wh, 30 / 3600);
  assert.equal(after.v.min, 5);
});

Deno.test("EnergyTotals.reset() zeroes the since-reset counters but not the totals", () => {
  const totals = new EnergyTotals(undefined, T0);
  totals.add({ energyJ: 3600, chargeC: 720 });
  totals.reset(T0 + 1);
  const snap = totals.figures();
  assert.equal(snap.energy_wh, 0);
  assert.equal(snap.energy_total_wh, 1);
  assert.equal(snap.charge_total_ah, 0.2);
  assert.equal(snap.energy_since_ms, T0 + 1);
});
