/**
 * MQTT topics and Home Assistant discovery, per channel: one Home Assistant device per
 * channel, entities with stable unique ids. The first channel keeps the topics and ids a
 * single-sensor monitor always had, so Home Assistant's existing entities (names, history,
 * Energy dashboard) carry on; every other channel has its name in its topics and ids.
 * Pure: the publisher (mqtt.ts) sends what this computes.
 * @module
 */

/** What the topics and discovery need to know of a channel. */
export interface MqttChannel {
  /** `[a-z0-9_-]{1,32}`: in topics and unique ids. */
  name: string;
  /** For people: the Home Assistant device's name. */
  label: string;
  /** Derived channels get their own entities (efficiency, loss), marked as derived. */
  kind: "measured" | "derived";
  /** The sensor (`ina219`, `mock`, …) of a measured channel: the device's model. */
  sensor?: string;
  /** How a derived channel is computed. */
  derived?: "efficiency" | "sum";
}

/** Where the monitor publishes and what it calls itself. */
export interface TopicOptions {
  /** Topic prefix, e.g. `ina219/bench-pi`. */
  prefix: string;
  /** Home Assistant's discovery prefix, e.g. `homeassistant`. */
  discoveryPrefix: string;
  /** Identifies this monitor in topics and Home Assistant's device registry. */
  deviceId: string;
  /** Reported to Home Assistant as the device's software version. */
  version: string;
}

/** One channel's topics and Home Assistant ids. */
export interface ChannelTopics {
  /** The channel's state, every MQTT_INTERVAL_S. */
  state: string;
  /** The channel's alert transitions. */
  alert: string;
  /** `online`/`offline` for the channel's sensor (retained). */
  availability: string;
  /** The Home Assistant device identifier and discovery node id. */
  node: string;
}

/** The process's availability: `online`, `offline` on stop and as the last will. */
export function processAvailabilityTopic(o: Pick<TopicOptions, "prefix">): string {
  return `${o.prefix}/availability`;
}

/** The retained list of channels and of the retained topics this monitor owns. */
export function channelListTopic(o: Pick<TopicOptions, "prefix">): string {
  return `${o.prefix}/channels`;
}

/** A channel's topics; `first` (the v1 channel) keeps today's state and alert topics and ids. */
export function channelTopics(
  o: Pick<TopicOptions, "prefix" | "deviceId">,
  channel: Pick<MqttChannel, "name">,
  first: boolean,
): ChannelTopics {
  const base = first ? o.prefix : `${o.prefix}/${channel.name}`;
  return {
    state: `${base}/state`,
    alert: `${base}/alert`,
    availability: `${o.prefix}/${channel.name}/availability`,
    node: first ? o.deviceId : `${o.deviceId}_${channel.name}`,
  };
}

/** One entity's Home Assistant discovery payload (MQTT discovery's field names). */
export type DiscoveryConfig = {
  state_topic: string;
  availability: { topic: string }[];
  availability_mode: "all";
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
  device_class?: string;
  state_class: string;
  unit_of_measurement: string;
  value_template: string;
  suggested_display_precision?: number;
};

interface Entity {
  key: string;
  name: string;
  unit: string;
  cls?: string;
  state: string;
  tpl: string;
  precision?: number;
}

