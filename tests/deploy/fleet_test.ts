/**
 * A fleet for real: three monitors (main.ts in child processes, mock sensors at 20 Hz), and
 * Debian's Prometheus running the shipped deploy/prometheus configuration (only the scrape
 * and evaluation intervals shortened to 1 s, and the token lines uncommented: the monitors
 * have an API_TOKEN) with file-based targets carrying a `device` label. Its HTTP API must
 * show each device's series with the right labels and values that agree with each
 * monitor's own answers; every Grafana panel's query must return data.
 */
import assert from "node:assert/strict";
import { parse, stringify } from "yaml";
import { Daemon, LISTENING, poll } from "../daemon.ts";
import { prometheusAvailable, PrometheusServer, promtoolCheck } from "../prometheus.ts";
import { loadDashboard, parseLabelValues, regexValue, substitute } from "./grafana.ts";

const DEPLOY = new URL("../../deploy/prometheus/", import.meta.url).pathname;
const INTERVAL_MS = 50;
/** The fleet's token (docs/fleet.md: one for every monitor of the scrape job). */
const TOKEN = "fleet-token-1";
const AUTH = { Authorization: `Bearer ${TOKEN}` };

/** The three monitors: one channel; two measured and a derived one; one in LOAD_SPIKE. */
const FLEET: { device: string; env: Record<string, string>; channels: string[] }[] = [
  { device: "pi-1", env: {}, channels: ["main"] },
  {
    device: "pi-2",
    env: {
      CHANNELS: JSON.stringify([
        { name: "a", sensor: "mock", mock_seed: 1, sample_interval_ms: INTERVAL_MS },
        { name: "b", sensor: "mock", mock_seed: 2, sample_interval_ms: INTERVAL_MS },
        { name: "eff", derived: "efficiency", input: "a", output: "b" },
      ]),
    },
    channels: ["a", "b"],
  },
  { device: "pi-3", env: { MOCK_MODE: "LOAD_SPIKE" }, channels: ["main"] },
];

interface Monitor {
  device: string;
  channels: string[];
  daemon: Daemon;
  dataDir: string;
  url: string;
  address: string;
}

async function startMonitor(spec: (typeof FLEET)[number]): Promise<Monitor> {
  const dataDir = await Deno.makeTempDir({ prefix: `ina219-${spec.device}-` });
  const daemon = new Daemon({
    PORT: "0",
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    MOCK_SEED: "1",
    MOCK_AUTO_ROTATE_S: "0",
    SAMPLE_INTERVAL_MS: String(INTERVAL_MS),
    STATUS_INTERVAL_S: "0",
    FLUSH_INTERVAL_MS: "100",
    API_TOKEN: TOKEN,
    ...spec.env,
  });
  const monitor = { ...spec, daemon, dataDir, url: "", address: "" };
  try {
    const [, port] = await daemon.waitFor(LISTENING);
    monitor.address = `127.0.0.1:${port}`;
    monitor.url = `http://${monitor.address}`;
    return monitor;
  } catch (error) {
    await stopMonitor(monitor);
    throw error;
  }
}

async function stopMonitor(m: Monitor): Promise<void> {
  if (m.daemon.running) m.daemon.kill("SIGTERM");
  await m.daemon.finish(5000);
  await Deno.remove(m.dataDir, { recursive: true });
}

// deno-lint-ignore no-explicit-any
async function getJson(url: string, init?: RequestInit): Promise<any> {
  const res = await fetch(url, { ...init, headers: AUTH });
  assert.equal(res.status, 200, `${url}: ${res.status}`);
  return await res.json();
}

