/**
 * Per-channel rates of chips sharing one emulated I2C bus, through the channel
 * factory and the real acquisition Worker (no server): by default four INA219s at
 * 0x40–0x43 on a 400 kHz bus, each at SAMPLE_INTERVAL_MS (default 4 ms, 250/s).
 * Prints each channel's readings per second, errors, gaps (intervals over 1.5×
 * the interval) and the driver's counters.
 *
 * Usage: deno run -A bench/channels.ts [--chips 4] [--interval-ms 4] [--khz 400] [--seconds 10]
 * @module
 */
import { parseArgs } from "node:util";
import { loadConfig } from "../src/config.ts";
import { createChannelSources } from "../src/sources/create_channels.ts";

const { values } = parseArgs({
  options: {
    chips: { type: "string", default: "4" },
    "interval-ms": { type: "string", default: Deno.env.get("SAMPLE_INTERVAL_MS") ?? "4" },
    khz: { type: "string", default: "400" },
    seconds: { type: "string", default: "10" },
  },
});
const chips = Number(values.chips);
const intervalMs = Number(values["interval-ms"]);
const seconds = Number(values.seconds);
const channels = Array.from({ length: chips }, (_, i) => ({
  name: `ch${i}`,
  sensor: "ina219",
  i2c_bus: "emulated",
  i2c_address: `0x${(0x40 + i).toString(16)}`,
  sample_interval_ms: intervalMs,
}));
const config = loadConfig({
  CHANNELS: JSON.stringify(channels),
  I2C_EMULATED_KHZ: values.khz,
  MOCK_SEED: "1",
  MOCK_AUTO_ROTATE_S: "0",
}, []);
const sources = createChannelSources(config.channels);
const stats = new Map<string, { ok: number; errors: number; gaps: number; last?: number }>();
for (const [name, source] of sources) {
  const s = { ok: 0, errors: 0, gaps: 0, last: undefined as number | undefined };
  stats.set(name, s);
  await source.open();
  source.listen!((event) => {
    if (event.error) s.errors++;
    else s.ok++;
    if (s.last !== undefined && event.tsMs - s.last > 1.5 * intervalMs) s.gaps++;
    s.last = event.tsMs;
  });
}
// The first second warms up (Worker start, JIT); then count.
await new Promise((resolve) => setTimeout(resolve, 1000));
for (const s of stats.values()) Object.assign(s, { ok: 0, errors: 0, gaps: 0 });
await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
const rows = [...sources].map(([name, source]) => {
  const s = stats.get(name)!;
  const d = source.details();
  return {
    channel: name,
    per_s: Math.round((s.ok / seconds) * 10) / 10,
    errors: s.errors,
    gaps: s.gaps,
    polls_per_sample: d.polls_per_sample,
    torn_reads: d.torn_reads,
    resyncs: d.resyncs,
    skipped_ticks: d.skipped_ticks,
  };
});
for (const source of sources.values()) await source.close();
console.log(
  `${chips} × INA219 on an emulated ${values.khz} kHz bus, ${intervalMs} ms each (${
    1000 / intervalMs
  }/s), ${seconds} s:`,
);
console.table(rows);
