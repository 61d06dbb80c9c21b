/**
 * @module
 * Fan-out scenario of several channels in one stream (issue 13): three mock channels at
 * 1 kHz each, readers on `/ws?channel=*`, so each reader receives ~3000 measurements/s,
 * each with `data.channel`; `seq` is contiguous per channel and gaps are counted per channel
 * ({@link ./_client.ts}).
 */

import type { FanoutSpec } from "./fanout.ts";

/** Three mock channels sampled every 1 ms, each with its own seed. */
const THREE_MOCKS = JSON.stringify(
  ["a", "b", "c"].map((name, i) => ({
    name,
    sensor: "mock",
    sample_interval_ms: 1,
    mock_seed: i + 1,
  })),
);

/** `ch3`: 3 mock channels at 1 kHz, 10 readers on `channel=*` (3 × ~1000 samples/s each). */
export const CHANNEL_SPECS: readonly FanoutSpec[] = [
  {
    name: "ch3",
    sampleIntervalMs: 1,
    readers: 10,
    stalled: 0,
    channel: "*",
    seconds: 20,
    env: { CHANNELS: THREE_MOCKS },
    targets: { minRatePerS: 2950, latencyP99Ms: 20 },
  },
];