/** The shipped configuration and rules with 1 s intervals, and targets for `monitors`, in `dir`. */
async function writeConfig(dir: string, monitors: Monitor[]): Promise<string> {
  await Deno.mkdir(`${dir}/rules`);
  await Deno.mkdir(`${dir}/targets`);
  // The rules as shipped; a group's own interval (the daily energy's 1 m) becomes 1 s too.
  for (const e of Deno.readDirSync(`${DEPLOY}/rules`)) {
    const rules = parse(await Deno.readTextFile(`${DEPLOY}/rules/${e.name}`));
    for (const group of rules.groups) if (group.interval) group.interval = "1s";
    await Deno.writeTextFile(`${dir}/rules/${e.name}`, stringify(rules));
  }
  const config = parse(await Deno.readTextFile(`${DEPLOY}/prometheus.yml`));
  assert.equal(config.global.scrape_interval, "15s", "the shipped interval");
  config.global = { scrape_interval: "1s", scrape_timeout: "1s", evaluation_interval: "1s" };
  const sd = config.scrape_configs[0].file_sd_configs[0];
  assert.deepEqual(sd.files, ["targets/*.json"]);
  sd.refresh_interval = "1s";
  // The token as the comment in prometheus.yml says: a file, and its two lines uncommented.
  const scrape = config.scrape_configs[0];
  const shipped = await Deno.readTextFile(`${DEPLOY}/prometheus.yml`);
  assert.match(
    shipped,
    /# authorization:\n\s+# {3}credentials_file: \/etc\/prometheus\/ina219\.token/,
  );
  scrape.authorization = { credentials_file: `${dir}/ina219.token` };
  await Deno.writeTextFile(`${dir}/ina219.token`, `${TOKEN}\n`);
  const conf = `${dir}/prometheus.yml`;
  await Deno.writeTextFile(conf, stringify(config));
  // The shipped example lists hosts that do not exist here: the test writes its own file.
  const example = JSON.parse(await Deno.readTextFile(`${DEPLOY}/targets/example.json`));
  assert.ok(example.every((g: { labels: { device?: string } }) => g.labels.device));
  await Deno.writeTextFile(
    `${dir}/targets/fleet.json`,
    JSON.stringify(monitors.map((m) => ({ targets: [m.address], labels: { device: m.device } }))),
  );
  return conf;
}

