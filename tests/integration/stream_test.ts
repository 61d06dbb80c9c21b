/**
 * End to end on a real loopback server: the v1 protocol's REST API and WebSocket
 * stream (the contract), the device commands, bad input, token and Origin checks,
 * client junk, and shutdown. Mirrors the v1 protocol's own test script.
 * @module
 */
import assert from "node:assert/strict";
import { poll, wait } from "../daemon.ts";
import { loadConfig } from "../../src/config.ts";
import { type Monitor, startMonitor } from "../../src/monitor.ts";
import type { MeasurementData } from "../../src/protocol/ws.ts";
import { parseServerMessage } from "../ws_messages.ts";

/** The `data` of a measurement message. */
type Data = MeasurementData;

/** Any message from `/ws`. */
interface Message {
  type: string;
  timestamp: string;
  message?: string;
  data?: Data;
  websocket_connections?: number;
  simulator?: string;
}

/** A parsed HTTP answer. */
interface Reply {
  status: number;
  headers: Headers;
  // deno-lint-ignore no-explicit-any
  body: any;
}

const BASE_ENV = {
  PORT: "0",
  HOST: "127.0.0.1",
  MOCK_SEED: "1",
  MOCK_AUTO_ROTATE_S: "0",
  SAMPLE_INTERVAL_MS: "20",
  STATUS_INTERVAL_S: "0",
};
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const STARTUP = [
  "INA219 Power Monitoring Simulator",
  "JSON Protocol v1.0",
  "Simulation Mode: NORMAL",
  "Simulator ready - Starting measurements...",
];

function measurements(messages: Message[]): Data[] {
  return messages.filter((m) => m.type === "measurement").map((m) => m.data!);
}

function statusTexts(messages: Message[]): string[] {
  return messages.filter((m) => m.type === "status").map((m) => m.message!);
}

/** Number of measurements whose seq is not the previous one + 1. */
function seqGaps(data: Data[]): number {
  return data.filter((d, i) => i > 0 && d.seq !== data[i - 1].seq + 1).length;
}

