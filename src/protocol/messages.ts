/**
 * Every message the server sends on `/ws`, as one union discriminated by `type`.
 * @module
 */
import { z } from "zod";
import { AlertMessage } from "./alerts.ts";
import { StatisticsMessage } from "./analysis.ts";
import { MarkerMessage } from "./markers.ts";
import { MeasurementMessage, MeasurementsMessage, StatusMessage } from "./ws.ts";

/**
 * A server → client WebSocket message: `measurement`, `measurements`, `status`,
 * `statistics`, `alert` or `marker`.
 */
export const ServerMessage = z.discriminatedUnion("type", [
  MeasurementMessage,
  MeasurementsMessage,
  StatusMessage,
  StatisticsMessage,
  AlertMessage,
  MarkerMessage,
]);
/** A server → client WebSocket message. */
export type ServerMessage = z.output<typeof ServerMessage>;
