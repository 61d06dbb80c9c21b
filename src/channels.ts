/**
 * Channels: one measured rail (a sensor and its settings) or one computed from others.
 * The resolved, fully-defaulted types every layer shares, and the pure helpers that read
 * them (bus groups for the acquisition threads). channels_parse.ts builds them.
 * @module
 */
import type { DeviceMode } from "./protocol/simulator.ts";
import type { ShuntRangeMv } from "./hardware/ina219_shunt.ts";
import type { SerialBaud } from "./hardware/serial_baud.ts";

/** Every `sensor` a channel may name. */
export const CHANNEL_SENSORS = [
  "ina219",
  "ina226",
  "ina260",
  "ina3221",
  "ina228",
  "hwmon",
  "serial",
  "mock",
] as const;

/** Where a measured channel's samples come from. */
export type ChannelSensor = typeof CHANNEL_SENSORS[number];

/** Every kind of derived channel. */
export const DERIVED_KINDS = ["efficiency", "sum"] as const;

/** How a derived channel is computed. */
export type DerivedKind = typeof DERIVED_KINDS[number];

/** A bad channel list; the message names the entry and the field, without a prefix. */
export class ChannelConfigError extends Error {
  /** `"ChannelConfigError"`. */
  override name = "ChannelConfigError";
}

/** The name a single-sensor setup's one channel gets. */
export const MAIN_CHANNEL = "main";

/** What every channel has. */
interface ChannelBase {
  /** `[a-z0-9_-]{1,32}`, unique: in URLs, topics and the database. */
  readonly name: string;
  /** For people (the dashboard, Home Assistant); the name unless set. */
  readonly label: string;
}

/** What every measured channel has. */
interface MeasuredBase extends ChannelBase {
  /** A sensor reads it. */
  readonly kind: "measured";
  /** Time between samples. */
  readonly sampleIntervalMs: number;
}

/**
 * The signal the mock's waveforms make (`MOCK_MODE`, `MOCK_AUTO_ROTATE_S`, `MOCK_SEED`):
 * a mock channel's samples, or an emulated chip's analog input.
 */
export interface MockSignalConfig {
  /** Initial mode. */
  readonly mockMode: DeviceMode;
  /** Demo rotation period in ms; 0 = off. */
  readonly mockAutoRotateMs: number;
  /**
   * Seed of the random stream: the entry's `mock_seed`, else `MOCK_SEED` plus the
   * entry's position (0-based), so channels differ; `null` = random.
   */
  readonly mockSeed: number | null;
}

/**
 * A chip this program drives itself over I2C; on the emulated bus also the chip's
 * analog input (every {@link MockSignalConfig} field set), on a real bus none of them.
 */
interface I2cChipBase extends MeasuredBase, Partial<MockSignalConfig> {
  /** `/dev/i2c-N`, or the in-process emulated bus. */
  readonly i2cBus: number | "emulated";
  /** The emulated bus's clock in kHz (used only when `i2cBus` is `"emulated"`). */
  readonly i2cEmulatedKhz: 100 | 400;
  /** 7-bit address, 0x40–0x4F. */
  readonly i2cAddress: number;
}

/** Averaging the INA226, INA228, INA260 and INA3221 offer (AVG bits). */
export const INA2XX_AVERAGES = [1, 4, 16, 64, 128, 256, 512, 1024] as const;

/** Samples averaged per conversion by the INA226 family. */
export type Ina2xxAverage = typeof INA2XX_AVERAGES[number];

/** An INA219 (shunt PGA, 16 or 32 V bus range). */
export interface Ina219ChannelConfig extends I2cChipBase {
  /** Chip type. */
  readonly sensor: "ina219";
  /** Shunt resistance in Ω. */
  readonly shuntOhms: number;
  /** Largest current expected, in A (sets the calibration). */
  readonly maxCurrentA: number;
  /** Bus voltage full scale. */
  readonly busVoltageRange: 16 | 32;
  /** Samples averaged per conversion, 1–128. */
  readonly adcSamples: number;
  /** Shunt full scale, fitted to shuntOhms × maxCurrentA unless set; or automatic. */
  readonly shuntRangeMv: ShuntRangeMv | "auto";
}

/** An INA226 or INA228 (external shunt, calibration register). */
export interface Ina226ChannelConfig extends I2cChipBase {
  /** Chip type. */
  readonly sensor: "ina226" | "ina228";
  /** Shunt resistance in Ω. */
  readonly shuntOhms: number;
  /** Largest current expected, in A (sets the calibration). */
  readonly maxCurrentA: number;
  /** Samples averaged per conversion. */
  readonly adcSamples: Ina2xxAverage;
}

/** An INA260 (integrated 2 mΩ shunt, no calibration). */
export interface Ina260ChannelConfig extends I2cChipBase {
  /** Chip type. */
  readonly sensor: "ina260";
  /** Samples averaged per conversion. */
  readonly adcSamples: Ina2xxAverage;
}

/** One of an INA3221's three channels (current computed here from the shunt voltage). */
export interface Ina3221ChannelConfig extends I2cChipBase {
  /** Chip type. */
  readonly sensor: "ina3221";
  /** Which of the chip's channels, 1–3. */
  readonly chipChannel: 1 | 2 | 3;
  /** This chip channel's shunt resistance in Ω. */
  readonly shuntOhms: number;
  /** Samples averaged per conversion (one setting for the whole chip). */
  readonly adcSamples: Ina2xxAverage;
}

