/**
 * Tests of src/http/routes_span.ts through `app.request()` over a fake store: figures and
 * validation. On the real assembly: tests/integration/span_test.ts.
 * @module
 */
import assert from "node:assert/strict";
import { OpenAPIHono } from "@hono/zod-openapi";
import { validationHook } from "../../src/http/errors.ts";
import { spanRoutes } from "../../src/http/routes_span.ts";
import { singleChannel } from "../../src/http/route_helpers.ts";
import { ErrorBody } from "../../src/protocol/common.ts";
import { SpanResponse } from "../../src/protocol/span.ts";

const DAY = 86_400_000;
const NOW = 1_767_225_600_000;

/** The route over a fake store that records what it was asked. */
function fakeApp() {
  const calls: [number, number][] = [];
  const app = new OpenAPIHono({ defaultHook: validationHook });
  spanRoutes(app, {
    span: singleChannel((fromMs: number, toMs: number): SpanResponse => {
      calls.push([fromMs, toMs]);
      const stat = { min: 1, max: 2, avg: 1.5, p2p: 1, rms: 1.6, sd: 0.5 };
      return {
        from_ms: fromMs,
        to_ms: toMs,
        duration_ms: toMs - fromMs,
        count: 3,
        errors: 0,
        v: stat,
        a: stat,
        w: stat,
        energy_j: 3600,
        energy_wh: 1,
        charge_c: 3600,
        charge_ah: 1,
        source: {
          exact: true,
          from_ms: fromMs,
          to_ms: toMs,
          parts: [{ source: "raw", from_ms: fromMs, to_ms: toMs }],
          steps_unknown: 0,
        },
      };
    }),
    keptMs: 30 * DAY,
    now: () => NOW,
  });
  return { app, calls };
}

Deno.test("GET /api/span answers the store's figures for [from, to)", async () => {
  const { app, calls } = fakeApp();
  const res = await app.request(`/api/span?from=${NOW - 72}&to=${NOW}`);
  assert.equal(res.status, 200);
  const body = SpanResponse.parse(await res.json());
  assert.equal(body.duration_ms, 72);
  assert.deepEqual(calls, [[NOW - 72, NOW]]);
});

Deno.test("GET /api/span refuses bad spans with a 400 and asks the store nothing", async (t) => {
  const cases: [string, string, RegExp][] = [
    ["missing to", `from=${NOW - 1000}`, /to/],
    ["missing from", `to=${NOW}`, /from/],
    ["from = to", `from=${NOW}&to=${NOW}`, /before/],
    ["from > to", `from=${NOW}&to=${NOW - 1}`, /before/],
    ["fractional", `from=${NOW - 1000}.5&to=${NOW}`, /integer/i],
    ["not a number", `from=yesterday&to=${NOW}`, /epoch milliseconds/],
    ["negative", `from=-5&to=${NOW}`, /before 1970/],
    ["longer than the data kept", `from=${NOW - 31 * DAY}&to=${NOW}`, /at most/],
    ["older than the data kept", `from=${NOW - 40 * DAY}&to=${NOW - 39 * DAY}`, /kept/],
  ];
  const { app, calls } = fakeApp();
  for (const [name, query, message] of cases) {
    await t.step(name, async () => {
      const res = await app.request(`/api/span?${query}`);
      assert.equal(res.status, 400);
      const body = ErrorBody.parse(await res.json());
      assert.ok(body.issues.length > 0);
      assert.match(body.issues.map((i) => `${i.path}: ${i.message}`).join("; "), message);
    });
  }
  assert.deepEqual(calls, []);
});

Deno.test("GET /api/span?capacity_mah= adds battery life; nominal_v alone is 400", async () => {
  const { app } = fakeApp();
  const res = await app.request(`/api/span?from=${NOW - 72}&to=${NOW}&capacity_mah=3&nominal_v=2`);
  assert.equal(res.status, 200);
  const body = SpanResponse.parse(await res.json());
  // The fake's average current and power are 1.5 (A, W).
  assert.equal(body.battery!.runtime_h_from_current, 0.003 / 1.5);
  assert.equal(body.battery!.runtime_h_from_energy, 0.003 * 2 / 1.5);
  assert.match(body.battery!.assumption, /No chemistry model/);
  const plain = SpanResponse.parse(
    await (await app.request(`/api/span?from=${NOW - 72}&to=${NOW}`)).json(),
  );
  assert.equal(plain.battery, undefined);
  const bad = await app.request(`/api/span?from=${NOW - 72}&to=${NOW}&nominal_v=2`);
  assert.equal(bad.status, 400);
  assert.equal(ErrorBody.parse(await bad.json()).issues[0].path, "nominal_v");
  assert.equal(
    (await app.request(`/api/span?from=${NOW - 72}&to=${NOW}&capacity_mah=-1`)).status,
    400,
  );
});
