/** Tests of src/analysis/averages.ts: per-second buckets and their moving averages. */
import assert from "node:assert/strict";
import { SecondBuckets } from "../../src/analysis/averages.ts";
import { seededRandom } from "../../src/sources/mock.ts";
import { close } from "../assertions.ts";

const T0 = 1_700_000_000_000;

Deno.test("SecondBuckets averages whole seconds over 1, 5 and 15 minutes", () => {
  const buckets = new SecondBuckets(900);
  const all: { ts: number; v: number }[] = [];
  const random = seededRandom(9);
  for (let ts = T0; ts < T0 + 1_200_000; ts += 1 + Math.floor(random() * 300)) {
    const v = random();
    buckets.add(ts, v, 0, 0);
    all.push({ ts, v });
  }
  const nowMs = all.at(-1)!.ts;
  const nowS = Math.floor(nowMs / 1000);
  for (const windowS of [60, 300, 900]) {
    const inside = all.filter((x) => Math.floor(x.ts / 1000) > nowS - windowS);
    const want = inside.reduce((p, x) => p + x.v, 0) / inside.length;
    close(buckets.average("v", windowS, nowMs), want, `${windowS} s`, 1e-9);
  }
  assert.equal(buckets.average("v", 60, nowMs + 3_600_000), null, "nothing in the last minute");
});

Deno.test("SecondBuckets.coveredS() grows from a start until the window is full", () => {
  const buckets = new SecondBuckets(900);
  assert.equal(buckets.coveredS(60, T0), 0, "no sample yet");
  for (let ts = T0; ts <= T0 + 12_500; ts += 250) buckets.add(ts, 5, 0.1, 0.5);
  const nowMs = T0 + 12_500;
  assert.equal(buckets.coveredS(60, nowMs), 13, "seconds 0..12 hold samples");
  assert.equal(buckets.coveredS(900, nowMs), 13);
  for (let ts = T0 + 12_750; ts <= T0 + 120_000; ts += 250) buckets.add(ts, 5, 0.1, 0.5);
  assert.equal(buckets.coveredS(60, T0 + 120_000), 60, "a full minute");
  assert.equal(buckets.coveredS(300, T0 + 120_000), 121, "two minutes of five");
});
