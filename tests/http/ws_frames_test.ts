import assert from "node:assert/strict";
import { FrameWatcher } from "../../src/http/ws_frames.ts";

/** A frame header: FIN/opcode byte, then the 7/16/64-bit length, then the mask key if masked. */
function header(opcode: number, length: number, options: { fin?: boolean; masked?: boolean } = {}) {
  const bytes = [((options.fin ?? true) ? 0x80 : 0) | opcode];
  const mask = options.masked === false ? 0 : 0x80;
  if (length < 126) bytes.push(mask | length);
  else if (length < 65536) bytes.push(mask | 126, length >> 8, length & 0xff);
  else {
    bytes.push(mask | 127);
    const high = Math.floor(length / 2 ** 32);
    const low = length % 2 ** 32;
    for (const word of [high, low]) {
      bytes.push(word >>> 24, (word >>> 16) & 0xff, (word >>> 8) & 0xff, word & 0xff);
    }
  }
  if (options.masked !== false) bytes.push(1, 2, 3, 4);
  return new Uint8Array(bytes);
}

function frame(opcode: number, length: number, options: { fin?: boolean; masked?: boolean } = {}) {
  const h = header(opcode, length, options);
  const out = new Uint8Array(h.length + length);
  out.set(h);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

Deno.test("FrameWatcher passes frames within the limit, 7- and 16-bit lengths, masked or not", () => {
  const watcher = new FrameWatcher(4096);
  const stream = concat(
    frame(1, 5),
    frame(2, 125, { masked: false }),
    frame(2, 126),
    frame(1, 4096, { masked: false }),
    frame(9, 0), // ping
  );
  assert.equal(watcher.push(stream), undefined);
  assert.equal(watcher.frames, 5);
});

Deno.test("FrameWatcher reads headers split across chunks, one byte at a time", () => {
  const watcher = new FrameWatcher(4096);
  const stream = concat(frame(2, 300), frame(1, 70_000 - 69_000), header(2, 63_000_000));
  let violation;
  for (let i = 0; i < stream.length && !violation; i++) {
    violation = watcher.push(stream.subarray(i, i + 1));
    if (violation) {
      // Found at the last byte of the third header, before any of its payload.
      assert.equal(i, stream.length - 1);
    }
  }
  assert.ok(violation);
  assert.equal(violation.announced, 63_000_000);
  assert.equal(watcher.frames, 3);
});

Deno.test("FrameWatcher refuses a 16-bit and a 64-bit length over the limit, masked or not", () => {
  for (const masked of [true, false]) {
    const v16 = new FrameWatcher(4096).push(header(2, 4097, { masked }));
    assert.equal(v16?.announced, 4097);
    assert.equal(v16?.limit, 4096);
    const v64 = new FrameWatcher(4096).push(header(1, 2 ** 40 + 5, { masked }));
    assert.equal(v64?.announced, 2 ** 40 + 5);
  }
});

Deno.test("FrameWatcher counts a fragmented message across its fragments, not control frames", () => {
  const watcher = new FrameWatcher(10_000);
  // 2 × 4000 bytes plus a ping in between: 8000 so far, fine.
  assert.equal(
    watcher.push(
      concat(frame(2, 4000, { fin: false }), frame(9, 100), frame(0, 4000, { fin: false })),
    ),
    undefined,
  );
  const violation = watcher.push(header(0, 4000, { fin: false }));
  assert.equal(violation?.announced, 12_000);
  // A finished message starts the count again.
  const again = new FrameWatcher(10_000);
  assert.equal(again.push(concat(frame(2, 6000, { fin: false }), frame(0, 4000))), undefined);
  assert.equal(again.push(frame(1, 10_000)), undefined);
});

Deno.test("FrameWatcher refuses a control frame over 125 bytes", () => {
  const violation = new FrameWatcher(4096).push(header(9, 126));
  assert.equal(violation?.limit, 125);
  assert.match(violation?.reason ?? "", /control frame/);
});

Deno.test("FrameWatcher rejects a limit below a control frame's", () => {
  assert.throws(() => new FrameWatcher(100), RangeError);
});
