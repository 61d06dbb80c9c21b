/**
 * @module
 * Fan-out benchmarks: many WebSocket readers (and optionally a client that
 * never reads) against a fresh server per run; reports delivered rate, gaps,
 * latency, `GET /status` response time, server RSS and CPU, and checks them
 * against targets. Runs a–d use the mock; the `ina*` runs
 * ({@link ./_fanout_ina219.ts}) the real INA219 driver on the emulated bus; the `ch*` runs
 * ({@link ./_fanout_channels.ts}) several channels in one stream.
 *
 * ```sh
 * deno run -A bench/fanout.ts [--runs a,b,c,d|stream|ina219|channels|all|NAME,...] [--repeat 3]
 *   [--quick] [--seconds N] [--seconds-a 30] [--seconds-b 20] [--seconds-c 45] [--seconds-d 20] [--seconds-e 20]
 *   [--warmup S] [--client-workers N] [--entry dist/ina219-monitor.js] [--server-dir DIR]
 * ```
 */

import { parseArgs } from "node:util";
import { openStalledClient } from "./_client.ts";
import { CHANNEL_SPECS } from "./_fanout_channels.ts";
import { INA219_SPECS } from "./_fanout_ina219.ts";
import { MachineSampler, ProcSampler, waitForQuiet } from "./_proc.ts";
import { openReaders, type ReaderGroup } from "./_readers.ts";
import { fetchStatus, startServer, type StartServerOptions } from "./_server.ts";
import { startStatusProbe } from "./_status_probe.ts";
import { median, percentile, round, toMiB } from "./_stats.ts";
import {
  checkFanout,
  type FanoutResult,
  type FanoutTargets,
  printFanout,
} from "./_fanout_report.ts";

export { type FanoutResult, type FanoutTargets, printFanout } from "./_fanout_report.ts";

/** One fan-out scenario. */
export interface FanoutSpec {
  name: string;
  sampleIntervalMs: number;
  readers: number;
  /** Raw TCP clients that upgrade and never read. */
  stalled: number;
  /** Readers use the batched stream with this period (`/ws?format=batch&batch_ms=N`). */
  batchMs?: number;
  /** Readers ask for this channel (`/ws?channel=NAME`; `*`: every channel); none: plain `/ws`. */
  channel?: string;
  seconds: number;
  /**
   * Seconds between the last reader's first measurement and the window (default
   * {@link DEFAULT_WARMUP_S}); longer where the figure is a steady-state cost (run e).
   */
  warmupS?: number;
  targets: FanoutTargets;
  /** Further server settings, e.g. `SENSOR=ina219`; none: the mock. */
  env?: Record<string, string>;
  /** Spread the readers over this many Workers (default 0: all on the benchmark's main thread). */
  clientWorkers?: number;
}

/** Warm-up before a run's window unless the run sets its own, s. */
export const DEFAULT_WARMUP_S = 1;
/** Run e's warm-up, s: past V8's background compiles of the hot path (docs/benchmarks.md). */
export const RUN_E_WARMUP_S = 30;

/**
 * The default scenarios: (a) and (b) from the brief, (c) the stalled client at full rate,
 * (d) 100 batched readers at full rate, (e) the server's CPU at 1 kHz with one plain reader
 * (issue 12).
 */
export const DEFAULT_SPECS: readonly FanoutSpec[] = [
  {
    name: "a",
    sampleIntervalMs: 1000,
    readers: 100,
    stalled: 1,
    seconds: 30,
    targets: { latencyP99Ms: 5, rssMaxMiB: 48 },
  },
  {
    name: "b",
    sampleIntervalMs: 1,
    readers: 10,
    stalled: 0,
    seconds: 20,
    targets: { minRatePerS: 950, latencyP99Ms: 20, cpuMaxPercent: 60 },
  },
  {
    name: "c",
    sampleIntervalMs: 1,
    readers: 10,
    stalled: 1,
    // Loopback kernel buffers absorb ~4 MB (~21 s at 1 kHz) before the
    // server's bufferedAmount grows at all, then ~6 s more to pass 1 MiB.
    seconds: 45,
    targets: {
      minRatePerS: 950,
      latencyP99Ms: 20,
      expectSlowClientAction: true,
    },
  },
  {
    name: "d",
    sampleIntervalMs: 1,
    readers: 100,
    stalled: 0,
    batchMs: 50,
    seconds: 20,
    targets: { minRatePerS: 950, latencyP99Ms: 70, cpuMaxPercent: 25 },
  },
  {
    // Issue 12 item 5: the server's own cost per sample, mock source, one plain reader.
    name: "e",
    sampleIntervalMs: 1,
    readers: 1,
    stalled: 0,
    seconds: 20,
    // CPU per sample is a steady-state cost: in the first 20 s V8 still compiles the hot
    // functions (its helper threads use 0.55–0.9 % of a core there, 0.15–0.3 % until ~80 s)
    // and part of the JavaScript runs unoptimised.
    warmupS: RUN_E_WARMUP_S,
    targets: { minRatePerS: 950, latencyP99Ms: 20, cpuMaxPercent: 5 },
  },
];

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** How often the status probe fetches `GET /status` during the window, ms. */
export const STATUS_PROBE_MS = 200;

