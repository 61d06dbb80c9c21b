/**
 * `/metrics` with several channels: a `channel` label on every per-channel series, derived
 * figures apart, checked by the real promtool and scraped by a real Prometheus.
 */
import assert from "node:assert/strict";
import {
  createMetrics,
  type GlobalMetricsSource,
  type MetricsChannel,
} from "../../src/integrations/metrics.ts";
import { poll } from "../daemon.ts";
import { prometheusAvailable, PrometheusServer, promtoolCheck } from "../prometheus.ts";
import { parse } from "./exposition.ts";

const ignore = !prometheusAvailable();

const GLOBAL: GlobalMetricsSource = {
  websocketClients: () => 3,
  slowClientSkips: () => 0,
  slowClientCloses: () => 0,
  databaseRows: () => 1000,
  databaseBytes: () => 65536,
  databaseDropped: () => 0,
};

function measured(name: string, sensor: string, w: number, samples: number): MetricsChannel {
  return {
    name,
    label: `Rail "${name}", 5 V`, // quotes and a comma: label values must be escaped
    kind: "measured",
    sensor,
    metrics: {
      last: () => ({ v: 5, a: w / 5, w }),
      totals: () => ({ energyJ: w * 10, chargeC: w * 2 }),
      samplesTotal: () => samples,
      sensorErrorsTotal: () => 0,
      sequenceGapsTotal: () => 0,
      sensorUp: () => true,
      sampleRateHz: () => 250,
      sampleIntervalS: () => 0.004,
      activeAlerts: () => name === "out" ? [{ metric: "w", severity: "warning" }] : [],
    },
  };
}

const CHANNELS: MetricsChannel[] = [
  measured("in", "ina219", 10, 100),
  measured("out", "ina226", 9, 90),
  {
    name: "reg",
    label: "Regulator",
    kind: "derived",
    sensor: "efficiency",
    metrics: { last: () => ({ v: 0, a: 0, w: 9, efficiency: 0.9, lossW: 1 }) },
  },
];

Deno.test("createMetrics() labels every per-channel series with its channel, and no global one", async () => {
  const families = parse(await createMetrics(CHANNELS, GLOBAL).render());
  const byChannel = (name: string) =>
    Object.fromEntries(families.get(name)!.samples.map((s) => [s.labels.channel, s.value]));
  assert.deepEqual(byChannel("ina219_power_watts"), { in: 10, out: 9 }, "measured only");
  assert.deepEqual(byChannel("ina219_bus_voltage_volts"), { in: 5, out: 5 });
  assert.deepEqual(byChannel("ina219_current_amperes"), { in: 2, out: 1.8 });
  assert.deepEqual(byChannel("ina219_energy_joules_total"), { in: 100, out: 90 });
  assert.deepEqual(byChannel("ina219_samples_total"), { in: 100, out: 90 });
  assert.deepEqual(byChannel("ina219_sensor_errors_total"), { in: 0, out: 0 });
  assert.deepEqual(byChannel("ina219_sample_rate_hertz"), { in: 250, out: 250 });
  assert.deepEqual(byChannel("ina219_sensor_up"), { in: 1, out: 1 });
  assert.deepEqual(byChannel("ina219_sample_interval_seconds"), { in: 0.004, out: 0.004 });
  assert.deepEqual(byChannel("ina219_derived_power_watts"), { reg: 9 });
  assert.deepEqual(byChannel("ina219_derived_efficiency_ratio"), { reg: 0.9 });
  assert.deepEqual(byChannel("ina219_derived_loss_watts"), { reg: 1 });
  assert.deepEqual(families.get("ina219_alert_active")!.samples, [
    { labels: { channel: "out", metric: "w", severity: "warning" }, value: 1 },
  ]);
  assert.deepEqual(
    families.get("ina219_channel_info")!.samples.map((s) => s.labels),
    [
      { channel: "in", label: 'Rail "in", 5 V', kind: "measured", sensor: "ina219" },
      { channel: "out", label: 'Rail "out", 5 V', kind: "measured", sensor: "ina226" },
      { channel: "reg", label: "Regulator", kind: "derived", sensor: "efficiency" },
    ],
  );
  for (const [name, f] of families) {
    const global = /^(process_|ina219_websocket_|ina219_database_)/.test(name);
    for (const s of f.samples) {
      if (global) assert.deepEqual(s.labels, {}, name);
      else assert.ok(s.labels.channel, `${name} has a channel label`);
    }
  }
  assert.equal(families.get("ina219_websocket_clients")!.samples[0].value, 3);
});

Deno.test("createMetrics() counters keep counting per channel between scrapes", async () => {
  let inSamples = 5;
  const channels = [
    { ...CHANNELS[0], metrics: { ...CHANNELS[0].metrics, samplesTotal: () => inSamples } },
    CHANNELS[1],
  ];
  const metrics = createMetrics(channels, GLOBAL);
  await metrics.render();
  inSamples = 12;
  const samples = parse(await metrics.render()).get("ina219_samples_total")!.samples;
  assert.deepEqual(samples.map((s) => [s.labels.channel, s.value]), [["in", 12], ["out", 90]]);
});

Deno.test({
  name: "createMetrics() with three channels passes promtool check metrics",
  ignore,
  async fn() {
    const text = await createMetrics(CHANNELS, GLOBAL).render();
    const { code, output } = await promtoolCheck(text);
    assert.equal(code, 0, output);
    assert.equal(output.trim(), "", "no lint complaints");
    // promtool does complain about a bad exposition: the check can fail.
    const bad = await promtoolCheck('# TYPE x counter\nx{channel="a"} 1\n');
    assert.notEqual(bad.code, 0);
  },
});

Deno.test({
  name: "a real Prometheus scrape sees every channel's series by their channel label",
  ignore,
  async fn() {
    const metrics = createMetrics(CHANNELS, GLOBAL);
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      async () =>
        new Response(await metrics.render(), { headers: { "content-type": metrics.contentType } }),
    );
    const prometheus = new PrometheusServer();
    try {
      await prometheus.start(`127.0.0.1:${server.addr.port}`);
      const channelsOf = async (promql: string) =>
        (await prometheus.query(promql)).map((r) => r.metric.channel).sort();
      await poll(
        "both measured channels scraped",
        async () => (await channelsOf("ina219_power_watts")).length === 2,
        30_000,
      );
      assert.deepEqual(await channelsOf("ina219_power_watts"), ["in", "out"]);
      assert.deepEqual(await channelsOf("ina219_samples_total"), ["in", "out"]);
      assert.deepEqual(await channelsOf("ina219_derived_efficiency_ratio"), ["reg"]);
      const total = await prometheus.query("sum(ina219_power_watts)");
      assert.equal(total[0].value, 19, "derived power is not summed with measured power");
      const up = await prometheus.query('up{job="ina219"}');
      assert.equal(up[0].value, 1);
    } finally {
      await prometheus.dispose();
      await server.shutdown();
    }
  },
});
