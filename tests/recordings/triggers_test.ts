/**
 * Tests of src/recordings/triggers.ts (the arm) and src/protocol/trigger.ts (its
 * limits): latency at 1 kHz on the mock with an injected clock, pre-trigger exactness,
 * holding and its resets, the three ways to stop.
 * @module
 */
import assert from "node:assert/strict";
import { TriggerCondition, TriggerSpec } from "../../src/protocol/trigger.ts";
import { TriggerArm, type TriggerEvent } from "../../src/recordings/triggers.ts";
import type { Sample } from "../../src/sample.ts";
import { Sampler } from "../../src/sampler.ts";
import { MockSource } from "../../src/sources/mock.ts";
import { FakeClock } from "../fakes.ts";

const T0 = 1_767_225_600_000;

/** A 1 kHz sample at `T0 + i` ms with current `a` (voltage 5 V), or a failed read. */
function at(i: number, a: number, status: Sample["status"] = "ok"): Sample {
  const ok = status !== "error";
  return {
    tsMs: T0 + i,
    seq: i + 1,
    v: ok ? 5 : 0,
    a: ok ? a : 0,
    w: ok ? 5 * a : 0,
    status,
    mode: "NORMAL",
    ...(ok ? {} : { error: "I2C read failed" }),
  };
}

/** Feeds samples `from` … `to − 1` made by `make`; returns the events with their sample. */
function run(
  arm: TriggerArm,
  from: number,
  to: number,
  make: (i: number) => Sample,
): { i: number; event: TriggerEvent<Sample> }[] {
  const events: { i: number; event: TriggerEvent<Sample> }[] = [];
  for (let i = from; i < to; i++) {
    const event = arm.feed(make(i));
    if (event) events.push({ i, event });
  }
  return events;
}

const ABOVE = { metric: "a", op: ">", value: 0.1, for_ms: 5 } as const;

Deno.test("TriggerArm fires within 2 samples of its condition holding: mock at 1 kHz, fake clock", async () => {
  const clock = new FakeClock(T0);
  const source = new MockSource({ seed: 7 });
  // NORMAL current stays under 0.33 A, LOAD_SPIKE's is 0.8–1.0 A.
  const arm = new TriggerArm({
    start: { metric: "a", op: ">", value: 0.5, for_ms: 5 },
    pre_trigger_ms: 50,
  });
  const fed: Sample[] = [];
  const seen: { fired?: { event: TriggerEvent<Sample>; atMs: number; index: number } } = {};
  const sampler = new Sampler(source, {
    intervalMs: 1,
    clock,
    batchMs: 0,
    onSample: (sample) => {
      fed.push(sample);
      const event = arm.feed(sample);
      if (event) seen.fired = { event, atMs: clock.now(), index: fed.length - 1 };
    },
    onStatus: () => {},
  });
  await sampler.start();
  await clock.advance(300);
  assert.equal(seen.fired === undefined, true, "NORMAL never reaches 0.5 A");
  source.setMode("LOAD_SPIKE");
  await clock.advance(100);
  await sampler.stop();
  const { fired } = seen;
  assert.ok(fired, "fired");
  const first = fed.findIndex((s) => s.mode === "LOAD_SPIKE");
  const T = fed[first].tsMs;
  const heldMs = T + 5; // the condition has held for for_ms from here on
  const heldIndex = fed.findIndex((s) => s.tsMs >= heldMs);
  assert.ok(fired.index - heldIndex <= 2, `fired ${fired.index - heldIndex} samples late`);
  assert.ok(fired.atMs - heldMs <= 2, `fired ${fired.atMs - heldMs} ms late on the clock`);
  assert.equal(fired.event.state, "triggered");
  if (fired.event.state !== "triggered") return;
  assert.equal(fired.event.triggerMs, T);
  assert.equal(fired.event.startMs, T - 50);
  // The handed-over span: exactly from T − 50 to the firing sample, contiguous.
  const span = fired.event.samples;
  assert.equal(span[0].tsMs, T - 50);
  assert.equal(span.at(-1), fed[fired.index]);
  assert.deepEqual(
    span.map((s) => s.seq),
    fed.slice(first - 50, fired.index + 1).map((s) => s.seq),
  );
});

Deno.test("TriggerArm hands over exactly [trigger − pre_trigger_ms, firing sample]", async (t) => {
  for (const pre of [0, 1, 50, 10_000]) {
    await t.step(`pre_trigger_ms ${pre}`, () => {
      const arm = new TriggerArm({ start: ABOVE, pre_trigger_ms: pre });
      const events = run(arm, 0, 20_100, (i) => at(i, i >= 20_000 ? 0.2 : 0.05));
      assert.equal(events.length, 1);
      const { i, event } = events[0];
      assert.equal(i, 20_005);
      assert.equal(event.state, "triggered");
      if (event.state !== "triggered") return;
      assert.equal(event.triggerMs, T0 + 20_000);
      assert.equal(event.startMs, T0 + 20_000 - pre);
      assert.equal(event.samples[0].tsMs, event.startMs);
      assert.equal(event.samples.length, pre + 6);
      assert.equal(event.samples.at(-1)!.tsMs, T0 + 20_005);
    });
  }
});

