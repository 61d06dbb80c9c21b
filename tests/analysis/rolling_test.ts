/** Tests of src/analysis/rolling.ts: the rolling window against a naive recomputation. */
import assert from "node:assert/strict";
import { METRICS, RollingWindow } from "../../src/analysis/rolling.ts";
import { seededRandom } from "../../src/sources/mock.ts";
import { close } from "../assertions.ts";

const T0 = 1_700_000_000_000;

Deno.test("RollingWindow equals a naive recomputation on random streams", async (t) => {
  const kinds = {
    "irregular": (r: () => number) => Math.round(r() * 1000) / 1000,
    "long equal runs": (r: () => number) => (r() < 0.95 ? 1.5 : Math.floor(r() * 4)),
    "monotonic ramps": (() => {
      let x = 0;
      return (r: () => number) => (x += r() < 0.99 ? 0.001 : -5);
    })(),
  };
  for (const [name, next] of Object.entries(kinds)) {
    await t.step(name, () => {
      const random = seededRandom(name.length);
      const window = new RollingWindow(2000, 4); // tiny initial capacity: exercises growth
      const seen: { ts: number; v: number; a: number; w: number }[] = [];
      let ts = T0;
      for (let i = 0; i < 6000; i++) {
        // Mostly 1-20 ms apart, sometimes a gap longer than the whole window.
        ts += random() < 0.002 ? 5000 : 1 + Math.floor(random() * 20);
        const s = { ts, v: next(random), a: next(random), w: next(random) };
        window.push(s.ts, s.v, s.a, s.w);
        seen.push(s);
        if (i % 7 !== 0) continue;
        const inside = seen.filter((x) => x.ts > ts - 2000);
        assert.equal(window.count, inside.length);
        for (const m of METRICS) {
          const values = inside.map((x) => x[m]);
          const stats = window.stats(m);
          const avg = values.reduce((p, x) => p + x, 0) / values.length;
          close(stats.min, Math.min(...values), `${m}.min @${i}`);
          close(stats.max, Math.max(...values), `${m}.max @${i}`);
          close(stats.avg, avg, `${m}.avg @${i}`, 1e-9);
          const std = Math.sqrt(values.reduce((p, x) => p + (x - avg) ** 2, 0) / values.length);
          close(stats.std, std, `${m}.std @${i}`, 1e-6);
        }
      }
    });
  }
});

Deno.test("RollingWindow is empty after a gap longer than the window", () => {
  const window = new RollingWindow(1000);
  window.push(T0, 1, 2, 3);
  window.evict(T0 + 5000);
  assert.deepEqual(window.stats("v"), { count: 0, min: null, max: null, avg: null, std: null });
});

Deno.test("RollingWindow.values into a reused array: the same values, a view of it", () => {
  const window = new RollingWindow(60_000);
  for (let i = 0; i < 5000; i++) window.push(T0 + i, i, 2 * i, 3 * i);
  const scratch = new Float64Array(2048);
  for (const maxCount of [2048, 1000, Infinity]) {
    const fresh = window.values("a", maxCount);
    const reused = window.values("a", maxCount, scratch);
    assert.deepEqual([...reused], [...fresh]);
    // Large enough: written into the scratch array; too small (all 5000): a new one.
    assert.equal(reused.buffer === scratch.buffer, fresh.length <= scratch.length);
  }
});
