/**
 * MQTT publisher (npm `mqtt`, pure JavaScript): each channel's state every
 * MQTT_INTERVAL_S seconds, alerts as they happen, availability with `offline` as the
 * last will, and Home Assistant discovery (mqtt_discovery.ts), re-sent whenever Home
 * Assistant says it is back online; channels gone since the last run are removed from
 * Home Assistant. Nothing is queued while the broker is away: the next state replaces the last.
 * @module
 */
import mqtt, { type MqttClient } from "mqtt";
import {
  channelList,
  channelListTopic,
  channelTopics,
  discoveryConfigs,
  type MqttChannel,
  processAvailabilityTopic,
  staleTopics,
  type TopicOptions,
} from "./mqtt_discovery.ts";
import { redactUrl } from "./redact.ts";

/** The figures a measured channel publishes on its state topic (`<prefix>/state` for the first). */
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

/** What a derived channel publishes on its state topic. */
export interface DerivedMqttState {
  /** `efficiency` or `sum`: these figures are computed, not measured. */
  derived: "efficiency" | "sum";
  /** Output power (efficiency) or summed power (sum), W; null before the first sample. */
  w: number | null;
  /** Efficiency channels: P_out / P_in in %; null while P_in ≤ 0 or before the first sample. */
  efficiency_pct?: number | null;
  /** Efficiency channels: P_in − P_out, W; null before the first sample. */
  loss_w?: number | null;
  /** `stopped`, or the state of the inputs' sampling. */
  status: string;
  /** Unix time of the newest sample in ms; null before the first. */
  ts_ms: number | null;
}

/** One channel as the publisher sees it: who it is, and its live state. */
export interface PublishedChannel extends MqttChannel {
  /** The figures to publish on its state topic, read at each interval. */
  state(): MqttState | DerivedMqttState;
  /** Whether its sensor works (`online` on its availability topic); false while failing. */
  available(): boolean;
}

/** Options of {@link MqttPublisher}. */
export interface MqttOptions extends TopicOptions {
  /** Broker URL, e.g. `mqtt://broker:1883`; redacted wherever it is shown. */
  url: string;
  /** Broker user name, if the broker wants one. */
  username?: string;
  /** Broker password; never logged nor shown in `/status`. */
  password?: string;
  /** How often the states are published. */
  intervalMs: number;
  /** The channels, the first being the v1 channel; at least one. */
  channels: readonly PublishedChannel[];
  /** Where connection changes and errors are reported (default `console.log`). */
  log?: (line: string) => void;
}

/** What `/status` shows of MQTT. */
export interface MqttStatus {
  /** The broker URL, credentials removed. */
  url: string;
  /** Whether the broker connection is up now. */
  connected: boolean;
  /** Topic the first channel's state is published on. */
  state_topic: string;
  /** Messages published since start-up. */
  published: number;
  /** The last connection or publish error; null when none. */
  last_error: string | null;
}

const MIN_RECONNECT_MS = 1000;
const MAX_RECONNECT_MS = 30_000;

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
  #available = new Map<string, boolean>();
  /** The retained `<prefix>/channels` of the last run, as received on this connection. */
  #previousList: unknown = null;
  /** The marker that, echoed back, says every retained message has arrived. */
  #syncMarker: string | undefined;

  /** Only keeps `options`; nothing connects until `start()`. */
  constructor(options: MqttOptions) {
    if (options.channels.length === 0) throw new RangeError("MQTT needs at least one channel");
    this.#o = options;
    this.#log = options.log ?? console.log;
  }

  get #availability(): string {
    return processAvailabilityTopic(this.#o);
  }

  #topics(channel: MqttChannel) {
    return channelTopics(this.#o, channel, channel === this.#o.channels[0]);
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
      this.#available.clear();
      this.#sendDiscovery();
      client.subscribe(`${o.discoveryPrefix}/status`);
      this.#readLastRun(client);
      this.publishState();
    });
    client.on("message", (topic, payload, packet) => {
      // Home Assistant restarted: it has forgotten non-retained state; resend all.
      if (topic === `${o.discoveryPrefix}/status` && payload.toString() === "online") {
        this.#sendDiscovery();
        this.publishState();
      } else if (topic === channelListTopic(o)) {
        this.#onChannelList(payload.toString(), packet.retain);
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

  /**
   * Reads the last run's retained channel list. A retained message is delivered right after
   * the subscription; whether there is one shows once a non-retained marker sent to the same
   * topic comes back (a topic's messages arrive in order, and a non-retained publish leaves
   * the retained one in place).
   */
  #readLastRun(client: MqttClient): void {
    this.#previousList = null;
    const marker = JSON.stringify({ sync: crypto.randomUUID() });
    this.#syncMarker = marker;
    client.subscribe(channelListTopic(this.#o), { qos: 1 }, (error) => {
      if (error) {
        this.#lastError = error.message;
        return;
      }
      this.#publish(channelListTopic(this.#o), marker, false, 1);
    });
  }

  #onChannelList(payload: string, retained: boolean): void {
    if (retained) {
      try {
        this.#previousList = JSON.parse(payload);
      } catch (error) {
        this.#log(`MQTT: ignoring an unreadable ${channelListTopic(this.#o)}: ${error}`);
      }
      return;
    }
    if (payload !== this.#syncMarker) return;
    this.#syncMarker = undefined;
    this.#client?.unsubscribe(channelListTopic(this.#o));
    const list = channelList(this.#o, this.#o.channels);
    const stale = staleTopics(this.#o, this.#previousList, list);
    // An empty retained payload deletes the retained message; for a discovery config it
    // makes Home Assistant remove the entity.
    for (const topic of stale) this.#publish(topic, "", true);
    if (stale.length > 0) {
      this.#log(
        `MQTT: removed ${stale.length} retained topics of channels gone since the last run`,
      );
    }
    this.#publish(channelListTopic(this.#o), JSON.stringify(list), true, 1);
  }

  #publish(topic: string, payload: string, retain = false, qos: 0 | 1 = 0): void {
    if (!this.#client || !this.#connected) return;
    this.#client.publish(topic, payload, { qos, retain }, (error) => {
      if (error) this.#lastError = error.message;
    });
    this.#published++;
  }

  #sendDiscovery(): void {
    for (const [topic, config] of Object.entries(discoveryConfigs(this.#o, this.#o.channels))) {
      this.#publish(topic, JSON.stringify(config), true);
    }
  }

  /** Publishes every channel's state, and any change of its availability, now (no-op while disconnected). */
  publishState(): void {
    if (!this.#connected) return;
    for (const channel of this.#o.channels) {
      const topics = this.#topics(channel);
      const available = channel.available();
      if (this.#available.get(channel.name) !== available) {
        this.#available.set(channel.name, available);
        this.#publish(topics.availability, available ? "online" : "offline", true);
      }
      this.#publish(topics.state, JSON.stringify(channel.state()));
    }
  }

  /**
   * Publishes an alert transition on its channel's alert topic (no-op while disconnected);
   * an alert naming no channel, or an unknown one, belongs to the first.
   */
  publishAlert(alert: unknown, channel?: string): void {
    const target = this.#o.channels.find((c) => c.name === channel) ?? this.#o.channels[0];
    this.#publish(this.#topics(target).alert, JSON.stringify(alert));
  }

  /** Connection state and counters for `/status`; the URL comes without credentials. */
  status(): MqttStatus {
    return {
      url: redactUrl(this.#o.url),
      connected: this.#connected,
      state_topic: this.#topics(this.#o.channels[0]).state,
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
