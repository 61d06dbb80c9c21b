/**
 * One INA3221 chip channel as a {@link Source}: the chip is shared through an
 * {@link Ina3221Driver}, which reads every enabled chip channel per conversion
 * cycle; this source takes its own channel's reading of each cycle in turn.
 * @module
 */
import { type Ina3221ChannelOptions, Ina3221Driver, type Ina3221Options } from "./ina3221.ts";
import { type ChipChannel, SHUNT_LSB_V } from "./ina3221_registers.ts";
import type { I2cBus } from "./i2c.ts";
import { AnalogModes } from "./chip_link.ts";
import type { Reading, Source } from "./source.ts";

/** Chip channel `chipChannel` of a shared INA3221. */
export class Ina3221ChannelSource extends AnalogModes implements Source {
  readonly kind = "ina3221";
  readonly type = "INA3221";
  readonly backfill = false;
  /** The chip this channel belongs to (shared with its other channels). */
  readonly driver: Ina3221Driver;
  /** The chip channel, 1 to 3. */
  readonly chipChannel: ChipChannel;

  /** Chip channel `chipChannel` of `driver`'s chip. */
  constructor(driver: Ina3221Driver, chipChannel: ChipChannel) {
    if (!driver.config.channels.includes(chipChannel)) {
      throw new RangeError(`${driver.where}: chip channel ${chipChannel} is not configured`);
    }
    super(driver.analogOf(chipChannel));
    this.driver = driver;
    this.chipChannel = chipChannel;
  }

  open(): Promise<string[]> {
    return this.driver.open(this.chipChannel);
  }

  /** This channel's reading of the next cycle it has not seen (see {@link Ina3221Driver.next}). */
  read(_tsMs: number): Promise<Reading> {
    return this.driver.next(this.chipChannel);
  }

  close(): Promise<void> {
    return this.driver.close(this.chipChannel);
  }

  warnings(intervalMs: number): string[] {
    return this.driver.warnings(intervalMs);
  }

  details(): Record<string, unknown> {
    const shuntOhms = this.driver.shuntOhms(this.chipChannel);
    return {
      ...this.driver.details(),
      chip_channel: this.chipChannel,
      shunt_ohms: shuntOhms,
      current_lsb_a: SHUNT_LSB_V / shuntOhms,
      ...this.emulatedInput(),
    };
  }
}

/**
 * The sources of one INA3221: one shared driver, one source per entry of
 * `options.channels`, in that order.
 * @throws {RangeError} for options the chip cannot take.
 */
export function ina3221Sources(bus: I2cBus, options: Ina3221Options): Ina3221ChannelSource[] {
  const driver = new Ina3221Driver(bus, options);
  return options.channels.map((c: Ina3221ChannelOptions) =>
    new Ina3221ChannelSource(driver, c.chipChannel)
  );
}
