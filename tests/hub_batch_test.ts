/**
 * The hub's batched stream: `measurements` messages per batch period on a fake timer,
 * their shape, contiguity, errors and mode changes, and the slow-client policy.
 * @module
 */
import assert from "node:assert/strict";
import { type ClientKind, Hub, type IntervalId, type IntervalTimers } from "../src/hub.ts";
import { MeasurementsMessage, statusMessage } from "../src/protocol/ws.ts";
import type { Sample } from "../src/sample.ts";
import { FakeSocket } from "./fakes.ts";
import { parseServerMessage } from "./ws_messages.ts";

/** Interval timers fired by hand. */
class FakeTimers implements IntervalTimers {
  #next = 1;
  readonly active = new Map<number, { fn: () => void; periodMs: number }>();
  setInterval(fn: () => void, periodMs: number): IntervalId {
    const id = this.#next++;
    this.active.set(id, { fn, periodMs });
    return id as unknown as IntervalId;
  }
  clearInterval(id: IntervalId): void {
    this.active.delete(id as unknown as number);
  }
  /** Fires every timer of period `periodMs`. */
  fire(periodMs: number): void {
    for (const t of [...this.active.values()]) if (t.periodMs === periodMs) t.fn();
  }
  periods(): number[] {
    return [...this.active.values()].map((t) => t.periodMs).sort((a, b) => a - b);
  }
}

const T0 = 1_700_000_000_000;
let nextSeq = 1;
function sample(over: Partial<Sample> = {}): Sample {
  const seq = nextSeq++;
  return { tsMs: T0 + seq, seq, v: 5, a: 0.1, w: 0.5, status: "ok", mode: "NORMAL", ...over };
}

function setup() {
  const timers = new FakeTimers();
  const clock = { ms: 0 };
  const hub = new Hub({ maxBufferedBytes: 1000, stuckCloseMs: 5000, timers, now: () => clock.ms });
  const join = (kind?: ClientKind) => {
    const c = new FakeSocket();
    hub.add(c, kind);
    return c;
  };
  return { hub, timers, clock, join };
}

const batch = (batchMs = 50): ClientKind => ({ format: "batch", batchMs });

/** The `measurements` messages a client got, validated against the schema. */
function batches(c: FakeSocket): MeasurementsMessage[] {
  return c.sent.map(parseServerMessage).filter((m) =>
    m.type === "measurements"
  ) as MeasurementsMessage[];
}

Deno.test("Hub.publish() batches a period's samples in columns, plain clients get one each", () => {
  const { hub, timers, join } = setup();
  const plain = join();
  const fast = join(batch());
  const samples = [sample(), sample({ v: 5.1, a: 0.2, w: 1.02 }), sample()];
  for (const s of samples) hub.publish(s);
  assert.equal(plain.sent.length, 3, "the v1 stream is unchanged");
  assert.deepEqual(plain.messages().map((m) => m.type), [
    "measurement",
    "measurement",
    "measurement",
  ]);
  assert.equal(fast.sent.length, 0, "nothing before the period ends");
  timers.fire(50);
  const [message, ...rest] = batches(fast);
  assert.equal(rest.length, 0);
  assert.deepEqual(message.data, {
    seq0: samples[0].seq,
    ts_ms: samples.map((s) => s.tsMs),
    v: [5, 5.1, 5],
    a: [0.1, 0.2, 0.1],
    w: [0.5, 1.02, 0.5],
    status: ["ok", "ok", "ok"],
    mode: "NORMAL",
    channel: "main",
  });
  assert.equal(message.timestamp, new Date(samples[2].tsMs).toISOString());
  assert.equal(plain.sent.length, 3, "the flush sends nothing to plain clients");
});

Deno.test("Hub sends nothing to batch clients for a period without samples", () => {
  const { hub, timers, join } = setup();
  const fast = join(batch());
  timers.fire(50);
  hub.publish(sample());
  timers.fire(50);
  timers.fire(50);
  assert.equal(batches(fast).length, 1);
});

