/**
 * A real monitor on a loopback port for the integration tests, with WebSocket clients that
 * check every message against its schema, and the v1 protocol's shapes.
 * @module
 */
import assert from "node:assert/strict";
import { loadConfig } from "../../src/config.ts";
import { type Monitor, startMonitor } from "../../src/monitor.ts";
import type { MeasurementData } from "../../src/protocol/ws.ts";
import { parseServerMessage } from "../ws_messages.ts";

/** The `data` of a measurement message. */
export type Data = MeasurementData;

/** Any message from `/ws`. */
export interface Message {
  type: string;
  timestamp: string;
  message?: string;
  data?: Data;
  websocket_connections?: number;
  simulator?: string;
}

/** A parsed HTTP answer. */
export interface Reply {
  status: number;
  headers: Headers;
  // deno-lint-ignore no-explicit-any
  body: any;
}

/** Settings every monitor here starts from: port 0, a seeded mock at 50 Hz, no periodic status. */
export const BASE_ENV = {
  PORT: "0",
  HOST: "127.0.0.1",
  MOCK_SEED: "1",
  MOCK_AUTO_ROTATE_S: "0",
  SAMPLE_INTERVAL_MS: "20",
  STATUS_INTERVAL_S: "0",
};
/** Two mocks at 10 ms and the efficiency from a to b. */
export const THREE_CHANNELS = JSON.stringify([
  { name: "a", sensor: "mock", mock_seed: 1, sample_interval_ms: 10 },
  { name: "b", sensor: "mock", mock_seed: 2, sample_interval_ms: 10 },
  { name: "eff", derived: "efficiency", input: "a", output: "b" },
]);

/** An ISO-8601 time with milliseconds, as the v1 protocol writes `timestamp`. */
export const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** The mock's start-up status messages, in order (the v1 simulator's). */
export const STARTUP = [
  "INA219 Power Monitoring Simulator",
  "JSON Protocol v1.0",
  "Simulation Mode: NORMAL",
  "Simulator ready - Starting measurements...",
];

/** The `data` of every measurement message, in order. */
export function measurements(messages: Message[]): Data[] {
  return messages.filter((m) => m.type === "measurement").map((m) => m.data!);
}

/** The text of every status message, in order. */
export function statusTexts(messages: Message[]): string[] {
  return messages.filter((m) => m.type === "status").map((m) => m.message!);
}

/** Number of measurements whose seq is not the previous one + 1. */
export function seqGaps(data: Data[]): number {
  return data.filter((d, i) => i > 0 && d.seq !== data[i - 1].seq + 1).length;
}

/** A WebSocket client that keeps every message it receives, each checked against its schema. */
export class Client {
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
export interface Harness {
  monitor: Monitor;
  /** Opens `/ws`, with `query` (e.g. `?format=batch`) if given. */
  connect(query?: string): Promise<Client>;
  request(method: string, path: string, init?: RequestInit): Promise<Reply>;
  status(): Promise<Record<string, unknown>>;
  post(path: string, body?: unknown, headers?: HeadersInit): Promise<Reply>;
}

/** Runs `fn` against a monitor on a fresh data folder; closes clients, then the monitor. */
export async function withMonitor(
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
    connect: async (query = "") => {
      const client = await Client.connect(`${monitor.url.replace(/^http/, "ws")}/ws${query}`);
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
export function assertMeasurement(m: Message): void {
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
export async function upgradeWithOrigin(url: string, origin: string): Promise<Reply> {
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
