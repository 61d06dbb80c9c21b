/**
 * Tests of src/store/span.ts: a span's figures equal a recomputation over the samples
 * stamped in it (energy: the integrator's own steps), whatever the span's length and
 * however its edges fall on the rollup buckets.
 * @module
 */
import assert from "node:assert/strict";
import { EnergyIntegrator } from "../../src/analysis/energy.ts";
import type { Metric } from "../../src/protocol/common.ts";
import type { SpanResponse } from "../../src/protocol/span.ts";
import type { Sample } from "../../src/sample.ts";
import { planSpan } from "../../src/store/span.ts";
import { Store } from "../../src/store/store.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const METRICS: Metric[] = ["v", "a", "w"];
/** An hour boundary, plus an offset aligned to nothing. */
const T0 = 1_767_225_600_000 + 3_600_000 + 12_345;

/** Deterministic PRNG (mulberry32): failures reproduce. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Stored {
  sample: Sample;
  energyJ: number;
  chargeC: number;
}

/**
 * A store fed like the pipeline feeds it: each sample with the step the integrator gave
 * it. Samples at `intervalMs` in each of `bursts` ([from, to) ms), with failed reads,
 * overflows, skipped ticks and repeated stamps; returns what was stored.
 */
function feed(store: Store, intervalMs: number, bursts: [number, number][], seed: number) {
  const rnd = random(seed);
  const integrator = new EnergyIntegrator(() => 5 * intervalMs);
  const stored: Stored[] = [];
  let seq = 0;
  for (const [from, to] of bursts) {
    for (let t = from; t < to; t += intervalMs) {
      const r = rnd();
      const tsMs = r < 0.01 ? t - intervalMs : r < 0.03 ? t + 2 * intervalMs : t;
      const status = r > 0.98 ? "error" : r > 0.97 ? "overflow" : "ok";
      const v = status === "error" ? 0 : 4.5 + rnd();
      const a = status === "error" ? 0 : rnd() * 2 - 0.2;
      const sample: Sample = {
        tsMs: Math.max(from, tsMs),
        seq: ++seq,
        v,
        a,
        w: v * a,
        status,
        mode: "NORMAL",
        ...(status === "error" ? { error: "read failed" } : {}),
      };
      let step = { energyJ: 0, chargeC: 0 };
      if (status === "error") integrator.break();
      else step = integrator.add(sample.tsMs, sample.w, sample.a);
      store.append(sample, step);
      stored.push({ sample, ...step });
    }
  }
  store.flush();
  return stored;
}

/** The figures recomputed from the samples stamped in [from, to). */
function expected(stored: Stored[], fromMs: number, toMs: number) {
  const inside = stored.filter((s) => s.sample.tsMs >= fromMs && s.sample.tsMs < toMs);
  const measured = inside.filter((s) => s.sample.status !== "error");
  const stat = (m: Metric) => {
    const xs = measured.map((s) => s.sample[m]);
    if (xs.length === 0) {
      return { min: null, max: null, avg: null, p2p: null, rms: null, sd: null };
    }
    const avg = xs.reduce((x, y) => x + y, 0) / xs.length;
    // Two passes, as a textbook would: the reader's one-pass sums must agree.
    const variance = xs.reduce((x, y) => x + (y - avg) ** 2, 0) / xs.length;
    return {
      min: Math.min(...xs),
      max: Math.max(...xs),
      avg,
      p2p: Math.max(...xs) - Math.min(...xs),
      rms: Math.sqrt(xs.reduce((x, y) => x + y * y, 0) / xs.length),
      sd: Math.sqrt(variance),
    };
  };
  return {
    count: measured.length,
    errors: inside.length - measured.length,
    v: stat("v"),
    a: stat("a"),
    w: stat("w"),
    energyJ: measured.reduce((x, s) => x + s.energyJ, 0),
    chargeC: measured.reduce((x, s) => x + s.chargeC, 0),
  };
}

