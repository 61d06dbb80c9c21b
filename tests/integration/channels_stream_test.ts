/**
 * Channels on a real server: a v1 client on plain `/ws` sees only the first channel with
 * exactly the v1 fields (plus `channel`); `?channel=*` sees every channel, each one's
 * `seq` contiguous; `?channel=NAME` one; an unknown name is refused before the upgrade.
 * @module
 */
import assert from "node:assert/strict";
import { type Data, type Message, seqGaps, THREE_CHANNELS, withMonitor } from "./harness.ts";

const ENV = { CHANNELS: THREE_CHANNELS };

/** The measurements of one channel in `messages`. */
function of(messages: Message[], channel: string): Data[] {
  return messages.filter((m) => m.type === "measurement" && m.data?.channel === channel)
    .map((m) => m.data!);
}

Deno.test("plain /ws streams only the first channel, with the v1 fields and channel", async () => {
  await withMonitor(ENV, async (h) => {
    const v1 = await h.connect();
    await v1.nextMeasurements(20);
    const data = v1.messages.filter((m) => m.type === "measurement").map((m) => m.data!);
    assert.ok(data.every((d) => d.channel === "a"), "only the first channel");
    for (const d of data) {
      assert.deepEqual(
        Object.keys(d).sort(),
        ["a", "channel", "mode", "seq", "status", "ts", "ts_ms", "v", "w"],
      );
    }
    assert.equal(seqGaps(data), 0);
    const statistics = await v1.until(
      "a statistics message",
      (ms) => ms.some((m) => m.type === "statistics"),
      { timeoutMs: 3000 },
    );
    const channels = statistics.filter((m) => m.type === "statistics").map((m) =>
      (m as unknown as { data: { channel: string } }).data.channel
    );
    assert.deepEqual([...new Set(channels)], ["a"], "statistics of the first channel only");
  });
});

Deno.test("/ws?channel=* streams every channel, each seq contiguous; ?channel=b only b", async () => {
  await withMonitor(ENV, async (h) => {
    const all = await h.connect("?channel=*");
    const b = await h.connect("?channel=b");
    const batch = await h.connect("?channel=*&format=batch&batch_ms=50");
    await all.until(
      "samples of a, b and eff",
      (ms) => ["a", "b", "eff"].every((c) => of(ms, c).length >= 10),
      { timeoutMs: 5000 },
    );
    for (const channel of ["a", "b", "eff"]) {
      assert.equal(seqGaps(of(all.messages, channel)), 0, channel);
    }
    assert.ok(of(all.messages, "eff").every((d) => d.derived === "efficiency"));
    await b.nextMeasurements(5);
    const bChannels = new Set(
      b.messages.filter((m) => m.type === "measurement").map((m) => m.data!.channel),
    );
    assert.deepEqual([...bChannels], ["b"]);
    const batches = await batch.until("batches of every channel", (ms) => {
      const seen = new Set(
        ms.filter((m) => m.type === "measurements").map((m) =>
          (m as unknown as { data: { channel: string } }).data.channel
        ),
      );
      return seen.size === 3;
    }, { timeoutMs: 5000 });
    for (const channel of ["a", "b", "eff"]) {
      const runs = batches.filter((m) =>
        m.type === "measurements" &&
        (m as unknown as { data: { channel: string } }).data.channel === channel
      ).map((m) => (m as unknown as { data: { seq0: number; ts_ms: number[] } }).data);
      for (let i = 1; i < runs.length; i++) {
        assert.equal(runs[i].seq0, runs[i - 1].seq0 + runs[i - 1].ts_ms.length, channel);
      }
    }
  });
});

Deno.test("/ws?channel=x for an unknown channel is refused with 400 listing the names", async () => {
  await withMonitor(ENV, async (h) => {
    const reply = await h.request("GET", "/ws?channel=x", {
      headers: { Upgrade: "websocket", Connection: "Upgrade" },
    });
    assert.equal(reply.status, 400);
    assert.deepEqual(reply.body, {
      error: 'Unknown channel "x"',
      issues: [{ path: "channel", message: "expected one of: a, b, eff" }],
    });
    const status = await h.status();
    assert.equal(status.websocket_connections, 0);
  });
});

Deno.test("status messages about one channel carry it and reach only its clients", async () => {
  await withMonitor(ENV, async (h) => {
    const v1 = await h.connect();
    const b = await h.connect("?channel=b");
    await b.nextMeasurements(2);
    const from = { v1: v1.messages.length, b: b.messages.length };
    const reply = await h.post("/simulator/stop?channel=b");
    assert.equal(reply.status, 200);
    const stopped = await b.until(
      "b's stop message",
      (ms) => ms.some((m) => m.type === "status" && m.message === "Measurements stopped"),
      {
        from: from.b,
      },
    );
    const message = stopped.find((m) => m.message === "Measurements stopped") as
      & Message
      & { channel?: string };
    assert.equal(message.channel, "b");
    assert.equal(message.simulator, "disconnected");
    await v1.nextMeasurements(5);
    assert.ok(
      !v1.messages.slice(from.v1).some((m) => m.message === "Measurements stopped"),
      "the first channel's client is not told about b",
    );
    const status = await h.status();
    assert.equal(status.simulator, "connected", "the first channel still runs");
  });
});
