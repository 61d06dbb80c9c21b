/**
 * Markers as the monitor keeps them: each one added (by a person through the API, or by
 * an alert transition) is stored and sent as a `marker` message to the clients of its
 * channel; listed and deleted for the API, and by span for a recording's export.
 * @module
 */
import type { AlertMessage } from "../protocol/alerts.ts";
import {
  type MarkerData,
  markerMessage,
  type MarkerSource,
  MAX_LABEL_LENGTH,
} from "../protocol/markers.ts";
import type { ServerMessage } from "../protocol/messages.ts";
import type { MarkerLog } from "../store/markers.ts";

/** Alert transitions that become markers (a de-escalation is part of the same alert). */
const MARKED_STATES: ReadonlySet<string> = new Set(["raised", "escalated", "cleared"]);

/** Options of {@link Markers}. */
export interface MarkersOptions {
  /** Where they are stored. */
  log: MarkerLog;
  /** Sends a message to the clients of one channel (the hub's broadcast). */
  broadcast: (message: ServerMessage, channel: string) => unknown;
  /** The channels, the first one the default. */
  channels: readonly string[];
  /** The clock of `created_at_ms` and of markers without a time (default `Date.now`). */
  now?: () => number;
  /** Where an alert marker that could not be stored is reported (default `console.error`). */
  logError?: (line: string) => void;
}

/** Every channel's markers: stored, announced, listed, deleted. */
export class Markers {
  /** The channels, the first one the default. */
  readonly names: readonly string[];
  #log: MarkerLog;
  #broadcast: MarkersOptions["broadcast"];
  #now: () => number;
  #logError: (line: string) => void;

  /** Keeps markers in `options.log` and announces them through `options.broadcast`. */
  constructor(options: MarkersOptions) {
    this.#log = options.log;
    this.#broadcast = options.broadcast;
    this.names = options.channels;
    this.#now = options.now ?? Date.now;
    this.#logError = options.logError ?? console.error;
  }

  /**
   * Stores a marker of `channel` (a known name, checked by the caller) at `tsMs`
   * (default now) and sends it to the channel's clients.
   */
  add(
    marker: { channel: string; label: string; tsMs?: number; source?: MarkerSource },
  ): MarkerData {
    const nowMs = this.#now();
    const stored = this.#log.add({
      channel: marker.channel,
      tsMs: marker.tsMs ?? nowMs,
      label: marker.label,
      source: marker.source ?? "user",
      createdAtMs: nowMs,
    });
    this.#broadcast(markerMessage(stored), stored.channel);
    return stored;
  }

  /** Markers of `channel` (undefined: all) in [fromMs, toMs), oldest first, at most `limit`. */
  list(channel: string | undefined, fromMs: number, toMs: number, limit: number): MarkerData[] {
    return this.#log.list(channel, fromMs, toMs, limit);
  }

  /** Deletes the marker `id`; returns it, or undefined when there was none. */
  delete(id: number): MarkerData | undefined {
    return this.#log.delete(id);
  }

  /** Every marker of `channel` in [fromMs, toMs), oldest first (a recording's export). */
  markersIn(channel: string, fromMs: number, toMs: number): MarkerData[] {
    return this.#log.markersIn(channel, fromMs, toMs);
  }

  /**
   * Turns an alert transition (raised, escalated, cleared) into a marker labelled with
   * the alert's text: a pipeline's `onAlert` listener. A marker that cannot be stored is
   * logged; the alert itself has already gone out.
   */
  onAlert = (message: AlertMessage): void => {
    const { data } = message;
    if (!MARKED_STATES.has(data.state)) return;
    try {
      this.add({
        channel: data.channel ?? this.names[0],
        tsMs: data.ts_ms,
        label: data.message.slice(0, MAX_LABEL_LENGTH),
        source: "alert",
      });
    } catch (error) {
      this.#logError(`Cannot store the marker of an alert: ${(error as Error).message}`);
    }
  };
}
