/**
 * Makes `single_channel.db` and `single_channel.json` beside this file: a database as
 * the monitor wrote it before channels (one channel, `main`), with samples across a
 * minute boundary, failed reads, rollups, alerts, energy counters, saved alert rules and
 * a `seq` reservation, and the figures the migration test expects to find in it. The
 * committed files were made by this script at commit 69db308 (the store before
 * channels); run it there, not on later code, to make them again:
 *
 * ```sh
 * deno run --allow-read --allow-write --allow-env tests/store/testdata/make_single_channel_db.ts
 * ```
 * @module
 */
import { DEFAULT_RULES } from "../../../src/analysis/alerts.ts";
import { EnergyMeter } from "../../../src/energy_meter.ts";
import { initialRules } from "../../../src/pipeline.ts";
import { Store } from "../../../src/store/store.ts";
import { stream, T0 } from "../fixtures.ts";

const here = new URL(".", import.meta.url).pathname;
const dir = await Deno.makeTempDir();
const path = `${dir}/single_channel.db`;
const store = new Store({
  path,
  rawRetentionMs: 1e12,
  rollupRetentionMs: 1e12,
  flushIntervalMs: 0,
  retentionIntervalMs: 0,
  now: () => T0 + 10_000,
});
const rules = [{ ...DEFAULT_RULES[0], warning_high: 5.1 }];
initialRules(store, rules, DEFAULT_RULES);
const energy = new EnergyMeter({
  storage: store,
  maxGapMs: () => 5,
  announce: () => {},
  now: () => T0,
});
const samples = stream(13);
for (let i = 0; i < 1500; i++) {
  const s = samples.next().value!;
  // 60 s apart in the middle: rollups in two minutes.
  const shifted = i < 750 ? s : { ...s, tsMs: s.tsMs + 60_000 };
  store.append(shifted, energy.add(shifted));
  if (i % 500 === 499) store.flush();
}
const alert = (tsMs: number, state: "raised" | "cleared") =>
  store.alerts.add({
    ts_ms: tsMs,
    metric: "v",
    severity: "warning",
    state,
    value: 5.15,
    limit: 5.1,
    message: `v ${state}`,
  });
alert(T0 + 100, "raised");
alert(T0 + 200, "cleared");
store.flush();
const history = store.queries.minutes(T0 - 60_000, T0 + 180_000);
const expected = {
  rows: store.rows,
  last_seq: store.writer.lastSeq,
  energy: store.getSetting("energy"),
  rules: store.getSetting("alert_rules"),
  alerts: store.alerts.list(0, T0 + 1e6, 100),
  minutes: history,
  measurements: store.queries.measurements(T0, T0 + 5, 10),
};
store.close();
await Deno.copyFile(path, `${here}single_channel.db`);
await Deno.writeTextFile(`${here}single_channel.json`, JSON.stringify(expected, null, 2) + "\n");
await Deno.remove(dir, { recursive: true });
console.log(`rows ${expected.rows}, last seq ${expected.last_seq}`);
