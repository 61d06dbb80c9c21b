/**
 * Vocabulary every message of the v1 protocol shares: the sample status, the three
 * metrics, alert severities and the error body of every 4xx/5xx answer.
 * @module
 */
import { z } from "zod";

/** Status of a sample: `error` samples carry no measurement (v/a/w are 0). */
export const SampleStatus = z.enum(["ok", "error", "overflow"]);
/** `ok`, `error` or `overflow`. */
export type SampleStatus = z.output<typeof SampleStatus>;

/** The three metrics of a sample: bus voltage (V), current (A), power (W). */
export const Metric = z.enum(["v", "a", "w"]);
/** `v`, `a` or `w`. */
export type Metric = z.output<typeof Metric>;
/** Each metric's unit, as messages print it. */
export const METRIC_UNITS: Readonly<Record<Metric, string>> = Object.freeze({
  v: "V",
  a: "A",
  w: "W",
});
/** Each metric's name, as messages print it. */
export const METRIC_NAMES: Readonly<Record<Metric, string>> = Object.freeze({
  v: "Voltage",
  a: "Current",
  w: "Power",
});

/** Alert and outlier severities, mildest first. */
export const Severity = z.enum(["warning", "danger"]);
/** `warning` or `danger`. */
export type Severity = z.output<typeof Severity>;

/** One thing wrong with a request. */
export const Issue = z.object({
  path: z.string(),
  message: z.string(),
});
/** `{"path": "...", "message": "..."}` */
export type Issue = z.output<typeof Issue>;

/** Every 4xx/5xx body. */
export const ErrorBody = z.object({
  error: z.string().meta({ example: "Invalid request body" }),
  issues: z.array(Issue).meta({ description: "What was wrong, field by field" }),
});
/** `{"error": "...", "issues": [...]}` */
export type ErrorBody = z.output<typeof ErrorBody>;

/** The `channel` a message or row belongs to (issue 13): its name from CHANNELS, `main` without. */
export const ChannelName = z.string().meta({
  description: "The channel: its name in CHANNELS (`main` without CHANNELS)",
  example: "main",
});
