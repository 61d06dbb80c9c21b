/** Tests of src/channel_parts.ts: the mock channels' aligned wake-ups. */
import assert from "node:assert/strict";
import { alignedChannels } from "../src/channel_parts.ts";
import { loadConfig } from "../src/config.ts";

Deno.test("alignedChannels() aligns every batched mock channel when there are several; others tick on no such timer", () => {
  const channels = loadConfig({
    CHANNELS: JSON.stringify([
      { name: "a", sensor: "mock" },
      { name: "chip", sensor: "ina219", i2c_bus: "emulated" },
      { name: "b", sensor: "mock" },
      { name: "c", sensor: "mock" },
      { name: "sum", derived: "sum", inputs: ["a", "b"] },
    ]),
  }, []).channels;
  assert.deepEqual(alignedChannels(channels), new Set(["a", "b", "c"]));
  // One channel (every single-sensor setup): its repeating timer stays.
  assert.deepEqual(alignedChannels(loadConfig({}, []).channels), new Set());
});