/** A WebSocket client that keeps every message it receives, each checked against its schema. */
class Client {
  readonly messages: Message[] = [];
  readonly closed: Promise<CloseEvent>;
  readonly #ws: WebSocket;
  readonly #wakers = new Set<() => void>();

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.onmessage = (event) => {
      this.messages.push(parseServerMessage(event.data) as Message);
      for (const wake of this.#wakers) wake();
    };
    this.closed = new Promise((resolve) => {
      ws.onclose = (event) => {
        resolve(event);
        for (const wake of this.#wakers) wake();
      };
    });
  }

  static async connect(url: string): Promise<Client> {
    const ws = new WebSocket(url);
    const client = new Client(ws);
    await new Promise<void>((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onerror = () => reject(new Error(`Cannot open ${url}`));
    });
    return client;
  }

  get readyState(): number {
    return this.#ws.readyState;
  }

  send(data: string | Uint8Array<ArrayBuffer>): void {
    this.#ws.send(data);
  }

  /** Resolves with the messages from index `from` on, once `done` holds for them. */
  until(
    what: string,
    done: (messages: Message[]) => boolean,
    { from = 0, timeoutMs = 3000 } = {},
  ): Promise<Message[]> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const slice = this.messages.slice(from);
        if (done(slice)) finish(() => resolve(slice));
        else if (this.#ws.readyState === WebSocket.CLOSED) {
          finish(() => reject(new Error(`Closed while waiting for ${what}`)));
        }
      };
      const timer = setTimeout(
        () => finish(() => reject(new Error(`Timed out after ${timeoutMs} ms: ${what}`))),
        timeoutMs,
      );
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        this.#wakers.delete(check);
        settle();
      };
      this.#wakers.add(check);
      check();
    });
  }

  /** Waits for `count` more measurements after the messages seen so far. */
  async nextMeasurements(count: number, timeoutMs = 3000): Promise<Data[]> {
    const got = await this.until(
      `${count} measurements`,
      (ms) => measurements(ms).length >= count,
      { from: this.messages.length, timeoutMs },
    );
    return measurements(got);
  }

  /** Resolves with the close event; fails if the socket is still open after `timeoutMs`. */
  async closeEvent(timeoutMs = 3000): Promise<CloseEvent> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Not closed after ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([this.closed, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    if (this.#ws.readyState !== WebSocket.CLOSED) this.#ws.close();
    await this.closeEvent();
  }
}

/** A running monitor plus HTTP and WebSocket helpers; clients close before it does. */
interface Harness {
  monitor: Monitor;
  connect(): Promise<Client>;
  request(method: string, path: string, init?: RequestInit): Promise<Reply>;
  status(): Promise<Record<string, unknown>>;
  post(path: string, body?: unknown, headers?: HeadersInit): Promise<Reply>;
}

async function withMonitor(
  env: Record<string, string>,
  fn: (h: Harness) => Promise<void>,
): Promise<void> {
  const dataDir = await Deno.makeTempDir({ prefix: "ina219-it-" });
  const config = loadConfig({ ...BASE_ENV, DATA_DIR: dataDir, ...env }, []);
  const monitor = await startMonitor(config, { log: () => {} });
  const clients: Client[] = [];
  const request = async (method: string, path: string, init: RequestInit = {}) => {
    const res = await fetch(monitor.url + path, { ...init, method });
    const text = await res.text();
    let body: unknown = text;
    if (res.headers.get("content-type")?.includes("application/json")) body = JSON.parse(text);
    return { status: res.status, headers: res.headers, body };
  };
  const harness: Harness = {
    monitor,
    connect: async () => {
      const client = await Client.connect(`${monitor.url.replace(/^http/, "ws")}/ws`);
      clients.push(client);
      return client;
    },
    request,
    status: async () => {
      const reply = await request("GET", "/status");
      assert.equal(reply.status, 200);
      return reply.body as Record<string, unknown>;
    },
    post: (path, body, headers) =>
      request("POST", path, {
        headers: { "Content-Type": "application/json", ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
  };
  try {
    await fn(harness);
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await monitor.shutdown();
    await Deno.remove(dataDir, { recursive: true });
  }
}

/** Checks a measurement message against the v1 shape plus `ts_ms`. */
function assertMeasurement(m: Message): void {
  assert.equal(m.type, "measurement");
  const d = m.data!;
  for (const key of ["v", "a", "w"] as const) assert.equal(typeof d[key], "number", key);
  assert.ok(Number.isInteger(d.ts_ms), `ts_ms ${d.ts_ms} is an integer`);
  assert.ok(Math.abs(d.ts_ms - Date.now()) < 5000, "ts_ms is Unix time in ms, not uptime");
  assert.equal(d.ts, Math.floor(d.ts_ms / 1000));
  assert.ok(Number.isInteger(d.seq) && d.seq > 0, `seq ${d.seq}`);
  assert.equal(typeof d.mode, "string");
  assert.match(m.timestamp, ISO_MS);
  assert.equal(m.timestamp, new Date(d.ts_ms).toISOString());
}

/** Sends a WebSocket upgrade by hand, so the Origin header can be set. */
async function upgradeWithOrigin(url: string, origin: string): Promise<Reply> {
  const res = await fetch(`${url}/ws`, {
    headers: {
      Upgrade: "websocket",
      Connection: "Upgrade",
      "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
      "Sec-WebSocket-Version": "13",
      Origin: origin,
    },
  });
  let body: unknown;
  if (res.status === 101) await res.body?.cancel();
  else body = await res.json();
  return { status: res.status, headers: res.headers, body };
}

Deno.test("startMonitor() GET /status reports the v1 fields and counts clients", async () => {
  await withMonitor({}, async (h) => {
    const before = await h.status();
    assert.equal(before.server, "running");
    assert.equal(before.simulator, "connected");
    assert.equal(before.websocket_connections, 0);
    const client = await h.connect();
    await client.until("greeting", (ms) => ms.length >= 1);
    assert.equal((await h.status()).websocket_connections, 1);
    await client.close();
    await poll("websocket_connections back to 0", async () => {
      return (await h.status()).websocket_connections === 0;
    });
  });
});

Deno.test("startMonitor() /ws greets, then streams measurements in the v1 shape", async () => {
  await withMonitor({}, async (h) => {
    const client = await h.connect();
    const got = await client.until("5 measurements", (ms) => measurements(ms).length >= 5);
    const [greeting] = got;
    assert.equal(greeting.type, "status");
    assert.equal(typeof greeting.message, "string");
    assert.match(greeting.timestamp, ISO_MS);
    assert.equal(greeting.websocket_connections, 1);
    assert.equal(greeting.simulator, "connected");
    const ms = got.filter((m) => m.type === "measurement");
    for (const m of ms) {
      assertMeasurement(m);
      const d = m.data!;
      assert.equal(d.status, "ok");
      assert.equal(d.mode, "NORMAL");
      assert.ok(d.v >= 4.95 && d.v <= 5.05, `NORMAL v ${d.v}`);
      assert.ok(d.a >= 0.08 && d.a <= 0.32, `NORMAL a ${d.a}`);
      assert.ok(Math.abs(d.w - d.v * d.a) <= 0.001, `w ${d.w} = v·a`);
    }
    assert.equal(seqGaps(measurements(got)), 0);
  });
});

Deno.test("startMonitor() POST /simulator/stop and /start keep seq continuous", async () => {
  await withMonitor({}, async (h) => {
    const client = await h.connect();
    await client.nextMeasurements(3);

    const stop = await h.post("/simulator/stop");
    assert.equal(stop.status, 200);
    assert.deepEqual(stop.body, { status: "stopped", type: "Mock", was_running: true });
    const again = await h.post("/simulator/stop");
    assert.deepEqual(again.body, { status: "stopped", type: "Mock", was_running: false });
    assert.equal((await h.status()).simulator, "disconnected");
    const stopped = await client.until(
      "Measurements stopped",
      (ms) => statusTexts(ms).includes("Measurements stopped"),
    );
    const lastSeq = measurements(stopped).at(-1)!.seq;
    assert.equal((await h.status()).last_seq, lastSeq);
    const mark = client.messages.length;
    const idle = client.messages.slice(
      stopped.findIndex((m) => m.message === "Measurements stopped"),
    );
    assert.deepEqual(measurements(idle), [], "no measurement after the stop");

    const start = await h.post("/simulator/start");
    assert.equal(start.status, 200);
    assert.deepEqual(start.body, { status: "started", type: "Mock", already_running: false });
    const after = await client.until(
      "start-up messages and 10 measurements",
      (ms) => measurements(ms).length >= 10,
      { from: mark },
    );
    assert.deepEqual(statusTexts(after), STARTUP);
    assert.deepEqual(after.slice(0, 4).map((m) => m.message), STARTUP, "start-up comes first");
    const data = measurements(after).slice(0, 10);
    assert.equal(data[0].seq, lastSeq + 1, "seq continues across stop/start");
    assert.equal(seqGaps(data), 0);
    for (const m of after.slice(4)) assertMeasurement(m);

    const twice = await h.post("/simulator/start");
    assert.deepEqual(twice.body, { status: "started", type: "Mock", already_running: true });
    assert.equal((await h.status()).simulator, "connected");
  });
});

Deno.test("startMonitor() streams at the configured rate without seq gaps", async (t) => {
  const runs = [
    { intervalMs: 10, windowMs: 1500, min: 0.8 * (1500 / 10) },
    { intervalMs: 1, windowMs: 1000, min: 800 },
  ];
  for (const run of runs) {
    await t.step(`SAMPLE_INTERVAL_MS=${run.intervalMs} for ${run.windowMs} ms`, async () => {
      await withMonitor({ SAMPLE_INTERVAL_MS: String(run.intervalMs) }, async (h) => {
        const client = await h.connect();
        await client.nextMeasurements(1);
        const mark = client.messages.length;
        await wait(run.windowMs);
        const data = measurements(client.messages.slice(mark));
        assert.ok(data.length >= run.min, `${data.length} measurements, want ≥ ${run.min}`);
        assert.equal(seqGaps(data), 0);
        assert.equal(data[0].seq, measurements(client.messages.slice(0, mark)).at(-1)!.seq + 1);
      });
    });
  }
});

Deno.test("startMonitor() POST /simulator/mode changes the measurements", async () => {
  await withMonitor({}, async (h) => {
    const client = await h.connect();
    await client.nextMeasurements(1);

    let mark = client.messages.length;
    const spike = await h.post("/simulator/mode", { mode: "LOAD_SPIKE" });
    assert.equal(spike.status, 200);
    assert.deepEqual(spike.body, { status: "ok", mode: "LOAD_SPIKE", auto_rotate: false });
    let got = await client.until("5 LOAD_SPIKE measurements", (ms) => {
      return measurements(ms).filter((d) => d.mode === "LOAD_SPIKE").length >= 5;
    }, { from: mark });
    assert.ok(statusTexts(got).includes("Simulation Mode: LOAD_SPIKE"));
    const spikes = measurements(got).filter((d) => d.mode === "LOAD_SPIKE");
    for (const d of spikes) {
      assert.equal(d.status, "ok");
      assert.ok(d.a >= 0.8 && d.a <= 1.0, `LOAD_SPIKE a ${d.a}`);
      assert.ok(d.v >= 4.5 && d.v <= 4.7, `LOAD_SPIKE v ${d.v}`);
    }
    const firstSpike = measurements(got).findIndex((d) => d.mode === "LOAD_SPIKE");
    assert.ok(
      measurements(got).slice(firstSpike).every((d) => d.mode === "LOAD_SPIKE"),
      "no NORMAL sample after the switch",
    );

    mark = client.messages.length;
    assert.equal((await h.post("/simulator/mode", { mode: "ERROR_TEST" })).status, 200);
    got = await client.until("3 error measurements", (ms) => {
      return measurements(ms).filter((d) => d.status === "error").length >= 3;
    }, { from: mark });
    const failing = statusTexts(got).filter((s) => s.startsWith("Sensor error"));
    assert.equal(failing.length, 1, "one Sensor error message, not one per sample");
    for (const m of got.filter((m) => m.data?.status === "error")) {
      assertMeasurement(m);
      const d = m.data!;
      assert.deepEqual([d.v, d.a, d.w, d.mode], [0, 0, 0, "ERROR_TEST"]);
      assert.equal(typeof d.error, "string");
      assert.ok(d.error!.length > 0);
    }
    const failed = await h.status();
    assert.equal(failed.sensor_status, "error");
    assert.equal(typeof failed.last_error, "string");

    mark = client.messages.length;
    assert.equal((await h.post("/simulator/mode", { mode: "NORMAL" })).status, 200);
    got = await client.until(
      "Sensor recovered and 3 ok measurements",
      (ms) =>
        statusTexts(ms).includes("Sensor recovered") &&
        measurements(ms).filter((d) => d.status === "ok").length >= 3,
      { from: mark },
    );
    const ok = measurements(got).filter((d) => d.status === "ok");
    assert.ok(ok.every((d) => d.mode === "NORMAL" && d.error === undefined && d.v > 4.9));
    assert.equal((await h.status()).sensor_status, "ok");
  });
});

Deno.test("startMonitor() sends a status message every STATUS_INTERVAL_S", async () => {
  await withMonitor({ STATUS_INTERVAL_S: "1" }, async (h) => {
    const client = await h.connect();
    await h.connect();
    const periodic = (ms: Message[]) =>
      ms.filter((m) => m.type === "status" && m.message?.startsWith("Connections:"));
    const [first] = periodic(
      await client.until("periodic status", (ms) => periodic(ms).length >= 1),
    );
    assert.equal(first.websocket_connections, 2);
    assert.equal(first.simulator, "connected");
    assert.match(first.timestamp, ISO_MS);

    assert.equal((await h.post("/simulator/stop")).status, 200);
    const mark = client.messages.indexOf(first) + 1;
    const [second] = periodic(
      await client.until("next periodic status", (ms) => periodic(ms).length >= 1, {
        from: mark,
      }),
    );
    assert.equal(second.simulator, "disconnected");
    const gapMs = Date.parse(second.timestamp) - Date.parse(first.timestamp);
    assert.ok(gapMs >= 700 && gapMs <= 1700, `periodic status ${gapMs} ms apart`);
  });
});

Deno.test("startMonitor() rejects bad input with JSON errors and changes nothing", async (t) => {
  await withMonitor({}, async (h) => {
    const before = await h.status();
    const big = JSON.stringify({ mode: "LOAD_SPIKE", pad: "x".repeat(17 * 1024) });
    const rows: { name: string; path: string; body: BodyInit; type?: string; want: number }[] = [
      { name: "malformed JSON", path: "/simulator/mode", body: '{"mode":', want: 400 },
      { name: "wrong type", path: "/simulator/interval", body: '{"interval_ms":"500"}', want: 400 },
      { name: "unknown mode", path: "/simulator/mode", body: '{"mode":"TURBO"}', want: 400 },
      { name: "interval 0", path: "/simulator/interval", body: '{"interval_ms":0}', want: 400 },
      {
        name: "interval 20000",
        path: "/simulator/interval",
        body: '{"interval_ms":20000}',
        want: 400,
      },
      {
        name: "interval 2.5",
        path: "/simulator/interval",
        body: '{"interval_ms":2.5}',
        want: 400,
      },
      {
        name: "unknown field",
        path: "/simulator/mode",
        body: '{"mode":"NOISE","extra":1}',
        want: 400,
      },
      {
        name: "form body",
        path: "/simulator/mode",
        body: "mode=LOAD_SPIKE",
        type: "application/x-www-form-urlencoded",
        want: 415,
      },
      { name: "body over 16 KiB", path: "/simulator/mode", body: big, want: 413 },
    ];
    for (const row of rows) {
      await t.step(`${row.name} → ${row.want}`, async () => {
        const reply = await h.request("POST", row.path, {
          headers: { "Content-Type": row.type ?? "application/json" },
          body: row.body,
        });
        assert.equal(reply.status, row.want);
        assert.equal(typeof reply.body.error, "string");
        assert.ok(Array.isArray(reply.body.issues));
        const after = await h.status();
        assert.equal(after.interval_ms, before.interval_ms);
        assert.equal(after.mode, before.mode);
      });
    }
    await t.step("a valid interval is applied (the control)", async () => {
      const reply = await h.post("/simulator/interval", { interval_ms: 30 });
      assert.deepEqual(reply.body, { status: "ok", interval_ms: 30 });
      assert.equal((await h.status()).interval_ms, 30);
    });
    await t.step("issues name the field", async () => {
      const reply = await h.post("/simulator/mode", { mode: "TURBO" });
      assert.equal(reply.body.issues[0].path, "mode");
      assert.match(reply.body.issues[0].message, /LOAD_SPIKE/);
    });
    await t.step("unknown path → 404 JSON", async () => {
      const reply = await h.request("GET", "/nope");
      assert.equal(reply.status, 404);
      assert.equal(typeof reply.body.error, "string");
      assert.ok(Array.isArray(reply.body.issues));
    });
    await t.step("PUT /status → 405 with Allow", async () => {
      const reply = await h.request("PUT", "/status");
      assert.equal(reply.status, 405);
      assert.match(reply.headers.get("allow") ?? "", /\bGET\b/);
      assert.equal(typeof reply.body.error, "string");
    });
    await t.step("GET /ws without upgrade → 426", async () => {
      const reply = await h.request("GET", "/ws");
      assert.equal(reply.status, 426);
      assert.equal(typeof reply.body.error, "string");
    });
  });
});

Deno.test({
  name: "startMonitor() rejects a chunked body over 16 KiB with 413",
  fn: async () => {
    await withMonitor({}, async (h) => {
      const big = JSON.stringify({ mode: "LOAD_SPIKE", pad: "x".repeat(17 * 1024) });
      const reply = await h.request("POST", "/simulator/mode", {
        headers: { "Content-Type": "application/json" },
        body: ReadableStream.from([new TextEncoder().encode(big)]),
      });
      assert.equal(reply.status, 413);
      assert.equal(typeof reply.body.error, "string");
      assert.equal((await h.status()).mode, "NORMAL");
    });
  },
});

Deno.test("startMonitor() with API_TOKEN guards state changes, not reads", async (t) => {
  await withMonitor({ API_TOKEN: "secret-token-1" }, async (h) => {
    const rows: { name: string; headers: Record<string, string>; want: number }[] = [
      { name: "no Authorization", headers: {}, want: 401 },
      { name: "wrong token", headers: { Authorization: "Bearer secret-token-2" }, want: 401 },
      // RFC 6750 §3.1: a malformed request is invalid_request, 400.
      { name: "not Bearer", headers: { Authorization: "Basic c2VjcmV0LXRva2VuLTE=" }, want: 400 },
    ];
    for (const row of rows) {
      await t.step(`${row.name} → ${row.want}`, async () => {
        const reply = await h.post("/simulator/stop", undefined, row.headers);
        assert.equal(reply.status, row.want);
        assert.equal(typeof reply.body.error, "string");
        assert.ok(Array.isArray(reply.body.issues));
        if (row.want === 401) assert.match(reply.headers.get("www-authenticate") ?? "", /Bearer/);
        const mode = await h.post("/simulator/mode", { mode: "NOISE" }, row.headers);
        assert.equal(mode.status, row.want);
        const status = await h.status();
        assert.equal(status.simulator, "connected");
        assert.equal(status.mode, "NORMAL");
        assert.equal(status.auth_required, true);
      });
    }
    await t.step("Bearer secret-token-1 → 200", async () => {
      const auth = { Authorization: "Bearer secret-token-1" };
      const reply = await h.post("/simulator/stop", undefined, auth);
      assert.equal(reply.status, 200);
      assert.equal(reply.body.was_running, true);
      assert.equal((await h.status()).simulator, "disconnected");
    });
  });
});

Deno.test("startMonitor() /ws checks the browser Origin", async (t) => {
  await withMonitor({}, async (h) => {
    const own = h.monitor.url;
    assert.match(own, /^http:\/\/127\.0\.0\.1:\d+$/);
    await t.step("foreign origin → 403 JSON", async () => {
      const reply = await upgradeWithOrigin(own, "http://evil.example");
      assert.equal(reply.status, 403);
      assert.equal(typeof reply.body.error, "string");
      assert.ok(Array.isArray(reply.body.issues));
    });
    await t.step("the server's own origin → 101", async () => {
      assert.equal((await upgradeWithOrigin(own, own)).status, 101);
    });
    await t.step('"null" (a page from disk or a sandboxed frame) → 403 by default', async () => {
      assert.equal((await upgradeWithOrigin(own, "null")).status, 403);
    });
  });
  await withMonitor({ ALLOWED_ORIGINS: "http://dash.example:3000" }, async (h) => {
    await t.step("ALLOWED_ORIGINS origin → 101", async () => {
      assert.equal(
        (await upgradeWithOrigin(h.monitor.url, "http://dash.example:3000")).status,
        101,
      );
    });
    await t.step("another origin still → 403", async () => {
      const reply = await upgradeWithOrigin(h.monitor.url, "http://dash.example:3001");
      assert.equal(reply.status, 403);
    });
  });
});

Deno.test("startMonitor() ignores client junk and closes oversize senders with 1009", async () => {
  await withMonitor({}, async (h) => {
    const noisy = await h.connect();
    const quiet = await h.connect();
    await noisy.nextMeasurements(1);
    noisy.send("not json");
    noisy.send(new Uint8Array([0, 1, 2, 255]));
    noisy.send('{"cmd":"reset","seq":4}');
    noisy.send("x".repeat(4096));
    const after = await noisy.nextMeasurements(5);
    assert.equal(seqGaps(after), 0);
    assert.equal(noisy.readyState, WebSocket.OPEN);

    noisy.send("x".repeat(4097));
    const closed = await noisy.closeEvent();
    assert.equal(closed.code, 1009);
    assert.equal(seqGaps(await quiet.nextMeasurements(5)), 0);
    await poll("the closed client leaves the count", async () => {
      return (await h.status()).websocket_connections === 1;
    });
  });
});

Deno.test("Monitor.shutdown() closes connected clients with 1001 and stops serving", async () => {
  await withMonitor({}, async (h) => {
    const clients = [await h.connect(), await h.connect()];
    await Promise.all(clients.map((c) => c.nextMeasurements(1)));
    await h.monitor.shutdown();
    for (const client of clients) assert.equal((await client.closeEvent()).code, 1001);
    await assert.rejects(fetch(`${h.monitor.url}/status`), TypeError);
  });
});
