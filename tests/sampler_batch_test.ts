import assert from "node:assert/strict";
import type { Sample } from "../src/sample.ts";
import { Sampler } from "../src/sampler.ts";
import { MockSource } from "../src/sources/mock.ts";
import type { Reading, Source } from "../src/sources/source.ts";
import type { TimerId } from "../src/clock.ts";
import { FakeClock } from "./fakes.ts";

/** The sampler's default batch period (DEFAULT_BATCH_MS), spelled out so this file loads on any sampler. */
const BATCH_MS = 10;

/** A fake clock that counts the timers that fired: the sampler's wake-ups. */
class CountingClock extends FakeClock {
  wakeUps = 0;
  override setTimeout(fn: () => void, delayMs: number): TimerId {
    return super.setTimeout(() => {
      this.wakeUps++;
      fn();
    }, delayMs);
  }
}

/** A source that cannot back-fill (hardware): read at once, one tick per wake-up. */
class NowSource implements Source {
  readonly kind = "now";
  readonly type = "Now";
  readonly backfill = false;
  readonly modes = ["NORMAL"];
  readonly mode = "NORMAL";
  open(): Promise<string[]> {
    return Promise.resolve([]);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  setMode(): void {}
  details(): Record<string, unknown> {
    return {};
  }
  read(): Reading {
    return { v: 5, a: 0.1, w: 0.5, status: "ok" };
  }
}

function setup(intervalMs: number, options: { source?: Source; batchMs?: number } = {}) {
  const clock = new CountingClock();
  const samples: Sample[] = [];
  const sampler = new Sampler(options.source ?? new MockSource({ seed: 1 }), {
    intervalMs,
    clock,
    batchMs: options.batchMs,
    onSample: (s) => samples.push(s),
    onStatus: () => {},
  });
  return { clock, samples, sampler, t0: clock.nowMs };
}

function assertSchedule(samples: Sample[], t0: number, intervalMs: number): void {
  samples.forEach((s, n) => {
    assert.equal(s.tsMs, t0 + n * intervalMs, `sample ${n} at its own instant`);
    assert.equal(s.seq, n + 1, "seq contiguous");
  });
}

Deno.test("Sampler wakes a back-filling source once per batch, not once per 1 ms tick", async () => {
  const { clock, samples, sampler, t0 } = setup(1);
  await sampler.start();
  await clock.advance(1000);
  assert.equal(samples.length, 1001);
  assertSchedule(samples, t0, 1);
  // One wake-up at start, then one per 10 ms (DEFAULT_BATCH_MS): 101, not 1001.
  assert.equal(clock.wakeUps, 101);
  await sampler.stop();
});

Deno.test("Sampler batches stay drift-free and gap-free when every timer fires late", async () => {
  const { clock, samples, sampler, t0 } = setup(1);
  clock.lateMs = 2; // a 10 ms timer on a busy loop
  await sampler.start();
  await clock.advance(10_000);
  assert.ok(samples.length >= 9_990 && samples.length <= 10_001, `${samples.length} samples`);
  assertSchedule(samples, t0, 1);
  // Each wake-up takes every tick that came due, so lateness shrinks the count of wake-ups.
  assert.ok(clock.wakeUps <= 1 + 10_000 / BATCH_MS, `${clock.wakeUps} wake-ups`);
  await sampler.stop();
});

Deno.test("Sampler batches whole intervals within the batch period", async (t) => {
  for (const [intervalMs, perWake] of [[2, 5], [3, 3], [5, 2], [7, 1], [10, 1], [20, 1]]) {
    await t.step(`${intervalMs} ms: ${perWake} tick(s) per wake-up`, async () => {
      const { clock, samples, sampler, t0 } = setup(intervalMs);
      await sampler.start();
      await clock.advance(600 * intervalMs);
      assert.equal(samples.length, 601);
      assertSchedule(samples, t0, intervalMs);
      assert.equal(clock.wakeUps, 1 + 600 / perWake);
      await sampler.stop();
    });
  }
});

Deno.test("Sampler with batchMs 0 wakes for every tick", async () => {
  const { clock, samples, sampler, t0 } = setup(1, { batchMs: 0 });
  await sampler.start();
  await clock.advance(99);
  assert.equal(samples.length, 100);
  assertSchedule(samples, t0, 1);
  assert.equal(clock.wakeUps, 100);
  await sampler.stop();
});

Deno.test("Sampler reads a source that cannot back-fill once per wake-up at 1 ms", async () => {
  const { clock, samples, sampler, t0 } = setup(1, { source: new NowSource() });
  await sampler.start();
  await clock.advance(99);
  assert.equal(samples.length, 100);
  assertSchedule(samples, t0, 1);
  assert.equal(clock.wakeUps, 100);
  await sampler.stop();
});

Deno.test("Sampler.setIntervalMs() keeps batching on the new schedule", async () => {
  const { clock, samples, sampler } = setup(10);
  await sampler.start();
  await clock.advance(95); // ticks at 0..90 ms
  const before = samples.length;
  const wakeUpsBefore = clock.wakeUps;
  const changedAt = clock.nowMs;
  await sampler.setIntervalMs(1);
  await clock.advance(500);
  const after = samples.slice(before);
  assert.equal(after.length, 500);
  after.forEach((s, i) => {
    assert.equal(s.tsMs, changedAt + 1 + i, "one new interval after the change, then every 1 ms");
    assert.equal(s.seq, before + 1 + i);
  });
  assert.ok(clock.wakeUps - wakeUpsBefore <= 1 + 500 / BATCH_MS);
  await sampler.stop();
});

Deno.test("Sampler rejects a batch period outside 0–1000 ms", () => {
  for (const batchMs of [-1, 1001, NaN]) {
    assert.throws(() => setup(1, { batchMs }), RangeError);
  }
});

/**
 * A fake clock with a repeating timer, as the system clock has: each firing arms the
 * next one period (plus `lateMs`) after it ran.
 */
class RepeatingClock extends CountingClock {
  /** Repeating timers created. */
  repeats = 0;
  #live = new Map<number, TimerId>();
  #nextId = 1;