/** Names the sample source of a run from its settings. */
export function sourceName(env: Record<string, string> = {}): string {
  if (env.CHANNELS !== undefined) {
    const channels: { sensor?: string; derived?: string }[] = JSON.parse(env.CHANNELS);
    return `CHANNELS: ${channels.map((c) => c.sensor ?? c.derived).join(", ")}`;
  }
  if (env.SENSOR !== "ina219") return env.SENSOR ?? "mock";
  const bus = env.I2C_BUS === "emulated"
    ? `emulated ${env.I2C_EMULATED_KHZ ?? 400} kHz`
    : env.I2C_BUS;
  return `ina219 ${bus ?? "/dev/i2c-1"}, ADC_SAMPLES=${env.ADC_SAMPLES ?? 1}`;
}

function loadAverage(): number {
  return round(Deno.loadavg()[0], 2);
}

function sortedMs(arrays: readonly ArrayLike<number>[]): Float64Array {
  const all = new Float64Array(arrays.reduce((sum, a) => sum + a.length, 0));
  let at = 0;
  for (const array of arrays) {
    all.set(array, at);
    at += array.length;
  }
  return all.sort();
}

/**
 * Starts a server, connects the clients, measures for `spec.seconds` after a warm-up of
 * `spec.warmupS` (default {@link DEFAULT_WARMUP_S}) s (with `GET /status` probed every {@link STATUS_PROBE_MS} ms), and stops everything.
 */
