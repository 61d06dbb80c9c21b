/**
 * What the recordings tests share: a store over an in-memory database with two
 * channels and a settable clock, samples fed as the pipeline feeds them, and a
 * recomputation of a span's figures straight from the samples.
 * @module
 */
import assert from "node:assert/strict";
import { EnergyIntegrator, type EnergyStep } from "../../src/analysis/energy.ts";
import type { SpanResponse } from "../../src/protocol/span.ts";
import { Recordings } from "../../src/recordings/recordings.ts";
import { recordingsStore } from "../../src/recordings/recordings_store.ts";
import type { Sample } from "../../src/sample.ts";
import { Store } from "../../src/store/store.ts";

/** A whole hour plus an offset aligned to no rollup. */
export const T0 = 1_767_225_600_000 + 12_345;
const HOUR = 3_600_000;

/** A sample fed with the step it carried. */
export interface Fed {
  /** The sample. */
  sample: Sample;
  /** The integrator's step ending at it. */
  step: EnergyStep;
}

/** A store, its recordings, a settable clock and a feeder per channel. */
export function setup(
  options: {
    maxBytes?: number;
    channels?: string[];
    /** Called with every sample after it is stored, as the pipeline's sample listeners. */
    onSample?: (channel: string, sample: Sample) => void;
  } = {},
) {
  const clock = { ms: T0 };
  const channels = options.channels ?? ["main", "aux"];
  const store = new Store({
    path: ":memory:",
    channels,
    rawRetentionMs: 48 * HOUR,
    rollupRetentionMs: 30 * 24 * HOUR,
    flushIntervalMs: 0,
    retentionIntervalMs: 0,
    now: () => clock.ms,
  });
  const notices: string[] = [];
  const recordings = new Recordings(recordingsStore(store), {
    channels,
    maxBytes: options.maxBytes ?? 1024 * 1024 * 1024,
    notice: (m) => notices.push(m),
    now: () => clock.ms,
    yieldFn: () => Promise.resolve(),
  });
  const fed = new Map<string, Fed[]>(channels.map((c) => [c, []]));
  const integrators = new Map(channels.map((c) => [c, new EnergyIntegrator(() => 5)]));
  const seqs = new Map(channels.map((c) => [c, 0]));
  /** Feeds `n` samples of `channel` at 1 kHz from `fromMs`; every 37th a failed read. */
  const feed = (channel: string, fromMs: number, n: number, seed = 1) => {
    for (let i = 0; i < n; i++) {
      const tsMs = fromMs + i;
      const seq = seqs.get(channel)! + 1;
      seqs.set(channel, seq);
      const energy = integrators.get(channel)!;
      let sample: Sample;
      let step: EnergyStep;
      if ((seq * seed) % 37 === 0) {
        sample = {
          tsMs,
          seq,
          v: 0,
          a: 0,
          w: 0,
          status: "error",
          mode: "NORMAL",
          error: "read, failed",
        };
        energy.break();
        step = { energyJ: 0, chargeC: 0 };
      } else {
        const v = 3 + ((seq * 7919 * seed) % 1000) / 1000;
        const a = ((seq * 104_729 + seed) % 500) / 1000;
        const w = v * a;
        sample = { tsMs, seq, v, a, w, status: "ok", mode: "NORMAL" };
        step = energy.add(tsMs, w, a);
      }
      store.channel(channel).append(sample, step);
      fed.get(channel)!.push({ sample, step });
      options.onSample?.(channel, sample);
    }
  };
  /** Feeds `channel` one `ok` sample a millisecond from `fromMs` with these readings. */
  const feedValues = (
    channel: string,
    fromMs: number,
    values: readonly { v: number; a: number }[],
  ) => {
    values.forEach(({ v, a }, i) => {
      const tsMs = fromMs + i;
      const seq = seqs.get(channel)! + 1;
      seqs.set(channel, seq);
      const w = v * a;
      const sample: Sample = { tsMs, seq, v, a, w, status: "ok", mode: "NORMAL" };
      const step = integrators.get(channel)!.add(tsMs, w, a);
      store.channel(channel).append(sample, step);
      fed.get(channel)!.push({ sample, step });
      clock.ms = Math.max(clock.ms, tsMs + 1);
      options.onSample?.(channel, sample);
    });
  };
  return {
    store,
    recordings,
    clock,
    feed,
    feedValues,
    fed,
    notices,
    close: () => {
      recordings.close();
      store.close();
    },
  };
}

/**
 * The figures of the samples stamped in [fromMs, toMs), recomputed from the samples:
 * a step counts when it started at or after `keptFromMs` (a recording's start: the
 * step of its first sample started before it and is not kept).
 */
export function recompute(
  samples: readonly Fed[],
  fromMs: number,
  toMs: number,
  keptFromMs = fromMs,
) {
  const inside = samples.filter((f) => f.sample.tsMs >= fromMs && f.sample.tsMs < toMs);
  const ok = inside.filter((f) => f.sample.status !== "error");
  const stat = (m: "v" | "a" | "w") => {
    const xs = ok.map((f) => f.sample[m]);
    if (xs.length === 0) return { min: null, max: null, avg: null };
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    for (const x of xs) {
      min = Math.min(min, x);
      max = Math.max(max, x);
      sum += x;
    }
    return { min, max, avg: sum / xs.length };
  };
  const steps = ok.filter((f) => f.sample.tsMs - (f.step.dtMs ?? 0) >= keptFromMs);
  return {
    count: ok.length,
    errors: inside.length - ok.length,
    v: stat("v"),
    a: stat("a"),
    w: stat("w"),
    energy_j: steps.reduce((s, f) => s + f.step.energyJ, 0),
    charge_c: steps.reduce((s, f) => s + f.step.chargeC, 0),
  };
}

/** Asserts a span's figures equal a recomputation (sums to 1e-9 relative). */
export function assertFigures(actual: SpanResponse, expected: ReturnType<typeof recompute>): void {
  const assertEqual = (a: unknown, b: unknown, m: string) => assert.equal(a, b, m);
  assertEqual(actual.count, expected.count, "count");
  assertEqual(actual.errors, expected.errors, "errors");
  for (const m of ["v", "a", "w"] as const) {
    assertEqual(actual[m].min, expected[m].min, `${m}.min`);
    assertEqual(actual[m].max, expected[m].max, `${m}.max`);
    const d = Math.abs((actual[m].avg ?? 0) - (expected[m].avg ?? 0));
    assertEqual(d <= 1e-9 * Math.abs(expected[m].avg ?? 1), true, `${m}.avg`);
  }
  for (const k of ["energy_j", "charge_c"] as const) {
    const d = Math.abs(actual[k] - expected[k]);
    assertEqual(
      d <= 1e-9 * Math.max(1, Math.abs(expected[k])),
      true,
      `${k}: ${actual[k]} vs ${expected[k]}`,
    );
  }
  assertEqual(actual.source.exact, true, "exact");
}
