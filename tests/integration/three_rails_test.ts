/**
 * The "done means", as a user runs it: main.ts with three emulated chips of
 * different types (an INA219, an INA226 and one INA3221 chip channel) and a real
 * Mosquitto. Three rails in /api/channels, in history, in /metrics and in Home
 * Assistant; a v1 client on plain `/ws` sees what it always saw (the first rail).
 * @module
 */
import assert from "node:assert/strict";
import { poll, withDaemon } from "../daemon.ts";
import { Broker, mosquittoAvailable, subscriber } from "../mosquitto.ts";

/** The command in README.md and docs/configuration.md ("Three rails"), as JSON. */
export const THREE_RAILS = [
  { name: "in", sensor: "ina219", i2c_bus: "emulated", i2c_address: "0x40" },
  { name: "out", sensor: "ina226", i2c_bus: "emulated", i2c_address: "0x41" },
  { name: "aux", sensor: "ina3221", i2c_bus: "emulated", i2c_address: "0x42", chip_channel: 1 },
];
const NAMES = THREE_RAILS.map((c) => c.name);

/** The v1 protocol's measurement fields, plus the extras every sample carries. */
const V1_FIELDS = ["a", "mode", "seq", "status", "ts", "ts_ms", "v", "w"];
/** A failed read's (a starved machine can make the chip's conversion wait time out). */
const V1_ERROR_FIELDS = [...V1_FIELDS, "error"].sort();

interface ChannelEntry {
  name: string;
  kind: string;
  sensor: string;
  last_seq: number;
}

Deno.test({
  name: "three emulated chips of different types: three rails everywhere, a v1 client unchanged",
  ignore: !mosquittoAvailable(),
  async fn() {
    const broker = new Broker();
    await broker.start();
    const sub = await subscriber(broker.url, "#");
    const env = {
      CHANNELS: JSON.stringify(THREE_RAILS),
      MQTT_URL: broker.url,
      DEVICE_ID: "rails",
      MQTT_INTERVAL_S: "1",
      SAMPLE_INTERVAL_MS: "50",
      MOCK_SEED: "7",
      MOCK_AUTO_ROTATE_S: "0",
    };
    try {
      await withDaemon(env, async (_daemon, url) => {
        const get = async (path: string) => {
          const res = await fetch(url + path);
          assert.equal(res.status, 200, path);
          return res.headers.get("content-type")?.includes("json") ? res.json() : res.text();
        };
        // A v1 client: plain /ws, from the start.
        const ws = new WebSocket(`${url.replace(/^http/, "ws")}/ws`);
        const received: { type: string; data?: Record<string, unknown> }[] = [];
        ws.onmessage = (event) => received.push(JSON.parse(event.data));
        await new Promise((resolve, reject) => {
          ws.onopen = resolve;
          ws.onerror = reject;
        });
        try {
          // Three measured channels whose sample counts rise (the first sample may wait
          // for the acquisition Worker's modules on a cold cache).
          const channels = async () => (await get("/api/channels")).channels as ChannelEntry[];
          let first: ChannelEntry[] = [];
          await poll("every channel sampled", async () => {
            first = await channels();
            return first.every((c) => c.last_seq > 0);
          }, 30_000);
          assert.deepEqual(
            first.map((c) => `${c.name}:${c.kind}:${c.sensor}`),
            ["in:measured:ina219", "out:measured:ina226", "aux:measured:ina3221"],
          );
          await poll("every count rises", async () => {
            const now = await channels();
            return now.every((c, i) => c.last_seq >= first[i].last_seq + 5);
          }, 10_000);

          // History of each rail.
          for (const name of NAMES) {
            await poll(`history of ${name}`, async () => {
              const history = await get(`/api/history?channel=${name}&hours=1`);
              return history.count > 0 && history.data.at(-1).v.avg > 4;
            }, 10_000);
          }

          // /metrics: each rail's series labelled with its channel.
          const metrics = await get("/metrics") as string;
          for (const name of NAMES) {
            for (const series of ["ina219_bus_voltage_volts", "ina219_samples_total"]) {
              assert.match(metrics, new RegExp(`^${series}\\{channel="${name}"\\} \\S+$`, "m"));
            }
          }

          // Home Assistant: one device per channel, four entities each, stable unique ids
          // (the first channel keeps the single-sensor ids).
          const nodes = { in: "rails", out: "rails_out", aux: "rails_aux" };
          const entities = ["voltage", "current", "power", "energy"];
          const configs = () =>
            sub.messages.filter((m) =>
              m.topic.startsWith("homeassistant/sensor/") && m.topic.endsWith("/config") &&
              m.payload !== ""
            );
          await poll("discovery", () => Promise.resolve(configs().length >= 12), 10_000);
          const devices = new Map<string, string[]>();
          for (const m of configs()) {
            const payload = JSON.parse(m.payload);
            const id = payload.device.identifiers[0];
            devices.set(id, [...devices.get(id) ?? [], payload.unique_id]);
          }
          assert.deepEqual(
            Object.fromEntries([...devices].map(([id, ids]) => [id, ids.sort()])),
            Object.fromEntries(
              Object.values(nodes).map((
                node,
              ) => [node, entities.map((e) => `${node}_${e}`).sort()]),
            ),
          );
          await poll("a state of each rail", () =>
            Promise.resolve(
              ["rails/state", "rails/out/state", "rails/aux/state"].every((t) =>
                sub.messages.some((m) => m.topic === `ina219/${t}` && JSON.parse(m.payload).v > 4)
              ),
            ), 10_000);

          // The v1 client: only measurement messages of the first rail, the v1 fields.
          const measurements = received.filter((m) => m.type === "measurement");
          assert.ok(measurements.length >= 5, `${measurements.length} measurements`);
          assert.ok(
            received.every((m) => ["status", "measurement", "statistics"].includes(m.type)),
            `only v1 message types: ${[...new Set(received.map((m) => m.type))]}`,
          );
          for (const { data } of measurements) {
            assert.equal(data!.channel, "in");
            const { channel: _, ...v1 } = data!;
            assert.deepEqual(
              Object.keys(v1).sort(),
              v1.status === "error" ? V1_ERROR_FIELDS : V1_FIELDS,
            );
          }
          const seqs = measurements.map((m) => m.data!.seq as number);
          assert.ok(seqs.every((s, i) => i === 0 || s === seqs[i - 1] + 1), "no gaps");
        } finally {
          ws.close();
          await new Promise((resolve) => ws.onclose = resolve);
        }
      });
    } finally {
      await sub.client.endAsync();
      await broker.dispose();
    }
  },
});
