/**
 * Tests of src/recordings/triggered_recordings.ts over a real store at 1 kHz with a
 * settable clock: a recording armed on a trigger fires within 2 samples of its condition
 * having held, starts exactly trigger − pre_trigger_ms, stops on its stop condition, its
 * duration or by hand, and each transition is announced exactly once.
 * @module
 */
import assert from "node:assert/strict";
import type { CreateRecordingBody } from "../../src/protocol/recordings.ts";
import type { StatusMessage } from "../../src/protocol/ws.ts";
import { SETTLE_MS } from "../../src/recordings/live_copies.ts";
import { RecordingError } from "../../src/recordings/recordings_types.ts";
import { Triggers } from "../../src/recordings/trigger_manager.ts";
import { TriggeredRecordings } from "../../src/recordings/triggered_recordings.ts";
import type { Sample } from "../../src/sample.ts";
import { assertFigures, recompute, setup, T0 } from "./fixtures.ts";

/** A store, recordings, triggers fed as the pipeline feeds them, and what was announced. */
function rig(channels = ["main", "aux"]) {
  const fed: { triggers?: Triggers<Sample> } = {};
  const messages: { message: StatusMessage; channel: string; lastTsMs: number }[] = [];
  let lastTsMs = -1;
  const t = setup({
    channels,
    onSample: (channel, sample) => {
      lastTsMs = sample.tsMs;
      fed.triggers!.feed(channel, sample);
    },
  });
  const triggers = fed.triggers = new Triggers<Sample>({
    channels,
    announce: (message, channel) => messages.push({ message, channel, lastTsMs }),
    now: () => t.clock.ms,
  });
  const armed = new TriggeredRecordings({ recordings: t.recordings, triggers });
  const body = (b: Partial<CreateRecordingBody>): CreateRecordingBody => ({
    name: "run",
    notes: "",
    tags: [],
    ...b,
  });
  const arm = (b: Partial<CreateRecordingBody>) => {
    const full = body(b);
    return armed.arm({ name: full.name, channels: full.channels }, full);
  };
  const events = () => messages.map((m) => m.message.event);
  return { t, triggers, armed, arm, messages, events };
}

const level = (n: number, v: number, a: number) => Array.from({ length: n }, () => ({ v, a }));

Deno.test("TriggeredRecordings: fires within 2 samples, keeps exactly the pre-trigger, stops on a condition", () => {
  const { t, arm, messages, events, triggers } = rig();
  try {
    const rec = arm({
      start_trigger: { metric: "a", op: ">", value: 0.1, for_ms: 5 },
      pre_trigger_ms: 50,
      stop_trigger: { metric: "v", op: "<", value: 3.3, for_ms: 1000 },
    });
    assert.equal(rec.state, "armed");
    assert.equal(rec.triggers.pre_trigger_ms, 50);
    t.feedValues("main", T0, level(2000, 5, 0.05));
    assert.equal(t.recordings.get(rec.id)!.state, "armed");
    const risesMs = T0 + 2000; // the first sample above 0.1 A
    t.feedValues("main", risesMs, level(3000, 5, 0.2));
    const fired = messages.find((m) => m.message.event === "trigger_fired")!;
    // Held for 5 ms at risesMs + 5: the arm fires at that very sample (≤ 2 samples late).
    assert.ok(fired.lastTsMs - (risesMs + 5) <= 2, `fired at ${fired.lastTsMs - risesMs} ms`);
    assert.equal(fired.message.trigger?.trigger_ms, risesMs);
    assert.equal(fired.message.trigger?.start_ms, risesMs - 50);
    const running = t.recordings.get(rec.id)!;
    assert.equal(running.state, "recording");
    assert.equal(running.start_ms, risesMs - 50);

    const dropsMs = risesMs + 3000;
    t.feedValues("main", dropsMs, level(1500, 3.2, 0.2));
    const stopped = t.recordings.get(rec.id)!;
    assert.equal(stopped.state, "stopped");
    assert.equal(stopped.stop_reason, "trigger");
    // Held 1000 ms at dropsMs + 1000: that sample is the last one in.
    assert.equal(stopped.end_ms, dropsMs + 1001);
    const rows = [...t.recordings.rows(rec.id, "main")].flat();
    assert.equal(rows[0].ts_ms, risesMs - 50, "the first sample is trigger − pre_trigger_ms");
    assert.equal(rows.at(-1)!.ts_ms, dropsMs + 1000);
    assert.equal(stopped.samples, dropsMs + 1001 - (risesMs - 50));
    assertFigures(
      stopped.figures.main,
      recompute(t.fed.get("main")!, risesMs - 50, dropsMs + 1001),
    );
    assert.deepEqual(events(), ["trigger_armed", "trigger_fired", "trigger_stopped"]);
    assert.match(messages[0].message.message, /Recording "run" \(\d+\) armed on main/);
    assert.deepEqual(t.notices, [], "the recordings announce nothing of their own");
    assert.deepEqual(triggers.list(), []);
  } finally {
    t.close();
  }
});

