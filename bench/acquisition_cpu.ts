/**
 * @module
 * CPU and memory of the INA219 path on the emulated bus: starts the monitor (the
 * bundle `deno task start` runs; build it first with `deno task build`) with
 * `SENSOR=ina219 I2C_BUS=emulated`, no clients, lets it warm up, then reads the
 * server's CPU time (all threads, the acquisition Worker included) and RSS over a
 * window, and the sample rate from `last_seq` in `/status`. Prints one line per
 * run and the medians.
 *
 * ```sh
 * deno task build
 * deno run -A bench/acquisition_cpu.ts [--runs 3] [--seconds 20] [--interval 1] [--khz 400] [--adc 1]
 * ```
 */

import { parseArgs } from "node:util";
import { ProcSampler } from "./_proc.ts";
import { fetchStatus, startServer } from "./_server.ts";
import { median, round } from "./_stats.ts";

/** One run's figures. */
export interface AcquisitionRun {
  /** CPU over the window, % of one core. */
  cpuPercent: number;
  /** RSS at the end of the window, MiB. */
  rssMiB: number;
  /** Samples per second from `last_seq`. */
  rate: number;
  /** The driver's `/status` details at the end. */
  details: Record<string, unknown>;
}

/** Runs the server once and measures it. */
export async function measure(options: {
  seconds: number;
  intervalMs: number;
  khz: number;
  adcSamples: number;
}): Promise<AcquisitionRun> {
  const server = await startServer({
    sampleIntervalMs: options.intervalMs,
    entry: "dist/ina219-monitor.js",
    env: {
      SENSOR: "ina219",
      I2C_BUS: "emulated",
      I2C_EMULATED_KHZ: String(options.khz),
      ADC_SAMPLES: String(options.adcSamples),
    },
  });
  try {
    await new Promise((r) => setTimeout(r, 3000)); // warm-up
    const before = await fetchStatus(server.baseUrl);
    const sampler = new ProcSampler(server.pid);
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, options.seconds * 1000));
    const usage = sampler.stop();
    const after = await fetchStatus(server.baseUrl);
    const elapsedS = (performance.now() - t0) / 1000;
    return {
      cpuPercent: usage.cpuPercent,
      rssMiB: usage.rssFinalBytes / 2 ** 20,
      rate: ((after.last_seq as number) - (before.last_seq as number)) / elapsedS,
      details: (after.source_details ?? {}) as Record<string, unknown>,
    };
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      runs: { type: "string", default: "3" },
      seconds: { type: "string", default: "20" },
      interval: { type: "string", default: "1" },
      khz: { type: "string", default: "400" },
      adc: { type: "string", default: "1" },
    },
  });
  const options = {
    seconds: Number(values.seconds),
    intervalMs: Number(values.interval),
    khz: Number(values.khz),
    adcSamples: Number(values.adc),
  };
  const runs: AcquisitionRun[] = [];
  for (let i = 0; i < Number(values.runs); i++) {
    const run = await measure(options);
    runs.push(run);
    const { details } = run;
    const counters = ["samples", "early_polls", "polls_per_sample", "torn_reads", "resyncs"]
      .filter((k) => k in details).map((k) => `${k}=${details[k]}`).join(" ");
    console.log(
      `run ${i + 1}: cpu ${round(run.cpuPercent, 1)} %, rss ${round(run.rssMiB, 1)} MiB, ${
        round(run.rate, 1)
      } samples/s ${counters}`,
    );
  }
  console.log(
    `median: cpu ${round(median(runs.map((r) => r.cpuPercent)), 1)} %, rss ${
      round(median(runs.map((r) => r.rssMiB)), 1)
    } MiB, ${round(median(runs.map((r) => r.rate)), 1)} samples/s`,
  );
}

if (import.meta.main) await main();
