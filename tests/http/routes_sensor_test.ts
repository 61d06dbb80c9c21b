/**
 * `PUT /api/sensor/adc` over a fake {@link SensorControl}: the answer, validation,
 * a source without the setting, a device that does not answer, and the token.
 */
import assert from "node:assert/strict";
import { sensorControl } from "../../src/adapters.ts";
import type { SensorControl } from "../../src/http/routes_sensor.ts";
import { MockSource } from "../../src/sources/mock.ts";
import { type AdcState, DeviceCommandError } from "../../src/sources/source.ts";
import { errorBody } from "../assertions.ts";
import { fakeApp } from "../fakes.ts";

/** An INA219 as the route sees it: records each call; `fail` makes the next one reject. */
class FakeSensor implements SensorControl {
  readonly type = "INA219";
  readonly hasAdc = true;
  calls: number[] = [];
  fail: Error | undefined;
  setAdcSamples(samples: number): Promise<AdcState> {
    this.calls.push(samples);
    if (this.fail) return Promise.reject(this.fail);
    return Promise.resolve({ adcSamples: samples, conversionTimeMs: 1.064 * samples });
  }
}

function put(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return {
    method: "PUT",
    headers: { "Content-Type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  };
}

Deno.test("PUT /api/sensor/adc sets the ADC averaging and answers the setting in force", async () => {
  const sensor = new FakeSensor();
  const { app } = fakeApp({ sensor });
  const res = await app.request("/api/sensor/adc", put({ samples: 4 }));
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { status: "ok", adc_samples: 4, conversion_time_ms: 4.256 });
  assert.deepEqual(sensor.calls, [4]);
});

Deno.test("PUT /api/sensor/adc refuses a count that is not 1, 2, 4 … 128 with a 400 and changes nothing", async (t) => {
  const sensor = new FakeSensor();
  const { app } = fakeApp({ sensor });
  for (
    const body of [{ samples: 3 }, { samples: 0 }, { samples: 256 }, { samples: "4" }, {}, {
      samples: 4,
      extra: 1,
    }, "{"]
  ) {
    await t.step(JSON.stringify(body), async () => {
      const res = await app.request("/api/sensor/adc", put(body));
      assert.equal(res.status, 400);
      const { issues } = await errorBody(res);
      if (typeof body !== "string") assert.ok(issues.length > 0, "says what is wrong");
    });
  }
  assert.deepEqual(sensor.calls, []);
});

Deno.test("PUT /api/sensor/adc is a 409 for a source without an ADC setting (the mock, serial)", async () => {
  for (const over of [{}, { sensor: sensorControl(new MockSource({ seed: 1 })) }]) {
    const { app } = fakeApp(over);
    const res = await app.request("/api/sensor/adc", put({ samples: 4 }));
    assert.equal(res.status, 409);
    const body = await errorBody(res);
    assert.match(body.error, /has no ADC setting/);
  }
});

Deno.test("PUT /api/sensor/adc: a refusal is a 400, no answer a 504, a restarting thread a 502", async () => {
  const sensor = new FakeSensor();
  const { app } = fakeApp({ sensor });
  sensor.fail = new RangeError("Invalid ADC sample count 4: must be 1, 2, 4, … or 128");
  assert.equal((await app.request("/api/sensor/adc", put({ samples: 4 }))).status, 400);
  sensor.fail = new DeviceCommandError("timeout", "The acquisition thread did not answer", "late");
  let res = await app.request("/api/sensor/adc", put({ samples: 4 }));
  assert.equal(res.status, 504);
  assert.deepEqual(await res.json(), {
    error: "The acquisition thread did not answer",
    issues: [{ path: "samples", message: "late" }],
    failure: "timeout",
  });
  sensor.fail = new DeviceCommandError("gone", "The acquisition thread is restarting", "gone");
  res = await app.request("/api/sensor/adc", put({ samples: 4 }));
  assert.equal(res.status, 502);
  await res.body?.cancel();
});

Deno.test("PUT /api/sensor/adc needs the token when API_TOKEN is set", async () => {
  const sensor = new FakeSensor();
  const { app } = fakeApp({
    sensor,
    security: { apiToken: "secret-token-1", readTokenRequired: false, allowedOrigins: [] },
  });
  const res = await app.request("/api/sensor/adc", put({ samples: 4 }));
  assert.equal(res.status, 401);
  await res.body?.cancel();
  assert.deepEqual(sensor.calls, []);
  const ok = await app.request(
    "/api/sensor/adc",
    put({ samples: 8 }, { Authorization: "Bearer secret-token-1" }),
  );
  assert.equal(ok.status, 200);
  await ok.body?.cancel();
  assert.deepEqual(sensor.calls, [8]);
});
