/**
 * The batched stream end to end on a real loopback server at a 1 ms interval:
 * `measurements` messages on the schema, contiguous `seq` across batches beside a plain
 * client that sees the same samples, status messages to both, and 400 for a bad query.
 * @module
 */
import assert from "node:assert/strict";
import type { MeasurementsData } from "../../src/protocol/ws.ts";
import { measurements, type Message, seqGaps, withMonitor } from "./harness.ts";

/** The `data` of every `measurements` message, in order. */
function batches(messages: Message[]): MeasurementsData[] {
  return messages.filter((m) => m.type === "measurements").map((m) =>
    m.data as unknown as MeasurementsData
  );
}

/** The seqs a batch client received, expanded from `seq0` + index. */
function batchSeqs(data: MeasurementsData[]): number[] {
  return data.flatMap((d) => d.ts_ms.map((_, i) => d.seq0 + i));
}

Deno.test("startMonitor() /ws?format=batch streams contiguous batches at a 1 ms interval", async () => {
  await withMonitor({ SAMPLE_INTERVAL_MS: "1" }, async (h) => {
    const fast = await h.connect("?format=batch&batch_ms=20");
    const plain = await h.connect();
    const [greeting] = await fast.until("greeting", (ms) => ms.length >= 1);
    assert.equal(greeting.type, "status", "a batch client is greeted like any other");
    // About 2 s of samples, with a mode change in the middle.
    await fast.until("1000 batched samples", (ms) => batchSeqs(batches(ms)).length >= 1000, {
      timeoutMs: 10_000,
    });
    const changed = await h.post("/simulator/mode", { mode: "LOAD_SPIKE" });
    assert.equal(changed.status, 200);
    await fast.until("2000 batched samples", (ms) => batchSeqs(batches(ms)).length >= 2000, {
      timeoutMs: 10_000,
    });
    const got = batches(fast.messages);
    assert.ok(got.length >= 2);
    for (const d of got) {
      assert.ok(d.ts_ms.length > 0, "an empty period sends nothing");
      for (const column of [d.v, d.a, d.w, d.status]) assert.equal(column.length, d.ts_ms.length);
    }
    for (let i = 1; i < got.length; i++) {
      assert.equal(got[i].seq0, got[i - 1].seq0 + got[i - 1].ts_ms.length, `batch ${i} follows`);
    }
    const modes = got.map((d) => d.mode);
    assert.ok(modes.includes("NORMAL") && modes.includes("LOAD_SPIKE"), modes.join());
    assert.ok(
      fast.messages.some((m) => m.type === "status" && m.message?.includes("LOAD_SPIKE")),
      "the mode change's status message reaches the batch client",
    );
    assert.ok(!fast.messages.some((m) => m.type === "measurement"), "no single measurements");
    // The plain client saw the same numbered samples one message each.
    const single = measurements(plain.messages);
    assert.equal(seqGaps(single), 0);
    const seqs = batchSeqs(got);
    const firstShared = Math.max(seqs[0], single[0].seq);
    const lastShared = Math.min(seqs.at(-1)!, single.at(-1)!.seq);
    assert.ok(lastShared - firstShared > 100, "the two streams overlap");
    const inRange = (s: number) => s >= firstShared && s <= lastShared;
    assert.deepEqual(seqs.filter(inRange), single.map((d) => d.seq).filter(inRange));
    // 2000 samples at 1 ms span at least one whole second, which the rate then counts.
    const status = await h.status();
    assert.equal(typeof status.sample_rate_hz, "number");
    assert.ok((status.sample_rate_hz as number) > 0, `sample_rate_hz ${status.sample_rate_hz}`);
  });
});

Deno.test("GET /ws answers 400 for a bad format or batch_ms, before any upgrade", async (t) => {
  await withMonitor({}, async (h) => {
    const upgrade = {
      Upgrade: "websocket",
      Connection: "Upgrade",
      "Sec-WebSocket-Version": "13",
      "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
    };
    for (
      const query of [
        "format=batch&batch_ms=9",
        "format=batch&batch_ms=1001",
        "format=batch&batch_ms=abc",
        "format=batch&batch_ms=12.5",
        "format=columns",
        "batch_ms=50",
      ]
    ) {
      await t.step(query, async () => {
        const reply = await h.request("GET", `/ws?${query}`, { headers: upgrade });
        assert.equal(reply.status, 400);
        assert.equal(typeof reply.body.error, "string");
        assert.ok(Array.isArray(reply.body.issues) && reply.body.issues.length > 0);
      });
    }
    assert.equal((await h.status()).websocket_connections, 0, "nothing was upgraded");
    const fine = await h.connect("?format=batch");
    await fine.until("greeting", (ms) => ms.length >= 1);
  });
});
