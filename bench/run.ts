/**
 * @module
 * Runs every benchmark in sequence (`deno task bench`): the v1 performance
 * test, fan-out runs a to e, then our RSS beside the floor server's
 * (memory.ts); `--repeat N` runs the whole set N times
 * and prints the median of each number over the repeats.
 *
 * ```sh
 * deno run -A bench/run.ts [--quick] [--repeat 3]
 * ```
 */

import { parseArgs } from "node:util";
import {
  DEFAULT_SPECS,
  type FanoutResult,
  printFanout,
  QUICK_SECONDS,
  runFanout,
} from "./fanout.ts";
import { type MemoryResult, printMemory, runMemory } from "./memory.ts";
import { printV1Perf, runV1Perf, type V1PerfResult } from "./v1_perf.ts";
import { type Check, formatTable, median, round, toMiB } from "./_stats.ts";

/** One repetition of the whole set. */
interface Round {
  v1: V1PerfResult;
  fanout: FanoutResult[];
  memory: MemoryResult;
}

async function runOnce(quick: boolean, serverDir: string | undefined): Promise<Round> {
  const v1 = await runV1Perf({ seconds: quick ? 10 : 30, serverDir });
  printV1Perf(v1);
  const fanout: FanoutResult[] = [];
  for (const spec of DEFAULT_SPECS) {
    const seconds = quick ? QUICK_SECONDS[spec.name] : spec.seconds;
    fanout.push(await runFanout({ ...spec, seconds }, { serverDir }));
  }
  printFanout(fanout);
  const memory = await runMemory({ rounds: 1, seconds: quick ? 10 : 15, serverDir });
  printMemory(memory);
  return { v1, fanout, memory };
}

/** Median of `values` as text; with more than one value, the range too. */
function medianText(values: number[], digits = 1): string {
  const text = String(round(median(values), digits));
  if (values.length < 2) return text;
  return `${text} (${round(Math.min(...values), digits)}–${round(Math.max(...values), digits)})`;
}

/** Each target with how many of the rounds met it. */
function targetTally(checksPerRound: Check[][]): string {
  const failed = new Map<string, number>();
  for (const checks of checksPerRound) {
    for (const check of checks) {
      failed.set(check.name, (failed.get(check.name) ?? 0) + (check.pass ? 0 : 1));
    }
  }
  const missed = [...failed].filter(([, count]) => count > 0)
    .map(([name, count]) => `${name} (${count}/${checksPerRound.length})`);
  return missed.join("; ") || "-";
}

function printSummary(rounds: Round[]): void {
  const v1Runs = rounds.map((r) => r.v1);
  console.log(formatTable(["v1_perf (1 client, 1 Hz)", "median (min–max)"], [
    ["measurement rate /s", medianText(v1Runs.map((s) => s.measurementRatePerS), 2)],
    ["message rate /s", medianText(v1Runs.map((s) => s.messageRatePerS), 2)],
    ["sequence gaps", medianText(v1Runs.map((s) => s.seqGaps), 0)],
    ["latency p50 ms", medianText(v1Runs.map((s) => s.latencyP50Ms), 2)],
    ["latency p99 ms", medianText(v1Runs.map((s) => s.latencyP99Ms), 2)],
    ["server RSS max MiB", medianText(v1Runs.map((s) => toMiB(s.server?.rssMaxBytes ?? NaN)))],
  ]));
  console.log();
  const metrics: [string, (r: FanoutResult) => number, number][] = [
    ["rate/s per reader, min", (r) => r.rateMinPerS, 1],
    ["rate/s per reader, median", (r) => r.rateMedianPerS, 1],
    ["sequence gaps (all readers)", (r) => r.seqGaps, 0],
    ["latency p50 ms", (r) => r.latencyP50Ms, 2],
    ["latency p99 ms", (r) => r.latencyP99Ms, 2],
    ["latency max ms", (r) => r.latencyMaxMs, 1],
    ["server RSS max MiB", (r) => r.rssMaxMiB, 1],
    ["server RSS final MiB", (r) => r.rssFinalMiB, 1],
    ["server CPU % of a core", (r) => r.cpuPercent, 1],
    ["client CPU % of a core", (r) => r.clientCpuPercent, 1],
    ["slow-client skips", (r) => r.slowClientSkips, 0],
    ["slow-client closes", (r) => r.slowClientCloses, 0],
  ];
  console.log(formatTable(
    ["fanout", ...DEFAULT_SPECS.map((spec) => `run ${spec.name}`)],
    metrics.map(([label, pick, digits]) => [
      label,
      ...DEFAULT_SPECS.map((_, i) => medianText(rounds.map((r) => pick(r.fanout[i])), digits)),
    ]),
  ));
  console.log();
  console.log(formatTable(["memory (100 readers, 1 Hz)", "median (min–max)"], [
    ["our RSS MiB", medianText(rounds.flatMap((r) => r.memory.ours[0].finalMiB))],
    ["floor RSS MiB", medianText(rounds.flatMap((r) => r.memory.floor.finalMiB))],
    ["ours ÷ floor", medianText(rounds.map((r) => r.memory.ratio), 2)],
  ]));
  console.log();
  console.log(formatTable(["bench", "missed targets (rounds missed / rounds)"], [
    ["v1_perf", targetTally(v1Runs.map((s) => s.checks))],
    ...DEFAULT_SPECS.map((spec, i) => [
      `fanout ${spec.name}`,
      targetTally(rounds.map((r) => r.fanout[i].checks)),
    ]),
    ["memory", targetTally(rounds.map((r) => r.memory.checks))],
  ]));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      quick: { type: "boolean", default: false },
      repeat: { type: "string", default: "1" },
      "server-dir": { type: "string" },
    },
  });
  const repeat = Number(values.repeat);
  if (!Number.isInteger(repeat) || repeat < 1) {
    throw new RangeError(`Invalid --repeat: ${values.repeat} is not a positive integer`);
  }
  const startMs = performance.now();
  const rounds: Round[] = [];
  for (let i = 0; i < repeat; i++) {
    if (repeat > 1) console.log(`\n######## round ${i + 1} of ${repeat} ########`);
    rounds.push(await runOnce(values.quick, values["server-dir"]));
  }
  const seconds = Math.round((performance.now() - startMs) / 1000);
  console.log(
    `\n== summary: ${repeat} round(s), ${seconds} s${values.quick ? ", quick" : ""}, ` +
      `${navigator.hardwareConcurrency} cores, ${new Date().toISOString()} ==`,
  );
  printSummary(rounds);
  const passed = rounds.every((r) =>
    r.v1.pass && r.fanout.every((run) => run.pass) && r.memory.pass
  );
  if (!passed) Deno.exitCode = 1;
}

if (import.meta.main) await main();
