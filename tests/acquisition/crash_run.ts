/**
 * Run by worker_test.ts with `deno run`, as the monitor runs (and without the
 * type-check `deno test` does on a Worker's modules as it loads them, seconds on a
 * cold cache): the real {@link AcquisitionClient} and {@link Sampler}, a first
 * Worker that crashes after its start (crashing_worker.ts), then the real Worker.
 * Prints one JSON line with the samples and status messages once samples flow
 * again, or after 20 s.
 * @module
 */
import { WORKER_URL, type WorkerLike } from "../../src/acquisition/client.ts";
import { loadConfig } from "../../src/config.ts";
import type { Sample } from "../../src/sample.ts";
import { Sampler } from "../../src/sampler.ts";
import { createChannelSources } from "../../src/sources/create_channels.ts";

const CRASHING = new URL("./crashing_worker.ts", import.meta.url);

const config = loadConfig({
  SENSOR: "ina219",
  I2C_BUS: "emulated",
  MOCK_SEED: "7",
  MOCK_AUTO_ROTATE_S: "0",
  SAMPLE_INTERVAL_MS: "5",
  DB_PATH: ":memory:",
}, []);
const scripts: string[] = [];
const source = createChannelSources(config.channels, {
  // The first Worker crashes after its start; the ones after it are the real Worker.
  spawn: () => {
    const url = scripts.length === 0 ? CRASHING : WORKER_URL;
    scripts.push(url.pathname.split("/").at(-1)!);
    return new Worker(url, { type: "module" }) as unknown as WorkerLike;
  },
  acquisition: { backoff: { baseMs: 100 } },
}).get("main")!;
const samples: Sample[] = [];
const statuses: string[] = [];
const sampler = new Sampler(source, {
  intervalMs: 5,
  onSample: (sample) => samples.push(sample),
  onStatus: (message) => statuses.push(message),
});
await sampler.start();
const deadline = Date.now() + 20_000;
const recovered = () => {
  const crash = samples.findIndex((s) => s.status === "error");
  return crash >= 0 && samples.slice(crash + 1).filter((s) => s.status === "ok").length >= 5;
};
while (!recovered() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
await sampler.stop();
console.log(JSON.stringify({
  samples: samples.map(({ seq, status, error }) => ({ seq, status, error })),
  statuses,
  scripts,
  restarts: source.details().worker_restarts,
}));
