/**
 * Kept recordings: named spans of one or more channels' samples, copied out of the
 * store's rolling history into their own tables (src/recordings/schema.ts), so
 * retention never reaches them. Started now (live: {@link LiveCopies}), from a past
 * span still held raw, or imported; stopped, renamed, deleted; read as history
 * buckets, span figures and rows ({@link RecordingRows}). A disk budget refuses new data.
 * @module
 */
import type { HistoryBucket } from "../protocol/history.ts";
import type { MarkerData } from "../protocol/markers.ts";
import type { PatchRecordingBody, Recording, StopReason } from "../protocol/recordings.ts";
import type { SpanResponse } from "../protocol/span.ts";
import { internName } from "../store/db.ts";
import type { HistoryPlan } from "../store/queries.ts";
import { LiveCopies } from "./live_copies.ts";
import { RecordingRows, type Series } from "./recording_rows.ts";
import {
  type ExportRow,
  type ImportSession,
  mb,
  type NewRecording,
  RecordingError,
  type RecordingsOptions,
  ROW_BYTES_ESTIMATE,
} from "./recordings_types.ts";
import type { RecordingsStore } from "./recordings_store.ts";
import { exportRows, recordingView } from "./recording_view.ts";

/** Span of raw history copied per transaction: a minute (60 000 rows at 1 kHz). */
const COPY_CHUNK_MS = 60_000;

const macrotask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** The recordings of one store. */
export class Recordings {
  /** The budget in bytes (RECORDINGS_MAX_MB). */
  readonly maxBytes: number;
  /** Channels that can be recorded, the first the default. */
  readonly channels: readonly string[];
  #store: RecordingsStore;
  #rows: RecordingRows;
  #live: LiveCopies;
  #now: () => number;
  #notice: (message: string) => void;
  #yield: () => Promise<void>;
  #unsubscribe: () => void;
  #endListeners: ((id: number) => void)[] = [];

