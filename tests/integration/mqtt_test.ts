/**
 * The monitor as a Home Assistant user runs it: main.ts with MQTT_URL against a real
 * Mosquitto. Devices appear, state carries live values, alerts arrive, and the last
 * will says `offline` when the process dies.
 */
import assert from "node:assert/strict";
import { poll, withDaemon } from "../daemon.ts";
import { Broker, mosquittoAvailable, subscriber } from "../mosquitto.ts";

Deno.test({
  name: "main.ts with MQTT_URL: discovery, live state, alerts, /status, and the last will",
  ignore: !mosquittoAvailable(),
  async fn() {
    const broker = new Broker();
    await broker.start();
    const sub = await subscriber(broker.url, "#");
    try {
      const env = {
        MQTT_URL: broker.url,
        DEVICE_ID: "bench-pi",
        MQTT_INTERVAL_S: "1",
        SAMPLE_INTERVAL_MS: "100",
        MOCK_AUTO_ROTATE_S: "0",
      };
      await withDaemon(env, async (daemon, url) => {
        const topic = (t: string) => sub.messages.filter((m) => m.topic === t);
        await poll("discovery", () =>
          Promise.resolve(
            sub.messages.filter((m) => m.topic.startsWith("homeassistant/sensor/bench-pi/"))
              .length === 4,
          ), 10_000);
        await poll("two states", () => Promise.resolve(topic("ina219/bench-pi/state").length >= 2));
        const state = JSON.parse(topic("ina219/bench-pi/state").at(-1)!.payload);
        assert.ok(state.v > 4.9 && state.v < 5.1, `v ${state.v}`);
        assert.ok(state.a > 0 && state.w > 0);
        assert.ok(state.energy_total_kwh > 0);
        assert.equal(state.status, "ok");
        assert.equal(topic("ina219/bench-pi/availability").at(-1)?.payload, "online");

        const status = await (await fetch(`${url}/status`)).json();
        assert.equal(status.mqtt.enabled, true);
        assert.equal(status.mqtt.connected, true);
        assert.equal(status.mqtt.state_topic, "ina219/bench-pi/state");

        await fetch(`${url}/simulator/mode`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ mode: "LOAD_SPIKE" }),
        }).then((r) => r.body?.cancel());
        await poll("an alert", () => Promise.resolve(topic("ina219/bench-pi/alert").length > 0));
        const alert = JSON.parse(topic("ina219/bench-pi/alert")[0].payload);
        assert.equal(alert.state, "raised");

        daemon.kill("SIGKILL");
        await daemon.exited;
        await poll(
          "last will",
          () =>
            Promise.resolve(topic("ina219/bench-pi/availability").at(-1)?.payload === "offline"),
        );
      });
    } finally {
      await sub.client.endAsync();
      await broker.dispose();
    }
  },
});