Deno.test("TriggerArm keeps what it has when armed for less than the pre-trigger", () => {
  const arm = new TriggerArm({ start: ABOVE, pre_trigger_ms: 1000 });
  const [{ event }] = run(arm, 0, 200, (i) => at(i, i >= 100 ? 0.2 : 0));
  assert.equal(event.state, "triggered");
  if (event.state !== "triggered") return;
  assert.equal(event.startMs, T0 + 100 - 1000);
  assert.equal(event.samples[0].tsMs, T0, "from the first sample fed");
  assert.equal(event.samples.length, 106);
});

Deno.test("TriggerArm holds no more than the pre-trigger while nothing happens", () => {
  const arm = new TriggerArm({ start: ABOVE, pre_trigger_ms: 100 });
  let most = 0;
  for (let i = 0; i < 50_000; i++) {
    arm.feed(at(i, 0));
    most = Math.max(most, arm.held);
  }
  assert.equal(most, 101);
  assert.equal(arm.state, "armed");
});

Deno.test("TriggerArm needs for_ms of an unbroken condition: a dip or a failed read starts over", async (t) => {
  await t.step("held throughout", () => {
    const arm = new TriggerArm({ start: { ...ABOVE, for_ms: 20 } });
    const events = run(arm, 0, 200, (i) => at(i, i >= 100 ? 0.2 : 0));
    assert.deepEqual(events.map((e) => e.i), [120]);
  });
  await t.step("a dip", () => {
    const arm = new TriggerArm({ start: { ...ABOVE, for_ms: 20 } });
    const events = run(arm, 0, 200, (i) => at(i, i >= 100 && i !== 110 ? 0.2 : 0));
    assert.deepEqual(events.map((e) => e.i), [131]);
    assert.equal(arm.triggerMs, T0 + 111);
  });
  await t.step("a failed read (whose zeros would satisfy `<`)", () => {
    const arm = new TriggerArm({ start: { metric: "a", op: "<", value: 0.1, for_ms: 20 } });
    const events = run(
      arm,
      0,
      200,
      (i) => at(i, i >= 100 ? 0.05 : 0.5, i === 110 ? "error" : "ok"),
    );
    assert.deepEqual(events.map((e) => e.i), [131]);
    assert.equal(arm.triggerMs, T0 + 111);
  });
  await t.step("failed reads alone never fire", () => {
    const arm = new TriggerArm({ start: { metric: "a", op: "<", value: 0.1, for_ms: 0 } });
    assert.deepEqual(run(arm, 0, 100, (i) => at(i, 0, "error")), []);
  });
  await t.step("for_ms 0: the first sample that satisfies it", () => {
    const arm = new TriggerArm({ start: { ...ABOVE, for_ms: 0 } });
    assert.deepEqual(run(arm, 0, 200, (i) => at(i, i >= 100 ? 0.2 : 0)).map((e) => e.i), [100]);
  });
  await t.step("overflow samples count, as alert rules count them", () => {
    const arm = new TriggerArm({ start: { ...ABOVE, for_ms: 0 } });
    assert.deepEqual(run(arm, 0, 3, (i) => at(i, 0.2, "overflow")).map((e) => e.i), [0]);
  });
  await t.step("the held samples are kept for the pre-trigger", () => {
    const arm = new TriggerArm({ start: { ...ABOVE, for_ms: 30 }, pre_trigger_ms: 10 });
    const [{ event }] = run(arm, 0, 200, (i) => at(i, i >= 100 ? 0.2 : 0));
    if (event.state !== "triggered") throw new Error("not triggered");
    assert.equal(event.samples[0].tsMs, T0 + 90);
    assert.equal(event.samples.length, 41);
  });
  await t.step("a clock stepped back starts over", () => {
    const arm = new TriggerArm({ start: { ...ABOVE, for_ms: 20 }, pre_trigger_ms: 5 });
    const events = run(arm, 0, 60, (i) => at(i < 30 ? i + 1000 : i, i >= 10 ? 0.2 : 0));
    assert.deepEqual(events.map((e) => e.i), [50]);
    assert.equal(arm.triggerMs, T0 + 30);
    const [{ event }] = events;
    if (event.state !== "triggered") throw new Error("not triggered");
    assert.equal(event.samples[0].tsMs, T0 + 30, "nothing from before the step");
  });
});

Deno.test("TriggerArm stops when its stop condition has held: the firing sample is the last one in", () => {
  const arm = new TriggerArm({ stop: { metric: "v", op: "<", value: 3.3, for_ms: 1000 } });
  const volts = (i: number) => ({ ...at(i, 0.1), v: i >= 2000 ? 3.2 : 3.7 });
  const events = run(arm, 0, 5000, volts);
  assert.deepEqual(events.map((e) => [e.i, e.event.state]), [[0, "triggered"], [3000, "stopped"]]);
  assert.deepEqual(events[1].event, { state: "stopped", stopMs: T0 + 3001, reason: "condition" });
  assert.equal(arm.feed(volts(5001)), undefined, "ignored after the stop");
  assert.deepEqual(arm.status("r1"), {
    id: "r1",
    state: "stopped",
    trigger_ms: T0,
    start_ms: T0,
    stop_ms: T0 + 3001,
    reason: "condition",
  });
});

