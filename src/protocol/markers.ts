/**
 * Markers on the wire: a labelled instant of one channel (`POST|GET /api/markers`,
 * `DELETE /api/markers/{id}`) and the `marker` WebSocket message sent when one is added,
 * by a person or by an alert transition.
 * @module
 */
import { z } from "zod";
import { ChannelName } from "./common.ts";

/** Longest marker label, in UTF-16 units as JavaScript counts them. */
export const MAX_LABEL_LENGTH = 200;

/** Where a marker came from: a person (`user`) or an alert transition (`alert`). */
export const MarkerSource = z.enum(["user", "alert"]);
/** `user` or `alert`. */
export type MarkerSource = z.output<typeof MarkerSource>;

/** One stored marker. */
export const MarkerData = z.object({
  id: z.number().int().meta({ example: 12 }),
  ts_ms: z.number().int().meta({
    description: "The instant marked (epoch ms)",
    example: 1767225600123,
  }),
  channel: ChannelName,
  label: z.string().meta({ example: "radio on" }),
  source: MarkerSource,
  created_at_ms: z.number().int().meta({
    description: "When it was added (epoch ms)",
    example: 1767225601000,
  }),
});
/** A stored marker. */
export type MarkerData = z.output<typeof MarkerData>;

/** `{"type":"marker","data":{…},"timestamp":"…"}`: a marker was added to the channel. */
export const MarkerMessage = z.object({
  type: z.literal("marker"),
  data: MarkerData,
  timestamp: z.string().meta({ description: "ISO-8601 UTC time of `ts_ms`" }),
});
/** The `marker` message. */
export type MarkerMessage = z.output<typeof MarkerMessage>;

/** The `marker` message of a stored marker. */
export function markerMessage(marker: MarkerData): MarkerMessage {
  return { type: "marker", data: marker, timestamp: new Date(marker.ts_ms).toISOString() };
}

/** A marker's label: 1–200 characters once surrounding white space is trimmed. */
export const MarkerLabel = z.string().trim().min(1, { error: "must not be empty" }).max(
  MAX_LABEL_LENGTH,
  { error: `must be at most ${MAX_LABEL_LENGTH} characters` },
);

/** Body of `POST /api/markers`. */
export const MarkerBody = z.object({
  ts_ms: z.number().int({ error: "must be whole epoch milliseconds (an integer)" }).optional()
    .meta({ description: "The instant to mark (epoch ms; default now)", example: 1767225600123 }),
  channel: z.string().optional().meta({
    description: "The channel (default the first); an unknown name gets 400 listing the names",
    example: "main",
  }),
  label: MarkerLabel.meta({ description: "1–200 characters", example: "radio on" }),
}).strict();
/** Body of `POST /api/markers`. */
export type MarkerBody = z.output<typeof MarkerBody>;

/** Answer of `GET /api/markers`. */
export const MarkerList = z.object({
  data: z.array(MarkerData).meta({ description: "Oldest first (by `ts_ms`, then `id`)" }),
  count: z.number().int(),
});
/** Answer of `GET /api/markers`. */
export type MarkerList = z.output<typeof MarkerList>;
