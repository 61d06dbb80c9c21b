/**
 * CHANNELS entries → resolved channels: each entry's settings are checked by the same
 * parsers as the global settings (settings.ts), an unset one takes the global value,
 * and the channels are checked against each other. Pure; errors are one line.
 * @module
 */
import { z } from "zod";
import { fitShuntRange } from "./hardware/ina219_shunt.ts";
import { nonEmpty, numberChoice, SETTINGS, type Settings } from "./settings.ts";
import {
  CHANNEL_SENSORS,
  type ChannelConfig,
  ChannelConfigError,
  type ChannelSensor,
  DERIVED_KINDS,
  type DerivedChannelConfig,
  INA2XX_AVERAGES,
  MAIN_CHANNEL,
  type MeasuredChannelConfig,
  type MockSignalConfig,
} from "./channels.ts";
import { checkChannelSet } from "./channels_check.ts";

/** A setting of the settings table, by its key (`sampleIntervalMs`). */
export type SettingKey = keyof Settings;

/** A global setting's text as resolved, and where it came from (for error messages). */
export interface GlobalText {
  /** What the variable, flag, file or default said. */
  readonly text: string;
  /** `SAMPLE_INTERVAL_MS`, `--sample-interval-ms`, `CONFIG_FILE`, or `the default`. */
  readonly source: string;
}

/** The global settings an entry falls back to; a setting unset and without default is absent. */
export type GlobalTexts = Readonly<Partial<Record<SettingKey, GlobalText>>>;

/** The mock's signal: a mock channel's, or an emulated chip's analog input. */
const MOCK_FIELDS = ["mock_mode", "mock_auto_rotate_s", "mock_seed"];
const I2C_FIELDS = ["i2c_bus", "i2c_emulated_khz", "i2c_address", ...MOCK_FIELDS];
const INA226_FIELDS = [...I2C_FIELDS, "shunt_ohms", "max_current_a", "adc_samples"];

/** The settings each sensor takes, besides `name`, `label`, `sensor` and `sample_interval_ms`. */
const SENSOR_FIELDS: Record<ChannelSensor, readonly string[]> = {
  ina219: [...INA226_FIELDS, "bus_voltage_range", "shunt_range_mv"],
  ina226: INA226_FIELDS,
  ina228: INA226_FIELDS,
  ina260: [...I2C_FIELDS, "adc_samples"],
  ina3221: [...I2C_FIELDS, "chip_channel", "shunt_ohms", "adc_samples"],
  hwmon: ["hwmon_path", "i2c_bus", "i2c_address"],
  serial: ["serial_port", "serial_baud"],
  mock: MOCK_FIELDS,
};

/** The lower-case name of each setting → its key: `sample_interval_ms` → `sampleIntervalMs`. */
const KEY_OF = new Map(
  (Object.entries(SETTINGS) as [SettingKey, { env: string }][]).map(([key, s]) => [
    s.env.toLowerCase(),
    key,
  ]),
);

const averages = numberChoice(INA2XX_AVERAGES);