Deno.test("TriggerArm stops duration_ms after the trigger instant", () => {
  const arm = new TriggerArm({ start: { ...ABOVE, for_ms: 5 }, duration_ms: 200 });
  const events = run(arm, 0, 1000, (i) => at(i, i >= 100 ? 0.2 : 0));
  assert.deepEqual(events.map((e) => e.i), [105, 300]);
  assert.deepEqual(events[1].event, { state: "stopped", stopMs: T0 + 300, reason: "duration" });
});

Deno.test("TriggerArm stops by hand, and disarms before its trigger", () => {
  const recording = new TriggerArm({ start: ABOVE });
  run(recording, 0, 200, (i) => at(i, i >= 100 ? 0.2 : 0));
  assert.deepEqual(recording.stop(T0 + 250), {
    state: "stopped",
    stopMs: T0 + 250,
    reason: "hand",
  });
  assert.equal(recording.stop(T0 + 260), undefined);
  assert.equal(recording.feed(at(300, 1)), undefined);
  const waiting = new TriggerArm({ start: ABOVE, pre_trigger_ms: 10 });
  run(waiting, 0, 50, (i) => at(i, 0));
  assert.equal(waiting.stop(T0 + 60)?.reason, "hand");
  assert.equal(waiting.triggerMs, undefined);
  assert.equal(waiting.held, 0, "the ring is let go");
  assert.deepEqual(run(waiting, 50, 100, (i) => at(i, 1)), []);
});

Deno.test("TriggerArm without a start condition starts with the first sample", () => {
  const arm = new TriggerArm({ duration_ms: 10 });
  const events = run(arm, 0, 20, (i) => at(i, 0, i === 0 ? "error" : "ok"));
  assert.deepEqual(events.map((e) => e.i), [0, 10]);
  const { event } = events[0];
  if (event.state !== "triggered") throw new Error("not triggered");
  assert.equal(event.startMs, T0);
  assert.equal(event.samples.length, 1);
});

Deno.test("TriggerCondition and TriggerSpec refuse what is not physical or too long", async (t) => {
  const cases: [string, unknown, RegExp][] = [
    ["volts above 100", { start: { metric: "v", op: ">", value: 101, for_ms: 0 } }, /−?-?40…100 V/],
    ["volts below -40", { stop: { metric: "v", op: "<", value: -41, for_ms: 0 } }, /40…100 V/],
    [
      "amps beyond 1000",
      { start: { metric: "a", op: ">", value: 1001, for_ms: 0 } },
      /1000…1000 A/,
    ],
    ["watts beyond 100 k", { start: { metric: "w", op: "<", value: -1e5 - 1, for_ms: 0 } }, /W/],
    ["infinite", { start: { metric: "a", op: ">", value: Infinity, for_ms: 0 } }, /./],
    ["for_ms over an hour", { stop: { ...ABOVE, for_ms: 3_600_001 } }, /3600000/],
    ["negative for_ms", { start: { ...ABOVE, for_ms: -1 } }, /0/],
    ["fractional for_ms", { start: { ...ABOVE, for_ms: 1.5 } }, /integer/i],
    ["unknown metric", { start: { ...ABOVE, metric: "x" } }, /./],
    ["unknown op", { start: { ...ABOVE, op: ">=" } }, /./],
    ["extra field", { start: { ...ABOVE, when: 1 } }, /when/],
    ["pre-trigger over 10 s", { start: ABOVE, pre_trigger_ms: 10_001 }, /10000/],
    ["pre-trigger without a start", { pre_trigger_ms: 10 }, /start condition/],
    ["start held over a minute", { start: { ...ABOVE, for_ms: 60_001 } }, /at most 60000/],
    ["duration 0", { start: ABOVE, duration_ms: 0 }, /1/],
  ];
  for (const [name, spec, message] of cases) {
    await t.step(name, () => {
      const parsed = TriggerSpec.safeParse(spec);
      assert.equal(parsed.success, false);
      assert.match(parsed.error!.issues.map((i) => i.message).join("; "), message);
      assert.throws(() => new TriggerArm(spec as never), RangeError);
    });
  }
  await t.step("the edges are accepted", () => {
    for (
      const c of [
        { metric: "v", op: "<", value: -40, for_ms: 0 },
        { metric: "v", op: ">", value: 100, for_ms: 3_600_000 },
        { metric: "a", op: ">", value: -1000, for_ms: 1 },
        { metric: "w", op: "<", value: 100_000, for_ms: 0 },
      ]
    ) assert.ok(TriggerCondition.safeParse(c).success, JSON.stringify(c));
    assert.ok(
      TriggerSpec.safeParse({ start: { ...ABOVE, for_ms: 60_000 }, pre_trigger_ms: 10_000 })
        .success,
    );
  });
});
