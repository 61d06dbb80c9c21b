/** Tests of src/sources/backoff.ts: the retry delays after a failing device. */
import assert from "node:assert/strict";
import { Backoff, secondsText } from "../../src/sources/backoff.ts";

Deno.test("Backoff doubles from 1 s to 30 s and starts over after a success", () => {
  const backoff = new Backoff();
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map(() => backoff.fail(0)), [
    1000,
    2000,
    4000,
    8000,
    16000,
    30000,
    30000,
  ]);
  assert.equal(backoff.due(29_999), false);
  assert.equal(backoff.waitMs(20_000), 10_000);
  backoff.succeed();
  assert.equal(backoff.due(0), true);
  assert.equal(backoff.fail(0), 1000);
  assert.deepEqual([secondsText(997), secondsText(1500), secondsText(30_000), secondsText(20)], [
    "1 s",
    "1.5 s",
    "30 s",
    "20 ms",
  ]);
});
