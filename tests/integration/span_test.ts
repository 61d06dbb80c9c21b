/**
 * A span on the real assembly: `/api/span` and `/api/power-efficiency` agree with the
 * samples to the millisecond. Route validation on a fake store: tests/http/routes_span_test.ts.
 * @module
 */
import assert from "node:assert/strict";
import { loadConfig } from "../../src/config.ts";
import { createCore } from "../../src/monitor.ts";
import { SpanResponse } from "../../src/protocol/span.ts";

Deno.test("GET /api/span and /api/power-efficiency count every sample of an unaligned span", async () => {
  const core = createCore(
    loadConfig({ MOCK_SEED: "1", DB_PATH: ":memory:", FLUSH_INTERVAL_MS: "60000" }, []),
  );
  try {
    // 3 s at 1 kHz, 2 W and 0.4 A: each sample after the first carries 2 mJ, 0.4 mC.
    const start = Math.floor(Date.now() / 1000) * 1000 - 10_000;
    for (let i = 0; i < 3000; i++) {
      core.pipeline.onSample({
        tsMs: start + i,
        seq: i + 1,
        v: 5,
        a: 0.4,
        w: 2,
        status: "ok",
        mode: "NORMAL",
      });
    }
    const from = start + 250;
    const to = from + 1440;
    const res = await core.app.request(`/api/span?from=${from}&to=${to}`);
    assert.equal(res.status, 200);
    const span = SpanResponse.parse(await res.json());
    assert.equal(span.count, 1440, "1.44 s at 1 kHz: 1440 samples, not 1000");
    assert.equal(span.source.exact, true);
    assert.ok(Math.abs(span.energy_j - 1440 * 0.002) < 1e-9, `energy ${span.energy_j}`);
    assert.ok(Math.abs(span.charge_c - 1440 * 0.0004) < 1e-9, `charge ${span.charge_c}`);
    assert.deepEqual([span.w.min, span.w.max, span.w.avg], [2, 2, 2]);

    const efficiency = await (await core.app.request(
      `/api/power-efficiency?from=${from}&to=${to}`,
    )).json();
    assert.equal(efficiency.samples, 1440, "the same planner answers the efficiency");
    assert.equal(efficiency.energy_wh, span.energy_wh);
    assert.equal(efficiency.charge_ah, span.charge_ah);

    const doc = await (await core.app.request("/openapi.json")).json();
    assert.deepEqual(
      doc.paths["/api/span"].get.responses["200"].content["application/json"].schema,
      { $ref: "#/components/schemas/Span" },
    );
    assert.ok(doc.paths["/api/span"].get.tags.includes("History"));
  } finally {
    core.store.close();
  }
});
