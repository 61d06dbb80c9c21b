/** Tests of src/derived/channel.ts, combine.ts and channels.ts: live derived channels. */
import assert from "node:assert/strict";
import type { ChannelConfig } from "../../src/channels.ts";
import { DerivedChannel } from "../../src/derived/channel.ts";
import { DerivedChannels } from "../../src/derived/channels.ts";
import { efficiencyOf } from "../../src/derived/combine.ts";
import type { Sample } from "../../src/sample.ts";
import { close } from "../assertions.ts";
import { REG, sumOf as sum } from "./fixtures.ts";

const T0 = 1_700_000_000_000;

/** An `ok` sample (seq is the measured channel's own, unused here). */
function s(tsMs: number, v: number, a: number, w = v * a): Sample {
  return { tsMs, seq: 0, v, a, w, status: "ok", mode: "NORMAL" };
}

function failed(tsMs: number, error: string): Sample {
  return { tsMs, seq: 0, v: 0, a: 0, w: 0, status: "error", mode: "NORMAL", error };
}

const every = (ms: number) => () => ms;

Deno.test("efficiencyOf() is P_out / P_in, null when P_in ≤ 0, never clamped", () => {
  close(efficiencyOf(5, 3.96), 0.792, "5 W in, 3.96 W out");
  assert.equal(efficiencyOf(0, 1), null);
  assert.equal(efficiencyOf(-0.5, 1), null);
  close(efficiencyOf(2, 2.2), 1.1, "above 1 stays (the channels disagree)");
});

Deno.test("DerivedChannel: 5 V·1 A in, 3.3 V·1.2 A out is 0.792 efficient and loses 1.04 W", () => {
  const reg = new DerivedChannel(REG, { intervalMs: every(10) });
  assert.deepEqual(reg.add("in", s(T0, 5, 1, 5)), [], "waits for the output");
  const [d, ...rest] = reg.add("out", s(T0 + 1, 3.3, 1.2, 3.96));
  assert.equal(rest.length, 0);
  assert.equal(d.derived, "efficiency");
  assert.equal(d.status, "ok");
  assert.equal(d.mode, "DERIVED");
  assert.equal(d.seq, 1);
  assert.equal(d.tsMs, T0, "stamped with the pacing input's sample");
  assert.deepEqual([d.v, d.a, d.w, d.pInW], [3.3, 1.2, 3.96, 5], "v/a/w are the output's");
  close(d.efficiency!, 0.792, "efficiency");
  close(d.lossW!, 1.04, "loss");
  // From V and A rather than the power register: the same to rounding.
  const [e] = [
    ...reg.add("in", s(T0 + 10, 5, 1)),
    ...reg.add("out", s(T0 + 11, 3.3, 1.2)),
  ];
  close(e.efficiency!, 0.792, "efficiency from V·A");
  close(e.lossW!, 1.04, "loss from V·A");
  assert.equal(e.seq, 2);
});

Deno.test("DerivedChannel: efficiency is null when P_in ≤ 0; the loss is still P_in − P_out", () => {
  const reg = new DerivedChannel(REG, { intervalMs: every(10) });
  reg.add("in", s(T0, 5, 0));
  const [d] = reg.add("out", s(T0, 3.3, 0.1, 0.33));
  assert.equal(d.status, "ok");
  assert.equal(d.efficiency, null);
  close(d.lossW!, -0.33, "loss");
  reg.add("in", s(T0 + 10, 5, -0.2, -1));
  const [e] = reg.add("out", s(T0 + 10, 3.3, 0.1, 0.33));
  assert.equal(e.efficiency, null, "negative input power");
});

Deno.test("DerivedChannel: sum adds power and current, averages the voltages", () => {
  const total = new DerivedChannel(sum("a", "b", "c"), { intervalMs: every(10) });
  total.add("a", s(T0, 5, 1, 5));
  total.add("b", s(T0 + 2, 12, 0.5, 6));
  const [d] = total.add("c", s(T0 + 4, 3.3, 0.2, 0.66));
  assert.equal(d.derived, "sum");
  assert.equal(d.tsMs, T0);
  close(d.w, 11.66, "total power");
  close(d.a, 1.7, "total current");
  close(d.v, (5 + 12 + 3.3) / 3, "mean voltage");
  assert.equal(d.efficiency, undefined, "no efficiency fields on a sum");
  assert.equal(d.lossW, undefined);
});