Deno.test({
  name: "Prometheus with deploy/prometheus scrapes three monitors and agrees with them",
  ignore: !prometheusAvailable(),
  async fn(t) {
    const monitors: Monitor[] = [];
    const prometheus = new PrometheusServer();
    try {
      const started = await Promise.allSettled(FLEET.map(startMonitor));
      for (const s of started) if (s.status === "fulfilled") monitors.push(s.value);
      for (const s of started) if (s.status === "rejected") throw s.reason;
      await prometheus.run(await writeConfig(prometheus.dir, monitors));
      const q = (promql: string) => prometheus.query(promql);
      const byDevice = async (promql: string) => {
        const out: Record<string, string[]> = {};
        for (const r of await q(promql)) (out[r.metric.device] ??= []).push(r.metric.channel);
        for (const list of Object.values(out)) list.sort();
        return out;
      };
      await poll("three monitors up, recording and alert rules evaluated", async () => {
        const up = await q('up{job="ina219"} == 1');
        // Each recording rule group once (hourly, daily, averages), the spike seen by both.
        const hourly = await q("device_channel:ina219_energy_watt_hours:increase1h");
        const daily = await q("device_channel:ina219_energy_watt_hours:increase1d");
        const average = await q("device_channel:ina219_power_watts:rate1m");
        const pending = await q('ALERTS{alertname="Ina219CurrentHigh", device="pi-3"}');
        const raised = await q('ina219_alert_active{device="pi-3"}');
        return up.length === 3 && hourly.length === 4 && daily.length === 4 &&
          average.length === 4 &&
          pending.length === 1 && raised.length > 0;
      }, 20_000);

      await t.step("every monitor's /metrics passes promtool check metrics", async () => {
        for (const m of monitors) {
          const { code, output } = await promtoolCheck(
            await (await fetch(`${m.url}/metrics`, { headers: AUTH })).text(),
          );
          assert.equal(code, 0, `${m.device}: ${output}`);
          assert.equal(output.trim(), "", `${m.device}: no lint complaints`);
        }
      });

      await t.step("each device's series carry device, instance and channel labels", async () => {
        const want = Object.fromEntries(FLEET.map((f) => [f.device, f.channels]));
        for (
          const name of [
            "ina219_bus_voltage_volts",
            "ina219_current_amperes",
            "ina219_power_watts",
            "ina219_energy_joules_total",
            "ina219_sensor_up",
            "ina219_sample_interval_seconds",
          ]
        ) assert.deepEqual(await byDevice(name), want, name);
        const all = { ...want, "pi-2": ["a", "b", "eff"] };
        for (const name of ["ina219_channel_info", "ina219_samples_total"]) {
          assert.deepEqual(await byDevice(name), all, name);
        }
        assert.deepEqual(await byDevice("ina219_derived_power_watts"), { "pi-2": ["eff"] });
        for (const r of await q('up{job="ina219"}')) {
          const m = monitors.find((m) => m.device === r.metric.device)!;
          assert.equal(r.metric.instance, m.address, "the device label names the right target");
        }
        // No series of a monitor lacks its device; no per-channel one lacks its channel.
        assert.deepEqual(await q('{job="ina219", device=""}'), []);
        assert.deepEqual(
          await q(
            '{__name__=~"ina219_(bus|current|power|energy|sample|sensor|alert).*", channel=""}',
          ),
          [],
        );
        // The rule files are the shipped ones, loaded whole.
        const groups = (await prometheus.api("rules") as { groups: { name: string }[] }).groups;
        assert.deepEqual(groups.map((g) => g.name).sort(), [
          "ina219-averages",
          "ina219-energy",
          "ina219-energy-daily",
          "ina219-health",
          "ina219-rails",
        ]);
      });

      await t.step(
        "alerts: the monitor's own and Prometheus's rules see pi-3's spike",
        async () => {
          const monitorAlerts = await q('ina219_alert_active{device="pi-3", metric="a"}');
          assert.equal(monitorAlerts[0]?.metric.severity, "danger");
          const active = await getJson(`${monitors[2].url}/api/alerts/active`);
          assert.ok(JSON.stringify(active).includes('"danger"'), JSON.stringify(active));
          const alerts = await q('ALERTS{alertname="Ina219CurrentHigh", device="pi-3"}');
          assert.equal(alerts[0].metric.severity, "danger");
          assert.equal(alerts[0].metric.channel, "main");
          assert.deepEqual(
            // pi-1 and pi-2 run the mock's NORMAL mode: 5 V, about 0.25 A and 1.3 W.
            await q('ALERTS{device=~"pi-1|pi-2", alertname=~"Ina219(Voltage|Current|Power).*"}'),
            [],
          );
        },
      );

      await t.step("every Grafana panel's query returns data", async () => {
        const dashboard = loadDashboard();
        const values: Record<string, string> = {};
        for (const v of dashboard.templating.list.filter((v) => v.type === "query")) {
          const { match, label } = parseLabelValues(substitute(v.query, values, "1m"));
          const found = await prometheus.api(
            `label/${label}/values?match[]=${encodeURIComponent(match)}`,
          ) as string[];
          assert.ok(found.length > 0, `variable ${v.name}: no values`);
          values[v.name] = regexValue(found);
        }
        assert.equal(values.device, "(pi-1|pi-2|pi-3)");
        assert.equal(values.channel, "(a|b|eff|main)");
        const end = Date.now() / 1000;
        for (const panel of dashboard.panels) {
          for (const target of panel.targets!) {
            // $__rate_interval: Grafana's 4 × the scrape interval (15 s in production).
            const expr = substitute(target.expr, values, "4s");
            const path = target.instant
              ? `query?query=${encodeURIComponent(expr)}`
              : `query_range?query=${encodeURIComponent(expr)}&start=${end - 20}&end=${end}&step=1`;
            const data = await prometheus.api(path) as { result: unknown[] };
            assert.ok(
              data.result.length > 0,
              `${panel.title} ${target.refId}: ${expr} has no data`,
            );
          }
        }
      });

      await t.step("sample rate and interval agree with /status", async () => {
        for (const m of monitors) {
          const rates = await q(`ina219_sample_rate_hertz{device="${m.device}"}`);
          const times = await q(`timestamp(ina219_sample_rate_hertz{device="${m.device}"})`);
          const status = await getJson(`${m.url}/status`);
          const lagS = Date.now() / 1000 - times[0].value;
          for (const ch of status.channels.filter((c: { kind: string }) => c.kind === "measured")) {
            const scraped = rates.find((r) => r.metric.channel === ch.name)!.value;
            // The monitor's rate counts the last 10 whole seconds, so it moves by at most
            // one second's samples (20 at 20 Hz: 2 Hz) per second; the scrape is lagS old.
            const tolerance = (Math.ceil(lagS) + 1) * (1000 / ch.interval_ms) / 10 + 0.1;
            assert.ok(
              Math.abs(scraped - ch.sample_rate_hz) <= tolerance,
              `${m.device}/${ch.name}: scraped ${scraped} Hz, /status ${ch.sample_rate_hz} Hz, lag ${lagS} s`,
            );
            const [interval] = await q(
              `ina219_sample_interval_seconds{device="${m.device}", channel="${ch.name}"}`,
            );
            assert.equal(interval.value, ch.interval_ms / 1000);
          }
        }
      });

      await t.step("stopped, the scraped counters and samples equal the monitor's", async () => {
        const stoppedS: Record<string, number> = {};
        for (const m of monitors) {
          await getJson(`${m.url}/simulator/stop`, { method: "POST" });
          stoppedS[m.device] = Date.now() / 1000;
        }
        // Once a scrape after the stop has landed (and the 100 ms flush has written the
        // last samples), nothing moves: the values must agree exactly, not within a lag.
        await poll("a scrape after the stop", async () => {
          const times = await q("timestamp(ina219_samples_total)");
          return times.length === 5 &&
            times.every((r) => r.value > stoppedS[r.metric.device] + 0.3);
        }, 10_000);
        for (const m of monitors) {
          const status = await getJson(`${m.url}/status`);
          for (const channel of m.channels) {
            const one = async (name: string) =>
              (await q(`${name}{device="${m.device}", channel="${channel}"}`))[0].value;
            const samples = await one("ina219_samples_total");
            const where = `${m.device}/${channel}`;
            if (channel === m.channels[0]) assert.equal(samples, status.samples_total, where);
            const span = await getJson(`${m.url}/api/power-efficiency?channel=${channel}`);
            assert.equal(samples, span.samples + span.errors, `${where}: samples`);
            const energyWh = (await one("ina219_energy_joules_total")) / 3600;
            // energy_wh is rounded to 1e-9 Wh; the two sum the same samples.
            assert.ok(
              Math.abs(energyWh - span.energy_wh) < 1e-6,
              `${where}: scraped ${energyWh} Wh, /api/power-efficiency ${span.energy_wh} Wh`,
            );
            const chargeAh = (await one("ina219_charge_coulombs_total")) / 3600;
            assert.ok(Math.abs(chargeAh - span.charge_ah) < 1e-6, `${where}: charge`);
            const [last] = (await getJson(
              `${m.url}/api/measurements?channel=${channel}&limit=1`,
            )).data;
            assert.equal(await one("ina219_bus_voltage_volts"), last.v, `${where}: V`);
            assert.equal(await one("ina219_current_amperes"), last.a, `${where}: A`);
            assert.equal(await one("ina219_power_watts"), last.w, `${where}: W`);
            assert.ok(last.w <= span.peak_power_w, `${where}: peak`);
            assert.equal(await one("ina219_sensor_up"), 0, `${where}: stopped is not up`);
          }
        }
      });
    } finally {
      await prometheus.dispose();
      await Promise.all(monitors.map(stopMonitor));
    }
  },
});
