/**
 * What one acquisition thread runs: the channels of one I2C bus (or every hwmon
 * channel) as plain, cloneable settings, and the drivers built from them: one bus
 * (`/dev/i2c-N`, or one emulated bus holding every emulated chip of the group at its
 * address), one driver per chip (an INA3221's chip channels share theirs).
 * @module
 */
import type {
  HwmonChannelConfig,
  I2cChannelConfig,
  Ina219ChannelConfig,
  Ina3221ChannelConfig,
} from "../channels.ts";
import type { DeviceMode } from "../protocol/device_modes.ts";
import { HwmonSource } from "../sources/hwmon.ts";
import type { I2cBus } from "../sources/i2c.ts";
import { EmulatedI2cBus } from "../sources/i2c_emulated.ts";
import { LinuxI2cBus } from "../sources/i2c_linux.ts";
import { type AnalogControl, Ina219Source } from "../sources/ina219.ts";
import { Ina219Chip } from "../sources/ina219_chip.ts";
import type { AnalogInput, I2cDevice } from "../sources/ina219_chip.ts";
import { conversionTimeMs } from "../sources/ina219_registers.ts";
import { Ina226Source } from "../sources/ina226.ts";
import { Ina226Chip } from "../sources/ina226_chip.ts";
import { Ina228Source } from "../sources/ina228.ts";
import { Ina228Chip } from "../sources/ina228_chip.ts";
import { Ina260Source } from "../sources/ina260.ts";
import { Ina260Chip } from "../sources/ina260_chip.ts";
import type { Ina2xxSource } from "../sources/ina2xx.ts";
import { ina3221Sources } from "../sources/ina3221_source.ts";
import { cycleTimeMs } from "../sources/ina3221_registers.ts";
import { Ina3221Chip } from "../sources/ina3221_chip.ts";
import { MockSource } from "../sources/mock.ts";
import type { Source } from "../sources/source.ts";

/** The emulated analog input of one chip: the mock's waveforms, seeded. */
export interface EmulatedInput {
  /** Initial mode (`MOCK_MODE`). */
  readonly mockMode: DeviceMode;
  /** Demo rotation period in ms; 0 = off (`MOCK_AUTO_ROTATE_S`). */
  readonly mockAutoRotateMs: number;
  /** Seed of the random stream (resolved: the same in the Worker and its client). */
  readonly mockSeed: number;
}

/** The channels of one I2C bus: one thread, one transfer at a time. */
export interface I2cGroupSettings {
  /** An I2C bus. */
  readonly kind: "i2c";
  /** `/dev/i2c-N`, or the emulated bus. */
  readonly bus: number | "emulated";
  /** The emulated bus's clock in kHz. */
  readonly emulatedKhz: 100 | 400;
  /** Its channels, in configuration order. */
  readonly channels: readonly I2cChannelConfig[];
  /** On the emulated bus: each channel's input, by channel name. */
  readonly inputs: Readonly<Record<string, EmulatedInput>>;
}

/** Every hwmon channel: sysfs reads block, so they run on a thread of their own. */
export interface HwmonGroupSettings {
  /** The kernel's hwmon files. */
  readonly kind: "hwmon";
  /** Its channels, in configuration order. */
  readonly channels: readonly HwmonChannelConfig[];
  /** Where sysfs is mounted (tests: a temp folder; default `/sys`). */
  readonly sysfsRoot?: string;
}

/** What one acquisition thread runs. */
export type GroupSettings = I2cGroupSettings | HwmonGroupSettings;

/** One channel of a {@link Unit}: its name, its source and how often it is read. */
export interface UnitChannel {
  /** The channel's name. */
  readonly name: string;
  /** Its driver (shared with the unit's other channels for an INA3221). */
  readonly source: Source;
  /** Time between its reads, in ms. */
  intervalMs: number;
}

/** One chip (one driver) and the channels it serves; the scheduler runs one loop per unit. */
export interface Unit {
  /** The channels, one unless an INA3221 serves several. */
  readonly channels: readonly UnitChannel[];
  /** The time of one fresh result now, in ms (0 when there is no conversion to wait for). */
  periodMs(): number;
  /** Names the chip to the scheduler (its turns and conversion waits). */
  readonly key: object;
  /** Tells the driver how often it is read (the INA219's resync rule). */
  setReadInterval?(intervalMs: number): void;
}

