/**
 * Tests of the Recordings view's pure parts (Deno, no browser): the create body built
 * from the form (static/recording_form.js), the overlay's alignment and joined series
 * (static/overlay_data.js) and the battery box's parameters and runtimes
 * (static/battery_text.js).
 */
import assert from "node:assert/strict";
import { bytesText, FieldError, recordingBody } from "../../static/recording_form.js";
import { alignmentMs, commonLabels, joinSeries } from "../../static/overlay_data.js";
import { batteryParams, runtimeText } from "../../static/battery_text.js";
import { CreateRecordingBody } from "../../src/protocol/recordings.ts";

const bucket = (tsMs: number, a: number) => ({
  ts_ms: tsMs,
  count: 1,
  errors: 0,
  v: { min: 5, avg: 5, max: 5 },
  a: { min: a, avg: a, max: a },
  w: { min: 5 * a, avg: 5 * a, max: 5 * a },
});

Deno.test("recordingBody(): start now, or armed with the trigger fields the API takes", () => {
  assert.deepEqual(recordingBody({ name: " boot ", channels: ["main"] }, { armed: false }), {
    name: "boot",
    channels: ["main"],
  });
  const armed = recordingBody({
    name: "burst",
    channels: ["in", "out"],
    trigger_channel: "out",
    start_metric: "a",
    start_op: ">",
    start_value: "0.1",
    start_for_ms: "5",
    pre_trigger_ms: "50",
    stop_metric: "v",
    stop_op: "<",
    stop_value: "3.3",
    stop_for_ms: "1000",
    duration_s: "2.5",
  }, { armed: true });
  assert.deepEqual(armed, {
    name: "burst",
    channels: ["in", "out"],
    start_trigger: { metric: "a", op: ">", value: 0.1, for_ms: 5, channel: "out" },
    pre_trigger_ms: 50,
    stop_trigger: { metric: "v", op: "<", value: 3.3, for_ms: 1000 },
    duration_ms: 2500,
  });
  assert.ok(CreateRecordingBody.safeParse(armed).success, "the server's schema takes it");
  // Only a stop condition, on the first channel: no channel named, no pre-trigger.
  const stopOnly = recordingBody({
    name: "discharge",
    channels: ["main"],
    trigger_channel: "main",
    start_value: "",
    pre_trigger_ms: "0",
    stop_metric: "v",
    stop_op: "<",
    stop_value: "3.3",
    stop_for_ms: "1000",
  }, { armed: true });
  assert.deepEqual(stopOnly, {
    name: "discharge",
    channels: ["main"],
    stop_trigger: { metric: "v", op: "<", value: 3.3, for_ms: 1000 },
  });
  assert.ok(CreateRecordingBody.safeParse(stopOnly).success);
});

Deno.test("recordingBody() names the field to correct", () => {
  const refused = (fields: Record<string, string>, field: string, armed = true) =>
    assert.throws(
      () => recordingBody({ name: "x", channels: ["main"], ...fields }, { armed }),
      (e) => e instanceof FieldError && e.field === field,
    );
  refused({ name: "  " }, "name", false);
  refused({}, "start_value");
  refused({ start_metric: "a", start_op: ">", start_value: "abc" }, "start_value");
  refused(
    { start_metric: "a", start_op: ">", start_value: "1", start_for_ms: "1.5" },
    "start_for_ms",
  );
  refused(
    { start_metric: "a", start_op: ">", start_value: "1", pre_trigger_ms: "10001" },
    "pre_trigger_ms",
  );
  refused({ duration_s: "0" }, "duration_s");
  assert.throws(
    () => recordingBody({ name: "x", channels: [] }, { armed: false }),
    (e) => e instanceof FieldError && e.field === "channels",
  );
});

Deno.test("bytesText() uses powers of 1000", () => {
  assert.equal(bytesText(812), "812 B");
  assert.equal(bytesText(4200), "4.20 kB");
  assert.equal(bytesText(1_310_000), "1.31 MB");
  assert.equal(bytesText(250_000_000), "250 MB");
  assert.equal(bytesText(-1), "—");
});

Deno.test("overlay: labels all recordings share, alignment at start or marker, joined series", () => {
  const m = (id: number, tsMs: number, label: string) => ({
    id,
    ts_ms: tsMs,
    channel: "main",
    label,
    source: "user" as const,
    created_at_ms: tsMs,
  });
  const markers = [
    [m(1, 1500, "radio on"), m(2, 1800, "sleep")],
    [m(3, 10_700, "radio on")],
  ];
  assert.deepEqual(commonLabels(markers), ["radio on"]);
  assert.deepEqual(commonLabels([]), []);
  assert.equal(alignmentMs({ start_ms: 1000 }, markers[0], null), 1000);
  assert.equal(alignmentMs({ start_ms: 1000 }, markers[0], "radio on"), 1500);
  assert.equal(alignmentMs({ start_ms: 1000 }, markers[0], "nope"), null);
  const joined = joinSeries([
    { buckets: [bucket(1000, 0.1), bucket(1100, 0.2)], bucketMs: 100, zeroMs: 1000 },
    { buckets: [bucket(10_000, 0.3), bucket(10_200, 0.4)], bucketMs: 100, zeroMs: 10_000 },
  ], "a");
  assert.deepEqual(joined, [
    [50, 150, 250],
    [0.1, 0.2, undefined],
    [0.3, undefined, 0.4],
  ]);
  const failed = { ...bucket(2000, 0), count: 0, errors: 3 };
  assert.deepEqual(
    joinSeries([{ buckets: [failed], bucketMs: 100, zeroMs: 2000 }], "a"),
    [[50], [null]],
    "a bucket of failed reads only is a gap",
  );
});

Deno.test("batteryParams() and runtimeText()", () => {
  assert.deepEqual(batteryParams("2000", ""), { capacity_mah: "2000" });
  assert.deepEqual(batteryParams("2000", "3.7"), { capacity_mah: "2000", nominal_v: "3.7" });
  assert.equal(batteryParams("", "3.7"), null);
  assert.equal(batteryParams("-5", ""), null);
  assert.deepEqual(batteryParams("2000", "x"), { capacity_mah: "2000" });
  assert.equal(runtimeText(12.5), "12 h 30 min");
  assert.equal(runtimeText(null), "—");
  assert.equal(runtimeText(0), "—");
});