/** Settings a channel has that no global setting has. */
const CHANNEL_ONLY: Record<string, z.ZodType> = {
  chip_channel: numberChoice([1, 2, 3] as const),
  hwmon_path: nonEmpty.regex(/^\//, "must be an absolute path like /sys/class/hwmon/hwmon2"),
};

/** Where a sensor allows less than the global setting (which describes the INA219). */
const SENSOR_SCHEMAS: Partial<Record<ChannelSensor, Record<string, z.ZodType>>> = {
  ina226: { adc_samples: averages },
  ina228: { adc_samples: averages },
  ina260: { adc_samples: averages },
  ina3221: { adc_samples: averages },
  hwmon: {
    i2c_bus: SETTINGS.i2cBus.schema.refine(
      (bus) => bus !== "emulated",
      "must be an integer from 0 to 255: the kernel's driver is on a real bus",
    ),
  },
};

/**
 * Resolves the entries of CHANNELS (already parsed JSON) into frozen channels, each
 * setting not in an entry taken from `globals`.
 *
 * @example
 * ```ts
 * parseChannels([{ name: "sim", sensor: "mock" }], globals); // [{ name: "sim", kind: "measured", … }]
 * ```
 * @throws {ChannelConfigError} `entry 2 ("out"): i2c_address "0x80": must be 0x40 to 0x4F`.
 */
export function parseChannels(entries: unknown, globals: GlobalTexts): ChannelConfig[] {
  if (!Array.isArray(entries)) throw new ChannelConfigError("must be a JSON array of channels");
  if (entries.length === 0) throw new ChannelConfigError("must list at least one channel");
  const channels: ChannelConfig[] = [];
  const entryOf = new Map<string, number>();
  entries.forEach((entry, index) => {
    const channel = parseEntry(entry, index, globals);
    const earlier = entryOf.get(channel.name);
    if (earlier !== undefined) {
      throw new ChannelConfigError(
        `entry ${index + 1} ("${channel.name}"): name "${channel.name}": already used by entry ${
          earlier + 1
        }`,
      );
    }
    entryOf.set(channel.name, index);
    channels.push(channel);
  });
  checkChannelSet(channels);
  return channels;
}

/** The one channel, `main`, that the global settings describe when CHANNELS is unset. */
export function legacyChannel(sensor: ChannelSensor, globals: GlobalTexts): MeasuredChannelConfig {
  return parseEntry({ name: MAIN_CHANNEL, sensor }, 0, globals) as MeasuredChannelConfig;
}

function parseEntry(entry: unknown, index: number, globals: GlobalTexts): ChannelConfig {
  let at = `entry ${index + 1}`;
  const fail = (message: string): never => {
    throw new ChannelConfigError(`${at}: ${message}`);
  };
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
    return fail("must be an object with a name and a sensor or derived");
  }
  const fields = entry as Record<string, unknown>;
  const name = fields.name;
  if (typeof name !== "string" || !/^[a-z0-9_-]{1,32}$/.test(name)) {
    return fail(
      name === undefined
        ? "name: missing"
        : `name ${JSON.stringify(name)}: must be 1 to 32 of a-z, 0-9, _ and -`,
    );
  }
  at += ` ("${name}")`;
  const label = fields.label === undefined ? name : fields.label;
  if (typeof label !== "string" || label.trim() === "" || label.length > 64) {
    return fail(`label ${JSON.stringify(label)}: must be text of 1 to 64 characters`);
  }
  if ("derived" in fields) return parseDerived(fields, { name, label: label.trim() }, fail);

  const sensor = fields.sensor;
  if (!isSensor(sensor)) {
    return fail(
      sensor === undefined
        ? `needs "sensor" (one of: ${CHANNEL_SENSORS.join(", ")}) or "derived" (${
          DERIVED_KINDS.join(" or ")
        })`
        : `sensor ${JSON.stringify(sensor)}: must be one of: ${CHANNEL_SENSORS.join(", ")}`,
    );
  }
  const allowed = ["name", "label", "sensor", "sample_interval_ms", ...SENSOR_FIELDS[sensor]];
  for (const field of Object.keys(fields)) {
    if (!allowed.includes(field)) fail(notAField(field, `${sensor} channels`));
  }
  const read = (field: string): unknown => {
    const schema = SENSOR_SCHEMAS[sensor]?.[field] ?? CHANNEL_ONLY[field] ??
      SETTINGS[KEY_OF.get(field)!].schema;
    const own = fields[field];
    const global = CHANNEL_ONLY[field] ? undefined : globals[KEY_OF.get(field)!];
    if (own === undefined && global === undefined) return undefined;
    const text = own === undefined ? global!.text : asText(own);
    const shown = own === undefined
      ? `${field} "${text}" (from ${global!.source})`
      : `${field} ${JSON.stringify(own)}`;
    if (text === undefined) return fail(`${shown}: must be a string or a number`);
    const result = schema.safeParse(text);
    if (!result.success) fail(`${shown}: ${result.error.issues[0].message}`);
    return result.data;
  };
  const own = (field: string) => fields[field] !== undefined;
  return Object.freeze(measured(sensor, { name, label: label.trim(), index }, { read, own }, fail));
}

/**
 * The resolved channel of one sensor type; `fields.read(field)` is the validated value
 * or `undefined`, `fields.own(field)` whether the entry sets it.
 */
