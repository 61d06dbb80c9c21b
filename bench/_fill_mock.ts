/**
 * Fills a store database with the mock's samples at 1 kHz over [startMs, endMs), energy
 * integrated as the pipeline does: the history the span and recordings benchmarks read.
 * @module
 */
import { EnergyIntegrator } from "../src/analysis/energy.ts";
import { MockSource } from "../src/sources/mock.ts";
import type { Sample } from "../src/sample.ts";
import { Store } from "../src/store/store.ts";

/** The mock's reading at `tsMs` as the sampler would hand it on, numbered `seq`. */
export function mockSampleAt(src: MockSource, tsMs: number, seq: number): Sample {
  const r = src.read(tsMs);
  return { tsMs, seq, v: r.v, a: r.a, w: r.w, status: r.status, mode: src.mode };
}

/** Writes one mock sample per millisecond of [startMs, endMs) into the database at `path`. */
export function fillMockHistory(path: string, startMs: number, endMs: number): void {
  const store = new Store({
    path,
    rawRetentionMs: 48 * 3_600_000,
    rollupRetentionMs: 30 * 86_400_000,
    flushIntervalMs: 0,
    retentionIntervalMs: 0,
  });
  try {
    const src = new MockSource({ seed: 1 });
    const energy = new EnergyIntegrator(() => 5);
    let seq = store.writer.lastSeq;
    for (let t = startMs; t < endMs; t++) {
      const sample = mockSampleAt(src, t, ++seq);
      store.append(sample, energy.add(t, sample.w, sample.a)); // the mock never fails a read
      if (seq % 10_000 === 0) store.flush();
    }
  } finally {
    store.close();
  }
}
