import assert from "node:assert/strict";
import {
  ClientLimits,
  isRefusal,
  rememberRemoteAddress,
  remoteAddressOf,
  type Slot,
} from "../../src/http/limits.ts";

Deno.test("ClientLimits refuses past the per-address cap with 429, past the total with 503", () => {
  const limits = new ClientLimits({ maxClients: 3, maxPerAddress: 2 });
  const a1 = limits.acquire("10.0.0.1");
  const a2 = limits.acquire("10.0.0.1");
  assert.ok(!isRefusal(a1) && !isRefusal(a2));
  const a3 = limits.acquire("10.0.0.1");
  assert.ok(isRefusal(a3));
  assert.equal(a3.status, 429);
  assert.match(a3.error, /WS_MAX_CLIENTS_PER_ADDRESS=2/);

  const b1 = limits.acquire("10.0.0.2");
  assert.ok(!isRefusal(b1));
  const b2 = limits.acquire("10.0.0.2");
  assert.ok(isRefusal(b2));
  assert.equal(b2.status, 503);
  assert.match(b2.error, /WS_MAX_CLIENTS=3/);
  assert.equal(limits.total, 3);
});

Deno.test("ClientLimits slot release frees the slot once, however often it is called", () => {
  const limits = new ClientLimits({ maxClients: 2, maxPerAddress: 1 });
  const slot = limits.acquire("::1") as Slot;
  assert.ok(isRefusal(limits.acquire("::1")));
  slot.release();
  slot.release();
  assert.equal(limits.total, 0);
  assert.equal(limits.heldBy("::1"), 0);
  assert.ok(!isRefusal(limits.acquire("::1")));
  assert.ok(!isRefusal(limits.acquire("::2")));
  assert.equal(limits.total, 2);
});

Deno.test("ClientLimits rejects a cap that is not a positive integer", () => {
  assert.throws(() => new ClientLimits({ maxClients: 0, maxPerAddress: 1 }), RangeError);
  assert.throws(() => new ClientLimits({ maxClients: 1, maxPerAddress: 1.5 }), RangeError);
});

Deno.test("remoteAddressOf() returns the recorded peer, else unknown", () => {
  const request = new Request("http://localhost/ws");
  assert.equal(remoteAddressOf(request), "unknown");
  rememberRemoteAddress(request, "192.0.2.7");
  assert.equal(remoteAddressOf(request), "192.0.2.7");
});