Deno.test("DerivedChannel: an input's error makes an error sample naming it, no numbers", () => {
  const reg = new DerivedChannel(REG, { intervalMs: every(10) });
  reg.add("in", s(T0, 5, 1));
  const [d] = reg.add("out", failed(T0 + 1, "I2C read failed at 0x41"));
  assert.deepEqual(d, {
    tsMs: T0,
    seq: 1,
    v: 0,
    a: 0,
    w: 0,
    status: "error",
    mode: "DERIVED",
    error: 'input "out": I2C read failed at 0x41',
    derived: "efficiency",
    efficiency: null,
    lossW: 0,
    pInW: 0,
  });
  reg.add("in", failed(T0 + 10, "no ack"));
  const [e] = reg.add("out", failed(T0 + 11, "no ack either"));
  assert.equal(e.error, 'input "in": no ack; input "out": no ack either', "both named");
  reg.add("in", s(T0 + 20, 5, 1));
  const [ok] = reg.add("out", s(T0 + 21, 3.3, 1.2));
  assert.equal(ok.status, "ok", "recovers with the inputs");
  assert.equal(ok.seq, 3, "seq counts error samples too");
});

Deno.test("DerivedChannel: an overflow on an input makes the derived sample overflow", () => {
  const total = new DerivedChannel(sum("a", "b"), { intervalMs: every(10) });
  total.add("a", { ...s(T0, 26, 3.2), status: "overflow" });
  const [d] = total.add("b", s(T0, 5, 1));
  assert.equal(d.status, "overflow");
  close(d.w, 26 * 3.2 + 5, "still computed");
});

Deno.test("DerivedChannel: a stopped input is held up to the bound, then each sample is an error", () => {
  // 10 ms inputs: bound max(2 × 10, 100) = 100 ms.
  const reg = new DerivedChannel(REG, { intervalMs: every(10) });
  assert.equal(reg.staleMs, 100);
  reg.add("in", s(T0, 5, 1));
  reg.add("out", s(T0 + 1, 3.3, 1.2)); // the last output sample
  const out = [];
  for (let t = T0 + 10; t <= T0 + 130; t += 10) out.push(...reg.add("in", s(t, 5, 1)));
  // in@T0+10 … T0+101 wait for the output until the input is 100 ms past its last sample.
  assert.deepEqual(
    out.map((d) => [d.tsMs - T0, d.status]),
    [
      [10, "ok"],
      [20, "ok"],
      [30, "ok"],
      [40, "ok"],
      [50, "ok"],
      [60, "ok"],
      [70, "ok"],
      [80, "ok"],
      [90, "ok"],
      [100, "ok"],
      [110, "error"],
      [120, "error"],
      [130, "error"],
    ],
  );
  assert.equal(
    out[10].error,
    'input "out" is stale: its nearest sample is 109 ms away (limit 100 ms)',
  );
  assert.equal(out[10].efficiency, null);
  const [back] = reg.add("out", s(T0 + 131, 3.3, 1.2));
  assert.equal(back, undefined, "in@130 was already answered");
  const [next] = reg.add("in", s(T0 + 140, 5, 1));
  assert.equal(next, undefined, "waits for the output's next sample");
  const [ok] = reg.add("out", s(T0 + 141, 3.3, 1.2));
  assert.equal(ok.status, "ok");
  assert.equal(ok.tsMs, T0 + 140);
});

Deno.test("DerivedChannel: an input that never sent a sample is named once the bound passes", () => {
  const reg = new DerivedChannel(REG, { intervalMs: every(50) });
  const out = [];
  for (let t = T0; t <= T0 + 150; t += 50) out.push(...reg.add("in", s(t, 5, 1)));
  // Bound 100 ms: in@T0 … in@T0+100 wait; at in@T0+150 it has passed, and all four come out.
  assert.deepEqual(out.map((d) => d.tsMs - T0), [0, 50, 100, 150]);
  for (const d of out) assert.equal(d.error, 'input "out" has sent no sample');
});

Deno.test("DerivedChannel: a slow pacing input that stops yields one error per bound, not one per fast sample", () => {
  // a every 1000 ms paces; b every 10 ms. Bound: 2000 ms.
  const total = new DerivedChannel(sum("a", "b"), { intervalMs: (n) => n === "a" ? 1000 : 10 });
  assert.equal(total.pacer, "a");
  total.add("a", s(T0, 5, 1));
  const out = [];
  for (let t = T0; t <= T0 + 10_000; t += 10) out.push(...total.add("b", s(t, 5, 0.1)));
  assert.equal(out[0].status, "ok");
  const errors = out.slice(1);
  assert.deepEqual(errors.map((d) => d.tsMs - T0), [2010, 4010, 6010, 8010]);
  assert.equal(errors[0].error, 'input "a" is stale: no sample for 2010 ms (limit 2000 ms)');
  assert.deepEqual(errors.map((d) => d.seq), [2, 3, 4, 5]);
});