function close(actual: number | null, want: number | null, what: string) {
  if (want === null || actual === null) return assert.equal(actual, want, what);
  assert.ok(
    Math.abs(actual - want) <= 1e-9 * Math.max(1, Math.abs(want)),
    `${what}: ${actual} ≠ ${want}`,
  );
}

function assertFigures(got: SpanResponse, want: ReturnType<typeof expected>, label: string) {
  assert.equal(got.count, want.count, `${label}: count`);
  assert.equal(got.errors, want.errors, `${label}: errors`);
  for (const m of METRICS) {
    assert.equal(got[m].min, want[m].min, `${label}: ${m} min`);
    assert.equal(got[m].max, want[m].max, `${label}: ${m} max`);
    close(got[m].avg, want[m].avg, `${label}: ${m} avg`);
    close(got[m].p2p, want[m].p2p, `${label}: ${m} p2p`);
    close(got[m].rms, want[m].rms, `${label}: ${m} rms`);
    // σ from one-pass sums loses digits to cancellation: 1e-9 of the RMS is plenty here.
    if (want[m].sd === null) assert.equal(got[m].sd, null, `${label}: ${m} sd`);
    else {
      const slack = 1e-9 * Math.max(1, want[m].rms ?? 0);
      assert.ok(
        Math.abs((got[m].sd ?? NaN) - want[m].sd) <= slack,
        `${label}: ${m} sd ${got[m].sd} ≠ ${want[m].sd}`,
      );
    }
  }
  close(got.energy_j, want.energyJ, `${label}: energy`);
  close(got.charge_c, want.chargeC, `${label}: charge`);
  close(got.energy_wh, want.energyJ / 3600, `${label}: energy Wh`);
  assert.equal(got.source.exact, true, `${label}: exact`);
  assert.equal(got.source.steps_unknown, 0, `${label}: every step recomputed`);
}

function openStore(nowMs = T0 + DAY + 2 * HOUR): Store {
  return new Store({
    path: ":memory:",
    rawRetentionMs: 48 * HOUR,
    rollupRetentionMs: 30 * DAY,
    flushIntervalMs: 0,
    retentionIntervalMs: 0,
    now: () => nowMs,
  });
}

const LENGTHS_MS = [5, 72, 1440, 600_000, DAY];
/** Start offsets aligned to no bucket (nor to 1 s at 1 Hz: samples jitter). */
const OFFSETS_MS = [37, 1_999, 58_763];

Deno.test("planSpan() covers the span once: raw edges, coarser rollups inward", () => {
  const from = T0 + 37;
  const plan = planSpan(from, from + DAY, 0);
  assert.equal(plan.exact, true);
  let at = from;
  for (const p of plan.parts) {
    assert.equal(p.from_ms, at, "contiguous");
    assert.ok(p.from_ms < p.to_ms);
    const width = { raw: 1, "100ms": 100, "1s": 1000, "1m": 60_000 }[p.source];
    assert.equal(p.from_ms % width, 0, `${p.source} part starts on its bucket`);
    assert.equal(p.to_ms % width, 0, `${p.source} part ends on its bucket`);
    at = p.to_ms;
  }
  assert.equal(at, from + DAY);
  assert.deepEqual(plan.parts.map((p) => p.source), [
    "raw",
    "100ms",
    "1s",
    "1m",
    "1s",
    "100ms",
    "raw",
  ]);
  assert.deepEqual(planSpan(from, from + 72, 0).parts, [
    { source: "raw", from_ms: from, to_ms: from + 72 },
  ]);
});

Deno.test("planSpan() reads per-minute rollups before the raw data, and says so", () => {
  const rawFrom = T0 + 10 * 60_000 + 5_000;
  const from = T0 - 30_000 + 7;
  const plan = planSpan(from, from + HOUR, rawFrom);
  assert.equal(plan.exact, false);
  assert.equal(plan.fromMs, Math.ceil(from / 60_000) * 60_000, "start rounded up to the minute");
  assert.equal(plan.toMs, from + HOUR, "the end is inside the raw data: exact there");
  assert.equal(plan.parts[0].source, "1m");
  assert.ok(plan.parts[0].to_ms >= rawFrom, "minutes only up to the raw data");
  const whole = Math.ceil(from / 60_000) * 60_000;
  assert.equal(planSpan(whole, whole + HOUR, rawFrom).exact, true, "minute edges: still exact");
  const old = planSpan(from, from + 90_000, rawFrom + HOUR);
  assert.equal(old.exact, false);
  assert.deepEqual(old.parts.map((p) => p.source), ["1m"]);
});

