/**
 * @module
 * In-process cost of one sample after the sampler (issue 12 item 5): the core built as
 * `main.ts` builds it (mock source, SQLite store in a temporary folder, one plain
 * WebSocket client that drops what it is sent), samples read from the mock and fed to
 * the first channel's pipeline in 10 ms batches, the store flushed every 1000 samples
 * as its 1 s timer would at 1 kHz. Prints µs per sample (CPU of this thread: the store
 * is synchronous) and bytes allocated per sample.
 *
 * Bytes are counted with a young generation large enough that no scavenge runs inside
 * a round: run it with the flag below, or the byte figure is meaningless (it says so).
 *
 * With `--status`, also the CPU of one `GET /status` (through the app, no socket).
 *
 * ```sh
 * deno run -A --v8-flags=--max-semi-space-size=512,--min-semi-space-size=512 bench/per_sample.ts [--samples 20000] [--rounds 7]
 * ```
 */
import process from "node:process";
import v8 from "node:v8";
import { parseArgs } from "node:util";
import { loadConfig } from "../src/config.ts";
import { createCore } from "../src/monitor.ts";
import type { Sample } from "../src/sample.ts";
import { median, round } from "./_stats.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    samples: { type: "string", default: "20000" },
    rounds: { type: "string", default: "7" },
    stage: { type: "string", default: "all" },
    status: { type: "boolean", default: false },
  },
});
const perRound = Number(values.samples);
const rounds = Number(values.rounds);
/** Which part of the pipeline each sample goes through (`mock`: none, the read only). */
const stage = values.stage as "all" | "store" | "energy" | "hub" | "analysis" | "mock";

const dir = await Deno.makeTempDir({ prefix: "per_sample_" });
const config = loadConfig({
  SAMPLE_INTERVAL_MS: "1",
  DB_PATH: `${dir}/monitor.db`,
  MOCK_SEED: "1",
}, []);
const core = createCore(config, "bench", () => {});
// One plain v1 client that keeps up.
core.hub.add({ readyState: 1, bufferedAmount: 0, send: () => {}, close: () => {} });
const parts = core.channels.get(config.channels[0].name)!;
if (parts.kind !== "measured") throw new Error("the first channel is not measured");
await core.source.open();

const heap = () => Deno.memoryUsage().heapUsed;
const oldSpace = () =>
  v8.getHeapSpaceStatistics().find((s) => s.space_name === "old_space")!.space_used_size;
let seq = core.sampler.lastSeq;
let tsMs = Date.now() - rounds * perRound - 5000;

function feed(n: number): void {
  for (let i = 0; i < n; i++) {
    tsMs++;
    const r = core.source.read(tsMs) as { v: number; a: number; w: number; status: "ok" };
    const sample: Sample = {
      tsMs,
      seq: 0,
      v: r.v,
      a: r.a,
      w: r.w,
      status: r.status,
      mode: "",
    };
    sample.mode = core.source.mode;
    sample.seq = ++seq;
    if (stage === "all") {
      core.pipeline.onSample(sample);
      parts.rate.add();
    } else if (stage === "store") {
      parts.store.append(sample, parts.energy.add(sample));
    } else if (stage === "energy") {
      parts.energy.add(sample);
    } else if (stage === "hub") {
      core.hub.publish(sample, parts.name);
    } else if (stage === "analysis") {
      parts.analyzer.add(sample);
    }
    if (seq % 1000 === 0) core.store.flush(20_000);
  }
}

// Warm-up: JIT, statement caches, the analysis window full.
feed(70_000);
core.store.flush();

const us: number[] = [];
const promoted: number[] = [];
const bytes: number[] = [];
let scavenged = 0;
for (let r = 0; r < rounds; r++) {
  core.store.flush();
  const h0 = heap();
  const o0 = oldSpace();
  const c0 = process.cpuUsage();
  feed(perRound);
  const c1 = process.cpuUsage(c0);
  const h1 = heap();
  promoted.push((oldSpace() - o0) / perRound);
  us.push((c1.user + c1.system) / perRound);
  if (h1 < h0) scavenged++;
  bytes.push((h1 - h0) / perRound);
}
if (values.status) {
  // `GET /status` through the app (no socket), and the store's part of it.
  const time = async (what: string, n: number, fn: () => unknown) => {
    const runs: number[] = [];
    for (let r = 0; r < 5; r++) {
      const c0 = process.cpuUsage();
      for (let i = 0; i < n; i++) await fn();
      const c = process.cpuUsage(c0);
      runs.push((c.user + c.system) / n);
    }
    console.log(`${what}: ${round(median(runs), 1)} µs (min ${round(Math.min(...runs), 1)})`);
  };
  const request = async () => await (await core.app.request("http://127.0.0.1/status")).text();
  await time("GET /status", 500, request);
  await time("status body", 500, () => core.status());
  await time("store.stats()", 500, () => core.store.stats());
}
core.store.close();
await Deno.remove(dir, { recursive: true });
console.log(
  `per sample: ${round(median(us), 2)} µs (min ${round(Math.min(...us), 2)}), ` +
    `${round(median(bytes), 0)} B allocated (min ${round(Math.min(...bytes), 0)}), ` +
    `old space +${round(median(promoted), 1)} B` +
    (scavenged > 0 ? `; ${scavenged} rounds saw a GC: use the semi-space flags` : ""),
);
