/**
 * Cost of the live analysis per sample at 1 kHz: the rolling 60 s window (60 000
 * samples once full), moving averages, outlier checks and alert rules, measured on
 * mock data with the window already full. Prints ns per sample (median of runs).
 *
 * Run: `deno run bench/analysis.ts [--seconds 120] [--runs 5]`
 * @module
 */
import { parseArgs } from "node:util";
import { AlertEngine, DEFAULT_RULES } from "../src/analysis/alerts.ts";
import { Analyzer } from "../src/analysis/analyzer.ts";
import { EnergyIntegrator, EnergyTotals } from "../src/analysis/energy.ts";
import type { Sample } from "../src/sample.ts";
import { MockSource } from "../src/sources/mock.ts";

const { values } = parseArgs({
  options: { seconds: { type: "string", default: "120" }, runs: { type: "string", default: "5" } },
});
const seconds = Number(values.seconds);
const runs = Number(values.runs);
const T0 = 1_700_000_000_000;

function samples(n: number, startMs: number): Sample[] {
  const mock = new MockSource({ seed: 1, autoRotateMs: 20_000 });
  return Array.from({ length: n }, (_, i) => {
    const r = mock.read(startMs + i);
    return { tsMs: startMs + i, seq: i + 1, ...r, mode: mock.mode };
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const warmup = samples(60_000, T0);
const stream = samples(seconds * 1000, T0 + 60_000);
const perSampleNs: number[] = [];
const snapshotUs: number[] = [];
for (let run = 0; run < runs; run++) {
  const analyzer = new Analyzer({ alerts: new AlertEngine(DEFAULT_RULES) });
  const energy = new EnergyIntegrator(() => 5);
  const totals = new EnergyTotals(undefined, T0);
  const add = (s: Sample) => {
    totals.add(energy.add(s.tsMs, s.w, s.a));
    analyzer.add(s);
  };
  warmup.forEach(add);
  const start = performance.now();
  stream.forEach(add);
  perSampleNs.push((performance.now() - start) * 1e6 / stream.length);
  const t = performance.now();
  for (let i = 0; i < 100; i++) analyzer.snapshot(T0 + 60_000 + seconds * 1000);
  snapshotUs.push((performance.now() - t) * 10);
}
const ns = median(perSampleNs);
console.log(
  `analysis per sample at 1 kHz (60 s window full): ${ns.toFixed(0)} ns median of ${runs}`,
);
console.log(`  runs: ${perSampleNs.map((x) => x.toFixed(0)).join(", ")} ns`);
console.log(`  = ${(ns * 1000 / 1e6).toFixed(2)} ms of CPU per second of 1 kHz samples`);
console.log(`statistics snapshot: ${median(snapshotUs).toFixed(1)} µs`);
console.log(
  JSON.stringify({
    bench: "analysis",
    perSampleNs: ns,
    runsNs: perSampleNs,
    snapshotUs: median(snapshotUs),
  }),
);
