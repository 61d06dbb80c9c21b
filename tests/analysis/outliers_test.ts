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
