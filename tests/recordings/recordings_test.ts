/**
 * Tests of src/recordings/recordings.ts over a real store: figures equal a raw
 * recomputation (from history, live, live with a pre-trigger), stop, patch, delete,
 * the disk budget, and retention never touching a recording.
 * @module
 */
import assert from "node:assert/strict";
import { planHistory } from "../../src/store/queries.ts";
import { RecordingError } from "../../src/recordings/recordings_types.ts";
import { assertFigures, recompute, setup, T0 } from "./fixtures.ts";

Deno.test("Recordings.fromHistory() keeps a span whose figures equal a raw recomputation", async () => {
  const t = setup();
  try {
    t.feed("main", T0, 130_000);
    t.feed("aux", T0, 130_000, 3);
    t.clock.ms = T0 + 200_000;
    const from = T0 + 1_234;
    const to = T0 + 123_210;
    const rec = await t.recordings.fromHistory(
      { name: "boot", channels: ["main", "aux"] },
      from,
      to,
    );
    assert.equal(rec.state, "stopped");
    assert.equal(rec.source, "history");
    assert.deepEqual(rec.channels, ["main", "aux"]);
    assert.equal(rec.samples, 2 * (to - from));
    assert.ok(rec.size_bytes > 0);
    for (const channel of ["main", "aux"]) {
      const expected = recompute(t.fed.get(channel)!, from, to);
      assertFigures(rec.figures[channel], expected);
      // Any sub-span, through the rollups inside and raw rows at the edges.
      const sub = t.recordings.span(rec.id, channel, from + 777, from + 100_001);
      const again = recompute(t.fed.get(channel)!, from + 777, from + 100_001, from);
      assertFigures(sub, again);
    }
  } finally {
    t.close();
  }
});

Deno.test("Recordings.history() answers buckets as the history API does over the same rows", async () => {
  const t = setup();
  try {
    t.feed("main", T0, 130_000);
    t.clock.ms = T0 + 200_000;
    const rec = await t.recordings.fromHistory({ name: "x" }, T0, T0 + 130_000);
    for (const points of [50, 500, 5000]) {
      const plan = planHistory(T0, T0 + 130_000, points);
      const kept = t.recordings.history(rec.id, "main", T0, T0 + 130_000, plan);
      const live = t.store.channel("main").queries.history(T0, T0 + 130_000, plan);
      assert.equal(kept.length, live.length);
      for (let i = 0; i < kept.length; i++) {
        assert.equal(kept[i].ts_ms, live[i].ts_ms);
        assert.equal(kept[i].count, live[i].count);
        assert.deepEqual([kept[i].a.min, kept[i].a.max], [live[i].a.min, live[i].a.max]);
        assert.ok(Math.abs(kept[i].a.avg! - live[i].a.avg!) < 1e-12);
      }
    }
  } finally {
    t.close();
  }
});

Deno.test("Recordings.start() copies each flush's rows and stop() ends it with exact figures", () => {
  const t = setup();
  try {
    t.feed("main", T0, 5_000);
    t.clock.ms = T0 + 5_000;
    const rec = t.recordings.start({ name: "live" });
    assert.equal(rec.state, "recording");
    assert.match(t.notices.at(-1)!, /Recording "live" started/);
    for (let k = 0; k < 5; k++) {
      t.feed("main", T0 + 5_000 + k * 1000, 1000);
      t.clock.ms = T0 + 6_000 + k * 1000;
      t.store.flush();
    }
    assert.equal(t.recordings.get(rec.id)!.samples, 5000);
    t.feed("main", T0 + 10_000, 500);
    t.clock.ms = T0 + 10_300;
    const stopped = t.recordings.stop(rec.id);
    assert.equal(stopped.state, "stopped");
    assert.equal(stopped.stop_reason, "manual");
    assert.equal(stopped.start_ms, T0 + 5_000);
    assert.equal(stopped.samples, 5_300);
    assertFigures(
      stopped.figures.main,
      recompute(t.fed.get("main")!, T0 + 5_000, T0 + 10_300),
    );
    assert.throws(
      () => t.recordings.stop(rec.id),
      (e) => e instanceof RecordingError && e.status === 409,
    );
    // Later samples stay out.
    t.feed("main", T0 + 10_500, 1000);
    t.store.flush();
    assert.equal(t.recordings.get(rec.id)!.samples, 5_300);
  } finally {
    t.close();
  }
});

Deno.test("Recordings.fire() keeps the pre-trigger span exactly from history", () => {
  const t = setup();
  try {
    const armed = t.recordings.arm({
      name: "armed",
      triggers: {
        pre_trigger_ms: 50,
        start_trigger: { metric: "a", op: ">", value: 0.1, for_ms: 5 },
      },
    });
    assert.equal(armed.state, "armed");
    assert.equal(armed.start_ms, null);
    t.feed("main", T0, 3_000);
    t.store.flush();
    t.clock.ms = T0 + 3_000;
    const fired = t.recordings.fire(armed.id, T0 + 2_000 - 50);
    assert.equal(fired.state, "recording");
    t.feed("main", T0 + 3_000, 1_000);
    t.clock.ms = T0 + 4_000;
    const stopped = t.recordings.stop(armed.id, "trigger");
    assert.equal(stopped.samples, 2_050);
    assert.equal(stopped.triggers.pre_trigger_ms, 50);
    assertFigures(
      stopped.figures.main,
      recompute(t.fed.get("main")!, T0 + 1_950, T0 + 4_000),
    );
  } finally {
    t.close();
  }
});

