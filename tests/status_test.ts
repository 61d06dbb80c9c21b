/** The status board: `/status`, the greeting, the periodic message, notices, start-up lines. */
import assert from "node:assert/strict";
import { newConnectionCounters } from "../src/http/front_state.ts";
import { StatusResponse } from "../src/protocol/status.ts";
import { StatusMessage } from "../src/protocol/ws.ts";
import {
  SampleRate,
  type SamplingView,
  shownUrl,
  type SourceView,
  startupLines,
  StatusBoard,
  type StatusInputs,
} from "../src/status.ts";

const T0 = 1_700_000_000_000;

function board(over: Partial<StatusInputs> = {}) {
  const source: SourceView & { mode: string } = {
    type: "Mock",
    kind: "mock",
    mode: "NORMAL",
    modes: ["NORMAL", "LOAD_SPIKE"],
    details: () => ({ seed: 1 }),
  };
  const sampling: { -readonly [K in keyof SamplingView]: SamplingView[K] } = {
    running: false,
    intervalMs: 1000,
    lastSeq: 0,
    sensorStatus: undefined,
    lastError: undefined,
  };
  const clients = { size: 2, stats: { slowSkips: 3, slowCloses: 1 } };
  const nowMs = T0 + 12_345;
  const b = new StatusBoard({
    version: "1.2.3",
    startedAtMs: T0,
    authRequired: true,
    retention: { raw_hours: 48, rollup_days: 30 },
    source,
    sampling,
    clients,
    samplesTotal: () => 99,
    sampleRateHz: () => 12.5,
    database: () => ({
      path: "/data/x.db",
      rows: 5,
      oldest_ts_ms: 1,
      newest_ts_ms: 2,
      file_bytes: 4096,
      wal_bytes: 8,
      pending: 1,
      written: 5,
      dropped: 0,
      last_flush_ms: null,
      last_error: null,
      checkpoints: "main",
      last_checkpoint_ms: null,
    }),
    mqtt: () => ({ enabled: false }),
    rejections: () => ({ bad_host: 1, wrong_host: 0, cross_origin: 0 }),
    connections: () => ({ ...newConnectionCounters(), open: 3, accepted: 7, refused: 1 }),
    now: () => nowMs,
    ...over,
  });
  return { board: b, source, sampling };
}

Deno.test("StatusBoard.status() builds the documented /status body from the live views", () => {
  const { board: b, sampling } = board();
  sampling.running = true;
  sampling.sensorStatus = "error";
  sampling.lastError = "gone";
  const body = StatusResponse.parse(b.status({ authorised: true }));
  assert.deepEqual(
    [body.server, body.simulator, body.websocket_connections, body.type, body.source],
    ["running", "connected", 2, "Mock", "mock"],
  );
  assert.equal(body.auto_rotate, false, "a source without autoRotate never rotates");
  assert.deepEqual([body.sensor_status, body.last_error], ["error", "gone"]);
  assert.equal(body.uptime_s, 12.3);
  assert.equal(body.samples_total, 99);
  assert.equal(body.sample_rate_hz, 12.5);
  assert.deepEqual(body.database, {
    path: "/data/x.db",
    rows: 5,
    file_bytes: 4096,
    pending: 1,
    dropped: 0,
    last_flush_ms: null,
    last_error: null,
    checkpoints: "main",
    last_checkpoint_ms: null,
  }, "the short summary: no ranges, no WAL");
  assert.deepEqual(body.rejected_requests, { bad_host: 1, wrong_host: 0, cross_origin: 0 });
  assert.deepEqual(body.connections, {
    ...newConnectionCounters(),
    open: 3,
    accepted: 7,
    refused: 1,
  });
  assert.equal(body.auth_required, true);
  assert.equal(body.version, "1.2.3");
});

Deno.test("StatusBoard.status() shows the database path only to the token's holder", async (t) => {
  await t.step("token set, request without it: no path, the rest of the summary", () => {
    const { board: b } = board({ authRequired: true });
    for (const body of [b.status({ authorised: false }), b.status()]) {
      const database = StatusResponse.parse(body).database;
      assert.equal("path" in database, false);
      assert.doesNotMatch(JSON.stringify(body), /x\.db/);
      assert.equal(database.rows, 5);
    }
  });
  await t.step("token set, request with it: the path", () => {
    const { board: b } = board({ authRequired: true });
    assert.equal(b.status({ authorised: true }).database.path, "/data/x.db");
  });
  await t.step("no token set: the path for everyone", () => {
    const { board: b } = board({ authRequired: false });
    assert.equal(b.status({ authorised: false }).database.path, "/data/x.db");
    assert.equal(b.status().database.path, "/data/x.db");
  });
});

