/**
 * @module
 * Storage benchmark with channels: one database holding four channels (1 h at 250 Hz each,
 * the four-INA219 setup of issue 13, and 48 h at 1 Hz each), against a database holding one
 * of them alone. Measures history queries for one channel out of four (planned as
 * `/api/history` plans them), `stats()`, and the flush of one second of all four channels.
 *
 * ```sh
 * deno run --allow-read --allow-write --allow-env bench/store_channels.ts \
 *   [--runs 5] [--requests 25] [--channels 4] [--hz 250] [--minutes 60] [--flushes 200]
 * ```
 *
 * Works in a temporary directory it removes; takes about 2 min. Prints a table and one
 * JSON line; results are in docs/benchmarks.md, "Storage with channels".
 */

import { parseArgs } from "node:util";
import { EnergyIntegrator, type EnergyStep } from "../src/analysis/energy.ts";
import { MockSource } from "../src/sources/mock.ts";
import { planHistory } from "../src/store/queries.ts";
import { Store } from "../src/store/store.ts";
import { mockSampleAt } from "./_fill_mock.ts";
import { median, percentile } from "./_stats.ts";

const HOUR_MS = 3_600_000;
const NO_STEP: EnergyStep = Object.freeze({ energyJ: 0, chargeC: 0 });

const r2 = (x: number) => Math.round(x * 100) / 100;

/** One channel's mock samples and energy, fed into its ChannelStore. */
function feeder(store: Store, name: string, seed: number, intervalMs: number) {
  const channel = store.channel(name);
  const src = new MockSource({ seed, autoRotateMs: 30_000 });
  const energy = new EnergyIntegrator(() => 5 * intervalMs);
  let seq = channel.writer.lastSeq;
  return (tsMs: number) => {
    const s = mockSampleAt(src, tsMs, ++seq);
    if (s.status === "error") energy.break();
    channel.append(s, s.status === "error" ? NO_STEP : energy.add(s.tsMs, s.w, s.a));
  };
}

function open(path: string, channels: string[]): Store {
  return new Store({
    path,
    channels,
    rawRetentionMs: 1e12,
    rollupRetentionMs: 1e12,
    flushIntervalMs: 0,
    retentionIntervalMs: 0,
  });
}

/** `names` channels sampled every `intervalMs` over [startMs, endMs), 50 s per flush. */
function fill(store: Store, names: string[], startMs: number, endMs: number, intervalMs: number) {
  const feeds = names.map((n, i) => feeder(store, n, i + 1, intervalMs));
  for (let t = startMs; t < endMs; t += intervalMs) {
    for (const feed of feeds) feed(t);
    if ((t - startMs) % 50_000 < intervalMs) store.flush();
  }
  store.flush();
}

/** Times `fn` `n` times after 2 warm-ups; returns the times in ms. */
function time(n: number, fn: () => unknown): number[] {
  fn();
  fn();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    fn();
    out.push(performance.now() - t0);
  }
  return out;
}

/** History of one channel over [from, to) at 1000 points, as the route plans it. */
function history(store: Store, name: string, fromMs: number, toMs: number) {
  const plan = planHistory(fromMs, toMs, 1000);
  const q = store.channel(name).queries;
  return { plan, run: () => q.history(fromMs, toMs, plan) };
}

interface Case {
  label: string;
  per_run_median_ms: number[];
  median_ms: number;
  p95_ms: number;
  source: string;
  buckets: number;
}

