/**
 * A real MQTT broker for tests: Debian's mosquitto on a free loopback port with a
 * throw-away configuration, and a small subscriber that records what arrives.
 * @module
 */
import mqtt, { type MqttClient } from "mqtt";

/** Path of Debian's broker. */
export const MOSQUITTO = "/usr/sbin/mosquitto";

/** Whether the broker is installed; in CI its absence is a failure, not a skip. */
export function mosquittoAvailable(): boolean {
  try {
    Deno.statSync(MOSQUITTO);
    return true;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    if (Deno.env.get("CI") === "true") {
      throw new Error(`Cannot run the MQTT tests: ${MOSQUITTO} is missing (CI=true)`);
    }
    return false;
  }
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

/** Options of {@link Broker}. */
export interface BrokerOptions {
  /**
   * The configuration after the `listener` line (default: anonymous, no persistence);
   * `dir` is the broker's own temporary folder, for files the configuration names.
   */
  config?: (dir: string) => string;
}

/** A running broker that can be stopped and started again on the same port. */
export class Broker {
  readonly port = freePort();
  readonly url = `mqtt://127.0.0.1:${this.port}`;
  /** The broker's temporary folder (its configuration, log and any files it names). */
  readonly dir = Deno.makeTempDirSync({ prefix: "ina219-mosquitto-" });
  #child: Deno.ChildProcess | undefined;
  #config: (dir: string) => string;

  /** Prepares a broker on a free loopback port; nothing runs until `start()`. */
  constructor(options: BrokerOptions = {}) {
    this.#config = options.config ?? (() => "allow_anonymous true\npersistence false\n");
  }

  /** What the broker logged so far (for a failing test's message). */
  log(): string {
    try {
      return Deno.readTextFileSync(`${this.dir}/mosquitto.log`);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return "";
      throw error;
    }
  }

  /** Starts mosquitto and waits until it accepts connections. */
  async start(): Promise<void> {
    // Started as root, mosquitto drops to its own user before reading the files the
    // configuration names and opening its log: let it.
    Deno.chmodSync(this.dir, 0o755);
    Deno.writeTextFileSync(`${this.dir}/mosquitto.log`, "", { append: true, mode: 0o666 });
    Deno.chmodSync(`${this.dir}/mosquitto.log`, 0o666);
    const conf = `${this.dir}/mosquitto.conf`;
    Deno.writeTextFileSync(
      conf,
      `listener ${this.port} 127.0.0.1\nlog_dest file ${this.dir}/mosquitto.log\n${
        this.#config(this.dir)
      }\n`,
    );
    this.#child = new Deno.Command(MOSQUITTO, {
      args: ["-c", conf],
      stdout: "null",
      stderr: "null",
    }).spawn();
    const deadline = Date.now() + 5000;
    for (;;) {
      try {
        const conn = await Deno.connect({ hostname: "127.0.0.1", port: this.port });
        conn.close();
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  /** Stops the broker (SIGTERM) and waits for it to exit. */
  async stop(): Promise<void> {
    if (!this.#child) return;
    this.#child.kill("SIGTERM");
    await this.#child.status;
    this.#child = undefined;
  }

  /** Stops it and removes its files. */
  async dispose(): Promise<void> {
    await this.stop();
    await Deno.remove(this.dir, { recursive: true });
  }
}

/** A received message. */
export interface Received {
  topic: string;
  payload: string;
  retain: boolean;
}

/** Subscribes to `filter` and records every message. */
export async function subscriber(
  url: string,
  filter: string,
): Promise<{ client: MqttClient; messages: Received[] }> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
  const messages: Received[] = [];
  client.on("message", (topic, payload, packet) => {
    messages.push({ topic, payload: payload.toString(), retain: packet.retain });
  });
  await client.subscribeAsync(filter);
  return { client, messages };
}