  setInterval(fn: () => void, periodMs: number): TimerId {
    const id = this.#nextId++;
    this.repeats++;
    const arm = () => {
      this.#live.set(
        id,
        this.setTimeout(() => {
          arm();
          fn();
        }, periodMs),
      );
    };
    arm();
    return id as unknown as TimerId;
  }

  clearInterval(id: TimerId): void {
    const key = id as unknown as number;
    const timer = this.#live.get(key);
    if (timer !== undefined) this.clearTimeout(timer);
    this.#live.delete(key);
  }

  /** Repeating timers still running. */
  get running(): number {
    return this.#live.size;
  }
}

function setupRepeating(intervalMs: number) {
  const clock = new RepeatingClock();
  const samples: Sample[] = [];
  const sampler = new Sampler(new MockSource({ seed: 1 }), {
    intervalMs,
    clock,
    onSample: (s) => samples.push(s),
    onStatus: () => {},
  });
  return { clock, samples, sampler, t0: clock.nowMs };
}

Deno.test("Sampler batches by one repeating timer when the clock has one: same samples, one timer", async () => {
  const { clock, samples, sampler, t0 } = setupRepeating(1);
  await sampler.start();
  await clock.advance(1000);
  assert.equal(samples.length, 1001);
  assertSchedule(samples, t0, 1);
  // The first wake-up by a one-shot timer, then one repeating timer every 10 ms.
  assert.equal(clock.repeats, 1);
  assert.equal(clock.wakeUps, 101);
  await sampler.stop();
  assert.equal(clock.running, 0, "stop() ends the repeating timer");
  assert.equal(clock.pending, 0, "no timer left");
  await clock.advance(100);
  assert.equal(samples.length, 1001);
});

