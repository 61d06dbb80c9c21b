/**
 * @module
 * Result type of a fan-out run, its checks against targets, and its printout.
 */

import { type Check, formatChecks, formatTable } from "./_stats.ts";

/** Targets of a run; an absent one is reported but not checked. */
export interface FanoutTargets {
  minRatePerS?: number;
  latencyP99Ms: number;
  rssMaxMiB?: number;
  cpuMaxPercent?: number;
  /** The run exists to exercise the slow-client policy: expect skips or closes. */
  expectSlowClientAction?: boolean;
}

/** What one fan-out run measured. */
export interface FanoutResult {
  name: string;
  sampleIntervalMs: number;
  readers: number;
  stalled: number;
  seconds: number;
  rateMinPerS: number;
  rateMedianPerS: number;
  seqGaps: number;
  missedSamples: number;
  readersDropped: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMaxMs: number;
  rssMaxMiB: number;
  rssFinalMiB: number;
  cpuPercent: number;
  /** CPU of this benchmark process (all the clients) over the window, % of one core. */
  clientCpuPercent: number;
  slowClientSkips: number;
  slowClientCloses: number;
  serverExitCode: number;
  checks: Check[];
  pass: boolean;
}

/** Checks a run's numbers against its targets. */
export function checkFanout(
  result: Omit<FanoutResult, "checks" | "pass">,
  targets: FanoutTargets,
): Check[] {
  const checks: Check[] = [
    {
      name: "sequence gaps = 0 (readers)",
      actual: `${result.seqGaps} (${result.missedSamples} missed)`,
      pass: result.seqGaps === 0,
    },
    {
      name: "no reader dropped",
      actual: String(result.readersDropped),
      pass: result.readersDropped === 0,
    },
    {
      name: `latency p99 ≤ ${targets.latencyP99Ms} ms`,
      actual: `${result.latencyP99Ms} ms`,
      pass: result.latencyP99Ms <= targets.latencyP99Ms,
    },
  ];
  if (targets.minRatePerS !== undefined) {
    checks.push({
      name: `rate ≥ ${targets.minRatePerS}/s per reader (min)`,
      actual: `${result.rateMinPerS}/s`,
      pass: result.rateMinPerS >= targets.minRatePerS,
    });
  }
  if (targets.rssMaxMiB !== undefined) {
    checks.push({
      name: `server RSS ≤ ${targets.rssMaxMiB} MiB (max)`,
      actual: `${result.rssMaxMiB} MiB`,
      pass: result.rssMaxMiB <= targets.rssMaxMiB,
    });
  }
  if (targets.cpuMaxPercent !== undefined) {
    checks.push({
      name: `server CPU ≤ ${targets.cpuMaxPercent} % of one core`,
      actual: `${result.cpuPercent} %`,
      pass: result.cpuPercent <= targets.cpuMaxPercent,
    });
  }
  if (targets.expectSlowClientAction) {
    checks.push({
      name: "slow-client policy engaged (skips or closes > 0)",
      actual: `${result.slowClientSkips} skips, ${result.slowClientCloses} closes`,
      pass: result.slowClientSkips > 0 || result.slowClientCloses > 0,
    });
  }
  checks.push({
    name: "SIGTERM exits 0",
    actual: `code ${result.serverExitCode}`,
    pass: result.serverExitCode === 0,
  });
  return checks;
}

/** Prints the runs as one table, each run's checks, and one JSON line. */
export function printFanout(results: readonly FanoutResult[]): void {
  console.log("\n== fanout ==");
  console.log(formatTable(
    [
      "run",
      "clients",
      "interval",
      "s",
      "rate/s min/med",
      "gaps",
      "p50/p99/max ms",
      "RSS max/final MiB",
      "CPU % srv/cli",
      "skips/closes",
      "result",
    ],
    results.map((r) => [
      r.name,
      `${r.readers}+${r.stalled} stalled`,
      `${r.sampleIntervalMs} ms`,
      String(r.seconds),
      `${r.rateMinPerS}/${r.rateMedianPerS}`,
      String(r.seqGaps),
      `${r.latencyP50Ms}/${r.latencyP99Ms}/${r.latencyMaxMs}`,
      `${r.rssMaxMiB}/${r.rssFinalMiB}`,
      `${r.cpuPercent}/${r.clientCpuPercent}`,
      `${r.slowClientSkips}/${r.slowClientCloses}`,
      r.pass ? "PASS" : "FAIL",
    ]),
  ));
  for (const result of results) {
    console.log(`\nrun ${result.name}:`);
    console.log(formatChecks(result.checks));
  }
  console.log(JSON.stringify({ bench: "fanout", runs: results }));
}
