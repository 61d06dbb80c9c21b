/**
 * The channels on the wire: `GET /api/channels` and the `channels` list of `/status`.
 * @module
 */
import { z } from "zod";
import { ChannelName } from "./common.ts";

/** One channel's state and settings, as `GET /api/channels` lists it. */
export const ChannelInfo = z.object({
  name: ChannelName,
  label: z.string().meta({ description: "For people (the name unless set)" }),
  kind: z.enum(["measured", "derived"]),
  sensor: z.string().optional().meta({
    description: "A measured channel's sensor: ina219, ina226, ina228, ina260, ina3221, " +
      "hwmon, serial, mock",
  }),
  derived: z.enum(["efficiency", "sum"]).optional().meta({
    description: "How a derived channel is computed (never stored as measured samples)",
  }),
  inputs: z.array(z.string()).optional().meta({
    description: "A derived channel's inputs (efficiency: input, then output)",
  }),
  state: z.enum(["running", "stopped", "error"]).meta({
    description: "`error`: sampling, but the last read failed (a derived channel: an input's)",
  }),
  sensor_status: z.enum(["ok", "error", "unknown"]),
  interval_ms: z.number().int().meta({
    description: "Sample interval in force (a derived channel: its slowest input's)",
  }),
  sample_rate_hz: z.number().meta({ description: "Samples per second over the last 10 s" }),
  last_seq: z.number().int(),
  settings: z.record(z.string(), z.unknown()).meta({
    description: "The channel's resolved settings (nothing secret)",
  }),
  resolution: z.object({
    v: z.number().meta({ description: "Bus voltage step (V)" }),
    a: z.number().meta({ description: "Current step (A)" }),
    w: z.number().meta({ description: "Power step (W)" }),
  }).nullable().optional().meta({
    description: "The smallest step the sensor reports per metric (its LSBs), for showing " +
      "values with the decimals the sensor resolves; null when unknown (a derived channel, " +
      "a chip before calibration)",
  }),
});
/** One channel, as `GET /api/channels` lists it. */
export type ChannelInfo = z.output<typeof ChannelInfo>;

/** `GET /api/channels`. */
export const ChannelsResponse = z.object({
  channels: z.array(ChannelInfo).meta({
    description: "Every channel in configuration order; the first is the v1 protocol's",
  }),
});
/** `GET /api/channels`. */
export type ChannelsResponse = z.output<typeof ChannelsResponse>;

/** One channel in `/status`: the list of `GET /api/channels` without the settings. */
export const ChannelSummary = ChannelInfo.omit({ settings: true });
/** One channel in `/status`. */
export type ChannelSummary = z.output<typeof ChannelSummary>;
