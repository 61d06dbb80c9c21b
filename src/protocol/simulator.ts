/**
 * Bodies of the sampler's routes: `POST /simulator/start|stop` of the v1 protocol and
 * the device commands `POST /simulator/mode|interval`.
 * @module
 */
import { z } from "zod";

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
