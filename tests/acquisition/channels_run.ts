/**
 * Run by tests/sources/create_channels_test.ts with `deno run` (a Worker's modules are
 * type-checked slowly under `deno test`): {@link createChannelSources} for the
 * CHANNELS in argument 1 with sysfs at argument 2, each source on its own
 * {@link Sampler}, for argument 3 ms (default 1500). Prints one JSON line: each
 * channel's kind, samples, status messages and details.
 * @module
 */
import { loadConfig } from "../../src/config.ts";
import type { Sample } from "../../src/sample.ts";
import { Sampler } from "../../src/sampler.ts";
import { createChannelSources } from "../../src/sources/create_channels.ts";

const [channels, sysfsRoot, durationText] = Deno.args;
const config = loadConfig({ CHANNELS: channels, MOCK_SEED: "11", DB_PATH: ":memory:" }, []);
const sources = createChannelSources(config.channels, { sysfsRoot });
const runs = [...sources].map(([name, source]) => {
  const samples: Sample[] = [];
  const statuses: string[] = [];
  const channel = config.channels.find((c) => c.name === name)!;
  const sampler = new Sampler(source, {
    intervalMs: channel.kind === "measured" ? channel.sampleIntervalMs : 1000,
    onSample: (sample) => samples.push(sample),
    onStatus: (message) => statuses.push(message),
  });
  return { name, source, sampler, samples, statuses };
});
for (const run of runs) await run.sampler.start();
await new Promise((resolve) => setTimeout(resolve, Number(durationText ?? 1500)));
const details = Object.fromEntries(runs.map((r) => [r.name, r.source.details()]));
for (const run of runs) await run.sampler.stop();
console.log(JSON.stringify(Object.fromEntries(runs.map((r) => [r.name, {
  kind: r.source.kind,
  samples: r.samples.map(({ seq, status, error, v, a, w, mode }) => ({
    seq,
    status,
    error,
    v,
    a,
    w,
    mode,
  })),
  statuses: r.statuses,
  details: details[r.name],
}]))));