/** Options of {@link buildGroup}. */
export interface BuildGroupOptions {
  /** Receives a channel's driver messages (mode changes, chip resets). */
  onNotice?: (channel: string, message: string) => void;
  /**
   * How a chip's driver sleeps through a conversion, given the chip's {@link Unit.key}
   * (the scheduler's `sleepFor`); default a timer.
   */
  sleepFor?: (key: object) => (ms: number) => Promise<void>;
  /** The clock of the drivers and the emulated chips, ms (fractional). */
  now?: () => number;
  /** How the emulated bus spends a transfer's time (default: busy, as an ioctl blocks). */
  spend?: (us: number) => void;
}

/** The largest current the mock's waveforms reach (LOAD_SPIKE), in A. */
const MOCK_PEAK_A = 1;

/**
 * The factor an emulated chip scales the mock's current by, so its peak stays within
 * 90 % of what the chip can measure: the shunt's full scale over the shunt, and the
 * calibration's `maxCurrentA` (an INA226 with 0.1 Ω reads at most 0.82 A).
 */
export function currentScale(fullScaleA: number): number {
  return Math.min(1, (0.9 * fullScaleA) / MOCK_PEAK_A);
}

/** Full-scale shunt voltages in V: INA226 32767 × 2.5 µV, INA228 2^19 × 312.5 nV, INA3221 4095 × 40 µV. */
const SHUNT_FULL_SCALE_V = { ina226: 0.0819175, ina228: 0.16384, ina3221: 0.1638 } as const;

/**
 * Builds the drivers of a group, opening nothing.
 * @throws {RangeError} for a setting a chip cannot take.
 */
