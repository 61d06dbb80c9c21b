/**
 * @module
 * Recordings benchmark: an hour of 1 kHz samples (3.6 M rows, energy integrated as the
 * pipeline does) in a temporary database, then through `app.request()`: keeping the
 * whole hour as a recording (`POST /api/recordings` with `from_ms`/`to_ms`), its CSV
 * export (rows/s), its history (`points=` 500 and 5000, whole and 10 min; target: median
 * under 50 ms of CPU time, the machine being shared), its span figures, the store's own
 * `/api/history` over the same window as a baseline, and optionally the import of the
 * exported file. Wall and CPU time (this process's user + system) are both reported.
 *
 * ```sh
 * deno run -A bench/recordings.ts [--minutes 60] [--requests 15] [--import]
 * ```
 *
 * Prints the load average before and after (the machine is shared), a table and one
 * JSON line; exits with code 1 when a history median misses the target.
 */
import { parseArgs } from "node:util";
import process from "node:process";
import { loadConfig } from "../src/config.ts";
import { createCore } from "../src/monitor.ts";
import { fillMockHistory } from "./_fill_mock.ts";
import { median } from "./_stats.ts";

const TARGET_MS = 50;
const MINUTE_MS = 60_000;

const args = parseArgs({
  args: Deno.args,
  options: {
    minutes: { type: "string", default: "60" },
    requests: { type: "string", default: "15" },
    import: { type: "boolean", default: false },
  },
});
const minutes = Number(args.values.minutes);
const requests = Number(args.values.requests);

/** This process's CPU time (user + system) in ms: what a step cost, whatever the load. */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const load = () => Deno.loadavg().map((x) => x.toFixed(2)).join(" ");

