/** `GET /metrics`: parsed as Prometheus would, checked name by name. */
import assert from "node:assert/strict";
import { loadConfig } from "../../src/config.ts";
import { createCore, type MonitorCore } from "../../src/monitor.ts";
import { parse } from "./exposition.ts";

const TOKEN = "secret-token-1";

async function withCore(env: Record<string, string>, fn: (core: MonitorCore) => Promise<void>) {
  const core = createCore(
    loadConfig({ DB_PATH: ":memory:", MOCK_SEED: "1", ...env }, []),
    "test",
    () => {},
  );
  try {
    await fn(core);
  } finally {
    core.store.close();
  }
}

Deno.test("GET /metrics exposes every figure in base units with conventional names", async () => {
  await withCore({}, async ({ app, pipeline }) => {
    const t0 = Date.now() - 10_000;
    for (let i = 0; i < 5; i++) {
      pipeline.onSample({
        tsMs: t0 + i * 1000,
        seq: i + 1,
        v: 5,
        a: 0.6,
        w: 3,
        status: "ok",
        mode: "LOAD_SPIKE",
      });
    }
    pipeline.onSample({
      tsMs: t0 + 5000,
      seq: 6,
      v: 0,
      a: 0,
      w: 0,
      status: "error",
      mode: "ERROR_TEST",
      error: "x",
    });
    const res = await app.request("/metrics");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    const families = parse(await res.text());
    const value = (name: string) => {
      const f = families.get(name);
      assert.ok(f, `${name} is exposed`);
      assert.ok(f.help.length > 0, `${name} has HELP`);
      return f.samples[0].value;
    };
    const expect: [string, string, number | ((x: number) => boolean)][] = [
      ["ina219_bus_voltage_volts", "gauge", 5],
      ["ina219_current_amperes", "gauge", 0.6],
      ["ina219_power_watts", "gauge", 3],
      ["ina219_energy_joules_total", "counter", 12], // 3 W for 4 s
      ["ina219_charge_coulombs_total", "counter", (x) => Math.abs(x - 2.4) < 1e-9],
      ["ina219_samples_total", "counter", 6],
      ["ina219_sensor_errors_total", "counter", 1],
      ["ina219_sequence_gaps_total", "counter", 0],
      ["ina219_sensor_up", "gauge", 0], // not sampling
      ["ina219_websocket_clients", "gauge", 0],
      ["ina219_websocket_slow_client_skips_total", "counter", 0],
      ["ina219_websocket_slow_client_closes_total", "counter", 0],
      ["ina219_database_rows", "gauge", (x) => x >= 0],
      ["ina219_database_size_bytes", "gauge", (x) => x >= 0],
      ["process_resident_memory_bytes", "gauge", (x) => x > 10_000_000],
    ];
    for (const [name, type, want] of expect) {
      assert.equal(families.get(name)?.type, type, `${name} type`);
      const got = value(name);
      if (typeof want === "number") assert.equal(got, want, name);
      else assert.ok(want(got), `${name} = ${got}`);
    }
    // A single-sensor monitor is one channel, `main`: its series carry the label, the
    // process, WebSocket and database ones none.
    for (const [name, f] of families) {
      const global = /^(process_|ina219_websocket_|ina219_database_)/.test(name);
      for (const s of f.samples) {
        if (global) assert.deepEqual(s.labels, {}, name);
        else assert.equal(s.labels.channel, "main", name);
      }
    }
    assert.deepEqual(families.get("ina219_channel_info")!.samples, [{
      labels: { channel: "main", label: "main", kind: "measured", sensor: "mock" },
      value: 1,
    }]);
    assert.equal(families.get("ina219_sample_rate_hertz")?.type, "gauge");
    const alerts = families.get("ina219_alert_active")!;
    assert.deepEqual(alerts.samples, [
      { labels: { channel: "main", metric: "a", severity: "danger" }, value: 1 },
      { labels: { channel: "main", metric: "w", severity: "danger" }, value: 1 },
    ]);
    // Counters never go down between scrapes, and keep counting.
    pipeline.onSample({
      tsMs: t0 + 7000,
      seq: 7,
      v: 5,
      a: 0.6,
      w: 3,
      status: "ok",
      mode: "NORMAL",
    });
    const again = parse(await (await app.request("/metrics")).text());
    assert.equal(again.get("ina219_samples_total")!.samples[0].value, 7);
  });
});

Deno.test("GET /metrics needs the token when one is set, and can be turned off", async () => {
  await withCore({ API_TOKEN: TOKEN }, async ({ app }) => {
    let res = await app.request("/metrics");
    assert.equal(res.status, 401);
    assert.equal(typeof (await res.json()).error, "string");
    res = await app.request("/metrics", { headers: { Authorization: `Bearer ${TOKEN}` } });
    assert.equal(res.status, 200);
    await res.body?.cancel();
  });
  await withCore({ METRICS_ENABLED: "false" }, async ({ app }) => {
    const res = await app.request("/metrics");
    assert.equal(res.status, 404);
    await res.body?.cancel();
  });
});