Deno.test("TriggeredRecordings: a duration stops it; a multi-channel recording follows its trigger channel", () => {
  const { t, arm, events } = rig();
  try {
    const rec = arm({
      channels: ["main", "aux"],
      start_trigger: { metric: "w", op: ">", value: 1, for_ms: 0, channel: "aux" },
      pre_trigger_ms: 100,
      duration_ms: 500,
    });
    const feedBoth = (fromMs: number, n: number, a: number) => {
      for (let i = 0; i < n; i++) {
        t.feedValues("main", fromMs + i, level(1, 5, 0.5)); // main alone would fire
        t.feedValues("aux", fromMs + i, level(1, 5, a));
      }
    };
    feedBoth(T0, 1000, 0.1);
    assert.equal(t.recordings.get(rec.id)!.state, "armed", "main's 2.5 W is not watched");
    feedBoth(T0 + 1000, 1000, 0.3);
    const stopped = t.recordings.get(rec.id)!;
    assert.equal(stopped.state, "stopped");
    assert.equal(stopped.stop_reason, "duration");
    assert.equal(stopped.start_ms, T0 + 900);
    assert.equal(stopped.end_ms, T0 + 1500);
    for (const channel of ["main", "aux"]) {
      const rows = [...t.recordings.rows(rec.id, channel)].flat();
      assert.equal(rows[0].ts_ms, T0 + 900, channel);
      assert.equal(rows.at(-1)!.ts_ms, T0 + 1499, channel);
      assert.equal(rows.length, 600, channel);
      assertFigures(
        stopped.figures[channel],
        recompute(t.fed.get(channel)!, T0 + 900, T0 + 1500),
      );
    }
    assert.deepEqual(events(), ["trigger_armed", "trigger_fired", "trigger_stopped"]);
  } finally {
    t.close();
  }
});

/** A recording of both channels started on main's current above 0.1 A, for `durationMs`. */
const onMain = (durationMs: number, preTriggerMs = 0): Partial<CreateRecordingBody> => ({
  channels: ["main", "aux"],
  start_trigger: { metric: "a", op: ">", value: 0.1, for_ms: 0, channel: "main" },
  pre_trigger_ms: preTriggerMs,
  duration_ms: durationMs,
});

Deno.test("TriggeredRecordings: another channel's samples stamped before the stop but stored after it are copied", async () => {
  const { t, arm } = rig();
  try {
    const rec = arm(onMain(500, 100));
    t.feedValues("main", T0, level(1000, 5, 0.05));
    t.feedValues("aux", T0, level(1000, 5, 0.05));
    // main (one bus) runs ahead: the trigger fires at T0 + 1000 and stops at T0 + 1500
    // before any of aux's samples of that second (another bus, a later batch) arrive.
    t.feedValues("main", T0 + 1000, level(1000, 5, 0.2));
    const atStop = t.recordings.get(rec.id)!;
    assert.equal(atStop.state, "stopped");
    assert.equal(atStop.end_ms, T0 + 1500);
    t.feedValues("aux", T0 + 1000, level(1000, 5, 0.3));
    assert.equal([...t.recordings.rows(rec.id, "aux")].flat().length, 100, "only the pre-trigger");

    await t.recordings.settled();
    const settled = t.recordings.get(rec.id)!;
    assert.equal(settled.end_ms, T0 + 1500);
    for (const channel of ["main", "aux"]) {
      const rows = [...t.recordings.rows(rec.id, channel)].flat();
      assert.equal(rows.length, 600, channel);
      assert.equal(rows[0].ts_ms, T0 + 900, channel);
      assert.equal(rows.at(-1)!.ts_ms, T0 + 1499, channel);
      assertFigures(settled.figures[channel], recompute(t.fed.get(channel)!, T0 + 900, T0 + 1500));
    }
  } finally {
    t.close();
  }
});

Deno.test("Recordings: a shutdown copies the late samples at once; a delete drops them", async () => {
  const { t, arm } = rig();
  try {
    const kept = arm(onMain(200));
    t.feedValues("main", T0, level(300, 5, 0.2));
    t.feedValues("aux", T0, level(300, 5, 0.3));
    t.recordings.close(); // shutdown: no waiting for the timer
    assert.equal([...t.recordings.rows(kept.id, "aux")].flat().length, 200);
    await t.recordings.settled();
  } finally {
    t.close();
  }
  // A stop after close() (the shutdown has begun) starts no timer that could fire on
  // the closed database.
  const after = rig();
  after.t.recordings.close();
  const late = after.t.recordings.start({ name: "late", channels: ["main"] }, T0);
  after.t.feedValues("main", T0, level(10, 5, 0.1));
  after.t.recordings.stop(late.id, "manual", T0 + 10);
  after.t.store.close();
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS + 50));
  const again = rig();
  try {
    const gone = again.arm(onMain(200));
    again.t.feedValues("main", T0, level(300, 5, 0.2));
    assert.equal(await again.t.recordings.delete(gone.id), true);
    again.t.feedValues("aux", T0, level(300, 5, 0.3));
    await again.t.recordings.settled(); // resolved by the delete, no timer left
    assert.equal(again.t.recordings.get(gone.id), undefined);
  } finally {
    again.t.close();
  }
});