const dir = await Deno.makeTempDir({ prefix: "recordings-bench-" });
const path = `${dir}/monitor.db`;
const loadBefore = load();
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
  const rows: [string, string, string][] = [];
  const result: Record<string, unknown> = { minutes, fill_s: fillS };
  let ok = true;
  try {
    const app = core.app;
    // 1. Keep the whole span (edges on no bucket).
    const from = startMs + 123;
    const to = endMs - 77;
    let t0 = performance.now();
    let c0 = cpuMs();
    const made = await app.request("/api/recordings", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: "bench", from_ms: from, to_ms: to }),
    });
    const rec = await made.json();
    const createS = (performance.now() - t0) / 1000;
    const createCpuS = (cpuMs() - c0) / 1000;
    if (made.status !== 201) {
      throw new Error(`create answered ${made.status}: ${JSON.stringify(rec)}`);
    }
    const bytesPerRow = rec.size_bytes / rec.samples;
    rows.push([
      "create from history",
      `${rec.samples} rows`,
      `${createS.toFixed(1)} s wall, ${createCpuS.toFixed(1)} s CPU (${
        Math.round(rec.samples / createCpuS)
      } rows per CPU s)`,
    ]);
    rows.push([
      "size on disk",
      `${(rec.size_bytes / 1048576).toFixed(1)} MB`,
      `${bytesPerRow.toFixed(1)} bytes/row`,
    ]);
    Object.assign(result, {
      samples: rec.samples,
      create_s: createS,
      create_cpu_s: createCpuS,
      bytes_per_row: bytesPerRow,
    });

    // 2. CSV export, read to the end.
    t0 = performance.now();
    c0 = cpuMs();
    const res = await app.request(`/api/recordings/${rec.id}/export.csv`);
    let bytes = 0;
    const chunks: Uint8Array[] = [];
    for await (const chunk of res.body!) {
      bytes += chunk.byteLength;
      if (args.values.import) chunks.push(chunk);
    }
    const exportS = (performance.now() - t0) / 1000;
    const exportCpuS = (cpuMs() - c0) / 1000;
    rows.push([
      "CSV export",
      `${(bytes / 1048576).toFixed(0)} MB`,
      `${exportS.toFixed(1)} s wall, ${exportCpuS.toFixed(1)} s CPU (${
        Math.round(rec.samples / exportCpuS)
      } rows per CPU s, ${(bytes / 1048576 / exportCpuS).toFixed(1)} MB per CPU s)`,
    ]);
    Object.assign(result, {
      export_s: exportS,
      export_cpu_s: exportCpuS,
      export_mb: bytes / 1048576,
    });

    // 3. History and span of the recording.
    const timed = async (url: string) => {
      const times: number[] = [];
      const cpu: number[] = [];
      for (let i = 0; i < requests + 2; i++) {
        const s = performance.now();
        const c = cpuMs();
        const r = await app.request(url);
        await r.json();
        if (r.status !== 200) throw new Error(`${url} answered ${r.status}`);
        if (i >= 2) {
          times.push(performance.now() - s);
          cpu.push(cpuMs() - c);
        }
      }
      return { median: median(times), max: Math.max(...times), cpu_median: median(cpu) };
    };
    const tenFrom = from + 20 * MINUTE_MS + 1;
    const queries: [string, string, boolean][] = [
      ["history whole, points=500", `/api/recordings/${rec.id}/history?points=500`, true],
      ["history whole, points=5000", `/api/recordings/${rec.id}/history?points=5000`, true],
      [
        "history 10 min, points=5000",
        `/api/recordings/${rec.id}/history?points=5000&from=${tenFrom}&to=${
          tenFrom + 10 * MINUTE_MS
        }`,
        true,
      ],
      [
        "span whole (figures)",
        `/api/recordings/${rec.id}/span?capacity_mah=2000&nominal_v=3.7`,
        false,
      ],
      // The same windows on the store's own history: the baseline under the same load.
      [
        "store /api/history whole, points=500",
        `/api/history?from=${from}&to=${to}&points=500`,
        false,
      ],
      [
        "store /api/history whole, points=5000",
        `/api/history?from=${from}&to=${to}&points=5000`,
        false,
      ],
    ];
    for (const [name, url, target] of queries) {
      if (name.includes("10 min") && minutes < 31) continue;
      const t = await timed(url);
      // Judged on CPU time: the machine is shared, wall time waits for the other processes.
      const pass = !target || t.cpu_median < TARGET_MS;
      ok &&= pass;
      rows.push([
        name,
        `median ${t.median.toFixed(1)} ms wall, ${t.cpu_median.toFixed(1)} ms CPU`,
        `max ${t.max.toFixed(1)} ms${target ? ` ${pass ? "PASS" : "FAIL"} < ${TARGET_MS}` : ""}`,
      ]);
      result[name] = t;
    }

    // 4. Import of the export (optional: it doubles the run).
    if (args.values.import) {
      const body = new Blob(chunks as BlobPart[]);
      t0 = performance.now();
      const imp = await app.request("/api/recordings/import?name=again", {
        method: "POST",
        headers: { "Content-Type": "text/csv" },
        body: body.stream(),
      });
      const back = await imp.json();
      const importS = (performance.now() - t0) / 1000;
      if (imp.status !== 201) {
        throw new Error(`import answered ${imp.status}: ${JSON.stringify(back)}`);
      }
      rows.push([
        "CSV import",
        `${back.samples} rows`,
        `${importS.toFixed(1)} s (${Math.round(back.samples / importS)} rows/s)`,
      ]);
      result.import_s = importS;
    }
  } finally {
    core.recordings.close();
    core.store.close();
  }

  console.log(
    `filled ${minutes} min at 1 kHz in ${
      fillS.toFixed(1)
    } s; load average before ${loadBefore}, after ${load()} (1/5/15 min)\n`,
  );
  console.log("| step | size | time |");
  console.log("| ---- | ---- | ---- |");
  for (const [a, b, c] of rows) console.log(`| ${a} | ${b} | ${c} |`);
  console.log(
    JSON.stringify({ bench: "recordings", load_before: loadBefore, load_after: load(), ...result }),
  );
  if (!ok) Deno.exitCode = 1;
} finally {
  await Deno.remove(dir, { recursive: true });
}
