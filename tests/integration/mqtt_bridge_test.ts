/**
 * The shipped Mosquitto bridge (deploy/mosquitto/) end to end with real brokers: two
 * monitors (main.ts), each on its own local broker bridged with ina219-bridge.conf to one
 * central broker configured with central.conf and central.acl (an account per Pi). At
 * the central broker: each monitor's state, alerts, discovery and availability arrive
 * under its own prefix, Home Assistant's birth message reaches the monitors, and a
 * monitor killed hard is announced `offline` by its last will.
 */
import assert from "node:assert/strict";
import { Daemon, LISTENING, poll } from "../daemon.ts";
import { Broker, mosquittoAvailable, type Received } from "../mosquitto.ts";
import mqtt from "mqtt";

const DEPLOY = new URL("../../deploy/mosquitto/", import.meta.url);
const read = (name: string) => Deno.readTextFileSync(new URL(name, DEPLOY));
const PASSWORD = "bridge-test-password";

/** central.conf with the test's port (the helper's listener) and files in `dir`. */
function centralConfig(dir: string): string {
  return read("central.conf")
    .replace(/^listener .*$/m, "")
    .replace(/^password_file .*$/m, `password_file ${dir}/ina219.passwd`)
    .replace(/^acl_file .*$/m, `acl_file ${dir}/ina219.acl`) + "\npersistence false\n";
}

/**
 * A Pi's broker: ina219-local.conf (with the test's port) and ina219-bridge.conf for
 * `device`, logging in to the central broker as it.
 */
