/**
 * Wiring tests on the real assembly: samples through the real pipeline into SQLite,
 * then read back through the history routes. Route behaviour (validation, windows,
 * CSV quoting) on a fake store: tests/http/routes_history_test.ts.
 */
import assert from "node:assert/strict";
import { loadConfig } from "../../src/config.ts";
import { createCore, type MonitorCore } from "../../src/monitor.ts";
import {
  HistoryResponse,
  MeasurementsResponse,
  StatisticsResponse,
} from "../../src/protocol/history.ts";

const TOKEN = "secret-token-1";

/** A monitor without a server on an in-memory database, holding `minutes` of 1 Hz data. */
async function withData(
  minutes: number,
  fn: (core: MonitorCore, nowMs: number) => Promise<void>,
  env: Record<string, string> = {},
) {
  const core = createCore(
    loadConfig({ MOCK_SEED: "1", DB_PATH: ":memory:", FLUSH_INTERVAL_MS: "60000", ...env }, []),
  );
  try {
    const nowMs = Date.now();
    const start = nowMs - minutes * 60_000;
    for (let i = 0; i < minutes * 60; i++) {
      const tsMs = start + i * 1000;
      const spike = i === 90; // one 3 A peak, to survive downsampling
      const error = i % 100 === 50;
      core.pipeline.onSample({
        tsMs,
        seq: i + 1,
        v: error ? 0 : 5,
        a: error ? 0 : spike ? 3 : 0.2,
        w: error ? 0 : spike ? 15 : 1,
        status: error ? "error" : "ok",
        mode: "NORMAL",
        ...(error ? { error: "read failed" } : {}),
      });
    }
    await fn(core, nowMs);
  } finally {
    core.store.close();
  }
}

async function json(res: Response) {
  assert.match(res.headers.get("content-type") ?? "", /json/);
  return await res.json();
}

Deno.test("GET /api/measurements returns raw rows newest first, ok and error", async () => {
  await withData(10, async ({ app }) => {
    const body = await json(await app.request("/api/measurements?hours=1&limit=50"));
    MeasurementsResponse.parse(body);
    assert.equal(body.count, 50);
    assert.equal(body.truncated, true);
    assert.equal(body.data[0].seq, 600, "unflushed samples are included: the query flushes first");
    assert.ok(body.data.every((r: { seq: number }, i: number) => r.seq === 600 - i));
    const all = await json(await app.request("/api/measurements?hours=1&limit=100000"));
    assert.equal(all.count, 600);
    assert.equal(all.truncated, false);
    assert.equal(all.data.filter((r: { status: string }) => r.status === "error").length, 6);
  });
});

Deno.test("GET /api/measurements takes from/to as epoch ms or ISO-8601", async () => {
  await withData(10, async ({ app }, nowMs) => {
    const from = nowMs - 5 * 60_000;
    const iso = new Date(from).toISOString();
    const a = await json(await app.request(`/api/measurements?from=${from}&to=${nowMs}`));
    const b = await json(
      await app.request(`/api/measurements?from=${iso}&to=${new Date(nowMs).toISOString()}`),
    );
    assert.equal(a.count, 300);
    assert.deepEqual(a.data, b.data);
    assert.ok(a.data.every((r: { ts_ms: number }) => r.ts_ms >= from && r.ts_ms < nowMs));
  });
});

Deno.test("GET /api/history keeps peaks, counts errors, and reads the cheapest source", async () => {
  await withData(60, async ({ app }, nowMs) => {
    const body = await json(await app.request("/api/history?hours=1&points=10"));
    HistoryResponse.parse(body);
    assert.ok(body.count <= 10);
    assert.equal(body.source, "1m");
    assert.equal(body.bucket_ms % 60_000, 0);
    const peak = Math.max(...body.data.map((b: { a: { max: number } }) => b.a.max));
    assert.equal(peak, 3, "the one-sample 3 A spike survives");
    const total = body.data.reduce(
      (n: number, b: { count: number; errors: number }) => n + b.count + b.errors,
      0,
    );
    // Minute rollups count from the first whole minute inside the window, up to the last
    // sample (stored at nowMs; on a loaded machine the request comes seconds later).
    const firstMinute = Math.ceil(body.from_ms / 60_000) * 60_000;
    const expected = Math.round((Math.min(body.to_ms, nowMs) - firstMinute) / 1000);
    assert.ok(Math.abs(total - expected) <= 1, `${total} samples, expected ${expected}`);
    const errors = body.data.reduce((n: number, b: { errors: number }) => n + b.errors, 0);
    assert.ok(errors >= 35 && errors <= 36, `${errors} failed reads`);
    const fine = await json(await app.request("/api/history?hours=1&points=1000"));
    assert.equal(fine.source, "1s");
    const tenths = await json(await app.request("/api/history?hours=0.01&points=100"));
    assert.equal(tenths.source, "100ms");
    const raw = await json(await app.request("/api/history?hours=0.001&points=100"));
    assert.equal(raw.source, "raw");
  });
});

