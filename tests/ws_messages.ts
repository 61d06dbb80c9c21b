/**
 * Test helper: every message a test client receives on `/ws` is checked against the
 * protocol's schema for its `type`, so a message that drifts from the v1 protocol
 * fails the test that received it.
 * @module
 */
import { AlertMessage } from "../src/protocol/alerts.ts";
import { StatisticsMessage } from "../src/protocol/analysis.ts";
import { MarkerMessage } from "../src/protocol/markers.ts";
import type { ServerMessage } from "../src/protocol/messages.ts";
import { MeasurementMessage, MeasurementsMessage, StatusMessage } from "../src/protocol/ws.ts";

const SCHEMAS = {
  measurement: MeasurementMessage,
  measurements: MeasurementsMessage,
  status: StatusMessage,
  statistics: StatisticsMessage,
  alert: AlertMessage,
  marker: MarkerMessage,
} as const;

/**
 * Parses one WebSocket text frame and validates it against the schema of its `type`;
 * returns the message as received (extra fields kept). Throws on anything else.
 */
export function parseServerMessage(text: string): ServerMessage {
  const message = JSON.parse(text);
  const type: unknown = message?.type;
  if (typeof type !== "string" || !Object.hasOwn(SCHEMAS, type)) {
    throw new TypeError(`Unknown WebSocket message type ${JSON.stringify(type)}: ${text}`);
  }
  const result = SCHEMAS[type as keyof typeof SCHEMAS].safeParse(message);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new TypeError(`Invalid ${type} message (${issues.join("; ")}): ${text}`);
  }
  return message as ServerMessage;
}
