import assert from "node:assert/strict";
import { alertMessage } from "../src/protocol/alerts.ts";
import { measurementMessage, statusMessage } from "../src/protocol/ws.ts";
import type { Sample } from "../src/sample.ts";
import { parseServerMessage } from "./ws_messages.ts";

Deno.test("parseServerMessage() accepts what the builders make, extra fields kept", () => {
  const sample: Sample = {
    tsMs: 1_700_000_000_123,
    seq: 7,
    v: 5,
    a: 0.2,
    w: 1,
    status: "ok",
    mode: "N",
  };
  const m = parseServerMessage(JSON.stringify({ ...measurementMessage(sample), extra: 1 }));
  assert.equal(m.type, "measurement");
  assert.equal((m as unknown as { extra: number }).extra, 1);
  parseServerMessage(JSON.stringify(statusMessage("hello", 0, { simulator: "connected" })));
  parseServerMessage(JSON.stringify(alertMessage({
    metric: "a",
    severity: "warning",
    state: "raised",
    value: 0.45,
    limit: 0.4,
    message: "Current warning",
    ts_ms: 1,
  }, 3)));
});

Deno.test("parseServerMessage() rejects unknown types and messages off the schema", () => {
  assert.throws(() => parseServerMessage('{"type":"hello"}'), /Unknown WebSocket message type/);
  assert.throws(() => parseServerMessage("[]"), /Unknown WebSocket message type/);
  const m = measurementMessage({ tsMs: 1, seq: 1, v: 5, a: 0, w: 0, status: "ok", mode: "N" });
  const bad = { ...m, data: { ...m.data, status: "fine" } };
  assert.throws(
    () => parseServerMessage(JSON.stringify(bad)),
    /Invalid measurement message.*status/,
  );
  const noSeq = { ...m, data: { ...m.data, seq: undefined } };
  assert.throws(() => parseServerMessage(JSON.stringify(noSeq)), /data\.seq/);
  assert.throws(
    () => parseServerMessage('{"type":"status","message":3,"timestamp":"x"}'),
    /Invalid status message/,
  );
});