Deno.test("Hub batches are contiguous: each seq0 follows the last batch's last seq", () => {
  const { hub, timers, join } = setup();
  const fast = join(batch(10));
  for (let period = 0; period < 20; period++) {
    for (let i = 0; i < 1 + (period % 4); i++) hub.publish(sample());
    timers.fire(10);
  }
  const got = batches(fast);
  assert.equal(got.length, 20);
  for (let i = 1; i < got.length; i++) {
    const prev = got[i - 1].data;
    assert.equal(got[i].data.seq0, prev.seq0 + prev.ts_ms.length, `batch ${i}`);
  }
});

Deno.test("Hub marks an error sample by status and the errors map, with 0 figures", () => {
  const { hub, timers, join } = setup();
  const fast = join(batch());
  hub.publish(sample());
  hub.publish(sample({ v: 0, a: 0, w: 0, status: "error", error: "I2C read failed" }));
  hub.publish(sample({ status: "overflow" }));
  timers.fire(50);
  const { data } = batches(fast)[0];
  assert.deepEqual(data.status, ["ok", "error", "overflow"]);
  assert.deepEqual([data.v[1], data.a[1], data.w[1]], [0, 0, 0]);
  assert.deepEqual(data.errors, { "1": "I2C read failed" });
});

Deno.test("Hub starts a new measurements message at a mode change inside a period", () => {
  const { hub, timers, join } = setup();
  const fast = join(batch());
  const a = [sample(), sample()];
  const b = [sample({ mode: "LOAD_SPIKE" }), sample({ mode: "LOAD_SPIKE" })];
  const c = sample();
  for (const s of [...a, ...b, c]) hub.publish(s);
  timers.fire(50);
  const got = batches(fast).map((m) => [m.data.mode, m.data.seq0, m.data.ts_ms.length]);
  assert.deepEqual(got, [["NORMAL", a[0].seq, 2], ["LOAD_SPIKE", b[0].seq, 2], [
    "NORMAL",
    c.seq,
    1,
  ]]);
});

Deno.test("Hub runs one timer per batch period, serialises once per group, stops it when empty", () => {
  const { hub, timers, join } = setup();
  const x = join(batch(50));
  const y = join(batch(50));
  const z = join(batch(200));
  assert.deepEqual(timers.periods(), [50, 200]);
  hub.publish(sample());
  timers.fire(50);
  assert.equal(x.sent.length, 1);
  assert.equal(x.sent[0], y.sent[0]);
  assert.equal(z.sent.length, 0, "the 200 ms group has its own period");
  timers.fire(200);
  assert.equal(z.sent.length, 1);
  hub.delete(x);
  assert.deepEqual(timers.periods(), [50, 200]);
  hub.delete(y);
  assert.deepEqual(timers.periods(), [200]);
  hub.closeAll();
  assert.deepEqual(timers.periods(), []);
});

Deno.test("Hub.broadcast() sends status messages to plain and batch clients alike", () => {
  const { hub, join } = setup();
  const clients = [join(), join(batch()), join(batch(100))];
  assert.equal(hub.broadcast(statusMessage("hello", 0)), 3);
  for (const c of clients) assert.deepEqual(c.messages().map((m) => m.type), ["status"]);
  hub.sendTo(clients[1], statusMessage("greeting", 0));
  assert.equal(clients[1].sent.length, 2);
});

Deno.test("Hub skips a slow batch client so it sees a seq gap, and closes it if it stays stuck", () => {
  const { hub, timers, clock, join } = setup();
  const slow = join(batch());
  const ok = join(batch());
  const period = (n: number) => {
    for (let i = 0; i < n; i++) hub.publish(sample());
    timers.fire(50);
  };
  period(3);
  slow.bufferedAmount = 5000;
  period(3);
  slow.bufferedAmount = 0;
  period(3);
  const seen = batches(slow).map((m) => m.data.seq0);
  const all = batches(ok).map((m) => m.data.seq0);
  assert.equal(all.length, 3);
  assert.deepEqual(seen, [all[0], all[2]], "the skipped batch is missing, not merged");
  assert.equal(batches(slow)[1].data.ts_ms.length, 3, "the next batch holds only its own period");
  assert.equal(hub.stats.slowSkips, 1);
  slow.bufferedAmount = 5000;
  period(1);
  clock.ms = 5000;
  period(1);
  assert.equal(slow.closeCode(), 1013);
  assert.equal(hub.size, 1);
});
