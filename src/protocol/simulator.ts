/**
 * Bodies of the sampler's routes: `POST /simulator/start|stop` of the v1 protocol and
 * the device commands `POST /simulator/mode|interval`.
 * @module
 */
import { z } from "zod";
import { ErrorBody } from "./common.ts";

export { DEVICE_MODES, type DeviceMode } from "./device_modes.ts";

/** `POST /simulator/start`. */
export const StartResponse = z.object({
  status: z.literal("started"),
  type: z.string().meta({ example: "Mock" }),
  already_running: z.boolean(),
});

/** `POST /simulator/stop`. */
export const StopResponse = z.object({
  status: z.literal("stopped"),
  type: z.string().meta({ example: "Mock" }),
  was_running: z.boolean(),
});

/** Body of `POST /simulator/mode`. */
export const ModeRequest = z.object({
  mode: z.string().meta({ example: "LOAD_SPIKE" }),
}).strict();

/** `POST /simulator/mode`. */
export const ModeResponse = z.object({
  status: z.literal("ok"),
  mode: z.string(),
  auto_rotate: z.boolean(),
});

/** Body of `POST /simulator/interval`. */
export const IntervalRequest = z.object({
  interval_ms: z.number().int().min(1).max(10_000).meta({ example: 500 }),
}).strict();

/** `POST /simulator/interval`. */
export const IntervalResponse = z.object({
  status: z.literal("ok"),
  interval_ms: z.number().int(),
});

/**
 * A device command (mode, interval) the device did not carry out: the error body
 * plus the state the device is in, which is unchanged.
 */
export const DeviceCommandErrorBody = ErrorBody.extend({
  failure: z.enum(["refused", "timeout", "garbled", "gone"]).meta({
    description:
      "refused (422): the device said no; timeout (504): no answer in time; garbled (502): an answer we cannot read; gone (502): no device to ask",
  }),
  mode: z.string().meta({ description: "The device's mode, unchanged" }),
  interval_ms: z.number().int().meta({ description: "The device's interval, unchanged" }),
});
/** The body of a device command's 422/502/504. */
export type DeviceCommandErrorBody = z.output<typeof DeviceCommandErrorBody>;
