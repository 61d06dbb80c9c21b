/**
 * The hub's channels: a client takes the first channel (the v1 stream), one or all;
 * samples, statistics and status about one channel reach only its clients.
 * @module
 */
import assert from "node:assert/strict";
import { Hub, type IntervalId, type IntervalTimers } from "../src/hub.ts";
import { statusMessage } from "../src/protocol/ws.ts";
import type { Sample } from "../src/sample.ts";
import { FakeSocket } from "./fakes.ts";

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
  fire(periodMs: number): void {
    for (const t of [...this.active.values()]) if (t.periodMs === periodMs) t.fn();
  }
}

const T0 = 1_700_000_000_000;
function sample(seq: number): Sample {
  return { tsMs: T0 + seq, seq, v: 5, a: 0.1, w: 0.5, status: "ok", mode: "NORMAL" };
}

function setup() {
  const timers = new FakeTimers();
  const hub = new Hub({ timers, channels: [{ name: "in" }, { name: "out" }, { name: "x" }] });
  const join = (channels?: string[], batchMs?: number) => {
    const c = new FakeSocket();
    hub.add(c, batchMs ? { format: "batch", batchMs } : undefined, channels);
    return c;
  };
  return { hub, timers, join };
}

Deno.test("Hub.add() without channels takes the first: the v1 stream, with data.channel", () => {
  const { hub, join } = setup();
  const v1 = join();
  hub.publish(sample(1), "in");
  hub.publish(sample(1), "out");
  hub.publish(sample(2), "in");
  const data = v1.messages().map((m) => m.data as Record<string, unknown>);
  assert.deepEqual(data.map((d) => [d.channel, d.seq]), [["in", 1], ["in", 2]]);
  assert.deepEqual(Object.keys(data[0]), [
    "v",
    "a",
    "w",
    "ts",
    "ts_ms",
    "seq",
    "status",
    "mode",
    "channel",
  ]);
});

Deno.test("Hub: one channel, all channels, and each channel's seq on its own", () => {
  const { hub, join } = setup();
  const out = join(["out"]);
  const all = join(["in", "out", "x"]);
  for (let seq = 1; seq <= 3; seq++) {
    for (const channel of ["in", "out", "x"]) hub.publish(sample(seq), channel);
  }
  const pairs = (c: FakeSocket) =>
    c.messages().map((m) => {
      const d = m.data as { channel: string; seq: number };
      return `${d.channel}:${d.seq}`;
    });
  assert.deepEqual(pairs(out), ["out:1", "out:2", "out:3"]);
  assert.equal(pairs(all).length, 9);
  for (const channel of ["in", "out", "x"]) {
    assert.deepEqual(
      pairs(all).filter((p) => p.startsWith(`${channel}:`)),
      [1, 2, 3].map((n) => `${channel}:${n}`),
    );
  }
});

Deno.test("Hub batches: one measurements message per channel per period", () => {
  const { hub, timers, join } = setup();
  const all = join(["in", "out"], 50);
  const inOnly = join(["in"], 50);
  hub.publish(sample(1), "in");
  hub.publish(sample(2), "in");
  hub.publish(sample(7), "out");
  hub.publish(sample(1), "x");
  timers.fire(50);
  const batches = (c: FakeSocket) =>
    c.messages().map((m) => {
      const d = m.data as { channel: string; seq0: number; ts_ms: number[] };
      return [d.channel, d.seq0, d.ts_ms.length];
    });
  assert.deepEqual(batches(all), [["in", 1, 2], ["out", 7, 1]]);
  assert.deepEqual(batches(inOnly), [["in", 1, 2]]);
  hub.delete(all);
  hub.delete(inOnly);
  assert.equal(timers.active.size, 0, "the period's timer goes with its last client");
});

Deno.test("Hub.broadcast() with a channel reaches only that channel's clients", () => {
  const { hub, join } = setup();
  const v1 = join();
  const out = join(["out"], 50);
  const all = join(["in", "out", "x"]);
  assert.equal(hub.broadcast(statusMessage("about out", 0, { channel: "out" }), "out"), 2);
  assert.equal(hub.broadcast(statusMessage("everyone", 0)), 3);
  assert.deepEqual(v1.messages().map((m) => m.message), ["everyone"]);
  assert.equal(out.sent.length, 2);
  assert.equal(all.sent.length, 2);
  assert.equal(hub.clientsOf("out"), 2);
  assert.equal(hub.clientsOf("in"), 2);
});

Deno.test("Hub.add() refuses an unknown channel and adds nothing", () => {
  const { hub } = setup();
  assert.throws(() => hub.add(new FakeSocket(), undefined, ["nope"]), /Unknown channel "nope"/);
  assert.equal(hub.size, 0);
});
