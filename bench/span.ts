/**
 * @module
 * `GET /api/span` benchmark: an hour of 1 kHz samples (3.6 M rows, energy integrated as
 * the pipeline does) in a temporary database, then the time `app.request()` takes to
 * answer spans of 1 h and 10 min whose edges fall on no bucket (raw samples at both
 * edges, 100 ms, 1 s and 1 min rollups inside). Target: median under 50 ms.
 *
 * ```sh
 * deno run --allow-read --allow-write --allow-env --allow-net bench/span.ts [--requests 25] [--minutes 60]
 * ```
 *
 * Prints a table and one JSON line; exits with code 1 when a median misses the target.
 */
import { parseArgs } from "node:util";
import { loadConfig } from "../src/config.ts";
import { createCore } from "../src/monitor.ts";
import { fillMockHistory } from "./_fill_mock.ts";
import { median } from "./_stats.ts";

const TARGET_MS = 50;
const MINUTE_MS = 60_000;

const args = parseArgs({
  args: Deno.args,
  options: {
    requests: { type: "string", default: "25" },
    minutes: { type: "string", default: "60" },
  },
});
const requests = Number(args.values.requests);
const minutes = Number(args.values.minutes);

const dir = await Deno.makeTempDir({ prefix: "span-bench-" });
const path = `${dir}/monitor.db`;
try {
  const endMs = Math.floor(Date.now() / 1000) * 1000 - MINUTE_MS;
  const startMs = endMs - minutes * MINUTE_MS;
  const fillStart = performance.now();
  fillMockHistory(path, startMs, endMs);
  const fillS = (performance.now() - fillStart) / 1000;

  const core = createCore(
    loadConfig({ DB_PATH: path, MOCK_SEED: "1", FLUSH_INTERVAL_MS: "60000" }, []),
    "bench",
    () => {},
  );
  const results: Record<string, { medianMs: number; maxMs: number; count: number }> = {};
  try {
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (const [name, lengthMs] of [["1 h", 60 * MINUTE_MS], ["10 min", 10 * MINUTE_MS]] as const) {
      const spanMs = Math.min(lengthMs, endMs - startMs - 1000);
      const times: number[] = [];
      let count = 0;
      for (let i = 0; i < requests + 3; i++) {
        // Edges on no bucket: an odd millisecond inside the data.
        const base = startMs + 1 + Math.floor(rnd() * (endMs - startMs - spanMs - 2));
        const fromMs = base % 2 === 0 ? base + 1 : base;
        const t0 = performance.now();
        const res = await core.app.request(`/api/span?from=${fromMs}&to=${fromMs + spanMs}`);
        const body = await res.json();
        const ms = performance.now() - t0;
        if (res.status !== 200) {
          throw new Error(`/api/span answered ${res.status}: ${JSON.stringify(body)}`);
        }
        if (i >= 3) times.push(ms); // the first few warm the statements and the cache
        count = body.count + body.errors;
      }
      results[name] = { medianMs: median(times), maxMs: Math.max(...times), count };
    }
  } finally {
    core.store.close();
  }

  console.log(`filled ${minutes} min at 1 kHz in ${fillS.toFixed(1)} s\n`);
  console.log("| span   | samples   | median ms | max ms | target     |");
  console.log("| ------ | --------- | --------- | ------ | ---------- |");
  let ok = true;
  for (const [name, r] of Object.entries(results)) {
    const pass = r.medianMs < TARGET_MS;
    ok &&= pass;
    console.log(
      `| ${name.padEnd(6)} | ${String(r.count).padStart(9)} | ${
        r.medianMs.toFixed(2).padStart(9)
      } | ${r.maxMs.toFixed(2).padStart(6)} | ${pass ? "PASS" : "FAIL"} < ${TARGET_MS} |`,
    );
  }
  console.log(JSON.stringify({ bench: "span", minutes, requests, results }));
  if (!ok) Deno.exitCode = 1;
} finally {
  await Deno.remove(dir, { recursive: true });
}
