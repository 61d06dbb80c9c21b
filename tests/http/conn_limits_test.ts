import assert from "node:assert/strict";
import {
  ConnectionLimits,
  type ConnectionRefusal,
  type ConnectionTicket,
  isConnectionRefusal,
} from "../../src/http/conn_limits.ts";

function fakeClock() {
  let nowMs = 1_000_000;
  return { now: () => nowMs, advance: (ms: number) => nowMs += ms };
}

Deno.test("ConnectionLimits caps open connections per address (429) while others still get in", () => {
  const clock = fakeClock();
  const limits = new ConnectionLimits({
    maxConnections: 100,
    maxPerAddress: 2,
    ratePerSecond: 100,
    now: clock.now,
  });
  const a = [limits.admit("10.0.0.1"), limits.admit("10.0.0.1")] as ConnectionTicket[];
  const refused = limits.admit("10.0.0.1") as ConnectionRefusal;
  assert.ok(isConnectionRefusal(refused));
  assert.equal(refused.status, 429);
  assert.equal(refused.refused, "address");
  assert.match(refused.error, /HTTP_MAX_CONNS_PER_ADDRESS=2/);
  assert.ok(!isConnectionRefusal(limits.admit("10.0.0.2")));
  a[0].release();
  a[0].release();
  assert.equal(limits.openFrom("10.0.0.1"), 1);
  assert.ok(!isConnectionRefusal(limits.admit("10.0.0.1")));
  assert.equal(limits.open, 3);
});

Deno.test("ConnectionLimits caps all connections (503)", () => {
  const limits = new ConnectionLimits({ maxConnections: 2, maxPerAddress: 5, ratePerSecond: 100 });
  limits.admit("a");
  limits.admit("b");
  const refused = limits.admit("c") as ConnectionRefusal;
  assert.equal(refused.status, 503);
  assert.match(refused.error, /HTTP_MAX_CONNS=2/);
});

Deno.test("ConnectionLimits lets an address open a burst, then its rate; refusals take no token", () => {
  const clock = fakeClock();
  const limits = new ConnectionLimits({
    maxConnections: 1000,
    maxPerAddress: 1000,
    ratePerSecond: 10,
    now: clock.now,
  });
  assert.equal(limits.burst, 20);
  for (let i = 0; i < 20; i++) {
    (limits.admit("10.0.0.1") as ConnectionTicket).release();
  }
  const refused = limits.admit("10.0.0.1") as ConnectionRefusal;
  assert.equal(refused.refused, "rate");
  assert.match(refused.error, /HTTP_CONNECT_RATE_PER_ADDRESS=10\/s/);
  // Another address has its own bucket.
  assert.ok(!isConnectionRefusal(limits.admit("10.0.0.2")));
  // 100 ms refills one token; hammering meanwhile does not push the refill back.
  clock.advance(50);
  assert.ok(isConnectionRefusal(limits.admit("10.0.0.1")));
  clock.advance(50);
  assert.ok(!isConnectionRefusal(limits.admit("10.0.0.1")));
  assert.ok(isConnectionRefusal(limits.admit("10.0.0.1")));
  // A long pause refills up to the burst, no further.
  clock.advance(60_000);
  for (let i = 0; i < 20; i++) assert.ok(!isConnectionRefusal(limits.admit("10.0.0.1")), `#${i}`);
  assert.ok(isConnectionRefusal(limits.admit("10.0.0.1")));
});

Deno.test("ConnectionLimits.prune() forgets idle addresses with a full bucket only", () => {
  const clock = fakeClock();
  const limits = new ConnectionLimits({
    maxConnections: 10,
    maxPerAddress: 10,
    ratePerSecond: 1,
    burst: 2,
    now: clock.now,
  });
  const held = limits.admit("a") as ConnectionTicket;
  (limits.admit("b") as ConnectionTicket).release();
  limits.prune();
  assert.equal(limits.addresses, 2); // "a" is open, "b" has spent a token
  clock.advance(1000);
  limits.prune();
  assert.equal(limits.addresses, 1);
  held.release();
  clock.advance(1000);
  limits.prune();
  assert.equal(limits.addresses, 0);
});

Deno.test("ConnectionLimits rejects limits that are not positive", () => {
  assert.throws(
    () => new ConnectionLimits({ maxConnections: 0, maxPerAddress: 1, ratePerSecond: 1 }),
    RangeError,
  );
  assert.throws(
    () => new ConnectionLimits({ maxConnections: 1, maxPerAddress: 1, ratePerSecond: -1 }),
    RangeError,
  );
});