function measured(
  sensor: ChannelSensor,
  { index, ...base }: { name: string; label: string; index: number },
  fields: { read: (field: string) => unknown; own: (field: string) => boolean },
  fail: (message: string) => never,
): MeasuredChannelConfig {
  // deno-lint-ignore no-explicit-any
  const get = fields.read as (field: string) => any;
  const common = {
    ...base,
    kind: "measured" as const,
    sampleIntervalMs: get("sample_interval_ms"),
  };
  /** The mock's signal; an unset seed is MOCK_SEED + the entry's position, so channels differ. */
  const signal = (): MockSignalConfig => {
    const seed: number | undefined = get("mock_seed");
    return {
      mockMode: get("mock_mode"),
      mockAutoRotateMs: get("mock_auto_rotate_s") * 1000,
      mockSeed: seed === undefined ? null : fields.own("mock_seed") ? seed : (seed + index) >>> 0,
    };
  };
  const i2c = () => {
    const bus = get("i2c_bus");
    if (bus !== "emulated") {
      const set = MOCK_FIELDS.find(fields.own);
      if (set !== undefined) {
        fail(
          `${set}: only for a chip on i2c_bus "emulated" (its analog input); a chip on bus ${bus} measures its rail`,
        );
      }
    }
    return {
      i2cBus: bus,
      i2cEmulatedKhz: get("i2c_emulated_khz"),
      i2cAddress: get("i2c_address"),
      ...(bus === "emulated" ? signal() : {}),
    };
  };
  switch (sensor) {
    case "ina219": {
      const shuntOhms = get("shunt_ohms");
      const maxCurrentA = get("max_current_a");
      let fitted;
      try {
        fitted = fitShuntRange(shuntOhms * maxCurrentA);
      } catch (error) {
        return fail(
          `shunt_ohms ${shuntOhms} with max_current_a ${maxCurrentA}: ${(error as Error).message}`,
        );
      }
      return {
        ...common,
        sensor,
        ...i2c(),
        shuntOhms,
        maxCurrentA,
        busVoltageRange: get("bus_voltage_range"),
        adcSamples: get("adc_samples"),
        shuntRangeMv: get("shunt_range_mv") ?? fitted,
      };
    }
    case "ina226":
    case "ina228":
      return {
        ...common,
        sensor,
        ...i2c(),
        shuntOhms: get("shunt_ohms"),
        maxCurrentA: get("max_current_a"),
        adcSamples: get("adc_samples"),
      };
    case "ina260":
      return { ...common, sensor, ...i2c(), adcSamples: get("adc_samples") };
    case "ina3221":
      return {
        ...common,
        sensor,
        ...i2c(),
        chipChannel: get("chip_channel") ?? fail("chip_channel: missing: must be 1, 2 or 3"),
        shuntOhms: get("shunt_ohms"),
        adcSamples: get("adc_samples"),
      };
    case "hwmon":
      return {
        ...common,
        sensor,
        hwmonPath: get("hwmon_path") ?? null,
        i2cBus: get("i2c_bus"),
        i2cAddress: get("i2c_address"),
      };
    case "serial":
      return { ...common, sensor, serialPort: get("serial_port"), serialBaud: get("serial_baud") };
    case "mock":
      return { ...common, sensor, ...signal() };
  }
}

function parseDerived(
  fields: Record<string, unknown>,
  base: { name: string; label: string },
  fail: (message: string) => never,
): DerivedChannelConfig {
  const derived = fields.derived;
  if (derived !== "efficiency" && derived !== "sum") {
    return fail(`derived ${JSON.stringify(derived)}: must be one of: ${DERIVED_KINDS.join(", ")}`);
  }
  const own = derived === "efficiency" ? ["input", "output"] : ["inputs"];
  for (const field of Object.keys(fields)) {
    if (!["name", "label", "derived", ...own].includes(field)) {
      fail(notAField(field, `derived ${derived} channels`));
    }
  }
  const channelName = (field: string, value: unknown): string =>
    typeof value === "string" ? value : fail(
      value === undefined
        ? `${field}: missing: the name of a measured channel`
        : `${field} ${JSON.stringify(value)}: must be the name of a measured channel`,
    );
  if (derived === "efficiency") {
    return Object.freeze({
      ...base,
      kind: "derived" as const,
      derived,
      input: channelName("input", fields.input),
      output: channelName("output", fields.output),
    });
  }
  const inputs = fields.inputs;
  if (!Array.isArray(inputs) || inputs.length < 2) {
    return fail(`inputs ${JSON.stringify(inputs)}: must list at least two measured channels`);
  }
  return Object.freeze({
    ...base,
    kind: "derived" as const,
    derived,
    inputs: Object.freeze(inputs.map((input, i) => channelName(`inputs[${i}]`, input))),
  });
}

/** Why `field` is refused on `what`: a setting of other sensors, a global one, or a typo. */
function notAField(field: string, what: string): string {
  const owners = CHANNEL_SENSORS.filter((s) => SENSOR_FIELDS[s].includes(field));
  if (owners.length > 0) {
    return `${field}: not a setting of ${what} (only of: ${owners.join(", ")})`;
  }
  if (KEY_OF.has(field) || field === "sensor") return `${field}: not a setting of ${what}`;
  return `unknown field "${field}"`;
}

function isSensor(value: unknown): value is ChannelSensor {
  return (CHANNEL_SENSORS as readonly unknown[]).includes(value);
}

/** A JSON scalar as the text a variable would hold; `undefined` for anything else. */
function asText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return undefined;
}