for (const [rateName, intervalMs] of [["1 kHz", 1], ["1 Hz", 1000]] as const) {
  Deno.test(`SpanReader at ${rateName}: figures equal the samples' own, any length`, () => {
    const store = openStore();
    try {
      // At 1 kHz, bursts around every edge and a few inside (a day of 1 kHz is too many
      // rows for a unit test); at 1 Hz, all of it.
      const spans = LENGTHS_MS.flatMap((len) =>
        OFFSETS_MS.map((off) => [T0 + off, T0 + off + len] as [number, number])
      );
      const bursts: [number, number][] = intervalMs === 1000
        ? [[T0 - 10_000, T0 + DAY + 120_000]]
        : merge([
          ...spans.flatMap(([f, t]) => [[f - 1500, f + 1500], [t - 1500, t + 1500]]),
          ...[0.1, 0.35, 0.6, 0.85].map((x) => [T0 + x * DAY, T0 + x * DAY + 1500]),
        ] as [number, number][]);
      const stored = feed(store, intervalMs, bursts, intervalMs);
      for (const [fromMs, toMs] of spans) {
        const label = `${rateName} [${fromMs - T0}, ${toMs - T0})`;
        const got = store.span(fromMs, toMs);
        assertFigures(got, expected(stored, fromMs, toMs), label);
        assert.equal(got.duration_ms, toMs - fromMs);
      }
      if (intervalMs === 1) {
        const day = store.span(T0 + 37, T0 + 37 + DAY);
        assert.deepEqual(
          [...new Set(day.source.parts.map((p) => p.source))].sort(),
          ["100ms", "1m", "1s", "raw"],
        );
        const short = store.span(T0 + 1999, T0 + 1999 + 1440);
        const n = short.count + short.errors;
        assert.ok(n > 1400 && n < 1480, `1.44 s at 1 kHz holds ~1440 samples, not 1000: ${n}`);
      }
      // And random spans: edges anywhere, lengths from 1 ms to 2 s.
      const rnd = random(7);
      for (let i = 0; i < 200; i++) {
        const [f, t] = bursts[Math.floor(rnd() * bursts.length)];
        const fromMs = Math.floor(f + rnd() * (t - f));
        const toMs = fromMs + 1 + Math.floor(rnd() * 2000);
        assertFigures(
          store.span(fromMs, toMs),
          expected(stored, fromMs, toMs),
          `random [${fromMs - T0}, ${toMs - T0})`,
        );
      }
    } finally {
      store.close();
    }
  });
}

Deno.test("SpanReader: energy adds up however a span is cut into spans", () => {
  const store = openStore();
  try {
    feed(store, 1, [[T0, T0 + 5000]], 3);
    const whole = store.span(T0 + 13, T0 + 4987);
    const rnd = random(11);
    for (let round = 0; round < 20; round++) {
      const cuts = [T0 + 13, T0 + 4987];
      for (let i = 0; i < 1 + round % 6; i++) cuts.push(T0 + 14 + Math.floor(rnd() * 4972));
      cuts.sort((x, y) => x - y);
      let energyJ = 0;
      let chargeC = 0;
      let count = 0;
      for (let i = 1; i < cuts.length; i++) {
        if (cuts[i - 1] === cuts[i]) continue;
        const part = store.span(cuts[i - 1], cuts[i]);
        energyJ += part.energy_j;
        chargeC += part.charge_c;
        count += part.count;
      }
      assert.equal(count, whole.count);
      close(energyJ, whole.energy_j, `energy cut at ${cuts.map((c) => c - T0)}`);
      close(chargeC, whole.charge_c, `charge cut at ${cuts.map((c) => c - T0)}`);
    }
  } finally {
    store.close();
  }
});

