import assert from "node:assert/strict";
import type { Sample } from "../src/sample.ts";
import { Sampler } from "../src/sampler.ts";
import { MockSource } from "../src/sources/mock.ts";
import type { PushEvent, Reading, Source } from "../src/sources/source.ts";
import { FakeClock } from "./fakes.ts";

/** A hardware-like source: cannot back-fill, reads resolve when the test says. */
class SlowSource implements Source {
  readonly kind = "fake";
  readonly type = "Fake";
  readonly backfill = false;
  readonly modes = ["NORMAL"];
  mode = "NORMAL";
  inFlight = 0;
  maxInFlight = 0;
  readAt: number[] = [];
  #pending: (() => void)[] = [];
  open(): Promise<string[]> {
    return Promise.resolve(["fake ready"]);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  setMode(): void {}
  details(): Record<string, unknown> {
    return {};
  }
  read(tsMs: number): Promise<Reading> {
    this.readAt.push(tsMs);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const { promise, resolve } = Promise.withResolvers<Reading>();
    this.#pending.push(() => {
      this.inFlight--;
      resolve({ v: 5, a: 0.1, w: 0.5, status: "ok" });
    });
    return promise;
  }
  finishAll(): void {
    for (const f of this.#pending.splice(0)) f();
  }
}

/** A device with its own clock: the test pushes what it "prints". */
class PushSource implements Source {
  readonly kind = "push";
  readonly type = "Push";
  readonly backfill = false;
  readonly modes = ["NORMAL"];
  mode = "NORMAL";
  emit: ((event: PushEvent) => void) | undefined;
  intervals: number[] = [];
  refuse = false;
  open(): Promise<string[]> {
    return Promise.resolve(["push ready"]);
  }
  listen(emit: (event: PushEvent) => void): void {
    this.emit = emit;
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  read(): Reading {
    throw new Error("a push source is never polled");
  }
  setMode(): void {}
  setIntervalMs(intervalMs: number): Promise<void> {
    this.intervals.push(intervalMs);
    return this.refuse ? Promise.reject(new Error("the device refused it")) : Promise.resolve();
  }
  details(): Record<string, unknown> {
    return {};
  }
}

function setup(intervalMs: number, source: Source = new MockSource({ seed: 1 }), lastSeq = 0) {
  const clock = new FakeClock();
  const samples: Sample[] = [];
  const statuses: string[] = [];
  const sampler = new Sampler(source, {
    intervalMs,
    clock,
    lastSeq,
    onSample: (s) => samples.push(s),
    onStatus: (m) => statuses.push(m),
  });
  return { clock, samples, statuses, sampler, t0: clock.nowMs };
}

Deno.test("Sampler ticks at t0 + n·interval with seq +1 per tick", async () => {
  const { clock, samples, sampler, t0 } = setup(1000);
  await sampler.start();
  await clock.advance(10_000);
  assert.equal(samples.length, 11);
  samples.forEach((s, n) => {
    assert.equal(s.tsMs, t0 + n * 1000);
    assert.equal(s.seq, n + 1);
    assert.equal(s.status, "ok");
  });
  await sampler.stop();
});

Deno.test("Sampler does not drift when every timer fires late", async () => {
  const { clock, samples, sampler, t0 } = setup(1000);
  clock.lateMs = 7;
  await sampler.start();
  await clock.advance(600_000);
  assert.equal(samples.length, 600);
  // Each sample carries the real time of its read: 7 ms late, never 7 ms more each tick.
  samples.forEach((s, n) => assert.equal(s.tsMs, t0 + n * 1000 + 7));
  await sampler.stop();
});

Deno.test("Sampler back-fills every tick that came due while the timer slept (1 ms)", async () => {
  const { clock, samples, sampler, t0 } = setup(1);
  clock.lateMs = 3; // a chained 1 ms timer really fires ~every 2-4 ms
  await sampler.start();
  await clock.advance(1000);
  // The newest ticks wait for the next batch wake-up (10 ms plus the 3 ms lateness).
  assert.ok(samples.length >= 987 && samples.length <= 1001, `${samples.length} samples`);
  samples.forEach((s, n) => {
    assert.equal(s.tsMs, t0 + n, "each sample has its own instant");
    assert.equal(s.seq, n + 1);
  });
  await sampler.stop();
});

Deno.test("Sampler gives up missed ticks after a long stall instead of bursting", async () => {
  const { clock, samples, sampler } = setup(1000);
  await sampler.start();
  await clock.advance(3000);
  const before = samples.length;
  clock.nowMs += 3_600_000; // the machine was suspended for an hour
  await clock.advance(2000);
  assert.ok(samples.length - before <= 3, `${samples.length - before} samples after the stall`);
  assert.equal(samples.at(-1)!.seq, samples.length, "seq has no gap");
  assert.ok(sampler.skippedTicks >= 3599, `${sampler.skippedTicks} skipped ticks counted`);
  await sampler.stop();
});

Deno.test("Sampler never overlaps reads of a slow source", async () => {
  const source = new SlowSource();
  const { clock, samples, sampler } = setup(10, source);
  await sampler.start();
  await clock.advance(500); // the first read hangs for 500 ms
  assert.equal(source.maxInFlight, 1);
  assert.equal(source.readAt.length, 1);
  source.finishAll();
  await clock.advance(0);
  assert.equal(samples.length, 1);
  await clock.advance(10);
  source.finishAll();
  await clock.advance(0);
  assert.equal(source.maxInFlight, 1);
  assert.equal(samples.length, 2, "missed ticks of hardware are skipped, not invented");
  // The tick due at 10 ms ran late, at 500 ms; the 49 due at 20…500 ms were skipped.
  assert.equal(sampler.skippedTicks, 49);
  assert.deepEqual(samples.map((s) => s.seq), [1, 2]);
  await sampler.stop();
  source.finishAll();
});

Deno.test("Sampler continues seq across stop/start and announces both", async () => {
  const { clock, samples, statuses, sampler } = setup(100, new MockSource({ seed: 1 }), 41);
  assert.equal(await sampler.start(), true);
  assert.equal(await sampler.start(), false, "already running");
  await clock.advance(450);
  assert.equal(await sampler.stop(), true);
  assert.equal(await sampler.stop(), false, "already stopped");
  const n = samples.length;
  await clock.advance(1000);
  assert.equal(samples.length, n, "no samples while stopped");
  assert.equal(clock.pending, 0, "no timer left behind");
  await sampler.start();
  await clock.advance(250);
  assert.deepEqual(samples.map((s) => s.seq), samples.map((_, i) => 42 + i));
  assert.equal(statuses[0], "INA219 Power Monitoring Simulator");
  assert.equal(statuses[3], "Simulator ready - Starting measurements...");
  assert.ok(statuses.includes("Measurements stopped"));
  assert.equal(statuses.filter((s) => s.startsWith("Simulator ready")).length, 2);
  await sampler.stop();
});

Deno.test("Sampler turns a failed read into an error sample and reports each transition once", async () => {
  const source = new MockSource({ seed: 1 });
  const { clock, samples, statuses, sampler } = setup(100, source);
  await sampler.start();
  await clock.advance(200);
  source.setMode("ERROR_TEST");
  await clock.advance(500);
  source.setMode("NORMAL");
  await clock.advance(300);
  await sampler.stop();
  const errors = samples.filter((s) => s.status === "error");
  assert.equal(errors.length, 5);
  for (const s of errors) {
    assert.deepEqual([s.v, s.a, s.w], [0, 0, 0]);
    assert.equal(s.error, "Sensor failure: ERROR_TEST mode");
    assert.equal(s.mode, "ERROR_TEST");
  }
  assert.deepEqual(
    statuses.filter((s) => s.startsWith("Sensor")),
    ["Sensor error: Sensor failure: ERROR_TEST mode", "Sensor recovered"],
  );
  assert.equal(sampler.sensorStatus, "ok");
  assert.equal(sampler.lastError, "Sensor failure: ERROR_TEST mode");
  assert.deepEqual(samples.map((s) => s.seq), samples.map((_, i) => i + 1), "no gaps");
});

Deno.test("Sampler reports a source that throws something other than SensorError", async () => {
  const source = new MockSource({ seed: 1 });
  source.read = () => {
    throw new Error("I2C read failed");
  };
  const { clock, samples, sampler } = setup(100, source);
  await sampler.start();
  await clock.advance(100);
  await sampler.stop();
  assert.equal(samples[0].status, "error");
  assert.equal(samples[0].error, "I2C read failed");
});

Deno.test("Sampler.setIntervalMs() reschedules from now and validates", async () => {
  const { clock, samples, statuses, sampler } = setup(1000);
  await sampler.start();
  await clock.advance(2000); // samples at 0, 1000, 2000
  await sampler.setIntervalMs(100);
  await clock.advance(1000);
  assert.equal(samples.length, 3 + 10);
  const gaps = samples.slice(4).map((s, i) => s.tsMs - samples[3 + i].tsMs);
  assert.ok(gaps.every((g) => g === 100), `gaps ${gaps}`);
  assert.ok(statuses.includes("Sample interval set to 100 ms"));
  await assert.rejects(sampler.setIntervalMs(0), RangeError);
  await assert.rejects(sampler.setIntervalMs(10_001), RangeError);
  assert.equal(sampler.intervalMs, 100);
  await sampler.stop();
});

Deno.test("Sampler numbers what a push source emits and never ticks it", async () => {
  const source = new PushSource();
  const { clock, samples, statuses, sampler } = setup(1000, source, 7);
  await sampler.start();
  await clock.advance(5000);
  assert.equal(samples.length, 0, "no ticks: the device keeps time");
  assert.equal(clock.pending, 0);
  const ok = { v: 5, a: 0.2, w: 1, status: "ok" as const };
  source.emit!({ tsMs: 1, reading: ok });
  source.emit!({ tsMs: 2, error: "Serial port gone" });
  source.emit!({ tsMs: 3, error: "Serial port gone" });
  source.emit!({ tsMs: 4, reading: { ...ok, status: "overflow" } });
  assert.deepEqual(samples.map((s) => [s.seq, s.tsMs, s.status]), [
    [8, 1, "ok"],
    [9, 2, "error"],
    [10, 3, "error"],
    [11, 4, "overflow"],
  ]);
  assert.deepEqual([samples[1].v, samples[1].a, samples[1].w], [0, 0, 0]);
  assert.equal(samples[1].error, "Serial port gone");
  assert.deepEqual(statuses.filter((s) => s.startsWith("Sensor")), [
    "Sensor error: Serial port gone",
    "Sensor recovered",
  ]);
  await sampler.stop();
  source.emit!({ tsMs: 5, reading: ok });
  assert.equal(samples.length, 4, "nothing after stop");
});

Deno.test("Sampler.setIntervalMs() sends a device its interval and keeps the old one when refused", async () => {
  const source = new PushSource();
  const { statuses, sampler } = setup(1000, source);
  await sampler.start();
  await sampler.setIntervalMs(500);
  assert.deepEqual(source.intervals, [500]);
  assert.equal(sampler.intervalMs, 500);
  assert.ok(statuses.includes("Sample interval set to 500 ms"));
  source.refuse = true;
  await assert.rejects(sampler.setIntervalMs(200), /the device refused it/);
  assert.equal(sampler.intervalMs, 500);
  assert.ok(statuses.includes("Sample interval not changed: the device refused it"));
  await sampler.stop();
});

Deno.test("Sampler.setIntervalMs() reports the device's interval while its answer is pending", async () => {
  const source = new PushSource();
  const { promise: answered, resolve } = Promise.withResolvers<void>();
  source.setIntervalMs = (intervalMs) => {
    source.intervals.push(intervalMs);
    return answered;
  };
  const { statuses, sampler } = setup(1000, source);
  await sampler.start();
  const pending = sampler.setIntervalMs(300);
  await Promise.resolve();
  assert.equal(sampler.intervalMs, 1000, "not the requested one before the device agrees");
  assert.ok(!statuses.some((s) => s.startsWith("Sample interval")));
  resolve();
  await pending;
  assert.equal(sampler.intervalMs, 300);
  await sampler.stop();
});
