/** The status board: `/status`, the greeting, the periodic message, notices, start-up lines. */
import assert from "node:assert/strict";
import { newConnectionCounters } from "../src/http/front_state.ts";
import { StatusResponse } from "../src/protocol/status.ts";
import { StatusMessage } from "../src/protocol/ws.ts";
import {
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
  const body = StatusResponse.parse(b.status());
  assert.deepEqual(
    [body.server, body.simulator, body.websocket_connections, body.type, body.source],
    ["running", "connected", 2, "Mock", "mock"],
  );
  assert.equal(body.auto_rotate, false, "a source without autoRotate never rotates");
  assert.deepEqual([body.sensor_status, body.last_error], ["error", "gone"]);
  assert.equal(body.uptime_s, 12.3);
  assert.equal(body.samples_total, 99);
  assert.deepEqual(body.database, {
    path: "/data/x.db",
    rows: 5,
    file_bytes: 4096,
    pending: 1,
    dropped: 0,
    last_flush_ms: null,
    last_error: null,
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