Deno.test("Sampler's repeating timer, late every time, still yields every tick at its instant", async () => {
  const { clock, samples, sampler, t0 } = setupRepeating(1);
  clock.lateMs = 3;
  await sampler.start();
  await clock.advance(10_000);
  // Each firing reads every tick due by then: none missed, none early, seq contiguous.
  assertSchedule(samples, t0, 1);
  assert.ok(samples.length >= 9990 && samples.length <= 10_001, `${samples.length} samples`);
  assert.ok(clock.wakeUps <= 10_000 / 13 + 2, `${clock.wakeUps} wake-ups for 13 ms periods`);
  await sampler.stop();
});

Deno.test("Sampler.setIntervalMs() re-arms the repeating timer, or leaves it for one tick per wake-up", async () => {
  const { clock, samples, sampler } = setupRepeating(1);
  await sampler.start();
  await clock.advance(100);
  await sampler.setIntervalMs(2);
  const t2 = clock.nowMs;
  const from = samples.length;
  await clock.advance(100);
  // A new schedule from the change, still one repeating timer at a time.
  assert.equal(clock.running, 1);
  assert.equal(clock.repeats, 2);
  samples.slice(from).forEach((s, n) => assert.equal(s.tsMs, t2 + (n + 1) * 2));
  // 20 ms is longer than a batch: one-shot timers, each tick read at its time.
  await sampler.setIntervalMs(20);
  const t20 = clock.nowMs;
  const from20 = samples.length;
  await clock.advance(200);
  assert.equal(clock.running, 0);
  assert.deepEqual(
    samples.slice(from20).map((s) => s.tsMs - t20),
    [20, 40, 60, 80, 100, 120, 140, 160, 180, 200],
  );
  for (let i = 1; i < samples.length; i++) assert.equal(samples[i].seq, samples[i - 1].seq + 1);
  await sampler.stop();
});

Deno.test("Aligned samplers wake together on the clock's 10 ms grid, late timers or not, and read every tick", async () => {
  const clock = new RepeatingClock(1_700_000_000_003); // starts 3 ms into a period
  clock.lateMs = 2; // every timer 2 ms late: a repeating timer would drift 2 ms a period
  const wakes = new Map<string, number[]>();
  const made = ["a", "b"].map((name, i) => {
    const samples: Sample[] = [];
    const source = new MockSource({ seed: i + 1 });
    const read = source.read.bind(source);
    let lastWake = -1;
    source.read = (tsMs) => {
      if (clock.nowMs !== lastWake) {
        wakes.set(name, [...wakes.get(name) ?? [], lastWake = clock.nowMs]);
      }
      return read(tsMs);
    };
    const sampler = new Sampler(source, {
      intervalMs: 1,
      clock,
      alignWakeUps: true,
      onSample: (s) => samples.push(s),
      onStatus: () => {},
    });
    return { sampler, samples, t0: 0 };
  });
  for (const m of made) {
    m.t0 = clock.nowMs;
    await m.sampler.start();
    await clock.advance(1); // the second starts 1 ms after the first, on its own schedule
  }
  await clock.advance(5_000);
  assert.equal(clock.repeats, 0, "no repeating timer: it would drift");
  for (const m of made) {
    assertSchedule(m.samples, m.t0, 1);
    assert.ok(m.samples.length >= 4_990, `${m.samples.length} samples`);
  }
  // After the first wake-up (start), every wake-up is 2 ms (the lateness) past a multiple
  // of 10 ms, both samplers at the same instants: no drift, no spreading apart.
  const [a, b] = [wakes.get("a")!.slice(1), wakes.get("b")!.slice(1)];
  assert.ok(a.length >= 495 && a.length <= 501, `${a.length} wake-ups in 5 s`);
  for (const at of a) assert.equal(at % 10, 2, `wake-up at ${at}`);
  assert.deepEqual(a.slice(1), b.slice(1));
  for (const m of made) await m.sampler.stop();
  assert.equal(clock.pending, 0, "no timer left");
});
