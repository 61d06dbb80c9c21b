/**
 * @module
 * The v1 monitor's 30-second performance test: one WebSocket client counts messages,
 * measurements, status messages and sequence gaps, and checks the v1 targets.
 *
 * ```sh
 * deno run -A bench/v1_perf.ts [--seconds 30] [--url http://127.0.0.1:8000]
 * ```
 */

import { parseArgs } from "node:util";
import { StreamClient } from "./_client.ts";
import { ProcSampler, type ProcUsage } from "./_proc.ts";
import { fetchStatus, startServer } from "./_server.ts";
import { type Check, formatChecks, formatTable, percentile, round, toMiB } from "./_stats.ts";

/** Options of {@linkcode runV1Perf}. */
export interface V1PerfOptions {
  /** Length of the counting window, s. */
  seconds: number;
  /** Base URL of an already running server; without it a server is started. */
  url?: string;
  /** Directory holding the server's `main.ts` when one is started. */
  serverDir?: string;
}

/** What {@linkcode runV1Perf} measured. */
export interface V1PerfResult {
  bench: "v1_perf";
  seconds: number;
  totalMessages: number;
  measurements: number;
  statusMessages: number;
  messageRatePerS: number;
  measurementRatePerS: number;
  seqGaps: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMaxMs: number;
  connectionDropped: boolean;
  /** Only when the benchmark started the server itself. */
  server?: ProcUsage & { exitCode: number };
  checks: Check[];
  pass: boolean;
}

/** Runs the v1 performance test against `options.url` or a server it starts. */
export async function runV1Perf(
  options: V1PerfOptions,
): Promise<V1PerfResult> {
  if (!(options.seconds > 0)) {
    throw new RangeError(`Invalid seconds: ${options.seconds} is not > 0`);
  }
  const server = options.url ? undefined : await startServer({
    sampleIntervalMs: 1000,
    serverDir: options.serverDir,
  });
  try {
    const baseUrl = options.url?.replace(/\/+$/, "") ?? server!.baseUrl;
    const wsUrl = baseUrl.replace(/^http/, "ws") + "/ws";
    const status = await fetchStatus(baseUrl);
    if (status.simulator !== "connected") {
      console.warn(`warning: /status says simulator is ${status.simulator}`);
    }
    const sampler = server ? new ProcSampler(server.pid) : undefined;
    const client = new StreamClient(wsUrl);
    await client.opened;
    client.counting = true;
    const startMs = performance.now();
    await new Promise((resolve) => setTimeout(resolve, options.seconds * 1000));
    const elapsedS = (performance.now() - startMs) / 1000;
    await client.close();
    const usage = sampler?.stop();
    const exit = await server?.stop();

    const latencies = Float64Array.from(client.latenciesMs).sort();
    const measurementRatePerS = client.measurements / elapsedS;
    const latencyP99Ms = percentile(latencies, 99);
    const connectionDropped = client.closedEarlyCode !== undefined;
    const checks: Check[] = [
      {
        name: "data rate ≥ 0.8 samples/s",
        actual: `${round(measurementRatePerS, 2)}/s`,
        pass: measurementRatePerS >= 0.8,
      },
      {
        name: "sequence gaps = 0",
        actual: String(client.seqGaps),
        pass: client.seqGaps === 0,
      },
      {
        name: "latency p99 < 100 ms",
        actual: `${round(latencyP99Ms)} ms`,
        pass: latencyP99Ms < 100,
      },
      {
        name: "connection stable (not dropped)",
        actual: connectionDropped ? `closed ${client.closedEarlyCode}` : "open",
        pass: !connectionDropped,
      },
    ];
    if (usage && exit) {
      checks.push({
        name: "memory (max RSS) < 50 MiB",
        actual: `${round(toMiB(usage.rssMaxBytes))} MiB`,
        pass: usage.rssMaxBytes < 50 * 2 ** 20,
      }, {
        name: "SIGTERM exits 0",
        actual: `code ${exit.code} in ${round(exit.stopMs)} ms`,
        pass: exit.code === 0,
      });
    }
    return {
      bench: "v1_perf",
      seconds: round(elapsedS, 2),
      totalMessages: client.totalMessages,
      measurements: client.measurements,
      statusMessages: client.statusMessages,
      messageRatePerS: round(client.totalMessages / elapsedS, 2),
      measurementRatePerS: round(measurementRatePerS, 2),
      seqGaps: client.seqGaps,
      latencyP50Ms: round(percentile(latencies, 50), 2),
      latencyP99Ms: round(latencyP99Ms, 2),
      latencyMaxMs: round(latencies.at(-1) ?? NaN, 2),
      connectionDropped,
      server: usage && exit ? { ...usage, exitCode: exit.code } : undefined,
      checks,
      pass: checks.every((check) => check.pass),
    };
  } finally {
    await server?.stop();
  }
}

/** Prints a result as a table, its checks, and one JSON line. */
export function printV1Perf(result: V1PerfResult): void {
  const rows: string[][] = [
    ["duration", `${result.seconds} s`],
    ["messages in total", String(result.totalMessages)],
    ["measurements", String(result.measurements)],
    ["status messages", String(result.statusMessages)],
    ["message rate", `${result.messageRatePerS}/s`],
    ["measurement rate", `${result.measurementRatePerS}/s`],
    ["sequence gaps", String(result.seqGaps)],
    [
      "latency p50 / p99 / max",
      `${result.latencyP50Ms} / ${result.latencyP99Ms} / ${result.latencyMaxMs} ms`,
    ],
  ];
  if (result.server) {
    rows.push([
      "server RSS max / final",
      `${round(toMiB(result.server.rssMaxBytes))} / ${
        round(toMiB(result.server.rssFinalBytes))
      } MiB`,
    ], ["server CPU", `${round(result.server.cpuPercent)} % of one core`]);
  }
  console.log(`\n== v1_perf: one client, ${result.seconds} s ==`);
  console.log(formatTable(["metric", "value"], rows));
  console.log();
  console.log(formatChecks(result.checks));
  console.log(JSON.stringify(result));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      seconds: { type: "string", default: "30" },
      url: { type: "string" },
      "server-dir": { type: "string" },
    },
  });
  const result = await runV1Perf({
    seconds: Number(values.seconds),
    url: values.url,
    serverDir: values["server-dir"],
  });
  printV1Perf(result);
  if (!result.pass) Deno.exitCode = 1;
}

if (import.meta.main) await main();
