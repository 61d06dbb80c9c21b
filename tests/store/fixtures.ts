/**
 * Samples and databases the store tests share: hand-made and seeded random streams, a
 * writer fed as the pipeline feeds it, a temporary database file.
 * @module
 */
import type { Sample } from "../../src/sample.ts";
import { SampleWriter } from "../../src/store/writer.ts";
import { EnergyIntegrator } from "../../src/analysis/energy.ts";
import { seededRandom } from "../../src/sources/mock.ts";

/** A fixed start time (Unix ms) for test samples. */
export const T0 = 1_700_000_000_000;

/** One sample; an `error` one carries no figures, as a failed read does. */
export function sample(
  seq: number,
  tsMs: number,
  v = 5,
  a = 0.2,
  status: Sample["status"] = "ok",
): Sample {
  const s: Sample = { tsMs, seq, v, a, w: Math.round(v * a * 1000) / 1000, status, mode: "NORMAL" };
  if (status === "error") Object.assign(s, { v: 0, a: 0, w: 0, error: "read failed" });
  return s;
}

/** A random stream: irregular intervals, runs of equal values, failed reads, gaps. */
export function randomStream(seed: number, n: number): Sample[] {
  const random = seededRandom(seed);
  const out: Sample[] = [];
  let t = T0 + Math.floor(random() * 1000);
  let v = 5;
  for (let i = 1; i <= n; i++) {
    t += random() < 0.01 ? 5000 + Math.floor(random() * 90_000) : 1 + Math.floor(random() * 400);
    if (random() < 0.7) v = Math.round((4 + random() * 2) * 1000) / 1000;
    const status = random() < 0.05 ? "error" : "ok";
    out.push(sample(i, t, v, Math.round(random() * 1000) / 1000, status));
  }
  return out;
}

/** A 1 kHz stream with noisy figures and a failed read now and then. */
export function* stream(seed: number): Generator<Sample> {
  const random = seededRandom(seed);
  for (let seq = 1;; seq++) {
    const tsMs = T0 + seq;
    if (random() < 0.03) {
      yield { tsMs, seq, v: 0, a: 0, w: 0, status: "error", mode: "NORMAL", error: "read failed" };
      continue;
    }
    const v = Math.round((4.8 + random() * 0.4) * 1000) / 1000;
    const a = Math.round(random() * 500) / 1000;
    yield { tsMs, seq, v, a, w: Math.round(v * a * 1000) / 1000, status: "ok", mode: "NORMAL" };
  }
}

/** Feeds samples to a writer with energy integrated as the pipeline does. */
export function feeder(writer: SampleWriter, maxGapMs = 5000) {
  const energy = new EnergyIntegrator(() => maxGapMs);
  return (s: Sample) => {
    if (s.status === "error") {
      energy.break();
      writer.append(s, { energyJ: 0, chargeC: 0 });
    } else writer.append(s, energy.add(s.tsMs, s.w, s.a));
  };
}

/** A fresh temporary folder and a database path inside it; the caller removes the folder. */
export async function tempDb(): Promise<{ path: string; dir: string }> {
  const dir = await Deno.makeTempDir();
  return { dir, path: `${dir}/test.db` };
}
