/**
 * @module
 * Storage benchmark: SQLite ingest rate and per-flush cost, `/api/history` over 48 h at 1 Hz
 * and 1 h at 1 kHz (rollups against raw), retention chunks, bytes per row and CSV export.
 *
 * ```sh
 * deno run --allow-read --allow-write --allow-env --allow-net bench/store.ts \
 *   [--runs 5] [--ingest-rows 200000] [--requests 25] [--raw-runs 5] [--khz-minutes 60] \
 *   [--export-minutes 60]
 * ```
 *
 * Works in a temporary directory it removes; takes about 6 min, 4.5 of them the hour-long
 * CSV export (`--export-minutes 10` makes it about 2). Prints a table and one JSON line;
 * results and what they mean are in docs/benchmarks.md, "Storage (SQLite)".
 */

import type { DatabaseSync } from "node:sqlite";
import { parseArgs } from "node:util";
import { loadConfig } from "../src/config.ts";
import { createCore } from "../src/monitor.ts";
import { EnergyIntegrator, type EnergyStep } from "../src/analysis/energy.ts";
import type { Sample } from "../src/sample.ts";
import { MockSource } from "../src/sources/mock.ts";
import { openDatabase } from "../src/store/db.ts";
import { Retention } from "../src/store/retention.ts";
import { SampleWriter } from "../src/store/writer.ts";

const HOUR_MS = 3_600_000;
/** Rows of 48 h at 1 kHz: what a Pi keeps with the default RETENTION_HOURS. */
const ROWS_48H_1KHZ = 172_800_000;

/** Nearest-rank percentile `p` (0..100); NaN when empty. */
function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1];
}
const median = (values: readonly number[]) => percentile(values, 50);
const max = (values: readonly number[]) => Math.max(...values);
const r1 = (x: number) => Math.round(x * 10) / 10;
const r2 = (x: number) => Math.round(x * 100) / 100;
const macrotask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Where a run of mock samples starts, how far apart they are, and the `seq` before them. */
interface Ticks {
  startMs: number;
  intervalMs: number;
  seq0: number;
}

/** `n` mock readings, one per tick, numbered from `seq0 + 1`. */
function mockSamples(src: MockSource, n: number, { startMs, intervalMs, seq0 }: Ticks): Sample[] {
  const out: Sample[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const tsMs = startMs + i * intervalMs;
    const r = src.read(tsMs);
    out[i] = { tsMs, seq: seq0 + i + 1, v: r.v, a: r.a, w: r.w, status: r.status, mode: src.mode };
  }
  return out;
}

const NO_STEP: EnergyStep = Object.freeze({ energyJ: 0, chargeC: 0 });

/**
 * The storage half of the production pipeline: integrates energy per sample, hands
 * sample and step to the writer, and flushes with the energy counters as settings.
 */
class Feeder {
  readonly writer: SampleWriter;
  #energy: EnergyIntegrator;
  #counters = { totalJ: 0, totalC: 0, sinceResetJ: 0, sinceResetC: 0, resetAtMs: 0 };

  constructor(db: DatabaseSync, maxGapMs: number) {
    this.writer = new SampleWriter(db);
    this.#energy = new EnergyIntegrator(() => maxGapMs);
  }

  append(sample: Sample): void {
    let step = NO_STEP;
    if (sample.status === "error") this.#energy.break();
    else step = this.#energy.add(sample.tsMs, sample.w, sample.a);
    const c = this.#counters;
    c.totalJ += step.energyJ;
    c.sinceResetJ += step.energyJ;
    c.totalC += step.chargeC;
    c.sinceResetC += step.chargeC;
    this.writer.append(sample, step);
  }