  /** Creates or migrates the tables, settles what a crash left, and follows the store's writes. */
  constructor(store: RecordingsStore, options: RecordingsOptions) {
    if (!(options.maxBytes > 0)) {
      throw new RangeError(`Invalid recordings budget ${options.maxBytes}: must be positive`);
    }
    this.#store = store;
    this.maxBytes = options.maxBytes;
    this.channels = options.channels;
    this.#now = options.now ?? Date.now;
    this.#notice = options.notice ?? (() => {});
    this.#yield = options.yieldFn ?? macrotask;
    this.#rows = new RecordingRows(store.db, this.#now);
    this.#live = new LiveCopies({
      rows: this.#rows,
      store,
      maxBytes: this.maxBytes,
      channelCount: this.channels.length,
      settleMs: options.settleMs,
      onBudgetFull: (id) => this.#budgetFull(id),
    });
    for (const id of this.#rows.settleAfterRestart()) {
      this.#rows.purge(id, this.#yield).catch((error) =>
        this.#notice(`Cannot delete recording ${id}: ${error.message}`)
      );
    }
    this.#unsubscribe = store.onWritten(() => this.#live.followWrites());
  }

  /** Bytes all recordings take (their `size_bytes`). */
  usedBytes(): number {
    return this.#rows.usedBytes();
  }

  /** Every recording, newest first. */
  list(): Recording[] {
    return this.#rows.all().map((r) => recordingView(this.#rows, r, this.#now()));
  }

  /** One recording, or undefined. */
  get(id: number): Recording | undefined {
    const row = this.#rows.row(id);
    return row && recordingView(this.#rows, row, this.#now());
  }

  /**
   * Starts a live recording at `fromMs` (default now): rows already stored from then on
   * are copied at once (a pre-trigger span), newer ones as each flush stores them.
   */
  start(spec: NewRecording, fromMs = this.#now()): Recording {
    const channels = this.#channels(spec.channels);
    this.#refuseWhenFull(0);
    this.#store.flush();
    const id = this.#rows.create(spec, {
      channels,
      state: "recording",
      source: "live",
      startMs: fromMs,
    });
    this.#live.start(id, fromMs);
    this.#notice(`Recording "${spec.name}" started (${channels.join(", ")})`);
    return this.get(id)!;
  }

  /**
   * Keeps an armed recording (waiting for its start trigger): no samples until
   * {@link fire}. Announces nothing: the trigger module that arms it announces its states.
   */
  arm(spec: NewRecording): Recording {
    const channels = this.#channels(spec.channels);
    this.#refuseWhenFull(0);
    const id = this.#rows.create(spec, { channels, state: "armed", source: "live", startMs: null });
    return this.get(id)!;
  }

  /**
   * Starts an armed recording at `fromMs` (the trigger time less the pre-trigger span):
   * what the store holds from then on is copied at once, the rest as it is stored.
   * Announces nothing (the trigger module does).
   */
  fire(id: number, fromMs: number): Recording {
    const row = this.#rows.must(id);
    if (row.state !== "armed") {
      throw new RecordingError(409, `Recording ${id} is ${row.state}, not armed`);
    }
    this.#store.flush();
    this.#rows.setRunning(id, fromMs);
    this.#live.start(id, fromMs);
    return this.get(id)!;
  }

  /**
   * Keeps the raw samples of [fromMs, toMs) from history, a minute per transaction.
   *
   * @throws {RecordingError} 409 when part of the span is no longer held raw, 422 when
   * it reaches past now or holds no sample, 507 when the budget has no room for it.
   */
  async fromHistory(spec: NewRecording, fromMs: number, toMs: number): Promise<Recording> {
    const channels = this.#channels(spec.channels);
    const nowMs = this.#now();
    if (toMs > nowMs + 1000) {
      throw new RecordingError(
        422,
        `The span ends in the future (${
          new Date(toMs).toISOString()
        }): start a live recording instead`,
        "to_ms",
      );
    }
    const rawFrom = nowMs - this.#store.rawRetentionMs;
    if (fromMs < rawFrom) {
      throw new RecordingError(
        409,
        `The span starts before the raw history kept (since ${
          new Date(rawFrom).toISOString()
        }): only per-minute rollups remain there, not the samples a recording keeps`,
        "from_ms",
      );
    }
    this.#store.flush();
    let rows = 0;
    for (const channel of channels) {
      rows += this.#rows.countRange(this.#store.channelId(channel), { fromMs, toMs });
    }
    if (rows === 0) {
      throw new RecordingError(422, "The span holds no stored sample on these channels", "from_ms");
    }
    this.#refuseWhenFull(rows * ROW_BYTES_ESTIMATE);
    const id = this.#rows.create(spec, {
      channels,
      state: "saving",
      source: "history",
      startMs: fromMs,
      endMs: toMs,
    });
    const series = this.#rows.seriesOf(id);
    try {
      for (let t = fromMs; t < toMs; t += COPY_CHUNK_MS) {
        const end = Math.min(toMs, t + COPY_CHUNK_MS);
        this.#rows.write(id, {
          series,
          writes: () => {
            for (const s of series) {
              this.#rows.writer.copyRange(s, this.#store.channelId(s.channel), t, end);
            }
          },
        });
        await this.#yield();
      }
    } catch (error) {
      await this.delete(id);
      throw error;
    }
    this.#rows.finish(id, null);
    return this.get(id)!;
  }

  /**
   * An import under way: rows are added a batch per transaction, then {@link finish}
   * completes it or {@link abort} removes it.
   */
  beginImport(spec: NewRecording, startMs: number): ImportSession {
    this.#refuseWhenFull(0);
    const id = this.#rows.create(spec, {
      channels: [],
      state: "saving",
      source: "import",
      startMs,
    });
    const series = new Map<string, Series>();
    let endMs = startMs;
    return {
      id,
      add: (channel, rows) => {
        if (rows.length === 0) return;
        let s = series.get(channel);
        if (!s) {
          if (channel.trim() === "" || channel.length > 64) {
            throw new RecordingError(422, `Invalid channel name "${channel.slice(0, 80)}"`);
          }
          series.set(channel, s = this.#rows.addSeries(id, { channel, position: series.size }));
        }
        this.#refuseWhenFull(rows.length * ROW_BYTES_ESTIMATE, `Import "${spec.name}"`);
        this.#rows.write(id, { series: [s], writes: () => this.#rows.writer.insert(s, rows) });
        endMs = Math.max(endMs, rows[rows.length - 1].tsMs + 1);
      },
      addMarkers: (markers) => {
        const kept = markers.filter((m) => series.has(m.channel));
        this.#rows.markers.add(id, kept, this.#now());
        return kept.length;
      },
      finish: (firstMs) => {
        if (series.size === 0) {
          throw new RecordingError(422, "The file holds no sample rows");
        }
        this.#rows.setSpan(id, { startMs: firstMs, endMs });
        this.#rows.finish(id, null);
        return this.get(id)!;
      },
      abort: () => this.delete(id).then(() => {}),
    };
  }

  /** The markers an imported recording's file carried, oldest first (none for others). */
  importedMarkers(id: number): MarkerData[] {
    return this.#rows.markers.of(id);
  }

  /** The id of a device mode name (interned), for imported rows. */
  modeId(name: string): number {
    return internName(this.#rows.db, "modes", name);
  }

  /** Renames or annotates a recording. */
  patch(id: number, body: PatchRecordingBody): Recording {
    this.#rows.must(id);
    this.#rows.patch(id, body);
    return this.get(id)!;
  }

  /**
   * Stops a live or armed recording: what the store holds up to `endMs` (default now)
   * is copied first, and what reaches it late but stamped before the end
   * ({@link LiveCopies.settleLater}) shortly after. `options.announce: false` sends no
   * status message (a trigger's stop, announced by the trigger module).
   *
   * @throws {RecordingError} 404 for an unknown id, 409 when it is not running.
   */
  stop(
    id: number,
    reason: StopReason = "manual",
    endMs = this.#now(),
    options: { announce?: boolean } = {},
  ): Recording {
    const row = this.#rows.must(id);
    if (row.state !== "recording" && row.state !== "armed") {
      throw new RecordingError(
        409,
        `Recording ${id} is ${row.state}: only a running or armed one stops`,
      );
    }
    const series = this.#live.stop(id, endMs);
    this.#rows.finish(id, reason, row.state === "armed" ? null : endMs);
    if (row.state === "recording" && series && reason !== "shutdown") {
      // The end finish() kept (never before a sample already kept).
      this.#live.settleLater(id, { series, endMs: this.#rows.row(id)!.end_ms ?? endMs });
    }
    if (options.announce !== false) {
      this.#notice(`Recording "${row.name}" stopped${reason === "manual" ? "" : ` (${reason})`}`);
    }
    this.#ended(id);
    return this.get(id)!;
  }

  /**
   * Calls `listener` with the id of every recording that stops (by any path: by hand, a
   * trigger, the budget, shutdown) or is deleted; returns the unsubscribe.
   */
  onEnd(listener: (id: number) => void): () => void {
    this.#endListeners.push(listener);
    return () => {
      this.#endListeners = this.#endListeners.filter((l) => l !== listener);
    };
  }

  /** Deletes a recording and its rows (a chunk per transaction); false when unknown. */
  async delete(id: number): Promise<boolean> {
    if (!this.#rows.row(id)) return false;
    this.#live.drop(id);
    // Hidden at once; a crash part-way resumes the delete at the next start.
    this.#rows.hide(id);
    this.#ended(id);
    await this.#rows.purge(id, this.#yield);
    return true;
  }

  /** History buckets of one channel of a recording over [fromMs, toMs) following `plan`. */
  history(
    id: number,
    channel: string,
    fromMs: number,
    toMs: number,
    plan: HistoryPlan,
  ): HistoryBucket[] {
    return this.#rows.reader(this.#rows.seriesId(id, channel)).queries.history(fromMs, toMs, plan);
  }

  /** Span figures of one channel of a recording over [fromMs, toMs), exact to the sample. */
  span(id: number, channel: string, fromMs: number, toMs: number): SpanResponse {
    if (this.#live.has(id)) this.#store.flush();
    return this.#rows.reader(this.#rows.seriesId(id, channel)).spans.read(fromMs, toMs, -Infinity);
  }

  /** Rows of one channel of a recording, oldest first, `pageRows` at a time (CSV export). */
  *rows(id: number, channel: string, pageRows = 5000): Generator<ExportRow[]> {
    yield* exportRows(this.#rows.db, this.#rows.seriesId(id, channel), pageRows);
  }

  /** Resolves once every stopped recording's late samples are copied (tests, shutdown). */
  settled(): Promise<void> {
    return this.#live.settled();
  }

  /** Stops every live or armed recording (shutdown) and stops following the store. */
  close(): void {
    this.#live.close();
    for (const id of this.#live.ids) {
      // One stop's flush may have stopped another at the budget meanwhile.
      if (this.#live.has(id)) this.stop(id, "shutdown");
    }
    for (const id of this.#rows.armedIds()) this.stop(id, "shutdown");
    this.#unsubscribe();
  }

  /** The budget is full: live recording `id` (out of the copies already) stops here. */
  #budgetFull(id: number): void {
    const row = this.#rows.row(id)!;
    this.#rows.finish(id, "budget", this.#now());
    this.#notice(
      `Recording "${row.name}" stopped: recordings reached RECORDINGS_MAX_MB (${
        mb(this.maxBytes)
      }); delete recordings to make room`,
    );
    this.#ended(id);
  }

  #ended(id: number): void {
    for (const listener of [...this.#endListeners]) {
      try {
        listener(id);
      } catch (error) {
        // The recording has stopped either way; a listener's failure is only logged.
        console.error(`Recording ${id}: ${(error as Error).message}`);
      }
    }
  }

  #channels(asked: readonly string[] | undefined): string[] {
    const names = [...(asked ?? [this.channels[0]])];
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice !== undefined) {
      throw new RecordingError(422, `Channel "${twice}" is given twice`, "channels");
    }
    const unknown = names.find((n) => !this.channels.includes(n));
    if (unknown !== undefined) {
      throw new RecordingError(
        422,
        `Unknown or derived channel "${unknown}": recordings keep measured channels (${
          this.channels.join(", ")
        })`,
        "channels",
      );
    }
    return names;
  }

  #refuseWhenFull(estimate: number, what = "New recording data"): void {
    const used = this.usedBytes();
    if (used + estimate <= this.maxBytes && used < this.maxBytes) return;
    const message = `${what} refused: recordings use ${mb(used)}${
      estimate > 0 ? ` and this needs about ${mb(estimate)} more` : ""
    } of RECORDINGS_MAX_MB (${mb(this.maxBytes)}); delete recordings to make room`;
    this.#notice(message);
    throw new RecordingError(507, message);
  }
}
