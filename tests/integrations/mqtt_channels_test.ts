/**
 * MQTT and Home Assistant with several channels: one device per channel, the first keeping
 * the topics and ids a single-sensor monitor always had, and the removal of channels gone
 * since the last run, against a real Mosquitto.
 */
import assert from "node:assert/strict";
import {
  type DerivedMqttState,
  MqttPublisher,
  type MqttState,
  type PublishedChannel,
} from "../../src/integrations/mqtt.ts";
import {
  channelList,
  discoveryConfigs,
  type MqttChannel,
  staleTopics,
} from "../../src/integrations/mqtt_discovery.ts";
import { poll } from "../daemon.ts";
import { Broker, mosquittoAvailable, type Received, subscriber } from "../mosquitto.ts";

const ignore = !mosquittoAvailable();
const O = { prefix: "ina219/pi", discoveryPrefix: "homeassistant", deviceId: "pi", version: "1" };
const IN: MqttChannel = { name: "in", label: "Input", kind: "measured", sensor: "ina219" };
const OUT: MqttChannel = { name: "out", label: "Output", kind: "measured", sensor: "ina226" };
const REG: MqttChannel = {
  name: "reg",
  label: "Regulator",
  kind: "derived",
  derived: "efficiency",
};
const METRICS = ["voltage", "current", "power", "energy"];

function measuredState(w: number): MqttState {
  return {
    v: 5,
    a: w / 5,
    w,
    energy_total_kwh: 0.01,
    energy_wh: 10,
    charge_ah: 2,
    status: "ok",
    mode: "NORMAL",
    ts_ms: 1_700_000_000_000,
  };
}
const REG_STATE: DerivedMqttState = {
  derived: "efficiency",
  w: 9,
  efficiency_pct: 90,
  loss_w: 1,
  status: "ok",
  ts_ms: 1_700_000_000_000,
};

Deno.test("discoveryConfigs() keeps a single-sensor monitor's topics and ids exactly", () => {
  // What every release before channels published: Home Assistant's entities hang on these.
  const today = (metric: string) => ({
    topic: `homeassistant/sensor/pi/${metric}/config`,
    unique_id: `pi_${metric}`,
    object_id: `pi_${metric}`,
    state_topic: "ina219/pi/state",
    identifiers: ["pi"],
  });
  const pick = (configs: ReturnType<typeof discoveryConfigs>) =>
    Object.entries(configs).slice(0, 4).map(([topic, c]) => ({
      topic,
      unique_id: c.unique_id,
      object_id: c.object_id,
      state_topic: c.state_topic,
      identifiers: c.device.identifiers,
    }));
  const lone = discoveryConfigs(O, [{ name: "main", label: "main", kind: "measured" }]);
  assert.deepEqual(pick(lone), METRICS.map(today));
  assert.equal(Object.keys(lone).length, 4);
  assert.equal(Object.values(lone)[0].device.name, "INA219 pi", "the device keeps its name");
  // With CHANNELS, whichever channel is first (the v1 channel) inherits them.
  const many = discoveryConfigs(O, [IN, OUT, REG]);
  assert.deepEqual(pick(many), METRICS.map(today));
});

Deno.test("discoveryConfigs() gives each further channel its own device, topics and ids", () => {
  const configs = discoveryConfigs(O, [IN, OUT, REG]);
  const out = configs["homeassistant/sensor/pi_out/power/config"];
  assert.equal(out.unique_id, "pi_out_power");
  assert.equal(out.state_topic, "ina219/pi/out/state");
  assert.deepEqual(out.device.identifiers, ["pi_out"]);
  assert.equal(out.device.name, "pi Output");
  assert.equal(out.device.model, "INA226");
  assert.deepEqual(out.availability, [
    { topic: "ina219/pi/availability" },
    { topic: "ina219/pi/out/availability" },
  ]);
  const reg = Object.entries(configs).filter(([t]) => t.includes("/pi_reg/"));
  assert.deepEqual(reg.map(([, c]) => c.unique_id), [
    "pi_reg_efficiency",
    "pi_reg_loss",
    "pi_reg_power",
  ]);
  const efficiency = reg[0][1];
  assert.equal(efficiency.unit_of_measurement, "%");
  assert.equal(efficiency.value_template, "{{ value_json.efficiency_pct }}");
  assert.equal(efficiency.device.model, "Derived: efficiency");
  assert.ok(reg.every(([, c]) => c.name.endsWith("(derived)")), "derived entities are marked");
  const ids = Object.values(configs).map((c) => c.unique_id);
  assert.equal(new Set(ids).size, ids.length, "unique ids are unique");
});

Deno.test("staleTopics() lists what the last run owned and this one does not, and only ours", () => {
  const now = channelList(O, [IN]);
  const before = channelList(O, [IN, OUT]);
  const stale = staleTopics(O, before, now);
  assert.deepEqual(stale, [
    ...METRICS.map((m) => `homeassistant/sensor/pi_out/${m}/config`),
    "ina219/pi/out/availability",
  ]);
  assert.deepEqual(staleTopics(O, null, now), []);
  assert.deepEqual(staleTopics(O, "garbage", now), []);
  // A list someone else wrote cannot make this monitor empty topics it does not own.
  const foreign = {
    retained_topics: ["homeassistant/sensor/other/power/config", "other/state", "ina219/pi2/x"],
  };
  assert.deepEqual(staleTopics(O, foreign, now), []);
});

