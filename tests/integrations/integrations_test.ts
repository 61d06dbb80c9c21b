/**
 * createIntegrations() over channel views: each channel's figures reach its own state
 * topic and `/metrics` series, derived ones marked, alerts routed by their channel.
 */
import assert from "node:assert/strict";
import { loadConfig } from "../../src/config.ts";
import {
  type ChannelView,
  createIntegrations,
  singleChannelParts,
} from "../../src/integrations/integrations.ts";
import type { MetricsSource } from "../../src/integrations/metrics.ts";
import type { AlertMessage } from "../../src/protocol/alerts.ts";
import { poll } from "../daemon.ts";
import { Broker, mosquittoAvailable, subscriber } from "../mosquitto.ts";
import { parse } from "./exposition.ts";

const ignore = !mosquittoAvailable();
const COUNTERS = {
  totalJ: 36_000,
  totalC: 7200,
  sinceResetJ: 3600,
  sinceResetC: 3600,
  resetAtMs: 0,
};
const GLOBAL = {
  websocketClients: () => 0,
  slowClientSkips: () => 0,
  slowClientCloses: () => 0,
  databaseRows: () => 0,
  databaseBytes: () => 0,
  databaseDropped: () => 0,
};

function measured(name: string, w: number): ChannelView {
  const last = { v: 5, a: w / 5, w, tsMs: 1000 };
  return {
    name,
    label: name,
    kind: "measured",
    sensor: "mock",
    metrics: { last: () => last },
    live: {
      last: () => last,
      energy: () => COUNTERS,
      sampling: () => "ok",
      mode: () => "NORMAL",
    },
  };
}
const REG: ChannelView = {
  name: "reg",
  label: "Regulator",
  kind: "derived",
  sensor: "efficiency",
  derived: "efficiency",
  metrics: { last: () => ({ v: 0, a: 0, w: 9, efficiency: 0.9, lossW: 1 }) },
  live: {
    last: () => ({ v: 0, a: 0, w: 9, efficiency: 0.9, lossW: 1, tsMs: 2000 }),
    sampling: () => "ok",
  },
};

Deno.test("createIntegrations() refuses an empty channel list", () => {
  const config = loadConfig({ DB_PATH: ":memory:" }, []);
  const parts = { channels: [], global: GLOBAL, onAlert() {}, version: "1" };
  assert.throws(() => createIntegrations(config, parts), RangeError);
});

Deno.test("singleChannelParts() makes today's single-sensor objects the one channel, main", async () => {
  const config = loadConfig({ DB_PATH: ":memory:" }, []);
  const source: MetricsSource = {
    ...GLOBAL,
    websocketClients: () => 4,
    last: () => ({ v: 5, a: 1, w: 5 }),
    totals: () => ({ energyJ: 1, chargeC: 1 }),
    samplesTotal: () => 7,
    sensorErrorsTotal: () => 0,
    sequenceGapsTotal: () => 0,
    sensorUp: () => true,
    activeAlerts: () => [],
  };
  const parts = singleChannelParts(config, {
    metrics: source,
    live: measured("x", 5).live,
    onAlert() {},
    version: "1",
  });
  assert.deepEqual(parts.channels.map((c) => [c.name, c.kind, c.sensor]), [[
    "main",
    "measured",
    "mock",
  ]]);
  const text = await createIntegrations(config, parts).metrics!.render();
  const families = parse(text);
  assert.deepEqual(families.get("ina219_samples_total")!.samples, [{
    labels: { channel: "main" },
    value: 7,
  }]);
  assert.deepEqual(families.get("ina219_websocket_clients")!.samples, [{ labels: {}, value: 4 }]);
});

Deno.test({
  name: "createIntegrations() publishes each channel's state and routes alerts by data.channel",
  ignore,
  async fn() {
    const broker = new Broker();
    await broker.start();
    const config = loadConfig({
      DB_PATH: ":memory:",
      DEVICE_ID: "pi",
      MQTT_URL: broker.url,
      MQTT_TOPIC_PREFIX: "ina219/pi",
    }, []);
    const listeners: ((message: AlertMessage) => void)[] = [];
    const integrations = createIntegrations(config, {
      channels: [measured("in", 10), measured("out", 9), REG],
      global: GLOBAL,
      onAlert: (listener) => listeners.push(listener),
      version: "1",
      log: () => {},
    });
    const sub = await subscriber(broker.url, "ina219/pi/#");
    try {
      await integrations.startMqtt();
      await poll("states", () =>
        Promise.resolve(
          sub.messages.some((m) => m.topic === "ina219/pi/reg/state") &&
            sub.messages.some((m) => m.topic === "ina219/pi/state"),
        ));
      const state = (topic: string) =>
        JSON.parse(sub.messages.find((m) => m.topic === topic)!.payload);
      assert.deepEqual(state("ina219/pi/reg/state"), {
        derived: "efficiency",
        w: 9,
        efficiency_pct: 90,
        loss_w: 1,
        status: "ok",
        ts_ms: 2000,
      });
      assert.deepEqual(state("ina219/pi/state"), {
        v: 5,
        a: 2,
        w: 10,
        energy_total_kwh: 0.01,
        energy_wh: 1,
        charge_ah: 1,
        status: "ok",
        mode: "NORMAL",
        ts_ms: 1000,
      });
      const alert = (channel?: string) =>
        ({
          type: "alert",
          data: { id: 1, metric: "w", ...(channel ? { channel } : {}) },
          timestamp: "",
        }) as unknown as AlertMessage;
      for (const listener of listeners) {
        listener(alert("out"));
        listener(alert());
      }
      await poll(
        "alerts",
        () => Promise.resolve(sub.messages.filter((m) => m.topic.endsWith("/alert")).length === 2),
      );
      assert.deepEqual(
        sub.messages.filter((m) => m.topic.endsWith("/alert")).map((m) => m.topic),
        ["ina219/pi/out/alert", "ina219/pi/alert"],
      );
      assert.equal(integrations.mqttStatus().enabled, true);
    } finally {
      await integrations.stopMqtt();
      await sub.client.endAsync();
      await broker.dispose();
    }
  },
});
