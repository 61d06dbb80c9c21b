/**
 * Tests of src/recordings/trigger_manager.ts: arms per channel, their status messages
 * and their removal once stopped.
 * @module
 */
import assert from "node:assert/strict";
import { StatusMessage } from "../../src/protocol/ws.ts";
import { Triggers, triggerStatusMessage } from "../../src/recordings/trigger_manager.ts";
import type { TriggerEvent, TriggerSample } from "../../src/recordings/triggers.ts";

const T0 = 1_767_225_600_000;
const sample = (i: number, a: number): TriggerSample => ({
  tsMs: T0 + i,
  v: 5,
  a,
  w: 5 * a,
  status: "ok",
});

function setup() {
  const told: [StatusMessage, string][] = [];
  let nowMs = T0;
  const triggers = new Triggers({
    channels: ["main", "out"],
    announce: (message, channel) => told.push([message, channel]),
    now: () => nowMs,
  });
  return { triggers, told, setNow: (ms: number) => nowMs = ms };
}

Deno.test("Triggers announces armed, triggered and stopped on the arm's channel", () => {
  const { triggers, told } = setup();
  const events: TriggerEvent<TriggerSample>[] = [];
  const id = triggers.arm("out", {
    start: { metric: "a", op: ">", value: 0.1, for_ms: 2 },
    pre_trigger_ms: 3,
    duration_ms: 10,
  }, { id: "r7", onEvent: (e) => events.push(e) });
  assert.equal(id, "r7");
  for (let i = 0; i < 30; i++) {
    triggers.feed("main", sample(i, 1)); // another channel's samples do not count
    triggers.feed("out", sample(i, i >= 10 ? 0.2 : 0));
  }
  assert.deepEqual(events.map((e) => e.state), ["triggered", "stopped"]);
  assert.deepEqual(told.map(([m, c]) => [m.event, m.trigger?.state, c]), [
    ["trigger_armed", "armed", "out"],
    ["trigger_fired", "triggered", "out"],
    ["trigger_stopped", "stopped", "out"],
  ]);
  for (const [m] of told) {
    assert.ok(StatusMessage.safeParse(m).success);
    assert.equal(m.channel, "out");
  }
  assert.match(
    told[0][0].message,
    /r7 armed on out: starts when current > 0\.1 A for 2 ms, keeping 3 ms before/,
  );
  assert.deepEqual(told[1][0].trigger, {
    id: "r7",
    state: "triggered",
    trigger_ms: T0 + 10,
    start_ms: T0 + 7,
  });
  assert.equal(told[1][0].timestamp, new Date(T0 + 12).toISOString(), "dated by the sample");
  assert.match(told[2][0].message, /stopped on out at .*: its duration passed/);
  assert.deepEqual(triggers.list(), [], "a stopped arm is forgotten");
});

Deno.test("Triggers hands a recording every sample of [startMs, stopMs) exactly once", () => {
  const { triggers } = setup();
  const recorded: number[] = [];
  triggers.arm("main", {
    start: { metric: "a", op: ">", value: 0.1, for_ms: 1 },
    pre_trigger_ms: 2,
    stop: { metric: "a", op: "<", value: 0.1, for_ms: 2 },
  }, {
    onEvent: (e) => {
      if (e.state === "triggered") recorded.push(...e.samples.map((s) => s.tsMs - T0));
    },
    onSample: (s) => recorded.push(s.tsMs - T0),
  });
  const currents = [0, 0, 0, 0, 0.2, 0.2, 0.2, 0, 0, 0, 0, 0.2];
  currents.forEach((a, i) => triggers.feed("main", sample(i, a)));
  // Triggered at 4 (fired at 5), from 2; the stop held 7–9, so 9 is the last one in.
  assert.deepEqual(recorded, [2, 3, 4, 5, 6, 7, 8, 9]);
});

Deno.test("Triggers stops by hand, disarms, and refuses bad arms", () => {
  const { triggers, told, setNow } = setup();
  const a = triggers.arm("main", { start: { metric: "v", op: "<", value: 3.3, for_ms: 0 } });
  const b = triggers.arm("main", {});
  assert.deepEqual([a, b], ["t1", "t2"]);
  triggers.feed("main", sample(0, 0));
  assert.deepEqual(triggers.list().map((s) => [s.id, s.state, s.channel]), [
    ["t1", "armed", "main"],
    ["t2", "triggered", "main"],
  ]);
  setNow(T0 + 500);
  assert.equal(triggers.stop("t1"), true);
  assert.equal(triggers.stop("t2"), true);
  assert.equal(triggers.stop("t2"), false);
  assert.match(told.at(-2)![0].message, /t1 disarmed on main before its trigger/);
  assert.match(told.at(-1)![0].message, /t2 stopped on main at .*: stopped by hand/);
  assert.equal(told.at(-1)![0].trigger?.stop_ms, T0 + 500);
  assert.throws(
    () => triggers.arm("nope", {}),
    /Unknown channel "nope": expected one of main, out/,
  );
  triggers.arm("main", {}, { id: "x" });
  assert.throws(() => triggers.arm("main", {}, { id: "x" }), /already armed/);
  assert.throws(() => triggers.arm("main", { pre_trigger_ms: 20_000 }), RangeError);
});

Deno.test("Triggers keeps feeding the other arms when one's listener throws", () => {
  const { triggers } = setup();
  const heard: string[] = [];
  const console_error = console.error;
  console.error = () => {};
  try {
    triggers.arm("main", {}, {
      onEvent: () => {
        throw new Error("disk full");
      },
    });
    triggers.arm("main", {}, { onEvent: (e) => heard.push(e.state) });
    triggers.feed("main", sample(0, 0));
  } finally {
    console.error = console_error;
  }
  assert.deepEqual(heard, ["triggered"]);
});

Deno.test("triggerStatusMessage() says 'at once' for a spec without a start condition", () => {
  const m = triggerStatusMessage({ id: "r1", state: "armed" }, { pre_trigger_ms: 0 }, {
    channel: "main",
    nowMs: T0,
  });
  assert.equal(m.message, "Recording r1 armed on main: starts at once");
  assert.equal(m.event, "trigger_armed");
});
