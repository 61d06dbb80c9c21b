/**
 * Every derived channel of a configuration behind one call: the pipeline hands it each
 * measured sample with its channel's name and gets back the derived samples it completes.
 * @module
 */
import type { ChannelConfig } from "../channels.ts";
import type { Sample } from "../sample.ts";
import { DerivedChannel, type DerivedChannelOptions } from "./channel.ts";
import type { DerivedSample } from "./combine.ts";

/** A derived sample and the derived channel it belongs to. */
export interface ChannelDerivedSample {
  /** The derived channel's name. */
  channel: string;
  /** Its new sample. */
  sample: DerivedSample;
}

/**
 * The derived channels of `channels`, fed by their inputs.
 *
 * @example
 * ```ts
 * const derived = new DerivedChannels(config.channels, { intervalMs: (n) => samplers.get(n)!.intervalMs });
 * // for each measured sample, after it went to the store, the hub and the analysis:
 * for (const { channel, sample } of derived.add(name, sample)) publish(channel, sample);
 * ```
 */
export class DerivedChannels {
  /** Each derived channel by name, in configuration order. */
  readonly channels: ReadonlyMap<string, DerivedChannel>;
  #byInput = new Map<string, DerivedChannel[]>();

  /** One {@link DerivedChannel} per derived entry of `channels`, all with `options`. */
  constructor(channels: readonly ChannelConfig[], options: DerivedChannelOptions) {
    const byName = new Map<string, DerivedChannel>();
    for (const config of channels) {
      if (config.kind !== "derived") continue;
      const channel = new DerivedChannel(config, options);
      byName.set(config.name, channel);
      for (const input of channel.inputs) {
        const list = this.#byInput.get(input);
        if (list) list.push(channel);
        else this.#byInput.set(input, [channel]);
      }
    }
    this.channels = byName;
  }

  /** Whether any derived channel reads `input` (the pipeline may skip the call if not). */
  reads(input: string): boolean {
    return this.#byInput.has(input);
  }

  /** Feeds a measured channel's sample to every derived channel reading it. */
  add(input: string, sample: Sample): ChannelDerivedSample[] {
    const readers = this.#byInput.get(input);
    if (!readers) return [];
    const out: ChannelDerivedSample[] = [];
    for (const channel of readers) {
      for (const derived of channel.add(input, sample)) {
        out.push({ channel: channel.config.name, sample: derived });
      }
    }
    return out;
  }
}
