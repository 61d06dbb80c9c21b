/**
 * deploy/grafana: the dashboard's JSON model and the provisioning files. Grafana itself is
 * not installable here, so this checks the fields Grafana needs; tests/deploy/fleet_test.ts
 * runs every panel's query against a real Prometheus.
 */
import assert from "node:assert/strict";
import { parse } from "yaml";
import { loadDashboard, parseLabelValues, regexValue, substitute } from "./grafana.ts";

const PROMETHEUS_VAR = { type: "prometheus", uid: "${datasource}" };

Deno.test("deploy/grafana/ina219-monitor.json is a dashboard model Grafana can import", () => {
  const d = loadDashboard();
  assert.equal(typeof d.title, "string");
  assert.match(d.uid, /^[a-zA-Z0-9_-]{1,40}$/, "uid: at most 40 characters");
  assert.ok(Number.isInteger(d.schemaVersion) && d.schemaVersion >= 36, "schemaVersion");
  assert.ok(d.time.from && d.time.to);
  const [datasource, ...vars] = d.templating.list;
  assert.deepEqual(
    [datasource.name, datasource.type, datasource.query],
    ["datasource", "datasource", "prometheus"],
  );
  assert.deepEqual(vars.map((v) => v.name), ["device", "channel"]);
  for (const v of vars) {
    assert.equal(v.type, "query");
    assert.deepEqual(v.datasource, PROMETHEUS_VAR, v.name);
    assert.equal(parseLabelValues(v.query).label, v.name);
    assert.ok(v.multi && v.includeAll, `${v.name}: several or all can be picked`);
    assert.equal(v.refresh, 2, `${v.name}: refreshed with the time range`);
  }
  const ids = new Set<number>();
  const cells = new Set<string>();
  for (const p of d.panels) {
    assert.ok(Number.isInteger(p.id) && !ids.has(p.id), `panel id ${p.id} unique`);
    ids.add(p.id);
    const { x, y, w, h } = p.gridPos;
    assert.ok(
      x >= 0 && w > 0 && x + w <= 24 && y >= 0 && h > 0,
      `${p.title}: on the 24-column grid`,
    );
    for (let i = x; i < x + w; i++) {
      for (let j = y; j < y + h; j++) {
        assert.ok(!cells.has(`${i},${j}`), `${p.title} overlaps another panel`);
        cells.add(`${i},${j}`);
      }
    }
    assert.deepEqual(p.datasource, PROMETHEUS_VAR, `${p.title}: the data source variable`);
    assert.ok(p.targets && p.targets.length > 0, `${p.title}: has queries`);
    const refIds = p.targets.map((t) => t.refId);
    assert.equal(new Set(refIds).size, refIds.length, `${p.title}: refIds unique`);
    for (const t of p.targets) {
      assert.deepEqual(t.datasource, PROMETHEUS_VAR, `${p.title} ${t.refId}`);
      assert.ok(t.expr.trim().length > 0, `${p.title} ${t.refId}: an expression`);
    }
  }
  // What the issue asks the dashboard to show.
  const exprs = d.panels.flatMap((p) => p.targets!.map((t) => t.expr)).join("\n");
  for (
    const metric of [
      "ina219_bus_voltage_volts",
      "ina219_current_amperes",
      "ina219_power_watts",
      "device_channel:ina219_energy_watt_hours:increase1d",
      "ina219_sample_rate_hertz",
      "ina219_alert_active",
      "ALERTS",
      'up{job="ina219"',
    ]
  ) assert.ok(exprs.includes(metric), `a panel shows ${metric}`);
});

Deno.test("substitute() writes variables as Grafana does, and refuses unknown ones", () => {
  assert.equal(regexValue(["pi-1", "a.b"]), "(pi-1|a\\.b)");
  assert.equal(regexValue(["pi-1"]), "pi-1");
  assert.equal(
    substitute('rate(x{device=~"$device", c=~"${channel}"}[$__rate_interval])', {
      device: "(a|b)",
      channel: "c",
    }, "1m"),
    'rate(x{device=~"(a|b)", c=~"c"}[1m])',
  );
  assert.throws(() => substitute('x{d=~"$nope"}', {}, "1m"), /Unknown variable \$nope/);
});

Deno.test("deploy/grafana/provisioning: a Prometheus data source and a file provider", () => {
  const dir = new URL("../../deploy/grafana/provisioning/", import.meta.url);
  const ds = parse(Deno.readTextFileSync(new URL("datasources/ina219-prometheus.yml", dir)));
  assert.equal(ds.apiVersion, 1);
  assert.equal(ds.datasources[0].type, "prometheus");
  assert.match(ds.datasources[0].url, /^https?:\/\//);
  const prometheus = parse(
    Deno.readTextFileSync(new URL("../../deploy/prometheus/prometheus.yml", import.meta.url)),
  );
  assert.equal(
    ds.datasources[0].jsonData.timeInterval,
    prometheus.global.scrape_interval,
    "Grafana's $__rate_interval is built from the scrape interval",
  );
  const boards = parse(Deno.readTextFileSync(new URL("dashboards/ina219.yml", dir)));
  assert.equal(boards.apiVersion, 1);
  assert.equal(boards.providers[0].type, "file");
  assert.ok(boards.providers[0].options.path.startsWith("/"));
});
