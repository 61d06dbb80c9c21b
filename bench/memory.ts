/**
 * @module
 * Memory against the floor: the monitor (`main.ts`, as `deno task start` runs it) and
 * `floor_server.ts` (Hono + node:sqlite + WebSocket broadcast, nothing else), each
 * with 100 readers at 1 Hz, taken in turns so both see the same machine. Reports
 * the server's RSS at the end of the window (after connect and warm-up) and its
 * peak, the median over the rounds, and checks ours ≤ 1.2 × the floor.
 *
 * ```sh
 * deno run -A bench/memory.ts [--rounds 3] [--seconds 15] [--flags "--v8-flags=..."]
 * ```
 */

import { parseArgs } from "node:util";
import { runFanout } from "./fanout.ts";
import { type Check, formatChecks, formatTable, median, round } from "./_stats.ts";

/** Largest accepted ratio of our RSS to the floor's. */
export const MAX_RATIO = 1.2;

/** RSS of both servers over the rounds, MiB. */
export interface MemoryResult {
  rounds: number;
  oursFinalMiB: number[];
  oursMaxMiB: number[];
  floorFinalMiB: number[];
  floorMaxMiB: number[];
  /** Median of ours ÷ median of the floor, RSS at the end of the window. */
  ratio: number;
  checks: Check[];
  pass: boolean;
}

/** Runs `rounds` × (ours, floor) with 100 readers at 1 Hz for `seconds` each. */
export async function runMemory(
  options: { rounds?: number; seconds?: number; flags?: string[]; serverDir?: string } = {},
): Promise<MemoryResult> {
  const rounds = options.rounds ?? 3;
  const spec = {
    name: "memory",
    sampleIntervalMs: 1000,
    readers: 100,
    stalled: 0,
    seconds: options.seconds ?? 15,
    targets: { latencyP99Ms: Infinity },
  };
  const result = {
    rounds,
    oursFinalMiB: [] as number[],
    oursMaxMiB: [] as number[],
    floorFinalMiB: [] as number[],
    floorMaxMiB: [] as number[],
  };
  for (let i = 0; i < rounds; i++) {
    const ours = await runFanout(spec, {
      serverDir: options.serverDir,
      denoFlags: options.flags, // default: those of `deno task start`
    });
    const floor = await runFanout(spec, { entry: "bench/floor_server.ts" });
    for (const run of [ours, floor]) {
      if (run.seqGaps > 0 || run.readersDropped > 0 || run.serverExitCode !== 0) {
        throw new Error(`Memory run failed: ${JSON.stringify(run.checks)}`);
      }
    }
    result.oursFinalMiB.push(ours.rssFinalMiB);
    result.oursMaxMiB.push(ours.rssMaxMiB);
    result.floorFinalMiB.push(floor.rssFinalMiB);
    result.floorMaxMiB.push(floor.rssMaxMiB);
    console.log(
      `round ${i + 1}/${rounds}: ours ${ours.rssFinalMiB} MiB (max ${ours.rssMaxMiB}), ` +
        `floor ${floor.rssFinalMiB} MiB (max ${floor.rssMaxMiB})`,
    );
  }
  const ratio = round(median(result.oursFinalMiB) / median(result.floorFinalMiB), 3);
  const checks: Check[] = [{
    name: `our RSS ≤ ${MAX_RATIO} × the floor's`,
    actual: `${ratio} ×`,
    pass: ratio <= MAX_RATIO,
  }];
  return { ...result, ratio, checks, pass: checks.every((check) => check.pass) };
}

/** Prints a memory result as a table and its checks. */
export function printMemory(result: MemoryResult): void {
  const text = (values: number[]) =>
    `${round(median(values))} (${Math.min(...values)}–${Math.max(...values)})`;
  console.log(formatTable(["RSS, MiB, median (min–max)", "ours (main.ts)", "floor"], [
    ["end of window", text(result.oursFinalMiB), text(result.floorFinalMiB)],
    ["peak", text(result.oursMaxMiB), text(result.floorMaxMiB)],
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
    },
  });
  const rounds = Number(values.rounds);
  const seconds = Number(values.seconds);
  if (!Number.isInteger(rounds) || rounds < 1) {
    throw new RangeError(`Invalid --rounds: ${values.rounds} is not a positive integer`);
  }
  if (!(seconds > 0)) throw new RangeError(`Invalid --seconds: ${values.seconds} is not > 0`);
  const flags = values.flags === undefined ? undefined : values.flags.split(" ").filter(Boolean);
  const result = await runMemory({ rounds, seconds, flags, serverDir: values["server-dir"] });
  printMemory(result);
  if (!result.pass) Deno.exitCode = 1;
}

if (import.meta.main) await main();