Deno.test("TriggeredRecordings.stop(): disarms an armed one, stops a running one; one message each", () => {
  const { t, arm, armed, events, triggers, messages } = rig();
  try {
    const waiting = arm({ start_trigger: { metric: "a", op: ">", value: 1, for_ms: 0 } });
    t.feedValues("main", T0, level(100, 5, 0.1));
    const disarmed = armed.stop(waiting.id)!;
    assert.equal(disarmed.state, "stopped");
    assert.equal(disarmed.stop_reason, "manual");
    assert.equal(disarmed.samples, 0);
    assert.equal(disarmed.start_ms, null);
    assert.deepEqual(events(), ["trigger_armed", "trigger_stopped"]);
    assert.match(messages[1].message.message, /disarmed on main before its trigger/);
    t.feedValues("main", T0 + 100, level(100, 5, 2));
    assert.equal(t.recordings.get(waiting.id)!.state, "stopped", "a disarmed one never starts");

    messages.length = 0;
    const now = arm({ stop_trigger: { metric: "a", op: "<", value: 0, for_ms: 0 } });
    t.feedValues("main", T0 + 200, level(300, 5, 0.1));
    assert.equal(t.recordings.get(now.id)!.state, "recording");
    t.clock.ms = T0 + 500;
    const stopped = armed.stop(now.id)!;
    assert.equal(stopped.state, "stopped");
    assert.equal(stopped.stop_reason, "manual");
    assert.equal(stopped.start_ms, T0 + 200, "no start condition: starts with the next sample");
    assert.equal(stopped.samples, 300);
    assert.deepEqual(events(), ["trigger_armed", "trigger_fired", "trigger_stopped"]);
    assert.equal(armed.stop(now.id), undefined, "no trigger in force any more");
    assert.deepEqual(triggers.list(), []);
    assert.deepEqual(t.notices, []);
  } finally {
    t.close();
  }
});

Deno.test("TriggeredRecordings: a deleted or shut-down recording is disarmed without a second message", async () => {
  const { t, arm, events, triggers, messages } = rig();
  try {
    const rec = arm({ start_trigger: { metric: "a", op: ">", value: 1, for_ms: 0 } });
    await t.recordings.delete(rec.id);
    assert.deepEqual(triggers.list(), []);
    t.feedValues("main", T0, level(10, 5, 2));
    assert.deepEqual(events(), ["trigger_armed"]);

    messages.length = 0;
    const live = arm({ stop_trigger: { metric: "a", op: "<", value: 0, for_ms: 0 } });
    t.feedValues("main", T0 + 10, level(10, 5, 0.1));
    t.recordings.close(); // shutdown: the recordings announce the stop themselves
    assert.equal(t.recordings.get(live.id)!.stop_reason, "shutdown");
    assert.deepEqual(events(), ["trigger_armed", "trigger_fired"]);
    assert.equal(t.notices.filter((n) => /stopped \(shutdown\)/.test(n)).length, 1);
    assert.deepEqual(triggers.list(), []);
  } finally {
    t.close();
  }
});

Deno.test("TriggeredRecordings.arm() refuses what the trigger module cannot watch (400) and keeps nothing", () => {
  const { t, arm, triggers, messages } = rig();
  try {
    const refused = (b: Partial<CreateRecordingBody>, path: string, pattern: RegExp) =>
      assert.throws(
        () => arm(b),
        (e) =>
          e instanceof RecordingError && e.status === 400 && e.path === path &&
          pattern.test(e.message),
      );
    refused(
      {
        start_trigger: { metric: "a", op: ">", value: 0.1, for_ms: 0, channel: "main" },
        stop_trigger: { metric: "v", op: "<", value: 3, for_ms: 0, channel: "aux" },
      },
      "stop_trigger.channel",
      /one trigger watches one channel/,
    );
    refused(
      { start_trigger: { metric: "v", op: ">", value: 101, for_ms: 0 } },
      "start_trigger.value",
      /not a physical voltage/,
    );
    refused(
      { start_trigger: { metric: "a", op: ">", value: 0.1, for_ms: 70_000 } },
      "start_trigger.for_ms",
      /at most 60000 ms/,
    );
    refused(
      { start_trigger: { metric: "a", op: ">", value: 0.1, for_ms: 0, channel: "nope" } },
      "start_trigger.channel",
      /Unknown trigger channel "nope"/,
    );
    assert.deepEqual(t.recordings.list(), []);
    assert.deepEqual(triggers.list(), []);
    assert.deepEqual(messages, []);
  } finally {
    t.close();
  }
});
