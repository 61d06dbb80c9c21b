/**
 * Every message the server sends on `/ws`, as one union discriminated by `type`.
 * @module
 */
import { z } from "zod";
import { AlertMessage } from "./alerts.ts";
import { StatisticsMessage } from "./analysis.ts";
import { MeasurementMessage, MeasurementsMessage, StatusMessage } from "./ws.ts";

/** A server → client WebSocket message: `measurement`, `measurements`, `status`, `statistics` or `alert`. */
export const ServerMessage = z.discriminatedUnion("type", [
  MeasurementMessage,
  MeasurementsMessage,
  StatusMessage,
  StatisticsMessage,
  AlertMessage,
]);
/** A server → client WebSocket message. */
export type ServerMessage = z.output<typeof ServerMessage>;