export async function runFanout(
  spec: FanoutSpec,
  options: Pick<StartServerOptions, "serverDir" | "entry" | "denoFlags"> = {},
): Promise<FanoutResult> {
  const server = await startServer({
    ...options,
    sampleIntervalMs: spec.sampleIntervalMs,
    // Every reader comes from 127.0.0.1 at once: let them all past the per-address caps.
    env: {
      WS_MAX_CLIENTS_PER_ADDRESS: String(spec.readers + spec.stalled),
      HTTP_MAX_CONNS_PER_ADDRESS: String(spec.readers + spec.stalled + 16),
      HTTP_CONNECT_RATE_PER_ADDRESS: String(spec.readers + spec.stalled + 16),
      ...spec.env,
    },
  });
  let readers: ReaderGroup | undefined;
  const stalled: { close(): void }[] = [];
  try {
    const sampler = new ProcSampler(server.pid);
    // The stalled clients go first so their buffers fill during the whole run.
    for (let i = 0; i < spec.stalled; i++) {
      stalled.push(await openStalledClient(server.wsUrl));
    }
    const params = new URLSearchParams(
      spec.batchMs === undefined ? {} : { format: "batch", batch_ms: String(spec.batchMs) },
    );
    if (spec.channel !== undefined) params.set("channel", spec.channel);
    const query = params.size === 0 ? "" : `?${params}`;
    readers = openReaders(server.wsUrl + query, spec.readers, spec.clientWorkers ?? 0);
    await readers.ready(5_000 + 2 * spec.sampleIntervalMs).catch((error) => {
      throw new Error(`Run ${spec.name}: ${error.message}`);
    });
    // Warm-up keeps JIT and connection set-up out of the numbers; the extra half
    // interval puts the window edges between samples so a 1 Hz count is exact.
    await sleep((spec.warmupS ?? DEFAULT_WARMUP_S) * 1000 + spec.sampleIntervalMs / 2);
    const loadStart = loadAverage();
    readers.setCounting(true);
    const probe = startStatusProbe(server.baseUrl, STATUS_PROBE_MS);
    sampler.resetCpu();
    const clientSampler = new ProcSampler(Deno.pid);
    const machine = new MachineSampler();
    const startMs = performance.now();
    await sleep(spec.seconds * 1000);
    readers.setCounting(false);
    const elapsedS = (performance.now() - startMs) / 1000;
    const usage = sampler.stop();
    const clientUsage = clientSampler.stop();
    const machineBusyPercent = machine.busyPercent();
    const loadEnd = loadAverage();
    const statusTimes = await probe.stop();
    const status = await fetchStatus(server.baseUrl);
    const tallies = await readers.finish();
    for (const client of stalled.splice(0)) client.close();
    const exit = await server.stop();

    // Each thread timed its own window: no skew from the commands' trip to a Worker.
    const rates = tallies.map((tally) => tally.measurements / (tally.windowMs / 1000));
    const latencies = sortedMs(tallies.map((tally) => tally.latenciesMs));
    const newestAges = sortedMs(tallies.map((tally) => tally.newestAgesMs));
    const statusMs = Float64Array.from(statusTimes.timesMs).sort();
    const batched = spec.batchMs !== undefined;
    const result = {
      name: spec.name,
      source: sourceName(spec.env),
      sampleIntervalMs: spec.sampleIntervalMs,
      readers: spec.readers,
      stalled: spec.stalled,
      batchMs: spec.batchMs ?? null,
      clientWorkers: spec.clientWorkers ?? 0,
      warmupS: spec.warmupS ?? DEFAULT_WARMUP_S,
      seconds: round(elapsedS, 2),
      rateMinPerS: round(Math.min(...rates), 1),
      rateMedianPerS: round(median(rates), 1),
      rateMaxPerS: round(Math.max(...rates), 1),
      serverRatePerS: Number(status.sample_rate_hz ?? NaN),
      seqGaps: tallies.reduce((sum, tally) => sum + tally.seqGaps, 0),
      missedSamples: tallies.reduce((sum, tally) => sum + tally.missedSamples, 0),
      readersDropped: tallies.filter((tally) => tally.closedEarlyCode !== undefined).length,
      latencyP50Ms: round(percentile(latencies, 50), 2),
      latencyP99Ms: round(percentile(latencies, 99), 2),
      latencyMaxMs: round(latencies.at(-1) ?? NaN, 2),
      newestAgeP50Ms: batched ? round(percentile(newestAges, 50), 2) : null,
      newestAgeP99Ms: batched ? round(percentile(newestAges, 99), 2) : null,
      statusP50Ms: round(percentile(statusMs, 50), 2),
      statusP99Ms: round(percentile(statusMs, 99), 2),
      statusMaxMs: round(statusMs.at(-1) ?? NaN, 2),
      statusProbes: statusMs.length,
      statusFailures: statusTimes.failures,
      rssMaxMiB: round(toMiB(usage.rssMaxBytes)),
      rssFinalMiB: round(toMiB(usage.rssFinalBytes)),
      cpuPercent: round(usage.cpuPercent),
      clientCpuPercent: round(clientUsage.cpuPercent),
      loadStart,
      loadEnd,
      otherCpuPercent: round(machineBusyPercent - usage.cpuPercent - clientUsage.cpuPercent),
      slowClientSkips: Number(status.slow_client_skips ?? NaN),
      slowClientCloses: Number(status.slow_client_closes ?? NaN),
      serverExitCode: exit.code,
    };
    const checks = checkFanout(result, spec.targets);
    return { ...result, checks, pass: checks.every((check) => check.pass) };
  } finally {
    await readers?.close();
    for (const client of stalled) client.close();
    await server.stop();
  }
}

/** Durations of `--quick`, s. */
export const QUICK_SECONDS: Readonly<Record<string, number>> = {
  a: 10,
  b: 5,
  c: 35,
  d: 5,
  e: 10,
};

/** Every scenario `--runs` can name: the stream runs, the emulated INA219 runs, the channel runs. */
export const ALL_SPECS: readonly FanoutSpec[] = [
  ...DEFAULT_SPECS,
  ...INA219_SPECS,
  ...CHANNEL_SPECS,
];