Deno.test("SpanReader: a step that cannot be recomputed makes the span inexact", () => {
  const store = openStore();
  try {
    const base = { v: 5, a: 1, w: 5, status: "ok" as const, mode: "NORMAL" };
    store.append({ ...base, tsMs: T0, seq: 1 }, { energyJ: 0, chargeC: 0 });
    // A step without its interval (as written before the interval was stored).
    store.append({ ...base, tsMs: T0 + 1, seq: 2 }, { energyJ: 0.005, chargeC: 0.001 });
    store.append({ ...base, tsMs: T0 + 2, seq: 3 }, { energyJ: 0.005, chargeC: 0.001, dtMs: 1 });
    const span = store.span(T0, T0 + 3);
    assert.equal(span.source.steps_unknown, 1);
    assert.equal(span.source.exact, false);
    assert.equal(span.energy_j, 0.005, "the known step is still counted");
  } finally {
    store.close();
  }
});

Deno.test("Store.span() before the raw retention answers from minutes, inexact", () => {
  const nowMs = T0 + 3 * HOUR;
  const store = new Store({
    path: ":memory:",
    rawRetentionMs: HOUR,
    rollupRetentionMs: 30 * DAY,
    flushIntervalMs: 0,
    retentionIntervalMs: 0,
    now: () => nowMs,
  });
  try {
    const stored = feed(store, 1000, [[T0, nowMs]], 5);
    const fromMs = T0 + 30_500;
    const toMs = nowMs - 10_250;
    const span = store.span(fromMs, toMs);
    assert.equal(span.source.exact, false);
    const coveredFrom = Math.ceil(fromMs / 60_000) * 60_000;
    assert.equal(span.source.from_ms, coveredFrom);
    assert.equal(span.source.to_ms, toMs);
    assert.equal(span.source.parts[0].source, "1m");
    // What it covers, it covers exactly.
    const want = expected(stored, coveredFrom, toMs);
    assert.equal(span.count, want.count);
    close(span.energy_j, want.energyJ, "energy of what is covered");
  } finally {
    store.close();
  }
});

/** Sorted, overlapping bursts joined. */
function merge(bursts: [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  for (const [f, t] of [...bursts].sort((x, y) => x[0] - y[0])) {
    const last = out[out.length - 1];
    if (last && f <= last[1]) last[1] = Math.max(last[1], t);
    else out.push([f, t]);
  }
  return out;
}

Deno.test("SpanReader: RMS and σ are null over rollups kept before sums of squares", () => {
  const store = openStore();
  try {
    const base = { v: 5, a: 1, w: 5, status: "ok" as const, mode: "NORMAL" };
    for (let i = 0; i < 3000; i++) {
      store.append({ ...base, tsMs: T0 + i, seq: i + 1, a: i % 2 ? 1 : 3 }, {
        energyJ: 0,
        chargeC: 0,
        dtMs: 0,
      });
    }
    store.flush();
    const full = store.span(T0, T0 + 3000);
    assert.equal(full.a.rms, Math.sqrt(5));
    assert.equal(full.a.sd, 1);
    assert.equal(full.a.p2p, 2);
    // A database migrated from before the squares: its buckets hold NULL there.
    store.db.exec("UPDATE rollup_1s SET v_sq = NULL, a_sq = NULL, w_sq = NULL");
    const old = store.span(T0, T0 + 3000);
    assert.equal(old.a.rms, null);
    assert.equal(old.a.sd, null);
    assert.equal(old.a.avg, 2, "the mean does not need squares");
    assert.equal(old.a.p2p, 2);
    // A span inside one second is read from raw samples and 100 ms rollups: still known.
    assert.equal(store.span(T0 + 1000, T0 + 1998).a.sd, 1);
  } finally {
    store.close();
  }
});
