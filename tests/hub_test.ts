import assert from "node:assert/strict";
import { CLOSE_GOING_AWAY, CLOSE_TOO_BIG, CLOSE_TRY_AGAIN_LATER, Hub } from "../src/hub.ts";
import { statusMessage } from "../src/protocol/ws.ts";
import { FakeSocket } from "./fakes.ts";

/** A small message numbered `n`. */
const msg = (n: number) => statusMessage(`message ${n}`, n);

function hubWith(n: number, nowMs = { value: 0 }) {
  const hub = new Hub({ maxBufferedBytes: 1000, stuckCloseMs: 5000, now: () => nowMs.value });
  const clients = Array.from({ length: n }, () => new FakeSocket());
  clients.forEach((c) => hub.add(c));
  return { hub, clients, nowMs };
}

Deno.test("Hub.broadcast() serialises once and sends the same text to every client", () => {
  const { hub, clients } = hubWith(3);
  let calls = 0;
  const message = Object.assign(statusMessage("hello", 0), {
    toJSON() {
      calls++;
      return { type: "measurement", seq: 1 };
    },
  });
  assert.equal(hub.broadcast(message), 3);
  assert.equal(calls, 1);
  for (const c of clients) assert.deepEqual(c.sent, ['{"type":"measurement","seq":1}']);
});

Deno.test("Hub drops clients that are closing or closed", () => {
  const { hub, clients } = hubWith(3);
  clients[0].readyState = 2; // CLOSING counts as gone
  clients[1].readyState = 3;
  assert.equal(hub.broadcast(msg(1)), 1);
  assert.equal(hub.size, 1);
  assert.equal(clients[0].sent.length, 0);
});

Deno.test("Hub drops a client whose send throws, without disturbing the others", () => {
  const { hub, clients } = hubWith(3);
  clients[1].failSend = true;
  assert.equal(hub.broadcast(msg(1)), 2);
  assert.equal(hub.size, 2);
  assert.equal(hub.broadcast(msg(2)), 2);
});

Deno.test("Hub skips a slow client, keeps serving the rest, and closes it if it stays stuck", () => {
  const { hub, clients, nowMs } = hubWith(3);
  const slow = clients[2];
  slow.bufferedAmount = 5000;
  for (let i = 0; i < 5; i++) {
    nowMs.value = i * 1000;
    assert.equal(hub.broadcast(msg(i)), 2);
  }
  assert.equal(hub.stats.slowSkips, 5);
  assert.ok(!slow.closed, "not stuck long enough yet");
  for (const c of clients.slice(0, 2)) assert.equal(c.sent.length, 5, "no gaps for the others");
  nowMs.value = 5000;
  hub.broadcast(msg(5));
  assert.equal(slow.closeCode(), CLOSE_TRY_AGAIN_LATER);
  assert.equal(hub.stats.slowCloses, 1);
  assert.equal(hub.size, 2);
});

Deno.test("Hub forgives a client that catches up before the stuck limit", () => {
  const { hub, clients, nowMs } = hubWith(1);
  const c = clients[0];
  c.bufferedAmount = 5000;
  hub.broadcast(msg(1));
  nowMs.value = 4000;
  c.bufferedAmount = 0;
  hub.broadcast(msg(2));
  c.bufferedAmount = 5000;
  nowMs.value = 8000; // 8 s since first skip, but only 0 s since it caught up
  hub.broadcast(msg(3));
  assert.equal(c.closed, undefined);
  assert.equal(c.sent.length, 1);
});

Deno.test("Hub.receive() ignores junk and closes a client that sends an oversize message", () => {
  const { hub, clients } = hubWith(2);
  hub.receive(clients[0], "not json {{{");
  hub.receive(clients[0], new Uint8Array([0, 1, 2]).buffer);
  hub.receive(clients[0], null);
  assert.ok(!clients[0].closed);
  hub.receive(clients[0], "x".repeat(5000));
  assert.equal(clients[0].closeCode(), CLOSE_TOO_BIG);
  assert.equal(hub.size, 1);
  hub.receive(clients[1], "é".repeat(2000)); // 2000 characters, 4000 bytes: allowed
  assert.ok(!clients[1].closeCode());
  hub.receive(clients[1], "é".repeat(2100)); // 4200 bytes
  assert.equal(clients[1].closeCode(), CLOSE_TOO_BIG);
  const third = new FakeSocket();
  hub.add(third);
  hub.receive(third, new Uint8Array(5000));
  assert.equal(third.closeCode(), CLOSE_TOO_BIG);
  assert.equal(hub.stats.oversizeCloses, 3);
});

Deno.test("Hub.closeAll() closes every client with 1001 and empties the set", () => {
  const { hub, clients } = hubWith(3);
  hub.closeAll();
  for (const c of clients) assert.equal(c.closeCode(), CLOSE_GOING_AWAY);
  assert.equal(hub.size, 0);
});

Deno.test("Hub.sendTo() greets one client only", () => {
  const { hub, clients } = hubWith(2);
  hub.sendTo(clients[0], msg(1));
  assert.equal(clients[0].sent.length, 1);
  assert.equal(clients[1].sent.length, 0);
});