function localConfig(device: string, central: Broker): string {
  return read("ina219-local.conf").replace(/^listener .*$/m, "") + "persistence false\n" +
    read("ina219-bridge.conf")
      .replaceAll("@DEVICE_ID@", device)
      .replaceAll("@CENTRAL@", `127.0.0.1:${central.port}`)
      .replace(/^#remote_username .*$/m, `remote_username ${device}`)
      .replace(/^#remote_password .*$/m, `remote_password ${PASSWORD}`);
}

async function passwd(file: string, user: string): Promise<void> {
  const out = await new Deno.Command("mosquitto_passwd", {
    args: [...(await exists(file) ? [] : ["-c"]), "-b", file, user, PASSWORD],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
}

async function exists(file: string): Promise<boolean> {
  try {
    await Deno.stat(file);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

Deno.test({
  name: "deploy/mosquitto bridges two monitors' state, alerts, discovery and last will centrally",
  ignore: !mosquittoAvailable(),
  async fn() {
    const central = new Broker({ config: centralConfig });
    for (const user of ["pi-a", "pi-b", "homeassistant"]) {
      await passwd(`${central.dir}/ina219.passwd`, user);
    }
    Deno.chmodSync(`${central.dir}/ina219.passwd`, 0o644);
    Deno.copyFileSync(new URL("central.acl", DEPLOY), `${central.dir}/ina219.acl`);
    await central.start();
    const devices = ["pi-a", "pi-b"];
    const locals = devices.map((d) => new Broker({ config: () => localConfig(d, central) }));
    const monitors: Daemon[] = [];
    const dirs: string[] = [];
    const client = await mqtt.connectAsync(central.url, {
      reconnectPeriod: 0,
      username: "homeassistant",
      password: PASSWORD,
    });
    const messages: Received[] = [];
    client.on("message", (topic, payload, packet) => {
      messages.push({ topic, payload: payload.toString(), retain: packet.retain });
    });
    await client.subscribeAsync("#");
    const logs = () =>
      [central, ...locals].map((b) => b.log()).join("\n") +
      monitors.map((m) => m.stdout + m.stderr).join("\n");
    const of = (topic: string) => messages.filter((m) => m.topic === topic);
    try {
      for (const local of locals) await local.start();
      for (const [i, device] of devices.entries()) {
        const dir = await Deno.makeTempDir({ prefix: "ina219-bridge-" });
        dirs.push(dir);
        monitors.push(
          new Daemon({
            PORT: "0",
            HOST: "127.0.0.1",
            DATA_DIR: dir,
            MOCK_SEED: "1",
            MOCK_AUTO_ROTATE_S: "0",
            SAMPLE_INTERVAL_MS: "100",
            MQTT_URL: locals[i].url,
            MQTT_INTERVAL_S: "1",
            DEVICE_ID: device,
          }),
        );
      }
      const urls = (await Promise.all(monitors.map((m) => m.waitFor(LISTENING))))
        .map(([, port]) => `http://127.0.0.1:${port}`);
      for (const device of devices) {
        await poll(
          `${device}: state, discovery and online at the central broker\n${logs()}`,
          () =>
            Promise.resolve(
              of(`ina219/${device}/state`).length >= 2 &&
                messages.filter((m) => m.topic.startsWith(`homeassistant/sensor/${device}/`))
                    .length >= 4 &&
                of(`ina219/${device}/availability`).at(-1)?.payload === "online",
            ),
          20_000,
        );
      }
      const state = JSON.parse(of("ina219/pi-a/state").at(-1)!.payload);
      assert.ok(state.v > 4.9 && state.v < 5.1, `v ${state.v}`);
      const config = JSON.parse(of("homeassistant/sensor/pi-a/voltage/config").at(-1)!.payload);
      assert.equal(config.state_topic, "ina219/pi-a/state", "discovery points at bridged topics");
      // pi-b's load spikes: its alert must arrive under its prefix only.
      await fetch(`${urls[1]}/simulator/mode`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ mode: "LOAD_SPIKE" }),
      }).then((r) => r.body?.cancel());
      await poll(
        `pi-b's alert\n${logs()}`,
        () => Promise.resolve(of("ina219/pi-b/alert").length > 0),
        10_000,
      );
      assert.equal(JSON.parse(of("ina219/pi-b/alert")[0].payload).state, "raised");
      assert.equal(of("ina219/pi-a/alert").length, 0, "pi-a raised nothing");
      assert.equal(of("ina219/pi-a/bridge").at(-1)?.payload, "1", "the bridge says it is up");
      const foreign = messages.filter((m) =>
        !/^ina219\/pi-[ab]\//.test(m.topic) && !/^homeassistant\/sensor\/pi-[ab]/.test(m.topic) &&
        m.topic !== "homeassistant/status"
      );
      assert.deepEqual(foreign.map((m) => m.topic), [], "every topic under a monitor's prefix");

      // Home Assistant restarts at the central broker: both monitors re-send discovery.
      const before = messages.filter((m) => m.topic.endsWith("/voltage/config")).length;
      await client.publishAsync("homeassistant/status", "online");
      await poll("discovery again", () =>
        Promise.resolve(
          messages.filter((m) => m.topic.endsWith("/voltage/config")).length >= before + 2,
        ), 10_000);

      // pi-a dies without a word: its local broker's last will crosses the bridge.
      monitors[0].kill("SIGKILL");
      await monitors[0].exited;
      await poll(
        `pi-a offline centrally\n${logs()}`,
        () => Promise.resolve(of("ina219/pi-a/availability").at(-1)?.payload === "offline"),
        10_000,
      );
      assert.equal(of("ina219/pi-a/availability").at(-1)?.retain, false, "live, not replayed");
      assert.equal(of("ina219/pi-b/availability").at(-1)?.payload, "online");
      // A new subscriber (Home Assistant starting later) gets the retained offline.
      const check = await mqtt.connectAsync(central.url, {
        reconnectPeriod: 0,
        username: "homeassistant",
        password: PASSWORD,
      });
      const retained: Received[] = [];
      check.on("message", (topic, payload, packet) => {
        retained.push({ topic, payload: payload.toString(), retain: packet.retain });
      });
      await check.subscribeAsync("ina219/pi-a/availability");
      await poll("retained offline", () => Promise.resolve(retained.length > 0));
      await check.endAsync();
      assert.deepEqual(retained[0], {
        topic: "ina219/pi-a/availability",
        payload: "offline",
        retain: true,
      });
    } finally {
      await client.endAsync();
      for (const m of monitors) {
        if (m.running) m.kill("SIGTERM");
        await m.finish(5000);
      }
      for (const b of [...locals, central]) await b.dispose();
      for (const dir of dirs) await Deno.remove(dir, { recursive: true });
    }
  },
});
