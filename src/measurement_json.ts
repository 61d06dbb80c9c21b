/**
 * The v1 `measurement` message as JSON text, cheaply: at 1 kHz the plain stream
 * serialises a message per sample, and formatting a `Date` per sample and making
 * strings of numbers cost more than the rest of the hub. The text is byte for byte
 * `JSON.stringify(measurementMessage(s))`.
 * @module
 */
import { measurementMessage } from "./protocol/ws.ts";
import type { Sample } from "./sample.ts";

/** First instant whose ISO 8601 form has a five-digit year (`+010000-…`). */
const YEAR_10000_MS = 253_402_300_800_000;

/** The three-digit millisecond texts `000`…`999`, made once. */
const MS_TEXT: readonly string[] = Array.from(
  { length: 1000 },
  (_, ms) => String(ms).padStart(3, "0"),
);

/**
 * Writes measurement messages; keeps the date of the current second between calls.
 *
 * The text is `JSON.stringify` of a message object built in the v1 field order, with
 * the timestamp put together from the cached date and a fixed millisecond text. No
 * number is turned into a string by `String()` or a template: V8 keeps such strings in
 * its number-string cache, so at 1 kHz every v, a and w text outlived the young
 * generation and was promoted (about 110 bytes a sample into the old space, a full
 * collection every ~15 s), while `JSON.stringify` writes numbers straight into its
 * output (docs/benchmarks.md, "Third pass").
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
  #secondMs = NaN;
  /** `YYYY-MM-DDTHH:MM:SS.` of {@link #secondMs}. */
  #datePrefix = "";

  /** Writes the messages of `channel`'s samples (`data.channel`); none: the bare v1 message. */
  constructor(channel?: string) {
    this.#channel = channel;
  }

  /** The JSON text of the sample's `measurement` message. */
  text(s: Sample): string {
    const { tsMs } = s;
    if (
      s.error !== undefined || !Number.isInteger(tsMs) || tsMs < 0 || tsMs >= YEAR_10000_MS
    ) {
      // Rare shapes (failed reads, odd times, far dates): the general path.
      return JSON.stringify(measurementMessage(s, this.#channel));
    }
    const ms = tsMs % 1000;
    const secondMs = tsMs - ms;
    if (secondMs !== this.#secondMs) {
      this.#secondMs = secondMs;
      this.#datePrefix = new Date(secondMs).toISOString().slice(0, 20);
    }
    const timestamp = this.#datePrefix + MS_TEXT[ms] + "Z";
    const channel = this.#channel;
    // Two literals, one shape each: the bare v1 message and the one with `channel`.
    return JSON.stringify(
      channel === undefined
        ? {
          type: "measurement",
          data: {
            v: s.v,
            a: s.a,
            w: s.w,
            ts: secondMs / 1000,
            ts_ms: tsMs,
            seq: s.seq,
            status: s.status,
            mode: s.mode,
          },
          timestamp,
        }
        : {
          type: "measurement",
          data: {
            v: s.v,
            a: s.a,
            w: s.w,
            ts: secondMs / 1000,
            ts_ms: tsMs,
            seq: s.seq,
            status: s.status,
            mode: s.mode,
            channel,
          },
          timestamp,
        },
    );
  }
}
