/**
 * The MQTT publisher against a real Mosquitto: discovery, availability, state,
 * Home Assistant's birth message, a broker restart, and a clean stop.
 */
import assert from "node:assert/strict";
import { MqttPublisher, type MqttState } from "../../src/integrations/mqtt.ts";
import { discoveryConfigs } from "../../src/integrations/mqtt_discovery.ts";
import { poll } from "../daemon.ts";
import { Broker, mosquittoAvailable, subscriber } from "../mosquitto.ts";

const ignore = !mosquittoAvailable();
const STATE: MqttState = {
  v: 5.012,
  a: 0.213,
  w: 1.068,
  energy_total_kwh: 0.0125,
  energy_wh: 12.5,
  charge_ah: 2.5,
  status: "ok",
  mode: "NORMAL",
  ts_ms: 1_700_000_000_000,
};

function publisher(url: string, lines: string[] = []) {
  return new MqttPublisher({
    url,
    prefix: "ina219/test-pi",
    discoveryPrefix: "homeassistant",
    intervalMs: 1000,
    deviceId: "test-pi",
    version: "1.2.3",
    channels: [{
      name: "main",
      label: "main",
      kind: "measured",
      sensor: "mock",
      state: () => STATE,
      available: () => true,
    }],
    log: (line) => lines.push(line),
  });
}

Deno.test("discoveryConfigs() describes voltage, current, power and energy for Home Assistant", () => {
  const configs = discoveryConfigs({
    prefix: "ina219/pi",
    discoveryPrefix: "homeassistant",
    deviceId: "pi",
    version: "1",
  }, [{ name: "main", label: "main", kind: "measured", sensor: "ina219" }]);
  const energy = configs["homeassistant/sensor/pi/energy/config"];
  assert.equal(energy.device_class, "energy");
  assert.equal(energy.state_class, "total_increasing");
  assert.equal(energy.unit_of_measurement, "kWh");
  assert.equal(energy.value_template, "{{ value_json.energy_total_kwh }}");
  const units = Object.values(configs).map((c) => `${c.device_class}:${c.unit_of_measurement}`);
  assert.deepEqual(units, ["voltage:V", "current:A", "power:W", "energy:kWh"]);
  for (const c of Object.values(configs)) {
    assert.equal(c.state_topic, "ina219/pi/state");
    assert.deepEqual(c.availability, [
      { topic: "ina219/pi/availability" },
      { topic: "ina219/pi/main/availability" },
    ]);
    assert.equal(c.availability_mode, "all");
    assert.deepEqual(c.device.identifiers, ["pi"]);
  }
  assert.equal(new Set(Object.values(configs).map((c) => c.unique_id)).size, 4, "unique ids");
});

Deno.test({
  name: "MqttPublisher publishes discovery (retained), availability and state to a real broker",
  ignore,
  async fn() {
    const broker = new Broker();
    await broker.start();
    const pub = publisher(broker.url);
    try {
      pub.start();
      await poll("connected", () => Promise.resolve(pub.status().connected));
      await poll("two states", async () => (await Promise.resolve(pub.status().published)) > 6);
      // A late subscriber gets the retained messages: what Home Assistant relies on.
      const sub = await subscriber(broker.url, "#");
      try {
        await poll("retained and fresh messages", () =>
          Promise.resolve(
            sub.messages.filter((m) => m.topic.endsWith("/config")).length === 4 &&
              sub.messages.some((m) => m.topic === "ina219/test-pi/state"),
          ));
        const configs = sub.messages.filter((m) => m.topic.endsWith("/config"));
        assert.ok(configs.every((m) => m.retain));
        for (const m of configs) {
          const config = JSON.parse(m.payload);
          assert.ok(config.unique_id.startsWith("test-pi_"));
          assert.equal(config.device.sw_version, "1.2.3");
        }
        const avail = sub.messages.find((m) => m.topic === "ina219/test-pi/availability");
        assert.deepEqual(avail && [avail.payload, avail.retain], ["online", true]);
        const state = sub.messages.find((m) => m.topic === "ina219/test-pi/state")!;
        assert.deepEqual(JSON.parse(state.payload), STATE);

        // Home Assistant's birth message makes the publisher send discovery again.
        const before = sub.messages.filter((m) => m.topic.endsWith("/config")).length;
        await sub.client.publishAsync("homeassistant/status", "online");
        await poll(
          "discovery re-sent",
          () =>
            Promise.resolve(
              sub.messages.filter((m) => m.topic.endsWith("/config")).length > before,
            ),
        );
      } finally {
        await sub.client.endAsync();
      }
    } finally {
      await pub.stop();
      await broker.dispose();
    }
  },
});

Deno.test({
  name: "MqttPublisher survives a broker restart and says offline when it stops",
  ignore,
  async fn() {
    const broker = new Broker();
    await broker.start();
    const lines: string[] = [];
    const pub = publisher(broker.url, lines);
    try {
      pub.start();
      await poll("connected", () => Promise.resolve(pub.status().connected));
      await broker.stop();
      await poll("noticed the broker is gone", () => Promise.resolve(!pub.status().connected));
      await broker.start();
      await poll("reconnected", () => Promise.resolve(pub.status().connected), 15_000);
      const sub = await subscriber(broker.url, "ina219/test-pi/#");
      try {
        await poll(
          "state after restart",
          () => Promise.resolve(sub.messages.some((m) => m.topic === "ina219/test-pi/state")),
          5000,
        );
        await pub.stop();
        await poll("offline", () =>
          Promise.resolve(
            sub.messages.some((m) => m.topic.endsWith("/availability") && m.payload === "offline"),
          ));
      } finally {
        await sub.client.endAsync();
      }
      // One line per change of state, not one per retry.
      assert.equal(lines.filter((l) => l.startsWith("MQTT connected")).length, 2);
      assert.equal(lines.filter((l) => l.startsWith("MQTT disconnected")).length, 1);
    } finally {
      await pub.stop();
      await broker.dispose();
    }
  },
});
