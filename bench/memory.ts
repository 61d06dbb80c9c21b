/**
 * @module
 * Memory against the floor: the monitor (the bundle `deno task start` runs, built
 * first with `deno task build`, or any other entry such as `main.ts`) and
 * `floor_server.ts` (Hono + node:sqlite + WebSocket broadcast, nothing else), each
 * with 100 readers at 1 Hz, taken in turns so all see the same machine. Reports
 * the server's RSS at the end of the window (after connect and warm-up) and its
 * peak, the median over the rounds, and checks ours ≤ 1.2 × the floor (for the
 * first entry).
 *
 * Every server is started and stopped once before the rounds: Deno writes a V8 code
 * cache on the first run of a file (and again when the V8 flags change), and that
 * first run holds about 7 MiB more than every later one.
 *
 * ```sh
 * deno run -A bench/memory.ts [--rounds 3] [--seconds 15] [--flags="--v8-flags=..."]
 *   [--entry dist/ina219-monitor.js,main.ts]
 * ```
 */

import { parseArgs } from "node:util";
import { runFanout } from "./fanout.ts";
import { REPO_DIR, startServer, startV8Flags } from "./_server.ts";
import { type Check, formatChecks, formatTable, median, round } from "./_stats.ts";
import denoJson from "../deno.json" with { type: "json" };

/** Largest accepted ratio of our RSS to the floor's. */
export const MAX_RATIO = 1.2;

/** The file `deno task start` runs (after `deno task build`). */
export const START_ENTRY: string = denoJson.tasks.start.split(" ").at(-1)!;

const FLOOR_ENTRY = "bench/floor_server.ts";

/** RSS of one server over the rounds, MiB. */
export interface MemorySeries {
  entry: string;
  finalMiB: number[];
  maxMiB: number[];
}

/** RSS of our server(s) and the floor over the rounds, MiB. */
export interface MemoryResult {
  rounds: number;
  ours: MemorySeries[];
  floor: MemorySeries;
  /** Median of the first of ours ÷ median of the floor, RSS at the end of the window. */
  ratio: number;
  checks: Check[];
  pass: boolean;
}

/** `deno task build` in `serverDir`: the bundle `deno task start` runs. */
export async function buildBundle(serverDir = REPO_DIR): Promise<void> {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "build"],
    cwd: serverDir,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(`deno task build failed: ${new TextDecoder().decode(stderr).trim()}`);
  }
}

/** Runs `rounds` × (each of ours, floor) with 100 readers at 1 Hz for `seconds` each. */
export async function runMemory(
  options: {
    rounds?: number;
    seconds?: number;
    /** `deno run` flags for ours; defaults to those of `deno task start`. */
    flags?: string[];
    serverDir?: string;
    /** Our entries, relative to `serverDir`; defaults to {@linkcode START_ENTRY}. */
    entries?: string[];
  } = {},
): Promise<MemoryResult> {
  const rounds = options.rounds ?? 3;
  const entries = options.entries ?? [START_ENTRY];
  const denoFlags = options.flags ?? startV8Flags();
  const spec = {
    name: "memory",
    sampleIntervalMs: 1000,
    readers: 100,
    stalled: 0,
    seconds: options.seconds ?? 15,
    targets: { latencyP99Ms: Infinity },
  };
  if (entries.includes(START_ENTRY)) await buildBundle(options.serverDir);
  const runs = [
    ...entries.map((entry) => ({ entry, flags: denoFlags, serverDir: options.serverDir })),
    { entry: FLOOR_ENTRY, flags: [], serverDir: undefined },
  ];
  for (const run of runs) {
    const server = await startServer({
      sampleIntervalMs: 1000,
      entry: run.entry,
      denoFlags: run.flags,
      serverDir: run.serverDir,
    });
    await server.stop();
  }
  const series = runs.map((run) => ({
    entry: run.entry,
    finalMiB: [] as number[],
    maxMiB: [] as number[],
  }));
  for (let i = 0; i < rounds; i++) {
    const line: string[] = [];
    for (const [j, run] of runs.entries()) {
      const result = await runFanout(spec, {
        serverDir: run.serverDir,
        entry: run.entry,
        denoFlags: run.flags,
      });
      if (result.seqGaps > 0 || result.readersDropped > 0 || result.serverExitCode !== 0) {
        throw new Error(`Memory run of ${run.entry} failed: ${JSON.stringify(result.checks)}`);
      }
      series[j].finalMiB.push(result.rssFinalMiB);
      series[j].maxMiB.push(result.rssMaxMiB);
      line.push(`${run.entry} ${result.rssFinalMiB} MiB (max ${result.rssMaxMiB})`);
    }
    console.log(`round ${i + 1}/${rounds}: ${line.join(", ")}`);
  }
  const floor = series.at(-1)!;
  const ours = series.slice(0, -1);
  const ratio = round(median(ours[0].finalMiB) / median(floor.finalMiB), 3);
  const checks: Check[] = [{
    name: `our RSS (${ours[0].entry}) ≤ ${MAX_RATIO} × the floor's`,
    actual: `${ratio} ×`,
    pass: ratio <= MAX_RATIO,
  }];
  return { rounds, ours, floor, ratio, checks, pass: checks.every((check) => check.pass) };
}

/** Prints a memory result as a table and its checks. */
export function printMemory(result: MemoryResult): void {
  const text = (values: number[]) =>
    `${round(median(values))} (${Math.min(...values)}–${Math.max(...values)})`;
  const floorMedian = median(result.floor.finalMiB);
  const all = [...result.ours, result.floor];
  console.log(formatTable(["RSS, MiB, median (min–max)", "end of window", "peak", "÷ floor"], [
    ...all.map((series) => [
      series.entry,
      text(series.finalMiB),
      text(series.maxMiB),
      String(round(median(series.finalMiB) / floorMedian, 3)),
    ]),
  ]));
  console.log(formatChecks(result.checks));
  console.log(JSON.stringify({ bench: "memory", ...result }));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      rounds: { type: "string", default: "3" },
      seconds: { type: "string", default: "15" },
      flags: { type: "string" },
      "server-dir": { type: "string" },
      entry: { type: "string" },
    },
  });
  const rounds = Number(values.rounds);
  const seconds = Number(values.seconds);
  if (!Number.isInteger(rounds) || rounds < 1) {
    throw new RangeError(`Invalid --rounds: ${values.rounds} is not a positive integer`);
  }
  if (!(seconds > 0)) throw new RangeError(`Invalid --seconds: ${values.seconds} is not > 0`);
  const flags = values.flags === undefined ? undefined : values.flags.split(" ").filter(Boolean);
  const entries = values.entry?.split(",").filter(Boolean);
  const result = await runMemory({
    rounds,
    seconds,
    flags,
    serverDir: values["server-dir"],
    entries,
  });
  printMemory(result);
  if (!result.pass) Deno.exitCode = 1;
}

if (import.meta.main) await main();
