/**
 * @module
 * Fan-out scenarios of the real INA219 driver on the emulated bus (issue 12):
 * `SENSOR=ina219 I2C_BUS=emulated SAMPLE_INTERVAL_MS=1`, so the rate is the chip's
 * (one sample per fresh conversion), not the interval's.
 */

import type { FanoutSpec } from "./fanout.ts";

const EMULATED = { SENSOR: "ina219", I2C_BUS: "emulated" } as const;

/**
 * Conversion rate at the default ADC (12 bits, one shunt and one bus conversion, 532 µs
 * each: 1.064 ms a pair, 939.8/s); at `ADC_SAMPLES=2` (1.06 ms each, 2.12 ms a pair, 471.7/s).
 */
const CONVERSIONS_PER_S = { adc1: 940, adc2: 472 } as const;

/**
 * `ina10`/`ina50`: 400 kHz (a register read is 48 bit times, 0.12 ms; the 4 reads of a
 * sample fit in one conversion), 10 and 50 plain readers. `ina-adc2`: two-sample
 * averaging. `ina-100k`: 100 kHz, where the 4 reads take 1.92 ms, longer than a
 * conversion: each sample spans two conversions (2.128 ms, 469.9/s; docs/benchmarks.md).
 * They leave 0.21 ms of those two conversions, so a preemption of the Worker's thread
 * longer than that costs a conversion: the run asks for 420/s (89 %).
 */
export const INA219_SPECS: readonly FanoutSpec[] = [
  {
    name: "ina10",
    sampleIntervalMs: 1,
    readers: 10,
    stalled: 0,
    seconds: 20,
    env: { ...EMULATED, I2C_EMULATED_KHZ: "400" },
    targets: { minRatePerS: 900, maxRatePerS: CONVERSIONS_PER_S.adc1, latencyP99Ms: 10 },
  },
  {
    name: "ina50",
    sampleIntervalMs: 1,
    readers: 50,
    stalled: 0,
    seconds: 20,
    env: { ...EMULATED, I2C_EMULATED_KHZ: "400" },
    targets: { minRatePerS: 900, maxRatePerS: CONVERSIONS_PER_S.adc1 },
  },
  {
    name: "ina-adc2",
    sampleIntervalMs: 1,
    readers: 10,
    stalled: 0,
    seconds: 20,
    env: { ...EMULATED, I2C_EMULATED_KHZ: "400", ADC_SAMPLES: "2" },
    targets: { minRatePerS: 450, maxRatePerS: CONVERSIONS_PER_S.adc2, latencyP99Ms: 10 },
  },
  {
    name: "ina-100k",
    sampleIntervalMs: 1,
    readers: 10,
    stalled: 0,
    seconds: 20,
    env: { ...EMULATED, I2C_EMULATED_KHZ: "100" },
    targets: {
      minRatePerS: 420,
      maxRatePerS: CONVERSIONS_PER_S.adc2,
      latencyP99Ms: 10,
      statusMaxMs: 10,
    },
  },
];
