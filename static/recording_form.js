// @ts-check
/**
 * @module The body of `POST /api/recordings` from the Recordings form's fields: start
 * now, or armed on a trigger (a start condition with its pre-trigger, a stop condition,
 * a duration). Pure: no DOM, so tests import it directly.
 */

/** @typedef {import("../src/protocol/recordings.ts").TriggerCondition} TriggerCondition */

/**
 * The form's fields as text, as read from the inputs.
 * @typedef {{
 *   name: string,
 *   channels: string[],
 *   trigger_channel?: string,
 *   start_metric?: string, start_op?: string, start_value?: string, start_for_ms?: string,
 *   pre_trigger_ms?: string,
 *   stop_metric?: string, stop_op?: string, stop_value?: string, stop_for_ms?: string,
 *   duration_s?: string,
 * }} RecordingFields
 */

/** A field the user must correct: its name and what is wrong. */
export class FieldError extends Error {
  /** @param {string} field @param {string} key i18n key of the message */
  constructor(field, key) {
    super(key);
    this.field = field;
    this.key = key;
  }
}

/**
 * @param {string | undefined} text
 * @returns {number | undefined} the number typed, undefined when empty
 */
function numberOf(text) {
  if (text === undefined || text.trim() === "") return undefined;
  return Number(text);
}

/**
 * A condition from its fields, undefined when its value is empty.
 * @param {RecordingFields} f
 * @param {"start" | "stop"} part
 * @param {string | undefined} channel the watched channel, when not the first recorded
 * @returns {TriggerCondition | undefined}
 */
function condition(f, part, channel) {
  const value = numberOf(f[`${part}_value`]);
  if (value === undefined) return undefined;
  if (!Number.isFinite(value)) throw new FieldError(`${part}_value`, "rec.error.value");
  const forMs = numberOf(f[`${part}_for_ms`]) ?? 0;
  if (!Number.isInteger(forMs) || forMs < 0) {
    throw new FieldError(`${part}_for_ms`, "rec.error.for_ms");
  }
  const metric = f[`${part}_metric`];
  const op = f[`${part}_op`];
  if (metric !== "v" && metric !== "a" && metric !== "w") {
    throw new FieldError(`${part}_metric`, "rec.error.metric");
  }
  if (op !== ">" && op !== "<") throw new FieldError(`${part}_op`, "rec.error.op");
  return { metric, op, value, for_ms: forMs, ...(channel ? { channel } : {}) };
}

/**
 * The create body: `armed` adds the trigger fields (a recording started now has none).
 * @param {RecordingFields} f
 * @param {{ armed: boolean }} options
 * @returns {Record<string, unknown>}
 * @throws {FieldError} naming the field to correct
 */
export function recordingBody(f, options) {
  const name = f.name.trim();
  if (name === "") throw new FieldError("name", "rec.error.name");
  if (f.channels.length === 0) throw new FieldError("channels", "rec.error.channels");
  /** @type {Record<string, unknown>} */
  const body = { name, channels: f.channels };
  if (!options.armed) return body;
  // The watched channel is named only when it is not the recording's first.
  const watched = f.trigger_channel && f.trigger_channel !== f.channels[0]
    ? f.trigger_channel
    : undefined;
  const start = condition(f, "start", watched);
  const stop = condition(f, "stop", start ? undefined : watched);
  const pre = numberOf(f.pre_trigger_ms) ?? 0;
  if (!Number.isInteger(pre) || pre < 0 || pre > 10_000) {
    throw new FieldError("pre_trigger_ms", "rec.error.pre");
  }
  const durationS = numberOf(f.duration_s);
  if (durationS !== undefined && !(durationS > 0)) {
    throw new FieldError("duration_s", "rec.error.duration");
  }
  if (!start && !stop && durationS === undefined) {
    throw new FieldError("start_value", "rec.error.trigger");
  }
  if (start) body.start_trigger = start;
  if (start && pre > 0) body.pre_trigger_ms = pre;
  if (stop) body.stop_trigger = stop;
  if (durationS !== undefined) body.duration_ms = Math.max(1, Math.round(durationS * 1000));
  return body;
}

/**
 * A size in bytes as "812 B", "4.2 kB", "1.31 MB", "2.05 GB" (powers of 1000, as disks).
 * @param {number} bytes
 * @param {(value: number, decimals: number) => string} [format]
 * @returns {string}
 */
export function bytesText(bytes, format = (v, d) => v.toFixed(d)) {
  if (!Number.isFinite(bytes) || bytes < 0) return "—";
  const units = ["B", "kB", "MB", "GB", "TB"];
  let i = 0;
  let x = bytes;
  while (x >= 1000 && i < units.length - 1) {
    x /= 1000;
    i++;
  }
  return `${format(x, i === 0 ? 0 : x < 10 ? 2 : x < 100 ? 1 : 0)} ${units[i]}`;
}