/** A chip owned by the kernel's driver, read through its hwmon files. */
export interface HwmonChannelConfig extends MeasuredBase {
  /** Reads `/sys/class/hwmon/…`. */
  readonly sensor: "hwmon";
  /** The hwmon folder; `null` = the one of the chip at `i2cBus`/`i2cAddress`. */
  readonly hwmonPath: string | null;
  /** With no path: the chip's I2C adapter number. */
  readonly i2cBus: number;
  /** With no path: the chip's address. */
  readonly i2cAddress: number;
}

/** The v1 Arduino device on a serial port. */
export interface SerialChannelConfig extends MeasuredBase {
  /** Serial device. */
  readonly sensor: "serial";
  /** The device's port. */
  readonly serialPort: string;
  /** The sketch's baud rate. */
  readonly serialBaud: SerialBaud;
}

/** The simulated rail. */
export interface MockChannelConfig extends MeasuredBase, MockSignalConfig {
  /** Simulated. */
  readonly sensor: "mock";
}

/** A chip this program drives over I2C (the ones that share a bus thread). */
export type I2cChannelConfig =
  | Ina219ChannelConfig
  | Ina226ChannelConfig
  | Ina260ChannelConfig
  | Ina3221ChannelConfig;

/** A channel a sensor reads, told apart by `sensor`. */
export type MeasuredChannelConfig =
  | I2cChannelConfig
  | HwmonChannelConfig
  | SerialChannelConfig
  | MockChannelConfig;

/** P_out / P_in and the loss P_in − P_out of two measured channels. */
export interface EfficiencyChannelConfig extends ChannelBase {
  /** Computed, never stored as if measured. */
  readonly kind: "derived";
  /** How. */
  readonly derived: "efficiency";
  /** The measured channel before the converter. */
  readonly input: string;
  /** The measured channel after it. */
  readonly output: string;
}

/** The summed power of measured channels. */
export interface SumChannelConfig extends ChannelBase {
  /** Computed, never stored as if measured. */
  readonly kind: "derived";
  /** How. */
  readonly derived: "sum";
  /** The measured channels added, at least two, each once. */
  readonly inputs: readonly string[];
}

/** A channel computed from measured ones, told apart by `derived`. */
export type DerivedChannelConfig = EfficiencyChannelConfig | SumChannelConfig;

/**
 * One channel, resolved and frozen: `kind` tells measured from derived, then `sensor`
 * or `derived` tells which.
 */
export type ChannelConfig = MeasuredChannelConfig | DerivedChannelConfig;

/** Whether `channel` is one this program drives over I2C itself. */
export function isI2cChannel(channel: ChannelConfig): channel is I2cChannelConfig {
  return channel.kind === "measured" &&
    (channel.sensor === "ina219" || channel.sensor === "ina226" ||
      channel.sensor === "ina228" || channel.sensor === "ina260" ||
      channel.sensor === "ina3221");
}

/**
 * The analog input of an emulated chip (its channel's mock settings); `undefined` for a
 * chip on a real bus, which measures its rail.
 */
export function emulatedSignal(channel: I2cChannelConfig): MockSignalConfig | undefined {
  if (channel.i2cBus !== "emulated") return undefined;
  return {
    mockMode: channel.mockMode ?? "NORMAL",
    mockAutoRotateMs: channel.mockAutoRotateMs ?? 0,
    mockSeed: channel.mockSeed ?? null,
  };
}

/**
 * The channel a request names (`?channel=`), or the first, the one the v1 protocol
 * describes, when it names none.
 *
 * @example
 * ```ts
 * selectChannel(config.channels, url.searchParams.get("channel") ?? undefined);
 * ```
 * @throws {RangeError} `unknown channel "x": the channels are main, in, out` (a 400 for routes).
 */
export function selectChannel(
  channels: readonly ChannelConfig[],
  name?: string,
): ChannelConfig {
  if (name === undefined) return channels[0];
  const found = channels.find((c) => c.name === name);
  if (found) return found;
  throw new RangeError(
    `unknown channel ${JSON.stringify(name)}: the channels are ${
      channels.map((c) => c.name).join(", ")
    }`,
  );
}

/** The I2C channels on one bus: one acquisition thread serves them, one transfer at a time. */
export interface BusGroup {
  /** `/dev/i2c-N`, or the emulated bus. */
  readonly bus: number | "emulated";
  /** The emulated bus's clock (the channels agree on it; 400 on a real bus, unused). */
  readonly emulatedKhz: 100 | 400;
  /** Its channels, in configuration order. */
  readonly channels: readonly I2cChannelConfig[];
}

/**
 * The I2C channels grouped by bus, groups and channels in configuration order; hwmon,
 * serial, mock and derived channels are in none (the kernel, a port or nothing owns them).
 *
 * @example
 * ```ts
 * for (const group of busGroups(config.channels)) startBusThread(group);
 * ```
 */
export function busGroups(channels: readonly ChannelConfig[]): BusGroup[] {
  const groups = new Map<number | "emulated", I2cChannelConfig[]>();
  for (const channel of channels) {
    if (!isI2cChannel(channel)) continue;
    const group = groups.get(channel.i2cBus);
    if (group) group.push(channel);
    else groups.set(channel.i2cBus, [channel]);
  }
  return [...groups].map(([bus, members]) => ({
    bus,
    emulatedKhz: bus === "emulated" ? members[0].i2cEmulatedKhz : 400,
    channels: members,
  }));
}
