/**
 * The v1 `measurement` message as JSON text, written straight from the sample: at
 * 1 kHz the plain stream serialises a message per sample, and building the message
 * object, formatting its date and running `JSON.stringify` on it cost more than the
 * rest of the hub. The text is byte for byte `JSON.stringify(measurementMessage(s))`.
 * @module
 */
import { measurementMessage } from "./protocol/ws.ts";
import type { Sample } from "./sample.ts";

/** First instant whose ISO 8601 form has a five-digit year (`+010000-…`). */
const YEAR_10000_MS = 253_402_300_800_000;

/** Most distinct status and mode strings whose JSON form is kept. */
const MAX_QUOTED = 64;

/**
 * Writes measurement messages; keeps the date of the current second and the quoted
 * mode and status strings between calls, so a sample costs one string concatenation.
 *
 * @example
 * ```ts
 * const json = new MeasurementJson();
 * json.text(sample) === JSON.stringify(measurementMessage(sample)); // true
 * new MeasurementJson("in").text(sample) === JSON.stringify(measurementMessage(sample, "in"));
 * ```
 */
export class MeasurementJson {
  #channel: string | undefined;
  /** `,"channel":"<name>"`, or nothing without a channel. */
  #channelField: string;
  #secondMs = NaN;
  /** `"YYYY-MM-DDTHH:MM:SS.` of {@link #secondMs}, with the opening quote. */
  #datePrefix = "";
  #quoted = new Map<string, string>();

  /** Writes the messages of `channel`'s samples (`data.channel`); none: the bare v1 message. */
  constructor(channel?: string) {
    this.#channel = channel;
    this.#channelField = channel === undefined ? "" : `,"channel":${JSON.stringify(channel)}`;
  }

  /** The JSON text of the sample's `measurement` message. */
  text(s: Sample): string {
    const { tsMs } = s;
    if (
      s.error !== undefined || !Number.isInteger(tsMs) || tsMs < 0 || tsMs >= YEAR_10000_MS ||
      !Number.isFinite(s.v) || !Number.isFinite(s.a) || !Number.isFinite(s.w) ||
      !Number.isFinite(s.seq)
    ) {
      // Rare shapes (failed reads, odd numbers, far dates): the general path.
      return JSON.stringify(measurementMessage(s, this.#channel));
    }
    const ms = tsMs % 1000;
    const secondMs = tsMs - ms;
    if (secondMs !== this.#secondMs) {
      this.#secondMs = secondMs;
      this.#datePrefix = `"${new Date(secondMs).toISOString().slice(0, 20)}`;
    }
    const msText = ms < 10 ? `00${ms}` : ms < 100 ? `0${ms}` : `${ms}`;
    return `{"type":"measurement","data":{"v":${s.v},"a":${s.a},"w":${s.w},"ts":${
      secondMs / 1000
    },"ts_ms":${tsMs},"seq":${s.seq},"status":${this.#quote(s.status)},"mode":${
      this.#quote(s.mode)
    }${this.#channelField}},"timestamp":${this.#datePrefix}${msText}Z"}`;
  }

  #quote(value: string): string {
    let quoted = this.#quoted.get(value);
    if (quoted === undefined) {
      quoted = JSON.stringify(value);
      if (this.#quoted.size < MAX_QUOTED) this.#quoted.set(value, quoted);
    }
    return quoted;
  }
}