Deno.test("Recordings.fromHistory() refuses a span no longer raw (409), in the future or empty (422)", async () => {
  const t = setup();
  try {
    t.feed("main", T0, 1000);
    t.clock.ms = T0 + 49 * 3_600_000;
    await assert.rejects(
      () => t.recordings.fromHistory({ name: "old" }, T0, T0 + 1000),
      (e) => e instanceof RecordingError && e.status === 409 && /raw history/.test(e.message),
    );
    t.clock.ms = T0 + 2000;
    await assert.rejects(
      () => t.recordings.fromHistory({ name: "future" }, T0, T0 + 60_000),
      (e) => e instanceof RecordingError && e.status === 422,
    );
    await assert.rejects(
      () => t.recordings.fromHistory({ name: "empty" }, T0 + 1000, T0 + 2000),
      (e) => e instanceof RecordingError && e.status === 422,
    );
    await assert.rejects(
      () => t.recordings.fromHistory({ name: "bad", channels: ["nope"] }, T0, T0 + 1000),
      (e) => e instanceof RecordingError && e.status === 422 && e.path === "channels",
    );
    assert.equal(t.recordings.list().length, 0);
  } finally {
    t.close();
  }
});

Deno.test("Retention never touches a recording: its rows and figures outlive the raw history", async () => {
  const t = setup();
  try {
    t.feed("main", T0, 70_000);
    t.clock.ms = T0 + 80_000;
    const rec = await t.recordings.fromHistory({ name: "kept" }, T0, T0 + 70_000);
    t.clock.ms = T0 + 40 * 24 * 3_600_000;
    const pruned = await t.store.prune();
    assert.equal(pruned.samples, 70_000);
    assert.equal(t.store.rows, 0);
    const after = t.recordings.get(rec.id)!;
    assert.equal(after.samples, 70_000);
    assert.deepEqual(after.figures, rec.figures);
    const again = t.recordings.span(rec.id, "main", T0, T0 + 70_000);
    assertFigures(again, recompute(t.fed.get("main")!, T0, T0 + 70_000));
  } finally {
    t.close();
  }
});

Deno.test("Recordings: patch renames and tags, delete removes every row", async () => {
  const t = setup();
  try {
    t.feed("main", T0, 10_000);
    t.clock.ms = T0 + 20_000;
    const rec = await t.recordings.fromHistory({ name: "a" }, T0, T0 + 10_000);
    const p = t.recordings.patch(rec.id, { name: "b", notes: "n", tags: ["x", "y"] });
    assert.deepEqual([p.name, p.notes, p.tags], ["b", "n", ["x", "y"]]);
    assert.equal(await t.recordings.delete(rec.id), true);
    assert.equal(await t.recordings.delete(rec.id), false);
    assert.equal(t.recordings.get(rec.id), undefined);
    const left = t.store.db.prepare("SELECT COUNT(*) AS n FROM recording_samples").get() as {
      n: number;
    };
    assert.equal(left.n, 0);
    assert.equal(t.recordings.usedBytes(), 0);
  } finally {
    t.close();
  }
});

Deno.test("Recordings budget: refuses new data when full, stops a live one, deletes nothing", async () => {
  const t = setup({ maxBytes: 2 * 1024 * 1024 });
  try {
    t.feed("main", T0, 120_000);
    t.clock.ms = T0 + 130_000;
    // About 120 000 rows × 64 bytes: more than 2 MB.
    await assert.rejects(
      () => t.recordings.fromHistory({ name: "big" }, T0, T0 + 120_000),
      (e) => e instanceof RecordingError && e.status === 507 && /RECORDINGS_MAX_MB/.test(e.message),
    );
    assert.match(t.notices.at(-1)!, /refused/);
    const small = await t.recordings.fromHistory({ name: "small" }, T0, T0 + 20_000);
    const live = t.recordings.start({ name: "live" });
    for (let k = 0; k < 100 && t.recordings.get(live.id)!.state === "recording"; k++) {
      t.feed("main", T0 + 130_000 + k * 1000, 1000);
      t.clock.ms = T0 + 131_000 + k * 1000;
      t.store.flush();
    }
    const stopped = t.recordings.get(live.id)!;
    assert.equal(stopped.state, "stopped");
    assert.equal(stopped.stop_reason, "budget");
    assert.ok(t.notices.some((n) => /stopped: recordings reached RECORDINGS_MAX_MB/.test(n)));
    assert.ok(t.recordings.usedBytes() <= t.recordings.maxBytes);
    await assert.rejects(
      () => t.recordings.fromHistory({ name: "more" }, T0 + 20_000, T0 + 40_000),
      (e) => e instanceof RecordingError && e.status === 507,
    );
    // Nothing deleted to make room.
    assert.equal(t.recordings.get(small.id)!.samples, 20_000);
    assert.equal(t.recordings.list().length, 2);
  } finally {
    t.close();
  }
});

Deno.test("Recordings.close(): a budget stop during another stop's flush does not abort the shutdown", () => {
  const t = setup({ maxBytes: 400 * 1024 });
  try {
    const a = t.recordings.start({ name: "A", channels: ["main"] }, T0);
    const b = t.recordings.start({ name: "B", channels: ["main"] }, T0);
    t.feed("main", T0, 20_000); // queued: A's stop flushes them, which stops B at the budget
    t.recordings.close();
    assert.deepEqual(
      [a.id, b.id].map((id) => t.recordings.get(id)!.stop_reason),
      ["shutdown", "budget"],
    );
  } finally {
    t.store.close();
  }
});