Deno.test("GET /api/statistics returns one row per minute", async () => {
  await withData(30, async ({ app }) => {
    const body = await json(await app.request("/api/statistics?hours=1"));
    StatisticsResponse.parse(body);
    assert.ok(body.count >= 30 && body.count <= 31);
    for (const m of body.data) assert.equal(m.ts_ms % 60_000, 0);
    const full = body.data.find((m: { count: number; errors: number }) =>
      m.count + m.errors === 60
    );
    assert.ok(full, "a complete minute holds 60 samples");
  });
});

Deno.test("GET /api/export.csv streams every sample with a header", async () => {
  await withData(10, async ({ app }) => {
    const res = await app.request("/api/export.csv?hours=1");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /text\/csv/);
    assert.match(res.headers.get("content-disposition") ?? "", /attachment; filename=".*\.csv"/);
    const lines = (await res.text()).trimEnd().split("\n");
    assert.equal(lines[0], "time,ts_ms,seq,v,a,w,status,mode,error");
    assert.equal(lines.length, 601);
    const [time, ts, seq, v, , , status, mode] = lines[1].split(",");
    assert.equal(new Date(time).getTime(), Number(ts));
    assert.equal(seq, "1");
    assert.equal(v, "5");
    assert.equal(status, "ok");
    assert.equal(mode, "NORMAL");
    assert.ok(lines.some((l) => l.endsWith(",error,NORMAL,read failed")));
  });
});

Deno.test("database stats, cleanup and vacuum need the token when set", async () => {
  await withData(5, async ({ app, store }) => {
    const open = await app.request("/api/database/stats");
    assert.equal(open.status, 401, "stats show the file path: token only");
    await open.body?.cancel();
    const bearer = { headers: { Authorization: `Bearer ${TOKEN}` } };
    const stats = await json(await app.request("/api/database/stats", bearer));
    assert.equal(stats.rows + stats.pending, 300);
    assert.ok(stats.oldest_ts_ms <= stats.newest_ts_ms);
    let res = await app.request("/api/database/cleanup", { method: "POST" });
    assert.equal(res.status, 401);
    await res.body?.cancel();
    res = await app.request("/api/database/vacuum", { method: "POST" });
    assert.equal(res.status, 401);
    await res.body?.cancel();
    const auth = { method: "POST", headers: { Authorization: `Bearer ${TOKEN}` } };
    const cleanup = await json(await app.request("/api/database/cleanup", auth));
    assert.deepEqual(cleanup, {
      status: "ok",
      deleted: { samples: 0, rollup_100ms: 0, rollup_1s: 0, rollup_1m: 0, alerts: 0 },
    });
    const vacuum = await json(await app.request("/api/database/vacuum", auth));
    assert.equal(vacuum.status, "ok");
    assert.equal(store.stats().rows, 300);
    const status = await json(await app.request("/status"));
    assert.equal(status.database.rows, 300);
  }, { API_TOKEN: TOKEN });
});

Deno.test("fractional hours give whole-millisecond windows on every windowed route", async () => {
  await withData(10, async ({ app }, nowMs) => {
    // 0.0833333 h is 299 999.88 ms: the window is [now − 300 000, now), 300 samples.
    const frac = `to=${nowMs}&hours=0.0833333`;
    const whole = `from=${nowMs - 300_000}&to=${nowMs}`;
    const get = async (path: string) => {
      const res = await app.request(path);
      assert.equal(res.status, 200, `${path}: ${res.status}`);
      return res;
    };
    const measured = await json(await get(`/api/measurements?${frac}&limit=100000`));
    assert.equal(measured.from_ms, nowMs - 300_000);
    assert.equal(measured.count, 300);
    assert.deepEqual(
      measured,
      await json(await get(`/api/measurements?${whole}&limit=100000`)),
    );
    for (
      const path of ["/api/power-efficiency", "/api/alerts", "/api/history", "/api/statistics"]
    ) {
      const body = await json(await get(`${path}?${frac}`));
      assert.ok(Number.isInteger(body.from_ms) && Number.isInteger(body.to_ms), path);
      assert.deepEqual(body, await json(await get(`${path}?${whole}`)), path);
    }
    const efficiency = await json(await get(`/api/power-efficiency?${frac}`));
    assert.ok(efficiency.samples > 0, "the figures come from the data");
    const csv = await (await get(`/api/export.csv?${frac}`)).text();
    const lines = csv.trimEnd().split("\n");
    assert.equal(lines.length, 1 + 300, "header and every sample");
    assert.equal(csv, await (await get(`/api/export.csv?${whole}`)).text());
    // A bare fractional hour count back from now also works.
    await (await get("/api/measurements?hours=0.3333333")).body?.cancel();
    await (await get("/api/alerts?hours=0.3333333")).body?.cancel();
  });
});

Deno.test("GET /api/export.csv aborts the download when the database fails mid-stream", async () => {
  await withData(40, async ({ app, store }) => {
    const res = await app.request("/api/export.csv?hours=1");
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    assert.match(decoder.decode((await reader.read()).value), /^time,ts_ms,seq/);
    const page = decoder.decode((await reader.read()).value);
    assert.equal(page.split("\n").length - 1, 2000, "the first page");
    store.db.exec("DROP TABLE samples"); // the next page cannot be read
    await assert.rejects(reader.read(), /no such table: samples/);
  });
});
