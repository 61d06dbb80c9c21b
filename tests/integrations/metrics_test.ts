/** `GET /metrics`: parsed as Prometheus would, checked name by name. */
import assert from "node:assert/strict";
import { loadConfig } from "../../src/config.ts";
import { createCore, type MonitorCore } from "../../src/monitor.ts";

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

interface Family {
  type: string;
  help: string;
  samples: { labels: Record<string, string>; value: number }[];
}

/** Parses the text exposition format strictly enough to catch a malformed line. */
function parse(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const family = (name: string) => {
    let f = families.get(name);
    if (!f) families.set(name, f = { type: "", help: "", samples: [] });
    return f;
  };
  for (const line of text.split("\n")) {
    if (line === "") continue;
    let m = line.match(/^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/);
    if (m) {
      if (m[1] === "HELP") family(m[2]).help = m[3];
      else family(m[2]).type = m[3];
      continue;
    }
    m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})? (\S+)$/);
    assert.ok(m, `malformed line: ${line}`);
    const labels = Object.fromEntries(
      (m[3] ?? "").split(",").filter(Boolean).map((kv) => {
        const [k, v] = kv.split("=");
        return [k, JSON.parse(v)];
      }),
    );
    const value = Number(m[4]);
    assert.ok(!Number.isNaN(value), `value of ${line}`);
    family(m[1]).samples.push({ labels, value });
  }
  return families;
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
    const alerts = families.get("ina219_alert_active")!;
    assert.deepEqual(alerts.samples, [{ labels: { metric: "a", severity: "danger" }, value: 1 }, {
      labels: { metric: "w", severity: "danger" },
      value: 1,
    }]);
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
