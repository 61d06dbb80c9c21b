/**
 * The checks a channel list needs as a whole: one chip per bus address, one emulated
 * bus clock, one setting per INA3221, derived channels over measured ones. Pure.
 * @module
 */
import {
  type ChannelConfig,
  ChannelConfigError,
  isI2cChannel,
  type MeasuredChannelConfig,
} from "./channels.ts";

/**
 * Checks channels that are each valid against one another.
 * @throws {ChannelConfigError} naming the later entry and the earlier one it clashes with.
 */
export function checkChannelSet(channels: readonly ChannelConfig[]): void {
  const at = (channel: ChannelConfig) => {
    const index = channels.indexOf(channel);
    return `entry ${index + 1} ("${channel.name}")`;
  };
  const fail = (channel: ChannelConfig, message: string): never => {
    throw new ChannelConfigError(`${at(channel)}: ${message}`);
  };
  if (channels[0].kind !== "measured") {
    fail(channels[0], "the first channel is the one v1 clients see: it must be measured");
  }

  const byAddress = new Map<string, MeasuredChannelConfig>();
  const byResource = new Map<string, MeasuredChannelConfig>();
  let emulated: MeasuredChannelConfig | undefined;
  for (const channel of channels) {
    if (channel.kind !== "measured") continue;
    const claim = (key: string, what: string) => {
      const earlier = byResource.get(key);
      if (earlier) fail(channel, `${what}: already used by ${at(earlier)}`);
      byResource.set(key, channel);
    };
    if (channel.sensor === "serial") claim(`serial ${channel.serialPort}`, "serial_port");
    if (channel.sensor === "hwmon" && channel.hwmonPath !== null) {
      claim(`hwmon ${channel.hwmonPath}`, `hwmon_path "${channel.hwmonPath}"`);
    }
    if (!isI2cChannel(channel) && !(channel.sensor === "hwmon" && channel.hwmonPath === null)) {
      continue;
    }
    const where = `i2c_address ${hex(channel.i2cAddress)} on bus ${channel.i2cBus}`;
    const key = `${channel.i2cBus} ${channel.i2cAddress}`;
    const earlier = byAddress.get(key);
    if (earlier === undefined) byAddress.set(key, channel);
    else if (channel.sensor !== "ina3221" || earlier.sensor !== "ina3221") {
      fail(channel, `${where}: already used by ${at(earlier)}`);
    } else if (channel.adcSamples !== earlier.adcSamples) {
      fail(
        channel,
        `adc_samples ${channel.adcSamples}: differs from ${
          at(earlier)
        }, on the same INA3221 (${where}), which averages all its channels alike`,
      );
    }
    if (channel.sensor === "ina3221") {
      claim(
        `${key} ${channel.chipChannel}`,
        `chip_channel ${channel.chipChannel} of the INA3221 at ${
          hex(channel.i2cAddress)
        } on bus ${channel.i2cBus}`,
      );
    }
    if (isI2cChannel(channel) && channel.i2cBus === "emulated") {
      if (emulated === undefined) emulated = channel;
      else if (isI2cChannel(emulated) && emulated.i2cEmulatedKhz !== channel.i2cEmulatedKhz) {
        fail(
          channel,
          `i2c_emulated_khz ${channel.i2cEmulatedKhz}: differs from ${
            at(emulated)
          } (${emulated.i2cEmulatedKhz}), on the same emulated bus`,
        );
      }
    }
  }

  const measured = new Set(channels.filter((c) => c.kind === "measured").map((c) => c.name));
  for (const channel of channels) {
    if (channel.kind !== "derived") continue;
    const refs = channel.derived === "efficiency"
      ? [["input", channel.input], ["output", channel.output]]
      : channel.inputs.map((name, i) => [`inputs[${i}]`, name]);
    const seen = new Set<string>();
    for (const [field, name] of refs) {
      const problem = name === channel.name
        ? "cannot refer to itself"
        : measured.has(name)
        ? seen.has(name) ? "is listed twice" : null
        : channels.some((c) => c.name === name)
        ? "is derived: derived channels are computed from measured ones only"
        : `no such channel (the measured ones: ${[...measured].join(", ")})`;
      if (problem !== null) fail(channel, `${field} "${name}": ${problem}`);
      seen.add(name);
    }
  }
}

function hex(address: number): string {
  return `0x${address.toString(16).toUpperCase().padStart(2, "0")}`;
}
