/**
 * Fills a monitor's database with a synthetic past, so the browser test (and a person
 * trying the dashboard) has hours of history to look at without waiting for them.
 * Samples go through a monitor core's real pipeline: store, rollups, energy and alerts.
 * @module
 */
import { seededRandom } from "../../src/sources/mock.ts";
import type { Config } from "../../src/config.ts";
import { createCore } from "../../src/monitor.ts";
import type { Sample } from "../../src/sample.ts";

/** Options of {@link fillHistory}. */
export interface FillOptions {
  /** How far back the synthetic past starts, in hours (keep it inside the 48 h kept). */
  hours: number;
  /** Time between synthetic samples; the config's sample interval should match it. */
  stepMs: number;
  /** When the synthetic past ends (the live sampler takes over from there). */
  endMs: number;
}

/** What {@link fillHistory} wrote. */
export interface FillResult {
  samples: number;
  fromMs: number;
  toMs: number;
}

const HOUR_MS = 3_600_000;
/** A load spike of this length every {@link SPIKE_EVERY_MS}, as the mock's LOAD_SPIKE. */
const SPIKE_MS = 4 * 60_000;
const SPIKE_EVERY_MS = 5 * HOUR_MS;
/** The newest spike ends this long before the filled past does (inside the last hour). */
const SPIKE_AGO_MS = 40 * 60_000;
/** One stretch of failed reads, this long ago, so gaps show in the history. */
const OUTAGE_AGO_MS = 20 * HOUR_MS;
const OUTAGE_MS = 10 * 60_000;

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** One synthetic sample at `tsMs`: a slow daily swing, a 10-minute wave, noise, spikes. */
function sampleAt(tsMs: number, seq: number, endMs: number, rnd: () => number): Sample {
  const ago = endMs - tsMs;
  if (ago <= OUTAGE_AGO_MS && ago > OUTAGE_AGO_MS - OUTAGE_MS) {
    return { tsMs, seq, v: 0, a: 0, w: 0, status: "error", mode: "ERROR_TEST", error: "synthetic" };
  }
  const spike = (ago - SPIKE_AGO_MS + SPIKE_EVERY_MS) % SPIKE_EVERY_MS > SPIKE_EVERY_MS - SPIKE_MS;
  const day = Math.sin((2 * Math.PI * tsMs) / (24 * HOUR_MS));
  const wave = Math.sin((2 * Math.PI * tsMs) / 600_000);
  const v = spike ? 4.6 + 0.1 * rnd() : 5.0 + 0.03 * day + 0.04 * (rnd() - 0.5);
  const a = spike ? 0.8 + 0.2 * rnd() : 0.22 + 0.06 * day + 0.08 * wave + 0.03 * (rnd() - 0.5);
  return {
    tsMs,
    seq,
    v: round3(v),
    a: round3(a),
    w: round3(Math.max(0, v * a)),
    status: "ok",
    mode: spike ? "LOAD_SPIKE" : "NORMAL",
  };
}

/**
 * Writes a synthetic past into `config`'s database through a monitor core (no server,
 * no sampling), then closes it so a monitor can start on the same database.
 */
export function fillHistory(config: Config, options: FillOptions): FillResult {
  const { hours, stepMs, endMs } = options;
  const core = createCore(config, "fill", () => {});
  const rnd = seededRandom(42);
  const fromMs = Math.ceil((endMs - hours * HOUR_MS) / stepMs) * stepMs;
  let seq = core.sampler.lastSeq;
  let samples = 0;
  try {
    for (let t = fromMs; t < endMs; t += stepMs) {
      core.pipeline.onSample(sampleAt(t, ++seq, endMs, rnd));
      // Flush in slices: one huge transaction would hold every row in memory at once.
      if (++samples % 10_000 === 0) core.store.flush();
    }
  } finally {
    core.store.close();
  }
  return { samples, fromMs, toMs: endMs };
}
