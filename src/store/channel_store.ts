/**
 * One channel's share of the history store: its writer (queue and `seq`), queries, span
 * figures, alert history and settings, all on the database the {@link Store} holds.
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import type { EnergyStep } from "../analysis/energy.ts";
import type { ChannelDatabaseStats } from "../protocol/database.ts";
import type { SpanResponse } from "../protocol/span.ts";
import type { Sample } from "../sample.ts";
import { AlertLog } from "./alert_log.ts";
import { Queries } from "./queries.ts";
import { SpanReader } from "./span.ts";
import { SampleWriter } from "./writer.ts";

/**
 * The channel whose settings keep their plain keys: every database written before there
 * were channels holds only `main`, and its counters and rules are under those keys.
 */
export const LEGACY_CHANNEL = "main";

/**
 * The settings key of `key` for channel `channel`: `main` keeps the plain key (as a
 * single-channel database has it), every other channel `<key>:<channel>` (a channel
 * name never holds a colon).
 */
export function channelSettingKey(key: string, channel: string): string {
  return channel === LEGACY_CHANNEL ? key : `${key}:${channel}`;
}

/** What a {@link ChannelStore} takes from the {@link Store} that holds it. */
export interface ChannelStoreHost {
  /** The open database. */
  db: DatabaseSync;
  /** Raw retention in ms: span figures read rollups before it. */
  rawRetentionMs: number;
  /** The clock. */
  now: () => number;
  /** Writes every channel's queue (span figures include queued samples). */
  flush: () => boolean;
  /** Makes room in the shared queue before a sample is queued (`DB_MAX_QUEUE`). */
  makeRoom: () => void;
  /** A stored setting (JSON) by its full key, or undefined. */
  getSetting: (key: string) => unknown;
  /** Stores a setting (JSON) by its full key now. */
  setSetting: (key: string, value: unknown) => void;
  /** Registers a setting (full key) to be written in the transaction of every flush. */
  saveWithEveryFlush: (key: string, read: () => unknown) => void;
  /** Raw samples stored for a channel id (a running count). */
  rows: (channelId: number) => number;
  /** Oldest and newest sample time of a channel id. */
  range: (channelId: number) => { oldest: number | null; newest: number | null };
}

/** The per-channel API of the store: what one channel's pipeline and routes use. */
export class ChannelStore {
  /** The channel's name (as configured). */
  readonly name: string;
  /** Queues this channel's samples; its `lastSeq` is where the channel's sampler goes on. */
  readonly writer: SampleWriter;
  /** Reads this channel's history, rollups and statistics. */
  readonly queries: Queries;
  /** Plans and reads this channel's span figures. */
  readonly spans: SpanReader;
  /** Writes and reads this channel's alert history. */
  readonly alerts: AlertLog;
  #host: ChannelStoreHost;

  /** Interns the channel and prepares its statements; made by {@link Store}. */
  constructor(host: ChannelStoreHost, name: string, maxPending: number) {
    this.name = name;
    this.#host = host;
    this.writer = new SampleWriter(host.db, { channel: name, maxPending });
    this.queries = new Queries(host.db, this.writer.channelId);
    this.spans = new SpanReader(host.db, this.writer.channelId);
    this.alerts = new AlertLog(host.db, this.writer.channelId);
  }

  /** Row id of the channel in the `channels` table. */
  get id(): number {
    return this.writer.channelId;
  }

  /** Queues a sample (with the energy integrated up to it) for the next flush. */
  append(sample: Sample, step: EnergyStep): void {
    this.#host.makeRoom();
    this.writer.append(sample, step);
  }

  /**
   * Figures of this channel's samples stamped in [fromMs, toMs), queued ones included
   * (the store is flushed first).
   */
  span(fromMs: number, toMs: number): SpanResponse {
    this.#host.flush();
    return this.spans.read(fromMs, toMs, this.#host.now() - this.#host.rawRetentionMs);
  }

  /** The full settings key of this channel's `key` ({@link channelSettingKey}). */
  settingKey(key: string): string {
    return channelSettingKey(key, this.name);
  }

  /** This channel's stored setting `key` (JSON), or undefined. */
  getSetting(key: string): unknown {
    return this.#host.getSetting(this.settingKey(key));
  }

  /** Stores this channel's setting `key` (JSON) now. */
  setSetting(key: string, value: unknown): void {
    this.#host.setSetting(this.settingKey(key), value);
  }

  /** Writes `read()` as this channel's setting `key` in the transaction of every flush. */
  saveWithEveryFlush(key: string, read: () => unknown): void {
    this.#host.saveWithEveryFlush(this.settingKey(key), read);
  }

  /** Raw samples of this channel stored (a running count: no query). */
  get rows(): number {
    return this.#host.rows(this.id);
  }

  /** Row count, time range, queue and `seq` of this channel. */
  stats(): ChannelDatabaseStats {
    const range = this.#host.range(this.id);
    return {
      name: this.name,
      configured: true,
      rows: this.rows,
      oldest_ts_ms: range.oldest,
      newest_ts_ms: range.newest,
      pending: this.writer.pending,
      written: this.writer.written,
      dropped: this.writer.dropped,
      last_seq: this.writer.lastSeq,
    };
  }
}