Deno.test("DerivedChannel: sum of a 1 kHz and a 1 Hz channel gives 1 sample/s, each with the nearest fast sample", () => {
  const total = new DerivedChannel(sum("fast", "slow"), {
    intervalMs: (n) => n === "fast" ? 1 : 1000,
  });
  const out = [];
  // 5 s: the slow channel's samples land 300 ms late (after a batch of fast ones).
  for (let t = 0; t < 5000; t++) {
    out.push(...total.add("fast", s(T0 + t, 5, t / 1000)));
    if (t % 1000 === 300) out.push(...total.add("slow", s(T0 + t - 300, 12, 1, 12)));
  }
  assert.equal(out.length, 5);
  assert.deepEqual(out.map((d) => d.tsMs - T0), [0, 1000, 2000, 3000, 4000]);
  for (const d of out) {
    const t = d.tsMs - T0;
    close(d.a, 1 + t / 1000, `current at ${t}: the fast sample stamped at the same ms`);
    close(d.w, 12 + 5 * t / 1000, `power at ${t}`);
  }
});

Deno.test("DerivedChannel: batches of one input before the other's still pair sample for sample", () => {
  const reg = new DerivedChannel(REG, { intervalMs: every(4) });
  const out = [];
  for (let batch = 0; batch < 3; batch++) {
    const t0 = T0 + batch * 20;
    for (let i = 0; i < 5; i++) out.push(...reg.add("in", s(t0 + 4 * i, 5, 1 + i / 10)));
    assert.equal(out.length, batch * 5, "the input's batch waits for the output's");
    for (let i = 0; i < 5; i++) out.push(...reg.add("out", s(t0 + 4 * i + 1, 3.3, 1 + i / 10)));
  }
  assert.equal(out.length, 15);
  out.forEach((d, k) => {
    assert.equal(d.tsMs, T0 + 4 * k);
    assert.equal(d.seq, k + 1);
    close(d.efficiency!, 3.3 / 5, `pair ${k}: the output sample read 1 ms after the input's`);
  });
});

Deno.test("DerivedChannel: after every input was stopped, the restart is not stale", () => {
  const reg = new DerivedChannel(REG, { intervalMs: every(10) });
  reg.add("in", s(T0, 5, 1));
  assert.equal(reg.add("out", s(T0 + 1, 3.3, 1.2)).length, 1);
  // 10 s of silence, then the input's first batch comes before the output's.
  const later = T0 + 10_000;
  const out = [...reg.add("in", s(later, 5, 1)), ...reg.add("in", s(later + 10, 5, 1))];
  out.push(...reg.add("out", s(later + 1, 3.3, 1.2)), ...reg.add("out", s(later + 11, 3.3, 1.2)));
  assert.deepEqual(out.map((d) => [d.tsMs - later, d.status]), [[0, "ok"], [10, "ok"]]);
  assert.equal(out[1].seq, 3, "seq goes on");
});

Deno.test("DerivedChannel: the pacer follows interval changes; ties go to the first input", () => {
  let outMs = 10;
  const reg = new DerivedChannel(REG, { intervalMs: (n) => n === "in" ? 10 : outMs });
  assert.equal(reg.pacer, "in");
  outMs = 50;
  assert.equal(reg.pacer, "out");
  assert.equal(reg.staleMs, 100);
  outMs = 500;
  assert.equal(reg.staleMs, 1000);
});

Deno.test("DerivedChannel: lastSeq continues, older samples are ignored, a stranger is refused", () => {
  const reg = new DerivedChannel(REG, { intervalMs: every(10), lastSeq: 41 });
  reg.add("in", s(T0 + 10, 5, 1));
  assert.deepEqual(reg.add("in", s(T0, 5, 1)), [], "older than the input's last sample");
  const [d] = reg.add("out", s(T0 + 10, 3.3, 1.2));
  assert.equal(d.seq, 42);
  assert.equal(d.tsMs, T0 + 10);
  assert.equal(reg.lastSeq, 42);
  assert.throws(
    () => reg.add("sim", s(T0, 1, 1)),
    new RangeError('Channel "reg" is not derived from "sim": its inputs are in, out'),
  );
});

Deno.test("DerivedChannels routes each input's samples to every derived channel reading it", () => {
  const mock = { kind: "measured", sensor: "mock" } as const;
  const channels = [
    { ...mock, name: "in" },
    { ...mock, name: "out" },
    { ...mock, name: "sim" },
    REG,
    sum("in", "out"),
  ] as unknown as ChannelConfig[];
  const derived = new DerivedChannels(channels, { intervalMs: every(10) });
  assert.deepEqual([...derived.channels.keys()], ["reg", "total"]);
  assert.equal(derived.reads("sim"), false);
  assert.deepEqual(derived.add("sim", s(T0, 1, 1)), []);
  assert.deepEqual(derived.add("in", s(T0, 5, 1)), []);
  const out = derived.add("out", s(T0, 3.3, 1.2, 3.96));
  assert.deepEqual(out.map((o) => [o.channel, o.sample.seq]), [["reg", 1], ["total", 1]]);
  close(out[1].sample.w, 8.96, "total");
});
