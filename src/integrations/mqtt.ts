/**
 * MQTT publisher (npm `mqtt`, pure JavaScript): the state every MQTT_INTERVAL_S
 * seconds, alerts as they happen, availability with `offline` as the last will, and
 * Home Assistant discovery, re-sent whenever Home Assistant says it is back online.
 * Nothing is queued while the broker is away: the next state replaces the last.
 * @module
 */
import mqtt, { type MqttClient } from "mqtt";
import { redactUrl } from "./redact.ts";

/** The figures published on `<prefix>/state`. */
export interface MqttState {
  /** Newest bus voltage (V); null before the first measurement. */
  v: number | null;
  /** Newest current (A); null before the first measurement. */
  a: number | null;
  /** Newest power (W); null before the first measurement. */
  w: number | null;
  /** Since the database began, never reset: for Home Assistant's Energy dashboard. */
  energy_total_kwh: number;
  /** Since the last reset, as in the `statistics` message. */
  energy_wh: number;
  /** Charge since the last reset, in Ah. */
  charge_ah: number;
  /** The newest sample's status (`ok`, `error`, `overflow`). */
  status: string;
  /** The source's current mode. */
  mode: string;
  /** Unix time of the newest sample in ms; null before the first. */
  ts_ms: number | null;
}

/** Options of {@link MqttPublisher}. */
export interface MqttOptions {
  /** Broker URL, e.g. `mqtt://broker:1883`; redacted wherever it is shown. */
  url: string;
  /** Broker user name, if the broker wants one. */
  username?: string;
  /** Broker password; never logged nor shown in `/status`. */
  password?: string;
  /** Topic prefix, e.g. `ina219/bench-pi`. */
  prefix: string;
  /** Home Assistant's discovery prefix, e.g. `homeassistant`. */
  discoveryPrefix: string;
  /** How often the state is published. */
  intervalMs: number;
  /** Identifies this monitor in client id, topics and Home Assistant's device registry. */
  deviceId: string;
  /** Reported to Home Assistant as the device's software version. */
  version: string;
  /** Reads the figures to publish, called at each interval. */
  state: () => MqttState;
  /** Where connection changes and errors are reported (default `console.log`). */
  log?: (line: string) => void;
}

/** What `/status` shows of MQTT. */
export interface MqttStatus {
  /** The broker URL, credentials removed. */
  url: string;
  /** Whether the broker connection is up now. */
  connected: boolean;
  /** Topic the state is published on. */
  state_topic: string;
  /** Messages published since start-up. */
  published: number;
  /** The last connection or publish error; null when none. */
  last_error: string | null;
}

const MIN_RECONNECT_MS = 1000;
const MAX_RECONNECT_MS = 30_000;

/** One sensor's Home Assistant discovery payload (MQTT discovery's field names). */
export type DiscoveryConfig = {
  state_topic: string;
  availability_topic: string;
  device: {
    identifiers: string[];
    name: string;
    manufacturer: string;
    model: string;
    sw_version: string;
  };
  name: string;
  unique_id: string;
  object_id: string;
  device_class: string;
  state_class: string;
  unit_of_measurement: string;
  value_template: string;
};

/** Home Assistant discovery configs: topic → retained payload. */
export function discoveryConfigs(
  o: Pick<MqttOptions, "prefix" | "discoveryPrefix" | "deviceId" | "version">,
): Record<string, DiscoveryConfig> {
  const device = {
    identifiers: [o.deviceId],
    name: `INA219 ${o.deviceId}`,
    manufacturer: "ina219-monitor",
    model: "INA219",
    sw_version: o.version,
  };
  const common = {
    state_topic: `${o.prefix}/state`,
    availability_topic: `${o.prefix}/availability`,
    device,
  };
  const sensors = [
    { key: "voltage", name: "Voltage", unit: "V", cls: "voltage", state: "measurement", tpl: "v" },
    { key: "current", name: "Current", unit: "A", cls: "current", state: "measurement", tpl: "a" },
    { key: "power", name: "Power", unit: "W", cls: "power", state: "measurement", tpl: "w" },
    {
      key: "energy",
      name: "Energy",
      unit: "kWh",
      cls: "energy",
      state: "total_increasing",
      tpl: "energy_total_kwh",
    },
  ];
  return Object.fromEntries(sensors.map((s) => [
    `${o.discoveryPrefix}/sensor/${o.deviceId}/${s.key}/config`,
    {
      ...common,
      name: s.name,
      unique_id: `${o.deviceId}_${s.key}`,
      object_id: `${o.deviceId}_${s.key}`,
      device_class: s.cls,
      state_class: s.state,
      unit_of_measurement: s.unit,
      value_template: `{{ value_json.${s.tpl} }}`,
    },
  ]));
}

