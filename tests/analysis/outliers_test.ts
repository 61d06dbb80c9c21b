/** Tests of src/analysis/outliers.ts: z-score and IQR outliers, quantiles. */
import assert from "node:assert/strict";
import { OutlierDetector, quantile } from "../../src/analysis/outliers.ts";
import { RollingWindow } from "../../src/analysis/rolling.ts";
import { seededRandom } from "../../src/sources/mock.ts";

const T0 = 1_700_000_000_000;

Deno.test("OutlierDetector flags a spike by z-score and IQR, and not uniform noise", () => {
  const window = new RollingWindow(60_000);
  const detector = new OutlierDetector(window);
  const random = seededRandom(2);
  let flagged = 0;
  for (let i = 0; i < 600; i++) {
    const v = 5 + (random() * 2 - 1) * 0.05;
    window.push(T0 + i * 100, v, 0, 0);
    flagged += detector.check("v", v, T0 + i * 100, i).length;
  }
  assert.equal(flagged, 0, "uniform noise is never 3 standard deviations out");
  window.push(T0 + 60_000, 6, 0, 0);
  const flags = detector.check("v", 6, T0 + 60_000, 600);
  assert.deepEqual(flags.map((f) => `${f.method}:${f.severity}`).sort(), [
    "iqr:danger",
    "zscore:danger",
  ]);
  assert.ok(flags.every((f) => f.score > 3));
});

Deno.test("quantile() interpolates", () => {
  const sorted = new Float64Array([1, 2, 3, 4]);
  assert.equal(quantile(sorted, 0), 1);
  assert.equal(quantile(sorted, 0.5), 2.5);
  assert.equal(quantile(sorted, 1), 4);
});

Deno.test("OutlierDetector's z-score flags are those of the window's stats(), flag for flag", () => {
  const window = new RollingWindow(2_000);
  const detector = new OutlierDetector(window);
  const random = seededRandom(7);
  let checked = 0;
  for (let i = 0; i < 20_000; i++) {
    // Noise with a spike now and then, and flat stretches (no spread: no score).
    const flat = Math.floor(i / 3000) % 2 === 1;
    const v = flat ? 5 : 5 + (random() * 2 - 1) * 0.05 + (i % 997 === 0 ? 0.5 : 0);
    const tsMs = T0 + i;
    window.push(tsMs, v, 0, 0);
    const got = detector.check("v", v, tsMs, i).filter((f) => f.method === "zscore");
    const { avg, std, count } = window.stats("v");
    let want: number[] = [];
    if (count >= 30 && std !== null && avg !== null && std > 1e-12) {
      const z = Math.abs(v - avg) / std;
      if (z >= 3) want = [z];
    }
    assert.deepEqual(got.map((f) => f.score), want, `sample ${i}`);
    checked += want.length;
  }
  assert.ok(checked > 10, `spikes were flagged (${checked})`);
});

Deno.test("OutlierDetector.check() returns an empty list for a value with no flag", () => {
  const window = new RollingWindow(60_000);
  const detector = new OutlierDetector(window);
  for (let i = 0; i < 100; i++) window.push(T0 + i, 5 + (i % 2) * 0.01, 0, 0);
  assert.deepEqual(detector.check("v", 5, T0 + 99, 99), []);
});
