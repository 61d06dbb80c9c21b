/**
 * The channel factory: `Config.channels` → one running {@link Source} per measured
 * channel. The mock runs on the main thread (batched, backfilling); the serial device
 * as today; every I2C bus gets one acquisition Worker that serves all its chips in
 * turn (real `/dev/i2c-N`, or the one emulated bus with every emulated chip), and
 * every hwmon channel shares one more Worker (sysfs reads block).
 * @module
 */
import {
  AcquisitionClient,
  type AcquisitionClientOptions,
  type WorkerLike,
} from "../acquisition/client.ts";
import type { EmulatedInput, GroupSettings } from "../acquisition/group.ts";
import {
  busGroups,
  type ChannelConfig,
  emulatedSignal,
  type HwmonChannelConfig,
  MAIN_CHANNEL,
  type MeasuredChannelConfig,
} from "../channels.ts";
import { ffiAllowed } from "./libc.ts";
import { MockSource } from "./mock.ts";
import { SerialSource } from "./serial.ts";
import type { Source } from "./source.ts";

/** Options of {@link createChannelSources}. */
export interface CreateChannelSourcesOptions {
  /** Receives a channel's device messages (mode changes, resets, status lines). */
  onNotice?: (channel: string, message: string) => void;
  /** Starts each group's Worker (tests: a fake or an instrumented one); gets its settings. */
  spawn?: (group: GroupSettings) => WorkerLike;
  /** Where sysfs is for the hwmon channels (tests: a fake sysfs folder). */
  sysfsRoot?: string;
  /** Worker supervision: command timeout, restart backoff, hang limit, clock. */
  acquisition?: Omit<AcquisitionClientOptions, "onNotice" | "spawn">;
}

/**
 * Builds a source for every measured channel, keyed by name in configuration order
 * (derived channels are not sources: they are computed from these). An emulated chip's
 * analog input is its channel's mock settings (a `null` seed is drawn here, so the
 * Worker and its client agree). Opens nothing:
 * each source's `open()` starts its Worker (a group's first channel to open starts
 * the group's Worker, its last to close ends it).
 *
 * @example
 * ```ts
 * const sources = createChannelSources(config.channels, {
 *   onNotice: (channel, message) => log(channel, message),
 * });
 * ```
 * @throws {RangeError} with a one-line message naming the channel, e.g. for real
 * sensors without `--allow-ffi` or a setting a chip cannot take.
 */
export function createChannelSources(
  channels: readonly ChannelConfig[],
  options: CreateChannelSourcesOptions = {},
): Map<string, Source> {
  const onNotice = options.onNotice ?? (() => {});
  const built = new Map<string, Source>();
  const clientOptions = (group: GroupSettings): AcquisitionClientOptions => ({
    ...options.acquisition,
    onNotice,
    spawn: options.spawn ? () => options.spawn!(group) : undefined,
  });
  for (const group of busGroups(channels)) {
    if (group.bus !== "emulated") {
      const first = group.channels[0];
      requireFfi(
        `the ${first.sensor.toUpperCase()} on /dev/i2c-${group.bus}${which(channels, first.name)}`,
      );
    }
    const inputs: Record<string, EmulatedInput> = {};
    if (group.bus === "emulated") {
      for (const channel of group.channels) {
        const signal = emulatedSignal(channel)!;
        inputs[channel.name] = {
          ...signal,
          mockSeed: signal.mockSeed ?? Math.floor(Math.random() * 2 ** 32),
        };
      }
    }
    const settings: GroupSettings = {
      kind: "i2c",
      bus: group.bus,
      emulatedKhz: group.emulatedKhz,
      channels: group.channels,
      inputs,
    };
    const client = named(
      group.channels[0].name,
      () => new AcquisitionClient(settings, clientOptions(settings)),
    );
    for (const [name, source] of client.sources) built.set(name, source);
  }
  const hwmon = channels.filter((c): c is HwmonChannelConfig =>
    c.kind === "measured" && c.sensor === "hwmon"
  );
  if (hwmon.length > 0) {
    const settings: GroupSettings = {
      kind: "hwmon",
      channels: hwmon,
      sysfsRoot: options.sysfsRoot,
    };
    const client = named(
      hwmon[0].name,
      () => new AcquisitionClient(settings, clientOptions(settings)),
    );
    for (const [name, source] of client.sources) built.set(name, source);
  }
  const sources = new Map<string, Source>();
  for (const channel of channels) {
    if (channel.kind !== "measured") continue;
    const source = built.get(channel.name) ?? mainThreadSource(channels, channel, onNotice);
    sources.set(channel.name, source);
  }
  return sources;
}

/** The mock and the serial device: sources the sampler drives on the main thread. */
function mainThreadSource(
  channels: readonly ChannelConfig[],
  channel: MeasuredChannelConfig,
  onNotice: (channel: string, message: string) => void,
): Source {
  const notice = (message: string) => onNotice(channel.name, message);
  switch (channel.sensor) {
    case "mock":
      return new MockSource({
        seed: channel.mockSeed ?? undefined,
        mode: channel.mockMode,
        autoRotateMs: channel.mockAutoRotateMs,
        onNotice: notice,
      });
    case "serial":
      requireFfi(`the serial port ${channel.serialPort}${which(channels, channel.name)}`);
      return new SerialSource({
        path: channel.serialPort,
        baud: channel.serialBaud,
        intervalMs: channel.sampleIntervalMs,
        onNotice: notice,
      });
    default:
      throw new Error(`Channel "${channel.name}": ${channel.sensor} runs on an acquisition thread`);
  }
}

/** ` (channel "x")` when there is more than one channel to tell apart. */
function which(channels: readonly ChannelConfig[], name: string): string {
  return channels.length > 1 ? ` (channel "${name}")` : "";
}

/** Runs `build`, prefixing a RangeError's message with the channel it concerns. */
function named<T>(channel: string, build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof RangeError && channel !== MAIN_CHANNEL) {
      throw new RangeError(`Channel "${channel}": ${error.message}`, { cause: error });
    }
    throw error;
  }
}

/**
 * Throws unless Deno may call the C library (real buses, serial ports).
 * @throws {RangeError} naming what needs it and how to grant it.
 */
export function requireFfi(what: string): void {
  if (ffiAllowed()) return;
  throw new RangeError(
    `Cannot use ${what}: Deno was not granted FFI access (the monitor reaches the device through the C library): run with --allow-ffi (deno task start and the compiled binaries have it)`,
  );
}