/** Publishes to one broker; reconnects with backoff for as long as it runs. */
export class MqttPublisher {
  #o: MqttOptions;
  #client: MqttClient | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #connected = false;
  #announcedDown = false;
  #stopping = false;
  #published = 0;
  #lastError: string | null = null;
  #log: (line: string) => void;

  /** Only keeps `options`; nothing connects until `start()`. */
  constructor(options: MqttOptions) {
    this.#o = options;
    this.#log = options.log ?? console.log;
  }

  get #availability(): string {
    return `${this.#o.prefix}/availability`;
  }

  /** Connects (in the background) and starts the state timer. */
  start(): void {
    const o = this.#o;
    const client = mqtt.connect(o.url, {
      username: o.username,
      password: o.password,
      clientId: `ina219-monitor-${o.deviceId}`,
      reconnectPeriod: MIN_RECONNECT_MS,
      connectTimeout: 10_000,
      // No backlog while the broker is away: state is re-sent on the next tick anyway.
      queueQoSZero: false,
      will: { topic: this.#availability, payload: "offline", qos: 1, retain: true },
    });
    this.#client = client;
    client.on("connect", () => {
      client.options.reconnectPeriod = MIN_RECONNECT_MS;
      this.#connected = true;
      this.#announcedDown = false;
      this.#lastError = null;
      this.#log(`MQTT connected to ${redactUrl(o.url)}`);
      this.#publish(this.#availability, "online", true);
      this.#sendDiscovery();
      client.subscribe(`${o.discoveryPrefix}/status`);
      this.publishState();
    });
    client.on("message", (topic, payload) => {
      // Home Assistant restarted: it has forgotten non-retained state; resend all.
      if (topic === `${o.discoveryPrefix}/status` && payload.toString() === "online") {
        this.#sendDiscovery();
        this.publishState();
      }
    });
    client.on("error", (error) => {
      this.#lastError = error.message;
    });
    client.on("close", () => {
      this.#connected = false;
      if (!this.#announcedDown && !this.#stopping) {
        this.#announcedDown = true;
        this.#log(
          `MQTT disconnected from ${redactUrl(o.url)}${
            this.#lastError ? `: ${this.#lastError}` : ""
          }; retrying`,
        );
      }
    });
    client.on("reconnect", () => {
      client.options.reconnectPeriod = Math.min(
        MAX_RECONNECT_MS,
        (client.options.reconnectPeriod ?? MIN_RECONNECT_MS) * 2,
      );
    });
    this.#timer = setInterval(() => this.publishState(), o.intervalMs);
  }

  #publish(topic: string, payload: string, retain = false): void {
    if (!this.#client || !this.#connected) return;
    this.#client.publish(topic, payload, { qos: 0, retain }, (error) => {
      if (error) this.#lastError = error.message;
    });
    this.#published++;
  }

  #sendDiscovery(): void {
    for (const [topic, config] of Object.entries(discoveryConfigs(this.#o))) {
      this.#publish(topic, JSON.stringify(config), true);
    }
  }

  /** Publishes the current state now (no-op while disconnected). */
  publishState(): void {
    this.#publish(`${this.#o.prefix}/state`, JSON.stringify(this.#o.state()));
  }

  /** Publishes an alert transition (no-op while disconnected). */
  publishAlert(alert: unknown): void {
    this.#publish(`${this.#o.prefix}/alert`, JSON.stringify(alert));
  }

  /** Connection state and counters for `/status`; the URL comes without credentials. */
  status(): MqttStatus {
    return {
      url: redactUrl(this.#o.url),
      connected: this.#connected,
      state_topic: `${this.#o.prefix}/state`,
      published: this.#published,
      last_error: this.#lastError,
    };
  }

  /** Says `offline`, then disconnects. */
  async stop(): Promise<void> {
    this.#stopping = true;
    clearInterval(this.#timer);
    const client = this.#client;
    if (!client) return;
    let said = !this.#connected;
    if (this.#connected) {
      // A broker that vanished without closing would never acknowledge: wait 1 s at most.
      let timer: ReturnType<typeof setTimeout> | undefined;
      said = await Promise.race([
        client.publishAsync(this.#availability, "offline", { qos: 1, retain: true })
          .then(() => true, (error: Error) => (this.#lastError = error.message, false)),
        new Promise<boolean>((resolve) => timer = setTimeout(() => resolve(false), 1000)),
      ]);
      clearTimeout(timer);
    }
    await client.endAsync(!said);
  }
}
