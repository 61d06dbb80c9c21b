/** Tests of src/channel_parts.ts: the mock channels' staggered wake-ups. */
import assert from "node:assert/strict";
import { wakePhases } from "../src/channel_parts.ts";
import { loadConfig } from "../src/config.ts";
import { DEFAULT_BATCH_MS } from "../src/sampler.ts";

Deno.test("wakePhases() spreads the mock channels' wake-ups over one batch period; others tick on no timer", () => {
  const channels = loadConfig({
    CHANNELS: JSON.stringify([
      { name: "a", sensor: "mock" },
      { name: "chip", sensor: "ina219", i2c_bus: "emulated" },
      { name: "b", sensor: "mock" },
      { name: "c", sensor: "mock" },
      { name: "sum", derived: "sum", inputs: ["a", "b"] },
    ]),
  }, []).channels;
  const third = DEFAULT_BATCH_MS / 3;
  assert.deepEqual(wakePhases(channels), new Map([["a", 0], ["b", third], ["c", 2 * third]]));
  // One channel (every single-sensor setup): no delay at all.
  assert.deepEqual(wakePhases(loadConfig({}, []).channels), new Map([["main", 0]]));
});