export function buildGroup(settings: GroupSettings, options: BuildGroupOptions = {}): Unit[] {
  if (settings.kind === "hwmon") {
    return settings.channels.map((channel) => ({
      key: {},
      channels: [{
        name: channel.name,
        source: new HwmonSource({
          hwmonPath: channel.hwmonPath ?? undefined,
          i2cBus: channel.i2cBus,
          i2cAddress: channel.i2cAddress,
          sysfs: settings.sysfsRoot ? { root: settings.sysfsRoot } : undefined,
        }),
        intervalMs: channel.sampleIntervalMs,
      }],
      periodMs: () => 0,
    }));
  }
  const now = options.now ?? (() => performance.timeOrigin + performance.now());
  const emulated = settings.bus === "emulated";
  const devices = new Map<number, I2cDevice>();
  // A chip's inputs: one, or one per INA3221 chip channel. ERROR_TEST on any of them
  // makes the chip stop answering (its other channels fail too, as with a real chip).
  const analogs = new Map<number, MockSource[]>();
  const bus: I2cBus = emulated
    ? new EmulatedI2cBus({
      khz: settings.emulatedKhz,
      devices,
      spend: options.spend,
      answers: (address) => !analogs.get(address)?.some((a) => a.mode === "ERROR_TEST"),
    })
    : new LinuxI2cBus(settings.bus);
  const notice = (name: string) => (message: string) => options.onNotice?.(name, message);
  /** The emulated input of `channel` (its own mock settings). */
  const analogFor = (channel: I2cChannelConfig): MockSource | undefined => {
    if (!emulated) return undefined;
    const input = settings.inputs[channel.name];
    if (!input) throw new RangeError(`No emulated input for channel "${channel.name}"`);
    const analog = new MockSource({
      seed: input.mockSeed,
      mode: input.mockMode,
      autoRotateMs: input.mockAutoRotateMs,
      onNotice: notice(channel.name),
    });
    const chip = analogs.get(channel.i2cAddress);
    if (chip) chip.push(analog);
    else analogs.set(channel.i2cAddress, [analog]);
    return analog;
  };
  const common = (channel: I2cChannelConfig, key: object) => ({
    address: channel.i2cAddress,
    onNotice: notice(channel.name),
    sleep: options.sleepFor?.(key),
    now,
  });
  const units: Unit[] = [];
  const ina3221s = new Map<number, Ina3221ChannelConfig[]>();
  for (const channel of settings.channels) {
    const member = { name: channel.name, intervalMs: channel.sampleIntervalMs };
    const key = {};
    switch (channel.sensor) {
      case "ina219": {
        const source = ina219(bus, channel, analogFor(channel), {
          ...common(channel, key),
          devices,
        });
        units.push({
          key,
          channels: [{ ...member, source }],
          periodMs: () => conversionTimeMs(source.config),
          setReadInterval: (ms) => source.readIntervalMs = ms,
        });
        break;
      }
      case "ina226":
      case "ina228": {
        const analog = analogFor(channel);
        const fullScaleA = Math.min(
          channel.maxCurrentA,
          SHUNT_FULL_SCALE_V[channel.sensor] / channel.shuntOhms,
        );
        if (analog) {
          const k = currentScale(fullScaleA);
          const input = (tMs: number): AnalogInput => {
            const { v, a } = analog.signal(tMs);
            return { busV: v, shuntV: a * k * channel.shuntOhms };
          };
          const Chip = channel.sensor === "ina226" ? Ina226Chip : Ina228Chip;
          devices.set(channel.i2cAddress, new Chip({ now, input }));
        }
        const Driver = channel.sensor === "ina226" ? Ina226Source : Ina228Source;
        const source = new Driver(bus, {
          ...common(channel, key),
          shuntOhms: channel.shuntOhms,
          maxCurrentA: channel.maxCurrentA,
          averages: channel.adcSamples,
          analog,
        });
        units.push(ina2xxUnit(key, member, source));
        break;
      }
      case "ina260": {
        const analog = analogFor(channel);
        if (analog) {
          // The integrated 2 mΩ shunt measures ±15 A: the mock's currents as they are.
          const input = (tMs: number): AnalogInput => {
            const { v, a } = analog.signal(tMs);
            return { busV: v, shuntV: a * 0.002 };
          };
          devices.set(channel.i2cAddress, new Ina260Chip({ now, input }));
        }
        const source = new Ina260Source(bus, {
          ...common(channel, key),
          averages: channel.adcSamples,
          analog,
        });
        units.push(ina2xxUnit(key, member, source));
        break;
      }
      case "ina3221": {
        const chip = ina3221s.get(channel.i2cAddress);
        if (chip) chip.push(channel);
        else ina3221s.set(channel.i2cAddress, [channel]);
        break;
      }
    }
  }
  for (const [address, channels] of ina3221s) {
    const first = channels[0];
    // One input per chip channel (its channel's mock settings): each rail its own signal.
    const inputs = new Map(channels.map((c) => [c.chipChannel, {
      analog: analogFor(c),
      ohms: c.shuntOhms,
      k: currentScale(SHUNT_FULL_SCALE_V.ina3221 / c.shuntOhms),
    }]));
    if (emulated) {
      devices.set(
        address,
        new Ina3221Chip({
          now,
          input: (chipChannel, tMs) => {
            const input = inputs.get(chipChannel);
            if (!input?.analog) return { busV: 0, shuntV: 0 };
            const { v, a } = input.analog.signal(tMs);
            return { busV: v, shuntV: a * input.k * input.ohms };
          },
        }),
      );
    }
    const key = {};
    const sources = ina3221Sources(bus, {
      ...common(first, key),
      channels: channels.map((c) => ({
        chipChannel: c.chipChannel,
        shuntOhms: c.shuntOhms,
        analog: inputs.get(c.chipChannel)!.analog,
      })),
      averages: first.adcSamples,
      onNotice: (message) => {
        for (const c of channels) options.onNotice?.(c.name, message);
      },
    });
    const driver = sources[0].driver;
    units.push({
      key,
      channels: channels.map((c, i) => ({
        name: c.name,
        source: sources[i],
        intervalMs: c.sampleIntervalMs,
      })),
      periodMs: () => cycleTimeMs(driver.config),
      setReadInterval: (ms) => driver.readIntervalMs = ms,
    });
  }
  return units;
}

function ina2xxUnit(
  key: object,
  member: { name: string; intervalMs: number },
  source: Ina2xxSource,
): Unit {
  return {
    key,
    channels: [{ ...member, source }],
    periodMs: () => source.periodMs,
    setReadInterval: (ms) => source.readIntervalMs = ms,
  };
}

function ina219(
  bus: I2cBus,
  channel: Ina219ChannelConfig,
  analog: AnalogControl & MockSource | undefined,
  options: {
    address: number;
    onNotice: (message: string) => void;
    sleep?: (ms: number) => Promise<void>;
    now: () => number;
    devices: Map<number, I2cDevice>;
  },
): Ina219Source {
  const { devices, ...driverOptions } = options;
  if (analog) {
    devices.set(
      channel.i2cAddress,
      new Ina219Chip({
        now: options.now,
        input: (tMs) => {
          const { v, a } = analog.signal(tMs);
          return { busV: v, shuntV: a * channel.shuntOhms };
        },
      }),
    );
  }
  return new Ina219Source(bus, {
    ...driverOptions,
    shuntOhms: channel.shuntOhms,
    maxCurrentA: channel.maxCurrentA,
    busRangeV: channel.busVoltageRange,
    adcSamples: channel.adcSamples,
    shuntRangeMv: channel.shuntRangeMv,
    analog,
  });
}