function measure(
  label: string,
  runs: number,
  requests: number,
  make: () => {
    plan: { source: string };
    run: () => unknown[];
  },
): Case {
  const { plan, run } = make();
  const medians: number[] = [];
  const all: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = time(requests, run);
    medians.push(r2(median(t)));
    all.push(...t);
  }
  return {
    label,
    per_run_median_ms: medians,
    median_ms: r2(median(medians)),
    p95_ms: r2(percentile(Float64Array.from(all).sort(), 95)),
    source: plan.source,
    buckets: run().length,
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      runs: { type: "string", default: "5" },
      requests: { type: "string", default: "25" },
      channels: { type: "string", default: "4" },
      hz: { type: "string", default: "250" },
      minutes: { type: "string", default: "60" },
      flushes: { type: "string", default: "200" },
    },
  });
  const runs = Number(values.runs);
  const requests = Number(values.requests);
  const hz = Number(values.hz);
  const windowMs = Number(values.minutes) * 60_000;
  const names = Array.from({ length: Number(values.channels) }, (_, i) => `ch${i}`);
  const probe = names[Math.min(2, names.length - 1)];
  const dir = await Deno.makeTempDir({ prefix: "bench_store_channels_" });
  try {
    const endMs = Math.floor(Date.now() / 1000) * 1000;
    const intervalMs = 1000 / hz;
    const log = (m: string) => console.error(m);

    log(`building: ${names.length} channels × ${values.minutes} min at ${hz} Hz`);
    let t0 = performance.now();
    const many = open(`${dir}/many.db`, names);
    fill(many, names, endMs - windowMs, endMs, intervalMs);
    const buildManyS = (performance.now() - t0) / 1000;
    log(`building: the same one channel alone`);
    const one = open(`${dir}/one.db`, [probe]);
    fill(one, [probe], endMs - windowMs, endMs, intervalMs);
    log(`building: ${names.length} channels × 48 h at 1 Hz`);
    t0 = performance.now();
    const slow = open(`${dir}/slow.db`, names);
    fill(slow, names, endMs - 48 * HOUR_MS, endMs, 1000);
    const buildSlowS = (performance.now() - t0) / 1000;

    const from = endMs - windowMs;
    const tenMin = endMs - 10 * 60_000;
    const cases = [
      measure(
        `${probe} of ${names.length}, ${values.minutes} min @ ${hz} Hz`,
        runs,
        requests,
        () => history(many, probe, from, endMs),
      ),
      measure(
        `${probe} alone, ${values.minutes} min @ ${hz} Hz`,
        runs,
        requests,
        () => history(one, probe, from, endMs),
      ),
      measure(
        `${probe} of ${names.length}, 10 min @ ${hz} Hz`,
        runs,
        requests,
        () => history(many, probe, tenMin, endMs),
      ),
      measure(
        `${probe} alone, 10 min @ ${hz} Hz`,
        runs,
        requests,
        () => history(one, probe, tenMin, endMs),
      ),
      measure(
        `${probe} of ${names.length}, 48 h @ 1 Hz`,
        runs,
        requests,
        () => history(slow, probe, endMs - 48 * HOUR_MS, endMs),
      ),
      ...([[`of ${names.length}`, many], ["alone", one]] as [string, Store][]).map((
        [what, store],
      ) =>
        measure(`${probe} ${what}, 1 min @ ${hz} Hz from raw rows`, runs, requests, () => {
          const plan = { source: "raw" as const, bucketMs: 60 };
          const q = store.channel(probe).queries;
          return { plan, run: () => q.history(endMs - 60_000, endMs, plan) };
        })
      ),
    ];
    const stats = time(runs, () => many.stats());
    // One second of every channel, written as the Store's timer writes it.
    const feeds = names.map((n, i) => feeder(many, n, 100 + i, intervalMs));
    const flushes: number[] = [];
    for (let i = 0; i < Number(values.flushes); i++) {
      const base = endMs + i * 1000;
      for (let t = base; t < base + 1000; t += intervalMs) for (const feed of feeds) feed(t);
      const t1 = performance.now();
      many.flush();
      flushes.push(performance.now() - t1);
    }
    const rows = many.rows;
    for (const s of [many, one, slow]) s.close();

    console.log(
      "| query | source | buckets | median of run medians (ms) | p95 (ms) | run medians |",
    );
    console.log("| --- | --- | --- | --- | --- | --- |");
    for (const c of cases) {
      console.log(
        `| ${c.label} | ${c.source} | ${c.buckets} | ${c.median_ms} | ${c.p95_ms} | ${
          c.per_run_median_ms.join(", ")
        } |`,
      );
    }
    const flushMedian = r2(median(flushes));
    const flushP99 = r2(percentile(Float64Array.from(flushes).sort(), 99));
    console.log(
      `stats(): ${r2(median(stats))} ms; flush of 1 s × ${names.length} channels (${
        names.length * hz
      } rows): median ${flushMedian} ms, p99 ${flushP99} ms; ${rows} rows; built ${
        buildManyS.toFixed(1)
      } s (${hz} Hz), ${buildSlowS.toFixed(1)} s (1 Hz)`,
    );
    console.log(JSON.stringify({
      bench: "store_channels",
      channels: names.length,
      hz,
      minutes: Number(values.minutes),
      rows,
      cases,
      stats_ms: r2(median(stats)),
      flush_ms_median: flushMedian,
      flush_ms_p99: flushP99,
    }));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