Deno.test("StatusBoard: auto_rotate follows the source", () => {
  const { board: b, source } = board();
  Object.assign(source, { autoRotate: true });
  assert.equal(b.status().auto_rotate, true);
});

Deno.test("StatusBoard messages: greeting, periodic and notices carry the state", () => {
  const { board: b, sampling, source } = board();
  const greeting = StatusMessage.parse(b.greeting());
  assert.equal(
    greeting.message,
    "Connected to ina219-monitor: Mock disconnected, mode NORMAL, 1000 ms",
  );
  assert.deepEqual([greeting.websocket_connections, greeting.simulator], [2, "disconnected"]);
  assert.equal(greeting.timestamp, new Date(T0 + 12_345).toISOString());
  sampling.running = true;
  const periodic = StatusMessage.parse(b.periodic());
  assert.equal(periodic.message, "Connections: 2, simulator: connected");
  source.mode = "LOAD_SPIKE";
  sampling.intervalMs = 100;
  const notice = StatusMessage.parse(b.notice("Simulation Mode: LOAD_SPIKE"));
  assert.deepEqual(
    [notice.message, notice.simulator, notice.mode, notice.interval_ms],
    ["Simulation Mode: LOAD_SPIKE", "connected", "LOAD_SPIKE", 100],
  );
});

Deno.test("startupLines() says where to go, and warns about an open network bind", () => {
  const facts = {
    version: "1.0.0",
    url: shownUrl("0.0.0.0", 8000),
    host: "0.0.0.0",
    port: 8000,
    tokenSet: false,
    sourceWarnings: ["interval shorter than a conversion"],
  };
  assert.deepEqual(startupLines(facts), [
    "ina219-monitor 1.0.0 listening on http://localhost:8000/ (bound to 0.0.0.0:8000); docs at http://localhost:8000/docs",
    "Warning: bound to 0.0.0.0 without API_TOKEN: anyone on the network can stop the sampler or change its settings",
    "Warning: interval shorter than a conversion",
  ]);
  assert.equal(startupLines({ ...facts, tokenSet: true, sourceWarnings: [] }).length, 1);
  assert.equal(
    startupLines({ ...facts, host: "127.0.0.1", sourceWarnings: [] }).length,
    1,
    "loopback needs no token",
  );
  assert.equal(shownUrl("::1", 8080), "http://[::1]:8080");
  assert.equal(shownUrl("192.168.1.5", 80), "http://192.168.1.5:80");
});

Deno.test("SampleRate.hz() averages the samples of the last 10 whole seconds", () => {
  const clock = { ms: 1_000_000 };
  const rate = new SampleRate(() => clock.ms);
  assert.equal(rate.hz(), 0, "no samples yet");
  // 100 samples in each of 12 seconds, 10 ms apart.
  for (let s = 0; s < 12; s++) {
    for (let i = 0; i < 100; i++) {
      clock.ms = 1_000_000 + s * 1000 + i * 10;
      rate.add();
    }
  }
  // Still inside second 11: seconds 1–10 are the window, second 11 is partial.
  assert.equal(rate.hz(), 100);
  clock.ms = 1_000_000 + 12_000;
  assert.equal(rate.hz(), 100, "seconds 2–11");
  clock.ms = 1_000_000 + 17_000;
  assert.equal(rate.hz(), 50, "seconds 7–16: five of them had 100 samples");
  clock.ms = 1_000_000 + 22_500;
  assert.equal(rate.hz(), 0, "nothing in the last 10 s");
  rate.add();
  clock.ms = 1_000_000 + 23_000;
  assert.equal(rate.hz(), 0.1, "one sample in 10 s");
});

Deno.test("SampleRate.hz() does not count a slot left from an older lap of the ring", () => {
  const clock = { ms: 5_000 };
  const rate = new SampleRate(() => clock.ms);
  for (let i = 0; i < 30; i++) rate.add();
  // 11 s later the same slot is reused for a new second only when a sample arrives.
  clock.ms = 5_000 + 11_000 + 500;
  assert.equal(rate.hz(), 0);
  rate.add();
  clock.ms += 1000;
  assert.equal(rate.hz(), 0.1);
});