  flush(): number {
    return this.writer.flush({ energy: { ...this.#counters } });
  }
}

/** 1 kHz into a fresh file database, one flush per 1000 samples as the Store does at 1 kHz. */
function benchIngest(dir: string, { runs, rows }: { runs: number; rows: number }) {
  const rates: number[] = [];
  const flushMedians: number[] = [];
  const flushes: number[] = [];
  for (let run = 0; run < runs; run++) {
    const path = `${dir}/ingest_${run}.db`;
    const db = openDatabase(path);
    const writer = new Feeder(db, 5);
    const src = new MockSource({ seed: run + 1, autoRotateMs: 30_000 });
    const startMs = Date.now();
    const runFlushes: number[] = [];
    let busyMs = 0;
    for (let done = 0; done < rows; done += 1000) {
      const batch = mockSamples(src, 1000, { startMs: startMs + done, intervalMs: 1, seq0: done });
      const t0 = performance.now();
      for (const s of batch) writer.append(s);
      const t1 = performance.now();
      writer.flush();
      const t2 = performance.now();
      runFlushes.push(t2 - t1);
      busyMs += t2 - t0;
    }
    db.close();
    rates.push(rows / (busyMs / 1000));
    flushMedians.push(median(runFlushes));
    flushes.push(...runFlushes);
    removeDb(path);
  }
  return {
    rows_per_run: rows,
    runs,
    rows_per_s: Math.round(median(rates)),
    flush_1000_ms_median: r2(median(flushMedians)),
    flush_1000_ms_p99: r2(percentile(flushes, 99)),
    flush_1000_ms_max: r2(max(flushes)),
  };
}

/**
 * WAL bytes per row when the Store flushes once a second: 1000 rows per commit at 1 kHz,
 * one at 1 Hz. Every commit appends each page it touched, so this is what reaches the card
 * before checkpoints copy pages into the file. Automatic checkpoints are off so the WAL
 * only grows.
 */
function walBytesPerRow(dir: string, { rows, intervalMs }: { rows: number; intervalMs: number }) {
  const perFlush = 1000 / intervalMs;
  const path = `${dir}/wal.db`;
  const db = openDatabase(path);
  db.exec("PRAGMA wal_autocheckpoint = 0");
  const writer = new Feeder(db, 5 * intervalMs);
  const src = new MockSource({ seed: 3, autoRotateMs: 30_000 });
  const startMs = Date.now();
  const walBefore = Deno.statSync(`${path}-wal`).size;
  for (let done = 0; done < rows; done += perFlush) {
    const ticks = { startMs: startMs + done * intervalMs, intervalMs, seq0: done };
    for (const s of mockSamples(src, perFlush, ticks)) writer.append(s);
    writer.flush();
  }
  const walBytes = Deno.statSync(`${path}-wal`).size - walBefore;
  db.close();
  removeDb(path);
  return r1(walBytes / rows);
}

/** Fills `path` with `rows` samples `intervalMs` apart from `startMs`, 50 000 per flush. */
function buildDb(
  path: string,
  { startMs, rows, intervalMs }: { startMs: number; rows: number; intervalMs: number },
) {
  const db = openDatabase(path);
  const writer = new Feeder(db, 5 * intervalMs);
  const src = new MockSource({ seed: 1, autoRotateMs: 30_000 });
  const t0 = performance.now();
  for (let done = 0; done < rows; done += 50_000) {
    const n = Math.min(50_000, rows - done);
    const ticks = { startMs: startMs + done * intervalMs, intervalMs, seq0: done };
    for (const s of mockSamples(src, n, ticks)) writer.append(s);
    writer.flush();
  }
  const ms = performance.now() - t0;
  const size = dbSize(db, path);
  db.close();
  return { rows, build_rows_per_s: Math.round(rows / (ms / 1000)), ...size };
}

/** File size after a WAL checkpoint, per table and index (dbstat), and per stored row. */
function dbSize(db: DatabaseSync, path: string) {
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  const rows = (db.prepare("SELECT COUNT(*) AS n FROM samples").get() as { n: number }).n;
  const bytes = Deno.statSync(path).size;
  const parts = db.prepare("SELECT name, SUM(pgsize) AS b FROM dbstat GROUP BY name").all() as {
    name: string;
    b: number;
  }[];
  const part = (name: string) => parts.find((p) => p.name === name)?.b ?? 0;
  return {
    file_bytes: bytes,
    bytes_per_row: r1(bytes / rows),
    table_bytes_per_row: r1(part("samples") / rows),
    index_bytes_per_row: r1(part("samples_by_time") / rows),
    rollup_bytes_per_row: r1((part("rollup_1s") + part("rollup_1m")) / rows),
  };
}

function removeDb(path: string): void {
  for (const suffix of ["", "-wal", "-shm"]) {
    try {
      Deno.removeSync(path + suffix);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
}

/** A time window [fromMs, toMs). */
interface Span {
  fromMs: number;
  toMs: number;
}

/** `/api/history` over [from, to) through the Hono app, then the same buckets from raw rows. */
async function benchHistory(
  path: string,
  { fromMs, toMs, requests: n, rawRuns }: Span & { requests: number; rawRuns: number },
) {
  let t0 = performance.now();
  const core = createCore(loadConfig({ DB_PATH: path, MOCK_SEED: "1" }, []));
  const openMs = performance.now() - t0;
  try {
    const url = `http://localhost/api/history?from=${fromMs}&to=${toMs}&points=1000`;
    const times: number[] = [];
    let body: { source: string; bucket_ms: number; count: number } | undefined;
    for (let i = 0; i < n + 2; i++) {
      t0 = performance.now();
      const res = await core.app.request(url);
      const text = await res.text();
      if (i >= 2) times.push(performance.now() - t0); // two warm-up requests
      if (res.status !== 200) throw new Error(`GET ${url} failed: ${res.status} ${text}`);
      body = JSON.parse(text);
    }
    const plan = { source: body!.source as "1s" | "1m", bucketMs: body!.bucket_ms };
    const direct = (source: "raw" | "1s" | "1m", runs: number) => {
      const ts: number[] = [];
      for (let i = 0; i < runs; i++) {
        t0 = performance.now();
        core.store.queries.history(fromMs, toMs, { source, bucketMs: plan.bucketMs });
        ts.push(performance.now() - t0);
      }
      return median(ts);
    };
    const rollupMs = direct(plan.source, n);
    const rawMs = direct("raw", rawRuns);
    const stats: number[] = [];
    for (let i = 0; i < 5; i++) {
      t0 = performance.now();
      core.store.stats();
      stats.push(performance.now() - t0);
    }
    return {
      source: plan.source,
      bucket_ms: plan.bucketMs,
      buckets: body!.count,
      requests: n,
      route_ms_median: r1(median(times)),
      route_ms_p95: r1(percentile(times, 95)),
      rollup_query_ms_median: r1(rollupMs),
      raw_query_ms_median: r1(rawMs),
      raw_over_route: r1(rawMs / median(times)),
      create_core_ms: r1(openMs),
      store_stats_ms_median: r1(median(stats)),
    };
  } finally {
    core.store.close();
  }
}

/** Downloads `/api/export.csv` over [from, to), timing every chunk and sampling RSS. */
async function benchExport(path: string, { fromMs, toMs }: Span) {
  const core = createCore(loadConfig({ DB_PATH: path, MOCK_SEED: "1" }, []));
  try {
    const rss0 = Deno.memoryUsage().rss;
    let peakRss = rss0;
    const pulls: number[] = [];
    let bytes = 0;
    let lines = 0;
    const t0 = performance.now();
    const res = await core.app.request(`http://localhost/api/export.csv?from=${fromMs}&to=${toMs}`);
    if (res.status !== 200 || !res.body) throw new Error(`Export failed: ${res.status}`);
    const reader = res.body.getReader();
    let last = performance.now();
    for (;;) {
      const { done, value } = await reader.read();
      const now = performance.now();
      if (done) break;
      pulls.push(now - last);
      last = now;
      bytes += value.length;
      for (let i = value.indexOf(10); i !== -1; i = value.indexOf(10, i + 1)) lines++;
      peakRss = Math.max(peakRss, Deno.memoryUsage().rss);
    }
    const s = (performance.now() - t0) / 1000;
    const rows = lines - 1;
    const pages = pulls.slice(1); // the first chunk is the header
    return {
      rows,
      mb: r1(bytes / 1e6),
      seconds: r1(s),
      rows_per_s: Math.round(rows / s),
      mb_per_s: r1(bytes / 1e6 / s),
      pull_ms_first10_median: r1(median(pages.slice(0, 10))),
      pull_ms_last10_median: r1(median(pages.slice(-10))),
      pull_ms_max: r1(max(pages)),
      rss_growth_mb_peak: r1((peakRss - rss0) / 1e6),
    };
  } finally {
    core.store.close();
  }
}

/** One Retention pass, timing each chunk (the time between two yields blocks the event loop). */
async function timedPass(
  db: DatabaseSync,
  { nowMs, rawRetentionMs }: { nowMs: number; rawRetentionMs: number },
) {
  const chunks: number[] = [];
  let mark = 0;
  const retention = new Retention(db, {
    rawRetentionMs,
    rollupRetentionMs: 30 * 24 * HOUR_MS,
    now: () => nowMs,
    yieldFn: async () => {
      chunks.push(performance.now() - mark);
      await macrotask();
      mark = performance.now();
    },
  });
  const t0 = mark = performance.now();
  const deleted = await retention.run();
  chunks.push(performance.now() - mark);
  return {
    deleted,
    total_ms: r1(performance.now() - t0),
    chunks: chunks.length,
    chunk_ms_median: r1(median(chunks)),
    chunk_ms_max: r1(max(chunks)),
    // First against last chunks: does a chunk's cost follow the rows still in the table?
    chunk_ms_first10_median: r1(median(chunks.slice(0, 10))),
    chunk_ms_last10_median: r1(median(chunks.slice(-11, -1))),
  };
}

/** Retention on the 1 kHz database: three production-like passes, then half of it at once. */
async function benchRetentionKhz(
  path: string,
  { startMs, endMs, runs }: { startMs: number; endMs: number; runs: number },
) {
  const db = openDatabase(path);
  try {
    const rows = () => (db.prepare("SELECT COUNT(*) AS n FROM samples").get() as { n: number }).n;
    const rowsBefore = rows();
    const spanMs = endMs - startMs;
    // Nothing old yet: the cost of a pass that deletes nothing.
    const idle = await timedPass(db, { nowMs: endMs, rawRetentionMs: spanMs + HOUR_MS });
    // Every 60 s the Store's pass finds one minute of rows past the limit.
    const steady = [];
    for (let k = 0; k < runs; k++) {
      steady.push(
        await timedPass(db, { nowMs: endMs + k * 60_000, rawRetentionMs: spanMs - 60_000 }),
      );
    }
    const chunkMax = median(steady.map((p) => p.chunk_ms_max));
    // Then half of what is left becomes old at once (a lowered RETENTION_HOURS, a long stop).
    const steadyCutoffMs = startMs + runs * 60_000;
    const halfCutoffMs = steadyCutoffMs + (endMs - steadyCutoffMs) / 2;
    const half = await timedPass(db, { nowMs: endMs, rawRetentionMs: endMs - halfCutoffMs });
    return {
      rows_before: rowsBefore,
      idle_pass_ms: idle.total_ms,
      minute_pass: {
        runs,
        rows_deleted: steady[0].deleted.samples,
        total_ms_median: r1(median(steady.map((p) => p.total_ms))),
        chunks: steady[0].chunks,
        chunk_ms_max_median: r1(chunkMax),
        // A chunk scans the whole samples_by_time index, so it grows with the rows kept.
        chunk_ms_max_projected_48h_1khz: Math.round(chunkMax * ROWS_48H_1KHZ / rowsBefore),
      },
      half_pass: { ...half, rows_left: rows() },
    };
  } finally {
    db.close();
  }
}

/** 1 Hz kept 48 h: each pass an hour later finds one hour (3600 rows) past the limit. */
async function benchRetentionHz(path: string, { endMs, runs }: { endMs: number; runs: number }) {
  const db = openDatabase(path);
  try {
    const passes = [];
    for (let k = 1; k <= runs; k++) {
      passes.push(
        await timedPass(db, { nowMs: endMs + k * HOUR_MS, rawRetentionMs: 48 * HOUR_MS }),
      );
    }
    return {
      runs,
      rows_deleted: passes[0].deleted.samples,
      total_ms_median: r1(median(passes.map((p) => p.total_ms))),
      chunk_ms_max_median: r1(median(passes.map((p) => p.chunk_ms_max))),
    };
  } finally {
    db.close();
  }
}

/** Per-flush cost of 1000 rows into an already big database (does it grow with size?). */
function flushIntoBig(path: string, { endMs, flushes }: { endMs: number; flushes: number }) {
  const db = openDatabase(path);
  try {
    const writer = new Feeder(db, 5);
    const src = new MockSource({ seed: 7, autoRotateMs: 30_000 });
    const times: number[] = [];
    for (let i = 0; i < flushes; i++) {
      const ticks = { startMs: endMs + 1 + i * 1000, intervalMs: 1, seq0: writer.writer.lastSeq };
      const batch = mockSamples(src, 1000, ticks);
      for (const s of batch) writer.append(s);
      const t0 = performance.now();
      writer.flush();
      times.push(performance.now() - t0);
    }
    return { flushes, flush_1000_ms_median: r2(median(times)), flush_1000_ms_max: r2(max(times)) };
  } finally {
    db.close();
  }
}

/** Runs every measurement in a temporary directory, prints a table and one JSON line. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      runs: { type: "string", default: "5" },
      "ingest-rows": { type: "string", default: "200000" },
      requests: { type: "string", default: "25" },
      "raw-runs": { type: "string", default: "5" },
      "khz-minutes": { type: "string", default: "60" },
      "export-minutes": { type: "string", default: "60" },
    },
  });
  const opt = (name: keyof typeof values, min: number) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min) {
      throw new RangeError(`Invalid --${name} "${values[name]}": must be an integer ≥ ${min}`);
    }
    return n;
  };
  const runs = opt("runs", 1);
  const ingestRows = opt("ingest-rows", 1000);
  const requests = opt("requests", 20);
  const rawRuns = opt("raw-runs", 1);
  const khzMinutes = opt("khz-minutes", 10);
  const exportMinutes = Math.min(opt("export-minutes", 1), khzMinutes);

  const dir = await Deno.makeTempDir({ prefix: "ina219-bench-store-" });
  const log = (line: string) => console.error(`[store] ${line}`);
  try {
    log(`ingest: ${runs} runs × ${ingestRows} rows, one flush per 1000`);
    const ingest = {
      ...benchIngest(dir, { runs, rows: ingestRows }),
      wal_bytes_per_row: walBytesPerRow(dir, { rows: 100_000, intervalMs: 1 }),
      wal_bytes_per_row_1hz: walBytesPerRow(dir, { rows: 2000, intervalMs: 1000 }),
    };

    const hzPath = `${dir}/hz_48h.db`;
    const hzEnd = Date.now();
    log("building 48 h at 1 Hz (172 800 rows)");
    const hzDb = buildDb(hzPath, { startMs: hzEnd - 172_799_000, rows: 172_800, intervalMs: 1000 });
    const khzPath = `${dir}/khz.db`;
    const khzRows = khzMinutes * 60_000;
    const khzEnd = Date.now();
    const khzStart = khzEnd - khzRows + 1;
    log(`building ${khzMinutes} min at 1 kHz (${khzRows} rows)`);
    const khzDb = buildDb(khzPath, { startMs: khzStart, rows: khzRows, intervalMs: 1 });

    log(`history: ${requests} requests per database`);
    const hzHistory = await benchHistory(hzPath, {
      fromMs: hzEnd + 1 - 48 * HOUR_MS,
      toMs: hzEnd + 1,
      requests,
      rawRuns: requests,
    });
    const khzHistory = await benchHistory(khzPath, {
      fromMs: khzStart,
      toMs: khzEnd + 1,
      requests,
      rawRuns,
    });
    // The longest window still read from raw rows: 1000 points of just under 1 s.
    const khzRawWindow = await benchHistory(khzPath, {
      fromMs: khzEnd + 1 - 960_000,
      toMs: khzEnd + 1,
      requests: 5,
      rawRuns: 1,
    });

    log(`export: ${exportMinutes} min at 1 kHz (one download; slow, see docs/benchmarks.md)`);
    const exp = await benchExport(khzPath, {
      fromMs: khzStart,
      toMs: khzStart + exportMinutes * 60_000,
    });
    const bigFlush = flushIntoBig(khzPath, { endMs: khzEnd, flushes: 60 });

    log("retention");
    const hzRetention = await benchRetentionHz(hzPath, { endMs: hzEnd, runs: 3 });
    const khzRetention = await benchRetentionKhz(khzPath, {
      startMs: khzStart,
      endMs: khzEnd + 1,
      runs: 3,
    });

    const perDayHz = hzDb.bytes_per_row * 86_400;
    const perDayKhz = khzDb.bytes_per_row * 86_400_000;
    const result = {
      bench: "store",
      date: new Date().toISOString(),
      deno: Deno.version.deno,
      cores: navigator.hardwareConcurrency,
      ingest,
      flush_into_big: { rows_in_db: khzRows, ...bigFlush },
      history: {
        hz_48h: hzHistory,
        khz: { minutes: khzMinutes, ...khzHistory },
        khz_16min: khzRawWindow,
      },
      retention: { hz_48h: hzRetention, khz: khzRetention },
      size: {
        hz_48h: hzDb,
        khz: khzDb,
        mb_per_day_1hz: r1(perDayHz / 1e6),
        gb_per_day_1khz: r2(perDayKhz / 1e9),
        gb_48h_1khz: r1(2 * perDayKhz / 1e9),
      },
      export: { minutes: exportMinutes, ...exp },
    };
    printTable(result);
    console.log(JSON.stringify(result));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Prints the headline figures as a three-column text table. */
function printTable(r: {
  ingest: ReturnType<typeof benchIngest> & Record<`wal_bytes_per_row${"" | "_1hz"}`, number>;
  flush_into_big: { rows_in_db: number; flush_1000_ms_median: number };
  history: Record<"hz_48h" | "khz" | "khz_16min", Awaited<ReturnType<typeof benchHistory>>>;
  retention: {
    hz_48h: Awaited<ReturnType<typeof benchRetentionHz>>;
    khz: Awaited<ReturnType<typeof benchRetentionKhz>>;
  };
  size: Record<string, unknown> & Record<"hz_48h" | "khz", ReturnType<typeof buildDb>>;
  export: Awaited<ReturnType<typeof benchExport>>;
}): void {
  const { ingest: i, history: h, retention: ret, size: sz, export: e } = r;
  const k = ret.khz;
  const khzRows = r.flush_into_big.rows_in_db;
  const rows: [string, string, string][] = [
    ["ingest, flush per 1000 (rows/s)", `${i.rows_per_s}`, "1 kHz needs 1000"],
    [
      "flush of 1000 rows (ms)",
      `${i.flush_1000_ms_median} med, p99 ${i.flush_1000_ms_p99}, max ${i.flush_1000_ms_max}`,
      "blocks the loop once a second",
    ],
    [`flush of 1000 into ${khzRows} rows (ms)`, `${r.flush_into_big.flush_1000_ms_median}`, ""],
    [
      "WAL bytes per row, 1 kHz / 1 Hz",
      `${i.wal_bytes_per_row} / ${i.wal_bytes_per_row_1hz}`,
      "one commit a second; then checkpointed",
    ],
  ];
  for (
    const [name, x] of [["48 h @ 1 Hz", h.hz_48h], [`${khzRows} rows @ 1 kHz`, h.khz]] as const
  ) {
    rows.push(
      [
        `/api/history ${name} (ms)`,
        `${x.route_ms_median} med, p95 ${x.route_ms_p95} (${x.source}, ${x.bucket_ms} ms)`,
        `< 50: ${x.route_ms_p95 < 50 ? "PASS" : "FAIL"}`,
      ],
      [`  same buckets from raw (ms)`, `${x.raw_query_ms_median}`, `${x.raw_over_route}× route`],
      [`  store.stats() (/status) (ms)`, `${x.store_stats_ms_median}`, "every 5 s + each /status"],
    );
  }
  const w = h.khz_16min;
  rows.push(
    [
      "/api/history 16 min @ 1 kHz (ms)",
      `${w.route_ms_median} med, p95 ${w.route_ms_p95} (${w.source}, ${w.bucket_ms} ms)`,
      `< 50: ${w.route_ms_p95 < 50 ? "PASS" : "FAIL"} (${w.requests} requests)`,
    ],
    ["retention 1 kHz, nothing old (ms)", `${k.idle_pass_ms}`, "one chunk, every 60 s"],
    [
      "retention 1 Hz, 1 h past 48 h (ms)",
      `${ret.hz_48h.total_ms_median} (${ret.hz_48h.rows_deleted} rows)`,
      `longest chunk ${ret.hz_48h.chunk_ms_max_median} ms`,
    ],
    [
      "retention 1 kHz, 1 min old (ms)",
      `${k.minute_pass.total_ms_median} (${k.minute_pass.rows_deleted} rows)`,
      `longest chunk ${k.minute_pass.chunk_ms_max_median} ms; 48 h: ~${k.minute_pass.chunk_ms_max_projected_48h_1khz} ms`,
    ],
    [
      "retention 1 kHz, half old (ms)",
      `${k.half_pass.total_ms} (${k.half_pass.deleted.samples} rows, ${k.half_pass.chunks} chunks)`,
      `chunk med ${k.half_pass.chunk_ms_median}, max ${k.half_pass.chunk_ms_max}`,
    ],
    [
      "bytes per row, 1 Hz / 1 kHz",
      `${sz.hz_48h.bytes_per_row} / ${sz.khz.bytes_per_row}`,
      `${sz.mb_per_day_1hz} MB/day @ 1 Hz, ${sz.gb_per_day_1khz} GB/day @ 1 kHz`,
    ],
    [
      `export.csv ${e.rows} rows (rows/s)`,
      `${e.rows_per_s} (${e.mb_per_s} MB/s, ${e.seconds} s)`,
      `pull ${e.pull_ms_first10_median} → ${e.pull_ms_last10_median} ms, RSS +${e.rss_growth_mb_peak} MB`,
    ],
  );
  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((row) => row[c].length)));
  const line = (row: readonly string[]) =>
    row.map((x, c) => x.padEnd(widths[c])).join("  ").trimEnd();
  console.log(line(["measurement", "median", "note"]));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of rows) console.log(line(row));
}

if (import.meta.main) await main();
