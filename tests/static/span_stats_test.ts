/** Tests of static/span_stats.js: how a span's source is described (Deno, no browser). */
import assert from "node:assert/strict";
import { describeSpanSource } from "../../static/span_stats.js";

const T0 = 1_700_000_000_000;

Deno.test("describeSpanSource() names what the server read and why a span is not exact", () => {
  const part = (source: "raw" | "100ms" | "1s" | "1m", from_ms: number, to_ms: number) => ({
    source,
    from_ms,
    to_ms,
  });
  const stat = { min: 1, max: 1, avg: 1, p2p: 0, rms: 1, sd: 0 };
  const span = {
    from_ms: T0 + 7,
    to_ms: T0 + 1207,
    duration_ms: 1200,
    count: 1200,
    errors: 0,
    v: stat,
    a: stat,
    w: stat,
    energy_j: 1.2,
    energy_wh: 1.2 / 3600,
    charge_c: 1.2,
    charge_ah: 1.2 / 3600,
    source: {
      exact: true,
      from_ms: T0 + 7,
      to_ms: T0 + 1207,
      parts: [part("raw", T0 + 7, T0 + 100), part("100ms", T0 + 100, T0 + 1200)],
      steps_unknown: 0,
    },
  };
  assert.equal(
    describeSpanSource(span),
    "Exact to the sample, from raw samples, 100 ms rollups.",
  );
  const old = {
    ...span,
    source: {
      ...span.source,
      exact: false,
      from_ms: T0 + 60_000,
      parts: [part("1m", T0 + 60_000, T0 + 120_000)],
    },
  };
  assert.match(
    describeSpanSource(old, (ms) => String(ms - T0)),
    /^Not exact \(older than the raw data kept, so whole minutes: 60000 → 1207\), from per-minute/,
  );
  const unknown = { ...span, source: { ...span.source, exact: false, steps_unknown: 3 } };
  assert.match(describeSpanSource(unknown), /energy of 3 samples unknown/);
});