/** Names `--runs` expands: `stream` (a–d…), `ina219` (the emulated sensor), `channels`, `all`. */
function expandRuns(runs: string): string[] {
  const groups: Record<string, readonly FanoutSpec[]> = {
    stream: DEFAULT_SPECS,
    ina219: INA219_SPECS,
    channels: CHANNEL_SPECS,
    all: ALL_SPECS,
  };
  return runs.split(",").flatMap((name) => groups[name]?.map((spec) => spec.name) ?? [name]);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      runs: { type: "string", default: "stream" },
      /** Run the chosen scenarios this many rounds (interleaved), then print medians and ranges. */
      repeat: { type: "string", default: "1" },
      quick: { type: "boolean", default: false },
      /** Window of every chosen run, s (a run's own --seconds-X wins). */
      seconds: { type: "string" },
      "seconds-a": { type: "string" },
      "seconds-b": { type: "string" },
      "seconds-c": { type: "string" },
      "seconds-d": { type: "string" },
      /** Spread every run's readers over N Workers (default: each run's own setting). */
      "client-workers": { type: "string" },
      /** Before each run, wait (at most 5 min) until the rest of the machine uses ≤ this % of one core over 2 s. */
      "max-other-cpu": { type: "string" },
      "seconds-e": { type: "string" },
      /** Warm-up of every chosen run, s (default: each run's own: 1, run e 30). */
      warmup: { type: "string" },
      "server-dir": { type: "string" },
      /** What to run, e.g. `dist/ina219-monitor.js` (after `deno task build`); main.ts by default. */
      entry: { type: "string" },
    },
  });
  const names = expandRuns(values.runs);
  const unknown = names.filter((name) => !ALL_SPECS.some((spec) => spec.name === name));
  if (unknown.length > 0) {
    throw new RangeError(
      `Invalid --runs: "${unknown.join(",")}" (choose from stream, ina219, channels, all, ${
        ALL_SPECS.map((spec) => spec.name).join(", ")
      })`,
    );
  }
  const positive = (flag: string, text: string | undefined, integer = false) => {
    const value = Number(text);
    if (!(value > 0) || (integer && !Number.isInteger(value))) {
      throw new RangeError(
        `Invalid --${flag}: ${text} is not a positive ${integer ? "integer" : "number"}`,
      );
    }
    return value;
  };
  const repeat = positive("repeat", values.repeat, true);
  const workersFlag = values["client-workers"];
  const clientWorkers = workersFlag === undefined ? undefined : Number(workersFlag);
  if (clientWorkers !== undefined && !(Number.isInteger(clientWorkers) && clientWorkers >= 0)) {
    throw new RangeError(`Invalid --client-workers: ${workersFlag} is not an integer ≥ 0`);
  }
  const specs = names.map((name) => {
    const spec = ALL_SPECS.find((candidate) => candidate.name === name)!;
    const flag = values[`seconds-${spec.name}` as "seconds-a"] ?? values.seconds;
    const seconds = flag !== undefined
      ? positive(`seconds${values.seconds === flag ? "" : `-${spec.name}`}`, flag)
      : values.quick
      ? QUICK_SECONDS[spec.name] ?? 5
      : spec.seconds;
    const warmupS = values.warmup === undefined ? spec.warmupS : Number(values.warmup);
    if (!(warmupS === undefined || warmupS >= 0)) {
      throw new RangeError(`Invalid --warmup: ${values.warmup} is not a number ≥ 0`);
    }
    return { ...spec, seconds, warmupS, clientWorkers: clientWorkers ?? spec.clientWorkers };
  });
  const results: FanoutResult[] = [];
  for (let pass = 1; pass <= repeat; pass++) {
    for (const spec of specs) {
      if (repeat > 1) console.error(`round ${pass}/${repeat}: run ${spec.name}`);
      if (values["max-other-cpu"] !== undefined) {
        const maxPercent = positive("max-other-cpu", values["max-other-cpu"]);
        const { busyPercent, waitedMs, quiet } = await waitForQuiet(maxPercent);
        console.error(
          `machine ${quiet ? "quiet" : "still busy"}: ${round(busyPercent)} % of a core after ${
            round(waitedMs / 1000)
          } s`,
        );
      }
      results.push(
        await runFanout(spec, { serverDir: values["server-dir"], entry: values.entry }),
      );
    }
  }
  printFanout(results);
  if (!results.every((result) => result.pass)) Deno.exitCode = 1;
}

if (import.meta.main) await main();