const MEASURED: readonly Entity[] = [
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
const OUTPUT_POWER: Entity = {
  key: "power",
  name: "Output power (derived)",
  unit: "W",
  cls: "power",
  state: "measurement",
  tpl: "w",
};
const EFFICIENCY: readonly Entity[] = [
  {
    key: "efficiency",
    name: "Efficiency (derived)",
    unit: "%",
    state: "measurement",
    tpl: "efficiency_pct",
    precision: 1,
  },
  {
    key: "loss",
    name: "Loss (derived)",
    unit: "W",
    cls: "power",
    state: "measurement",
    tpl: "loss_w",
  },
  OUTPUT_POWER,
];
const SUM: readonly Entity[] = [{ ...OUTPUT_POWER, name: "Total power (derived)" }];

function entities(channel: MqttChannel): readonly Entity[] {
  if (channel.kind === "measured") return MEASURED;
  return channel.derived === "efficiency" ? EFFICIENCY : SUM;
}

function device(o: TopicOptions, channel: MqttChannel, node: string, alone: boolean) {
  return {
    identifiers: [node],
    // A lone channel (no CHANNELS) keeps the name Home Assistant has always shown.
    name: alone ? `INA219 ${o.deviceId}` : `${o.deviceId} ${channel.label}`,
    manufacturer: "ina219-monitor",
    model: channel.kind === "measured"
      ? (channel.sensor ?? "INA219").toUpperCase()
      : `Derived: ${channel.derived ?? "computed"}`,
    sw_version: o.version,
  };
}

/**
 * Home Assistant discovery configs of every channel: topic → retained payload. The first
 * channel's are today's: `<discovery>/sensor/<deviceId>/<metric>/config`, unique id
 * `<deviceId>_<metric>`; the others' `<discovery>/sensor/<deviceId>_<channel>/<metric>/config`,
 * unique id `<deviceId>_<channel>_<metric>`.
 */
export function discoveryConfigs(
  o: TopicOptions,
  channels: readonly MqttChannel[],
): Record<string, DiscoveryConfig> {
  const configs: Record<string, DiscoveryConfig> = {};
  channels.forEach((channel, i) => {
    const topics = channelTopics(o, channel, i === 0);
    const common = {
      state_topic: topics.state,
      availability: [{ topic: processAvailabilityTopic(o) }, { topic: topics.availability }],
      availability_mode: "all" as const,
      device: device(o, channel, topics.node, channels.length === 1),
    };
    for (const e of entities(channel)) {
      configs[`${o.discoveryPrefix}/sensor/${topics.node}/${e.key}/config`] = {
        ...common,
        name: e.name,
        unique_id: `${topics.node}_${e.key}`,
        object_id: `${topics.node}_${e.key}`,
        ...(e.cls ? { device_class: e.cls } : {}),
        state_class: e.state,
        unit_of_measurement: e.unit,
        value_template: `{{ value_json.${e.tpl} }}`,
        ...(e.precision === undefined ? {} : { suggested_display_precision: e.precision }),
      };
    }
  });
  return configs;
}

/** The payload of `<prefix>/channels` (retained): the channels and the retained topics owned. */
export interface ChannelList {
  /** Each channel and its topics, in configuration order. */
  channels: {
    name: string;
    label: string;
    kind: "measured" | "derived";
    state_topic: string;
    alert_topic: string;
    availability_topic: string;
  }[];
  /** Every retained topic published for the channels: emptied once a channel is gone. */
  retained_topics: string[];
}

/** What `<prefix>/channels` says for these channels. */
export function channelList(o: TopicOptions, channels: readonly MqttChannel[]): ChannelList {
  const discovery = Object.keys(discoveryConfigs(o, channels));
  const listed = channels.map((c, i) => {
    const t = channelTopics(o, c, i === 0);
    return {
      name: c.name,
      label: c.label,
      kind: c.kind,
      state_topic: t.state,
      alert_topic: t.alert,
      availability_topic: t.availability,
    };
  });
  return {
    channels: listed,
    retained_topics: [...discovery, ...listed.map((c) => c.availability_topic)],
  };
}

/**
 * The retained topics a previous run published that this run does not: to be emptied so
 * Home Assistant removes their entities. `previous` is the last `<prefix>/channels` payload
 * (anything unreadable counts as none); topics outside this monitor's own are never listed.
 */
export function staleTopics(
  o: TopicOptions,
  previous: unknown,
  current: ChannelList,
): string[] {
  const old = (previous as Partial<ChannelList> | null)?.retained_topics;
  if (!Array.isArray(old)) return [];
  const keep = new Set(current.retained_topics);
  // Only topics this monitor can own: a list someone else wrote must not empty theirs.
  const ours = (t: string) =>
    t.startsWith(`${o.prefix}/`) ||
    t.startsWith(`${o.discoveryPrefix}/sensor/${o.deviceId}/`) ||
    t.startsWith(`${o.discoveryPrefix}/sensor/${o.deviceId}_`);
  return old.filter((t): t is string => typeof t === "string" && !keep.has(t) && ours(t));
}
