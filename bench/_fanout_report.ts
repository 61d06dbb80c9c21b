/**
 * @module
 * Result type of a fan-out run, its checks against targets, and its printout
 * (one row per run, then median and range per scenario when repeated).
 */

import { type Check, formatChecks, formatTable, median } from "./_stats.ts";

/** Targets of a run; an absent one is reported but not checked. */
export interface FanoutTargets {
  minRatePerS?: number;
  /** At most this many samples/s per reader (max): e.g. the sensor's conversion rate. */
  maxRatePerS?: number;
  latencyP99Ms?: number;
  rssMaxMiB?: number;
  cpuMaxPercent?: number;
  /** Every `GET /status` of the probe answered within this many ms (and none failed). */
  statusMaxMs?: number;
  /** The run exists to exercise the slow-client policy: expect skips or closes. */
  expectSlowClientAction?: boolean;
}

/** What one fan-out run measured. */
export interface FanoutResult {
  name: string;
  /** The sample source, e.g. `mock` or `ina219 emulated 400 kHz, ADC_SAMPLES=1`. */
  source: string;
  sampleIntervalMs: number;
  readers: number;
  stalled: number;
  /** Batch period of the readers, ms; null for plain `/ws` readers. */
  batchMs: number | null;
  /** Workers the readers were spread over (0: the benchmark's main thread). */
  clientWorkers: number;
  /** Seconds of warm-up before the window. */
  warmupS: number;
  seconds: number;
  rateMinPerS: number;
  rateMedianPerS: number;
  rateMaxPerS: number;
  /** `sample_rate_hz` of `/status` at the end of the window. */
  serverRatePerS: number;
  seqGaps: number;
  missedSamples: number;
  readersDropped: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMaxMs: number;
  /** Batched readers: receipt minus the newest sample of each message (delivery without the batching wait). */
  newestAgeP50Ms: number | null;
  newestAgeP99Ms: number | null;
  /** `GET /status` response times during the window, ms (probe every 200 ms). */
  statusP50Ms: number;
  statusP99Ms: number;
  statusMaxMs: number;
  statusProbes: number;
  statusFailures: number;
  rssMaxMiB: number;
  rssFinalMiB: number;
  cpuPercent: number;
  /** CPU of this benchmark process (all the clients) over the window, % of one core. */
  clientCpuPercent: number;
  /** 1-minute load average of the machine at the start and at the end of the window. */
  loadStart: number;
  loadEnd: number;
  /** CPU used by everything else on the machine over the window (not server, not clients), % of one core. */
  otherCpuPercent: number;
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
  ];
  if (targets.latencyP99Ms !== undefined) {
    checks.push({
      name: `latency p99 ≤ ${targets.latencyP99Ms} ms`,
      actual: `${result.latencyP99Ms} ms`,
      pass: result.latencyP99Ms <= targets.latencyP99Ms,
    });
  }
  if (targets.minRatePerS !== undefined) {
    checks.push({
      name: `rate ≥ ${targets.minRatePerS}/s per reader (min)`,
      actual: `${result.rateMinPerS}/s`,
      pass: result.rateMinPerS >= targets.minRatePerS,
    });
  }
  if (targets.maxRatePerS !== undefined) {
    checks.push({
      name: `rate ≤ ${targets.maxRatePerS}/s per reader (max)`,
      actual: `${result.rateMaxPerS}/s`,
      pass: result.rateMaxPerS <= targets.maxRatePerS,
    });
  }
  if (targets.statusMaxMs !== undefined) {
    checks.push({
      name: `GET /status ≤ ${targets.statusMaxMs} ms (max), none failed`,
      actual: `${result.statusMaxMs} ms, ${result.statusFailures} failed of ${
        result.statusProbes + result.statusFailures
      }`,
      pass: result.statusMaxMs <= targets.statusMaxMs && result.statusFailures === 0 &&
        result.statusProbes > 0,
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

function clients(r: FanoutResult): string {
  const kind = r.batchMs === null ? "" : ` batch ${r.batchMs} ms`;
  const stalled = r.stalled > 0 ? `+${r.stalled} stalled` : "";
  const workers = r.clientWorkers > 0 ? ` in ${r.clientWorkers} W` : "";
  return `${r.readers}${stalled}${kind}${workers}`;
}

function nullable(value: number | null): string {
  return value === null ? "—" : String(value);
}

/** Prints the runs as one table, each run's checks, and one JSON line. */
export function printFanout(results: readonly FanoutResult[]): void {
  console.log("\n== fanout ==");
  console.log(formatTable(
    [
      "run",
      "source",
      "clients",
      "interval",
      "s (warm-up)",
      "rate/s min/med/max (srv)",
      "gaps",
      "p50/p99/max ms",
      "newest p50/p99",
      "/status p50/p99/max ms",
      "RSS max MiB",
      "CPU % srv/cli",
      "other CPU %",
      "load",
      "skips/closes",
      "result",
    ],
    results.map((r) => [
      r.name,
      r.source,
      clients(r),
      `${r.sampleIntervalMs} ms`,
      `${r.seconds} (${r.warmupS})`,
      `${r.rateMinPerS}/${r.rateMedianPerS}/${r.rateMaxPerS} (${r.serverRatePerS})`,
      String(r.seqGaps),
      `${r.latencyP50Ms}/${r.latencyP99Ms}/${r.latencyMaxMs}`,
      `${nullable(r.newestAgeP50Ms)}/${nullable(r.newestAgeP99Ms)}`,
      `${r.statusP50Ms}/${r.statusP99Ms}/${r.statusMaxMs}`,
      String(r.rssMaxMiB),
      `${r.cpuPercent}/${r.clientCpuPercent}`,
      String(r.otherCpuPercent),
      `${r.loadStart}→${r.loadEnd}`,
      `${r.slowClientSkips}/${r.slowClientCloses}`,
      r.pass ? "PASS" : "FAIL",
    ]),
  ));
  for (const result of results) {
    console.log(`\nrun ${result.name}:`);
    console.log(formatChecks(result.checks));
  }
  printSummary(results);
  console.log(JSON.stringify({ bench: "fanout", runs: results }));
}

/** `median (min–max)` of `values`, or the one value. */
export function medianRange(values: readonly number[]): string {
  if (values.length === 1) return String(values[0]);
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return "—";
  return `${median(finite)} (${Math.min(...finite)}–${Math.max(...finite)})`;
}

const SUMMARY: readonly [string, (r: FanoutResult) => number | null][] = [
  ["rate/s min", (r) => r.rateMinPerS],
  ["rate/s max", (r) => r.rateMaxPerS],
  ["server rate/s", (r) => r.serverRatePerS],
  ["gaps", (r) => r.seqGaps],
  ["latency p50 ms", (r) => r.latencyP50Ms],
  ["latency p99 ms", (r) => r.latencyP99Ms],
  ["latency max ms", (r) => r.latencyMaxMs],
  ["newest-sample age p99 ms", (r) => r.newestAgeP99Ms],
  ["/status p50 ms", (r) => r.statusP50Ms],
  ["/status p99 ms", (r) => r.statusP99Ms],
  ["/status max ms", (r) => r.statusMaxMs],
  ["server CPU %", (r) => r.cpuPercent],
  ["client CPU %", (r) => r.clientCpuPercent],
  ["RSS max MiB", (r) => r.rssMaxMiB],
  ["other CPU % (rest of machine)", (r) => r.otherCpuPercent],
  ["load (start)", (r) => r.loadStart],
];

/** With several rounds of a scenario: median (min–max) of each metric, and how many rounds passed. */
export function printSummary(results: readonly FanoutResult[]): void {
  const names = [...new Set(results.map((r) => r.name))];
  if (names.every((name) => results.filter((r) => r.name === name).length < 2)) return;
  const groups = names.map((name) => results.filter((r) => r.name === name));
  console.log("\n== fanout: median (min–max) over rounds ==");
  console.log(formatTable(
    ["metric", ...names.map((name, i) => `${name}: ${clients(groups[i][0])}`)],
    [
      ...SUMMARY.map(([metric, pick]) => [
        metric,
        ...groups.map((group) => {
          const values = group.map(pick);
          return values.includes(null) ? "—" : medianRange(values as number[]);
        }),
      ]),
      ["passed", ...groups.map((g) => `${g.filter((r) => r.pass).length} of ${g.length}`)],
    ],
  ));
}
