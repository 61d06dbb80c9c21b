/** Tests of src/sources/arduino_protocol.ts: the v1 device's lines and commands. */
import assert from "node:assert/strict";
import {
  encodeCommand,
  LineSplitter,
  parseDeviceLine,
} from "../../src/sources/arduino_protocol.ts";

Deno.test("parseDeviceLine() reads the v1 device's measurement, status and ack lines", () => {
  assert.deepEqual(
    parseDeviceLine(
      '{"v":5.012,"a":0.213,"w":1.068,"ts":123456,"seq":17,"status":"ok","mode":"NORMAL"}',
    ),
    {
      kind: "measurement",
      v: 5.012,
      a: 0.213,
      w: 1.068,
      deviceTsMs: 123456,
      deviceSeq: 17,
      status: "ok",
      mode: "NORMAL",
    },
  );
  const error = parseDeviceLine('{"v":0,"a":0,"w":0,"ts":1,"seq":18,"status":"error"}');
  assert.equal(error.kind === "measurement" && error.status, "error");
  assert.deepEqual(parseDeviceLine('{"type":"status","message":"JSON Protocol v1.0","ts":5}'), {
    kind: "status",
    message: "JSON Protocol v1.0",
  });
  const ack = parseDeviceLine('{"ack":3,"result":"error","message":"value out of range"}');
  assert.equal(ack.kind, "ack");
  assert.deepEqual(ack.kind === "ack" && [ack.ack, ack.ok, ack.message], [
    3,
    false,
    "value out of range",
  ]);
});

Deno.test("parseDeviceLine() calls everything else garbage", async (t) => {
  for (
    const line of [
      "",
      "garbage",
      '{"v":5.0,"a":0.2',
      "[1,2]",
      "42",
      "null",
      '{"v":"5","a":0.2,"w":1,"seq":1}',
      '{"v":5,"a":0.2,"w":1,"seq":1,"status":"weird"}',
      '{"type":"status"}',
      '{"hello":"world"}',
    ]
  ) {
    await t.step(JSON.stringify(line), () => assert.equal(parseDeviceLine(line).kind, "garbage"));
  }
});

Deno.test("encodeCommand() writes the v1 device's command lines", () => {
  assert.equal(
    encodeCommand("set_interval", 1, 1000),
    '{"cmd":"set_interval","value":1000,"seq":1}\n',
  );
  assert.equal(
    encodeCommand("set_mode", 2, "NORMAL"),
    '{"cmd":"set_mode","value":"NORMAL","seq":2}\n',
  );
  assert.equal(encodeCommand("get_status", 3), '{"cmd":"get_status","seq":3}\n');
});

Deno.test("LineSplitter keeps partial lines, UTF-8 split across chunks and drops overlong ones", () => {
  const splitter = new LineSplitter(10);
  const bytes = new TextEncoder().encode("ab\r\nNÖ");
  assert.deepEqual(splitter.push(bytes.subarray(0, 6)), ["ab"]); // "Ö" is cut in half
  assert.deepEqual(splitter.push(bytes.subarray(6)), []);
  assert.deepEqual(splitter.push(new TextEncoder().encode("RMAL\n")), ["NÖRMAL"]);
  assert.deepEqual(splitter.push(new TextEncoder().encode("x".repeat(25))), []);
  assert.deepEqual(splitter.push(new TextEncoder().encode("tail\nok\n")), ["ok"]);
  assert.deepEqual(splitter.push(new TextEncoder().encode("y".repeat(12) + "\nfine\n")), ["fine"]);
  assert.equal(splitter.overlong, 2);
  splitter.push(new TextEncoder().encode("half"));
  splitter.reset();
  assert.deepEqual(splitter.push(new TextEncoder().encode("new\n")), ["new"]);
});