function publisher(url: string, channels: MqttChannel[], lines: string[] = []) {
  const states: Record<string, MqttState | DerivedMqttState> = {
    in: measuredState(10),
    out: measuredState(9),
    reg: REG_STATE,
  };
  const published: PublishedChannel[] = channels.map((c) => ({
    ...c,
    state: () => states[c.name],
    available: () => c.name !== "out", // `out`'s sensor fails
  }));
  return new MqttPublisher({
    ...O,
    url,
    intervalMs: 1000,
    channels: published,
    log: (line) => lines.push(line),
  });
}

const retainedConfigs = (messages: Received[]) =>
  new Map(
    messages.filter((m) => m.topic.endsWith("/config") && m.retain).map((
      m,
    ) => [m.topic, m.payload]),
  );

Deno.test({
  name: "MqttPublisher publishes each channel's discovery, state, availability and alerts",
  ignore,
  async fn() {
    const broker = new Broker();
    await broker.start();
    const pub = publisher(broker.url, [IN, OUT, REG]);
    try {
      pub.start();
      await poll("connected", () => Promise.resolve(pub.status().connected));
      const sub = await subscriber(broker.url, "#");
      try {
        await poll("every state", () =>
          Promise.resolve(
            ["ina219/pi/state", "ina219/pi/out/state", "ina219/pi/reg/state"].every((t) =>
              sub.messages.some((m) => m.topic === t)
            ),
          ));
        const listed = () =>
          sub.messages.find((m) =>
            m.topic === "ina219/pi/channels" && m.payload.includes("retained_topics")
          );
        await poll("the channel list", () => Promise.resolve(listed() !== undefined));
        // What Home Assistant reads when it subscribes: every channel's retained configs.
        const ha = await subscriber(broker.url, "homeassistant/#");
        try {
          await poll("retained configs", () => Promise.resolve(ha.messages.length >= 11));
          assert.equal(retainedConfigs(ha.messages).size, 4 + 4 + 3);
        } finally {
          await ha.client.endAsync();
        }
        const payload = (topic: string) => sub.messages.find((m) => m.topic === topic)!.payload;
        assert.deepEqual(JSON.parse(payload("ina219/pi/state")), measuredState(10));
        assert.deepEqual(JSON.parse(payload("ina219/pi/out/state")), measuredState(9));
        assert.deepEqual(JSON.parse(payload("ina219/pi/reg/state")), REG_STATE);
        assert.equal(payload("ina219/pi/in/availability"), "online");
        assert.equal(payload("ina219/pi/out/availability"), "offline");
        assert.equal(payload("ina219/pi/availability"), "online");
        const list = JSON.parse(listed()!.payload);
        assert.deepEqual(list.channels.map((c: { state_topic: string }) => c.state_topic), [
          "ina219/pi/state",
          "ina219/pi/out/state",
          "ina219/pi/reg/state",
        ]);

        pub.publishAlert({ metric: "w", channel: "out" }, "out");
        pub.publishAlert({ metric: "v" });
        await poll(
          "alerts",
          () =>
            Promise.resolve(sub.messages.filter((m) => m.topic.endsWith("/alert")).length === 2),
        );
        assert.deepEqual(
          sub.messages.filter((m) => m.topic.endsWith("/alert")).map((m) => m.topic),
          ["ina219/pi/out/alert", "ina219/pi/alert"],
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
  name: "MqttPublisher removes from Home Assistant the channels gone since the last run",
  ignore,
  async fn() {
    const broker = new Broker();
    await broker.start();
    try {
      const first = publisher(broker.url, [IN, OUT, REG]);
      first.start();
      const watch = await subscriber(broker.url, "#");
      try {
        await poll(
          "first run's channel list",
          () => Promise.resolve(watch.messages.some((m) => m.topic === "ina219/pi/channels")),
        );
        await first.stop();
        // What the broker keeps: a new subscriber gets every retained config flagged as
        // retained (the watcher, subscribed while they were published, may get them live).
        const kept = await subscriber(broker.url, "homeassistant/#");
        let before = 0;
        try {
          await poll("the first run's retained configs", () => {
            before = retainedConfigs(kept.messages).size;
            return Promise.resolve(before >= 11);
          });
        } finally {
          await kept.client.endAsync();
        }
        assert.equal(before, 11);

        // The next run has only `in`: `out` and `reg` must disappear, `in` must stay.
        const lines: string[] = [];
        const second = publisher(broker.url, [IN], lines);
        second.start();
        try {
          await poll("stale configs emptied", () =>
            Promise.resolve(
              watch.messages.filter((m) => m.topic.endsWith("/config") && m.payload === "")
                .length === 7,
            ));
          const emptied = watch.messages.filter((m) => m.payload === "").map((m) => m.topic);
          assert.ok(emptied.every((t) => /pi_(out|reg)\/|\/(out|reg)\/availability$/.test(t)));
          assert.ok(emptied.includes("ina219/pi/out/availability"));
          await poll("new list", () =>
            Promise.resolve(
              watch.messages.some((m) =>
                m.topic === "ina219/pi/channels" && JSON.parse(m.payload).channels?.length === 1
              ),
            ));
          assert.ok(lines.some((l) => l.includes("removed 9 retained topics")), lines.join("\n"));
        } finally {
          await second.stop();
        }
      } finally {
        await watch.client.endAsync();
      }
      // What a Home Assistant starting now would read: only `in`'s entities.
      const late = await subscriber(broker.url, "homeassistant/#");
      try {
        await poll("retained configs", () => Promise.resolve(late.messages.length >= 4));
        await new Promise((r) => setTimeout(r, 200));
        assert.deepEqual(
          [...retainedConfigs(late.messages).keys()],
          METRICS.map((m) => `homeassistant/sensor/pi/${m}/config`),
        );
      } finally {
        await late.client.endAsync();
      }
    } finally {
      await broker.dispose();
    }
  },
});
