/**
 * Kept recordings: named spans of one or more channels' samples, copied out of the
 * store's rolling history into their own tables (src/recordings/schema.ts), so
 * retention never reaches them. Started now (live: each flush of the store copies the
 * new rows), from a past span still held raw, or imported; stopped, renamed, deleted;
 * read as history buckets, span figures and rows. A disk budget refuses new data.
 * @module
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { HistoryBucket } from "../protocol/history.ts";
import type {
  PatchRecordingBody,
  Recording,
  RecordingSource,
  RecordingState,
  RecordingTriggers,
  StopReason,
} from "../protocol/recordings.ts";
import type { SpanResponse } from "../protocol/span.ts";
import { internName, rollbackAfter } from "../store/db.ts";
import { type HistoryPlan, Queries } from "../store/queries.ts";
import { SpanReader } from "../store/span.ts";
import type { Store } from "../store/store.ts";
import { type IngestRow, type SeriesState, SeriesWriter } from "./ingest.ts";
import { type ImportedMarker, RecordingMarkers } from "./recording_markers.ts";
import { migrateRecordings, RECORDING_TABLES } from "./schema.ts";
import type { MarkerData } from "../protocol/markers.ts";

/** Bytes a sample row takes on disk with its index entry and rollup share (measured, bench/recordings.ts). */
export const ROW_BYTES_ESTIMATE = 72;

/** Span of raw history copied per transaction: a minute (60 000 rows at 1 kHz). */
const COPY_CHUNK_MS = 60_000;

/** Rows deleted per transaction when a recording goes. */
const DELETE_CHUNK_ROWS = 20_000;

/** A refused recordings request: the HTTP status and what was wrong. */
export class RecordingError extends Error {
  /** Names the error in logs and stack traces. */
  override name = "RecordingError";
  /** 400, 404, 409, 422, 501 or 507. */
  readonly status: 400 | 404 | 409 | 422 | 501 | 507;
  /** The field it concerns, if one. */
  readonly path: string;

  /** `status` is the HTTP status the routes answer with. */
  constructor(status: RecordingError["status"], message: string, path = "") {
    super(message);
    this.status = status;
    this.path = path;
  }
}

/** What the recordings need of the store. */
export interface RecordingsStore {
  /** The open database (the recordings' tables are created in it). */
  readonly db: DatabaseSync;
  /** How long raw samples are kept: older spans cannot be copied. */
  readonly rawRetentionMs: number;
  /** Writes every queued sample. */
  flush(): boolean;
  /** Calls `listener` after each flush that committed rows; returns the unsubscribe. */
  onWritten(listener: () => void): () => void;
  /** The store's id of a measured channel. */
  channelId(name: string): number;
}

/** Options of {@link Recordings}. */
export interface RecordingsOptions {
  /** Measured channels that can be recorded, the first the default. */
  channels: readonly string[];
  /** RECORDINGS_MAX_MB in bytes: new data beyond it is refused. */
  maxBytes: number;
  /** Status messages for everyone (start, stop, budget full). */
  notice?: (message: string) => void;
  /** The clock (default `Date.now`). */
  now?: () => number;
  /** Awaited between copy and delete chunks (default: a macrotask). */
  yieldFn?: () => Promise<void>;
  /** How long after a stop samples stamped before it are still copied (default {@link SETTLE_MS}). */
  settleMs?: number;
}

/**
 * How long after a stop the samples stamped before it that were still on their way
 * are copied: another channel's batch (an acquisition Worker posts within 5 ms, the
 * mock every 10 ms) can reach the store after the stop's own channel has passed it.
 */
export const SETTLE_MS = 250;

/** A stopped recording whose late samples are still to be copied. */
interface Settling {
  series: Series[];
  endMs: number;
  timer: ReturnType<typeof setTimeout>;
}

/** Name, notes, tags and channels of a new recording. */
export interface NewRecording {
  /** Its name. */
  name: string;
  /** Free text. */
  notes?: string;
  /** Labels. */
  tags?: readonly string[];
  /** Channels (default: the first). */
  channels?: readonly string[];
  /** Trigger settings to keep with it. */
  triggers?: Partial<RecordingTriggers>;
}

interface RecordingRow {
  id: number;
  name: string;
  notes: string;
  tags: string;
  state: RecordingState;
  source: RecordingSource;
  stop_reason: StopReason | null;
  start_ms: number | null;
  end_ms: number | null;
  created_ms: number;
  size_bytes: number;
  triggers: string;
  figures: string | null;
}

interface Series extends SeriesState {
  channel: string;
  /** Live: last store row id copied. */
  cursorId: number;
}

const NO_TRIGGERS: RecordingTriggers = {
  start_trigger: null,
  stop_trigger: null,
  pre_trigger_ms: null,
  duration_ms: null,
};

const macrotask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

const mb = (bytes: number) => `${Math.round(bytes / 1048576 * 10) / 10} MB`;

/** The recordings of one store. */
export class Recordings {
  /** The budget in bytes (RECORDINGS_MAX_MB). */
  readonly maxBytes: number;
  /** Channels that can be recorded, the first the default. */
  readonly channels: readonly string[];
  #store: RecordingsStore;
  #db: DatabaseSync;
  #writer: SeriesWriter;
  #markers: RecordingMarkers;
  #now: () => number;
  #notice: (message: string) => void;
  #yield: () => Promise<void>;
  #live = new Map<number, Series[]>();
  #settling = new Map<number, Settling>();
  #settleMs: number;
  /** Set by close(): a stop from then on copies its late samples at once. */
  #closed = false;
  #settled = Promise.withResolvers<void>();
  #readers = new Map<number, { spans: SpanReader; queries: Queries }>();
  #unsubscribe: () => void;
  #endListeners: ((id: number) => void)[] = [];
  #stmt: Record<string, StatementSync>;

  /** Creates or migrates the tables, settles what a crash left, and follows the store's writes. */
  constructor(store: RecordingsStore, options: RecordingsOptions) {
    if (!(options.maxBytes > 0)) {
      throw new RangeError(`Invalid recordings budget ${options.maxBytes}: must be positive`);
    }
    this.#store = store;
    this.#db = store.db;
    this.maxBytes = options.maxBytes;
    this.channels = options.channels;
    this.#now = options.now ?? Date.now;
    this.#notice = options.notice ?? (() => {});
    this.#yield = options.yieldFn ?? macrotask;
    this.#settleMs = options.settleMs ?? SETTLE_MS;
    this.#settled.resolve();
    migrateRecordings(this.#db);
    this.#writer = new SeriesWriter(this.#db);
    this.#markers = new RecordingMarkers(this.#db);
    const db = this.#db;
    this.#stmt = {
      insert: db.prepare(
        `INSERT INTO recordings (name, notes, tags, state, source, start_ms, end_ms, created_ms, triggers)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      ),
      insertSeries: db.prepare(
        "INSERT INTO recording_series (recording_id, channel, position) VALUES (?, ?, ?) RETURNING id",
      ),
      one: db.prepare("SELECT * FROM recordings WHERE id = ? AND deleting = 0"),
      all: db.prepare("SELECT * FROM recordings WHERE deleting = 0 ORDER BY id DESC"),
      series: db.prepare(
        "SELECT id, channel, rows, cursor_id FROM recording_series WHERE recording_id = ? ORDER BY position",
      ),
      saveSeries: db.prepare("UPDATE recording_series SET rows = ?, cursor_id = ? WHERE id = ?"),
      addSize: db.prepare("UPDATE recordings SET size_bytes = size_bytes + ? WHERE id = ?"),
      used: db.prepare("SELECT TOTAL(size_bytes) AS b FROM recordings"),
      maxSampleId: db.prepare("SELECT MAX(id) AS id FROM samples"),
      lastTs: db.prepare(
        `SELECT MAX(ts_ms) AS ts FROM ${RECORDING_TABLES.samples} WHERE channel_id = ?`,
      ),
      countRange: db.prepare(
        "SELECT COUNT(*) AS n FROM samples WHERE channel_id = ? AND ts_ms >= ? AND ts_ms < ?",
      ),
      deleteRows: db.prepare(
        `DELETE FROM ${RECORDING_TABLES.samples} WHERE id IN
           (SELECT id FROM ${RECORDING_TABLES.samples} WHERE channel_id = ? LIMIT ?)`,
      ),
      seriesIds: db.prepare("SELECT id FROM recording_series WHERE recording_id = ?"),
    };
    this.#settleAfterRestart();
    this.#unsubscribe = store.onWritten(() => this.#followWrites());
  }

  /** Bytes all recordings take (their `size_bytes`). */
  usedBytes(): number {
    return (this.#stmt.used.get() as { b: number }).b;
  }

  /** Every recording, newest first. */
  list(): Recording[] {
    return (this.#stmt.all.all() as unknown as RecordingRow[]).map((r) => this.#view(r));
  }

  /** One recording, or undefined. */
  get(id: number): Recording | undefined {
    const row = this.#row(id);
    return row && this.#view(row);
  }

  /**
   * Starts a live recording at `fromMs` (default now): rows already stored from then on
   * are copied at once (a pre-trigger span), newer ones as each flush stores them.
   */
  start(spec: NewRecording, fromMs = this.#now()): Recording {
    const channels = this.#channels(spec.channels);
    this.#refuseWhenFull(0);
    this.#store.flush();
    const id = this.#create(spec, channels, "recording", "live", fromMs);
    this.#goLive(id, fromMs);
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
    const id = this.#create(spec, channels, "armed", "live", null);
    return this.get(id)!;
  }

  /**
   * Starts an armed recording at `fromMs` (the trigger time less the pre-trigger span):
   * what the store holds from then on is copied at once, the rest as it is stored.
   * Announces nothing (the trigger module does).
   */
  fire(id: number, fromMs: number): Recording {
    const row = this.#must(id);
    if (row.state !== "armed") {
      throw new RecordingError(409, `Recording ${id} is ${row.state}, not armed`);
    }
    this.#store.flush();
    this.#db.prepare("UPDATE recordings SET state = 'recording', start_ms = ? WHERE id = ?")
      .run(fromMs, id);
    this.#goLive(id, fromMs);
    return this.get(id)!;
  }

  /**
   * Makes recording `id` live from `fromMs` (the store just flushed): the rows already
   * stored from then on (a pre-trigger span, or samples stamped this very millisecond)
   * are copied now, newer ones with each flush, from the newest stored row id on.
   */
  #goLive(id: number, fromMs: number): void {
    const series = this.#seriesOf(id);
    const cursor = (this.#stmt.maxSampleId.get() as { id: number | null }).id ?? 0;
    this.#write(id, () => {
      for (const s of series) {
        s.cursorId = cursor;
        this.#writer.copyRange(
          s,
          this.#store.channelId(s.channel),
          fromMs,
          Number.MAX_SAFE_INTEGER,
        );
      }
    }, series);
    this.#live.set(id, series);
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
      const id = this.#store.channelId(channel);
      rows += (this.#stmt.countRange.get(id, BigInt(fromMs), BigInt(toMs)) as { n: number }).n;
    }
    if (rows === 0) {
      throw new RecordingError(422, "The span holds no stored sample on these channels", "from_ms");
    }
    this.#refuseWhenFull(rows * ROW_BYTES_ESTIMATE);
    const id = this.#create(spec, channels, "saving", "history", fromMs, toMs);
    const series = this.#seriesOf(id);
    try {
      for (let t = fromMs; t < toMs; t += COPY_CHUNK_MS) {
        const end = Math.min(toMs, t + COPY_CHUNK_MS);
        this.#write(id, () => {
          for (const s of series) {
            this.#writer.copyRange(s, this.#store.channelId(s.channel), t, end);
          }
        }, series);
        await this.#yield();
      }
    } catch (error) {
      await this.delete(id);
      throw error;
    }
    this.#finish(id, null);
    return this.get(id)!;
  }

  /**
   * An import under way: rows are added a batch per transaction, then {@link finish}
   * completes it or {@link abort} removes it.
   */
  beginImport(spec: NewRecording, startMs: number): ImportSession {
    this.#refuseWhenFull(0);
    const id = this.#create(spec, [], "saving", "import", startMs);
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
          const { id: seriesId } = this.#stmt.insertSeries.get(id, channel, series.size) as {
            id: number;
          };
          series.set(channel, s = { id: seriesId, channel, rows: 0, cursorId: 0, lastRowId: 0 });
        }
        this.#refuseWhenFull(rows.length * ROW_BYTES_ESTIMATE, `Import "${spec.name}"`);
        this.#write(id, () => this.#writer.insert(s, rows), [s]);
        endMs = Math.max(endMs, rows[rows.length - 1].tsMs + 1);
      },
      addMarkers: (markers) => {
        const kept = markers.filter((m) => series.has(m.channel));
        this.#markers.add(id, kept, this.#now());
        return kept.length;
      },
      finish: (firstMs) => {
        if (series.size === 0) {
          throw new RecordingError(422, "The file holds no sample rows");
        }
        this.#db.prepare("UPDATE recordings SET start_ms = ?, end_ms = ? WHERE id = ?")
          .run(firstMs, endMs, id);
        this.#finish(id, null);
        return this.get(id)!;
      },
      abort: () => this.delete(id).then(() => {}),
    };
  }

  /** The markers an imported recording's file carried, oldest first (none for others). */
  importedMarkers(id: number): MarkerData[] {
    return this.#markers.of(id);
  }

  /** The id of a device mode name (interned), for imported rows. */
  modeId(name: string): number {
    return internName(this.#db, "modes", name);
  }

  /** Renames or annotates a recording. */
  patch(id: number, body: PatchRecordingBody): Recording {
    this.#must(id);
    if (body.name !== undefined) {
      this.#db.prepare("UPDATE recordings SET name = ? WHERE id = ?").run(body.name, id);
    }
    if (body.notes !== undefined) {
      this.#db.prepare("UPDATE recordings SET notes = ? WHERE id = ?").run(body.notes, id);
    }
    if (body.tags !== undefined) {
      this.#db.prepare("UPDATE recordings SET tags = ? WHERE id = ?").run(
        JSON.stringify(body.tags),
        id,
      );
    }
    return this.get(id)!;
  }

  /**
   * Stops a live or armed recording: what the store holds up to `endMs` (default now)
   * is copied first. `options.announce: false` sends no status message (a trigger's
   * stop, announced by the trigger module).
   *
   * @throws {RecordingError} 404 for an unknown id, 409 when it is not running.
   */
  stop(
    id: number,
    reason: StopReason = "manual",
    endMs = this.#now(),
    options: { announce?: boolean } = {},
  ): Recording {
    const row = this.#must(id);
    if (row.state !== "recording" && row.state !== "armed") {
      throw new RecordingError(
        409,
        `Recording ${id} is ${row.state}: only a running or armed one stops`,
      );
    }
    const series = this.#live.get(id);
    // Out of the live set first: the flush below must not copy past endMs.
    this.#live.delete(id);
    if (row.state === "recording" && series) {
      this.#store.flush();
      this.#copyLive(id, series, endMs);
    }
    this.#finish(id, reason, row.state === "armed" ? null : endMs);
    if (row.state === "recording" && series && reason !== "shutdown" && !this.#closed) {
      // The end #finish kept (never before a sample already kept).
      this.#settleLater(id, series, this.#row(id)!.end_ms ?? endMs);
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
    const row = this.#db.prepare("SELECT id FROM recordings WHERE id = ? AND deleting = 0").get(id);
    if (!row) return false;
    this.#live.delete(id);
    this.#dropSettling(id);
    // Hidden at once; a crash part-way resumes the delete at the next start.
    this.#db.prepare("UPDATE recordings SET deleting = 1, size_bytes = 0 WHERE id = ?").run(id);
    this.#ended(id);
    await this.#purge(id);
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
    return this.#reader(this.#seriesId(id, channel)).queries.history(fromMs, toMs, plan);
  }

  /** Span figures of one channel of a recording over [fromMs, toMs), exact to the sample. */
  span(id: number, channel: string, fromMs: number, toMs: number): SpanResponse {
    if (this.#live.has(id)) this.#store.flush();
    return this.#reader(this.#seriesId(id, channel)).spans.read(fromMs, toMs, -Infinity);
  }

  /** Rows of one channel of a recording, oldest first, `pageRows` at a time (CSV export). */
  *rows(id: number, channel: string, pageRows = 5000): Generator<ExportRow[]> {
    const seriesId = this.#seriesId(id, channel);
    const page = this.#db.prepare(
      `SELECT s.id, s.ts_ms, s.seq, s.v, s.a, s.w, s.status, m.name AS mode, s.error, s.step_ms
       FROM ${RECORDING_TABLES.samples} s JOIN modes m ON m.id = s.mode_id
       WHERE s.channel_id = ? AND s.ts_ms >= ? AND (s.ts_ms > ? OR s.id > ?)
       ORDER BY s.ts_ms, s.id LIMIT ?`,
    );
    let lastTs = Number.MIN_SAFE_INTEGER;
    let lastId = 0;
    for (;;) {
      const rows = page.all(
        seriesId,
        BigInt(lastTs),
        BigInt(lastTs),
        BigInt(lastId),
        pageRows,
      ) as unknown as ExportRow[];
      if (rows.length === 0) return;
      yield rows;
      lastTs = rows[rows.length - 1].ts_ms;
      lastId = rows[rows.length - 1].id;
      if (rows.length < pageRows) return;
    }
  }

  /** Resolves once every stopped recording's late samples are copied (tests, shutdown). */
  settled(): Promise<void> {
    return this.#settled.promise;
  }

  /** Stops every live or armed recording (shutdown) and stops following the store. */
  close(): void {
    this.#closed = true;
    for (const id of [...this.#settling.keys()]) this.#settle(id);
    for (const id of [...this.#live.keys()]) this.stop(id, "shutdown");
    const armed = this.#db.prepare(
      "SELECT id FROM recordings WHERE deleting = 0 AND state = 'armed'",
    ).all() as { id: number }[];
    for (const { id } of armed) this.stop(id, "shutdown");
    this.#unsubscribe();
  }

  // --- internals ---

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

  #channels(asked: readonly string[] | undefined, measured = true): string[] {
    const names = [...(asked ?? [this.channels[0]])];
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice !== undefined) {
      throw new RecordingError(422, `Channel "${twice}" is given twice`, "channels");
    }
    if (measured) {
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

  #create(
    spec: NewRecording,
    channels: readonly string[],
    state: RecordingState,
    source: RecordingSource,
    startMs: number | null,
    endMs: number | null = null,
  ): number {
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      const { id } = this.#stmt.insert.get(
        spec.name,
        spec.notes ?? "",
        JSON.stringify(spec.tags ?? []),
        state,
        source,
        startMs,
        endMs,
        this.#now(),
        JSON.stringify({ ...NO_TRIGGERS, ...spec.triggers }),
      ) as { id: number };
      channels.forEach((c, i) => this.#stmt.insertSeries.run(id, c, i));
      this.#db.exec("COMMIT");
      return id;
    } catch (error) {
      rollbackAfter(this.#db, error as Error);
      throw error;
    }
  }

  #seriesOf(id: number): Series[] {
    return (this.#stmt.series.all(id) as {
      id: number;
      channel: string;
      rows: number;
      cursor_id: number;
    }[])
      .map((r) => ({
        id: r.id,
        channel: r.channel,
        rows: r.rows,
        cursorId: r.cursor_id,
        lastRowId: r.rows === 0 ? 0 : this.#lastRowId(r.id),
      }));
  }

  #lastRowId(seriesId: number): number {
    const row = this.#db.prepare(
      `SELECT id FROM ${RECORDING_TABLES.samples} WHERE channel_id = ? ORDER BY ts_ms DESC, id DESC LIMIT 1`,
    ).get(seriesId) as { id: number } | undefined;
    return row?.id ?? 0;
  }

  /** Runs `writes` in one transaction, counting the pages they took against `id`. */
  #write(id: number, writes: () => void, series: readonly Series[]): void {
    const before = this.#writer.usedBytes();
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      writes();
      for (const s of series) this.#stmt.saveSeries.run(s.rows, s.cursorId, s.id);
      this.#stmt.addSize.run(Math.max(0, this.#writer.usedBytes() - before), id);
      this.#db.exec("COMMIT");
    } catch (error) {
      rollbackAfter(this.#db, error as Error);
      throw error;
    }
  }

  /** After each store flush: live recordings copy the new rows, while the budget has room. */
  #followWrites(): void {
    if (this.#live.size === 0 || this.#db.isTransaction) return;
    const upTo = (this.#stmt.maxSampleId.get() as { id: number | null }).id ?? 0;
    for (const [id, series] of [...this.#live]) {
      const rows = series.reduce((n, s) => n + Math.max(0, upTo - s.cursorId), 0);
      const used = this.usedBytes();
      // The id range holds every channel's rows: an upper bound of what is copied.
      if (used + rows * ROW_BYTES_ESTIMATE / Math.max(1, this.channels.length) > this.maxBytes) {
        const row = this.#row(id)!;
        this.#live.delete(id);
        this.#finish(id, "budget", this.#now());
        this.#notice(
          `Recording "${row.name}" stopped: recordings reached RECORDINGS_MAX_MB (${
            mb(this.maxBytes)
          }); delete recordings to make room`,
        );
        this.#ended(id);
        continue;
      }
      this.#copyLive(id, series, Number.MAX_SAFE_INTEGER, upTo);
    }
  }

  #copyLive(id: number, series: readonly Series[], toMs: number, upTo?: number): void {
    const row = this.#row(id);
    if (!row || row.start_ms === null) return;
    const upToId = upTo ?? (this.#stmt.maxSampleId.get() as { id: number | null }).id ?? 0;
    this.#write(id, () => {
      for (const s of series) {
        if (upToId <= s.cursorId) continue;
        this.#writer.copyNew(
          s,
          this.#store.channelId(s.channel),
          { afterId: s.cursorId, upToId },
          row.start_ms!,
          toMs,
        );
        s.cursorId = upToId;
      }
    }, series);
  }

  /** Copies the late samples of `id` (stopped at `endMs`) after {@link SETTLE_MS}. */
  #settleLater(id: number, series: Series[], endMs: number): void {
    if (this.#settling.size === 0) this.#settled = Promise.withResolvers<void>();
    const timer = setTimeout(() => this.#settle(id), this.#settleMs);
    this.#settling.set(id, { series, endMs, timer });
  }

  /**
   * Copies what the store received since the stop of `id` stamped before its end (a
   * slower channel's batch) and refreshes its figures if anything came; not when the
   * recordings are at their budget.
   */
  #settle(id: number): void {
    const settling = this.#settling.get(id);
    if (!settling) return;
    this.#dropSettling(id);
    try {
      const row = this.#row(id);
      if (!row || row.state !== "stopped" || row.start_ms === null) return;
      if (this.usedBytes() >= this.maxBytes) return;
      if (!this.#store.flush()) {
        console.error(`Recording ${id}: late samples not copied: the store could not write them`);
        return;
      }
      const before = settling.series.reduce((n, s) => n + s.rows, 0);
      this.#copyLive(id, settling.series, settling.endMs);
      if (settling.series.reduce((n, s) => n + s.rows, 0) > before) {
        this.#saveFigures(id, row.start_ms, row.end_ms);
      }
    } catch (error) {
      // The recording stays as it was at its stop; only the late samples are missing.
      console.error(`Recording ${id}: late samples not copied: ${(error as Error).message}`);
    }
  }

  #dropSettling(id: number): void {
    const settling = this.#settling.get(id);
    if (!settling) return;
    clearTimeout(settling.timer);
    this.#settling.delete(id);
    if (this.#settling.size === 0) this.#settled.resolve();
  }

  /** Marks a recording stopped and keeps its figures (they no longer change). */
  #finish(id: number, reason: StopReason | null, endMs?: number | null): void {
    const row = this.#row(id)!;
    let end = endMs ?? row.end_ms;
    if (row.start_ms !== null) {
      // Never before a sample already kept.
      for (const s of this.#seriesOf(id)) {
        const last = (this.#stmt.lastTs.get(s.id) as { ts: number | null }).ts;
        if (last !== null && (end === null || last >= end)) end = last + 1;
      }
      end ??= row.start_ms;
    }
    this.#db.prepare(
      "UPDATE recordings SET state = 'stopped', stop_reason = ?, end_ms = ? WHERE id = ?",
    )
      .run(reason, end, id);
    this.#saveFigures(id, row.start_ms, end);
  }

  /** Computes and keeps the figures of each channel of `id` over [startMs, endMs). */
  #saveFigures(id: number, startMs: number | null, endMs: number | null): void {
    const figures: Record<string, SpanResponse> = {};
    if (startMs !== null && endMs !== null) {
      for (const s of this.#seriesOf(id)) {
        figures[s.channel] = this.#reader(s.id).spans.read(startMs, endMs, -Infinity);
      }
    }
    this.#db.prepare("UPDATE recordings SET figures = ? WHERE id = ?").run(
      JSON.stringify(figures),
      id,
    );
  }

  async #purge(id: number): Promise<void> {
    const ids = (this.#stmt.seriesIds.all(id) as { id: number }[]).map((r) => r.id);
    for (const seriesId of ids) {
      this.#readers.delete(seriesId);
      while (Number(this.#stmt.deleteRows.run(seriesId, DELETE_CHUNK_ROWS).changes) > 0) {
        await this.#yield();
      }
      for (const table of Object.values(RECORDING_TABLES.rollups)) {
        this.#db.prepare(`DELETE FROM ${table} WHERE channel_id = ?`).run(seriesId);
      }
    }
    this.#markers.drop(id);
    this.#db.prepare("DELETE FROM recordings WHERE id = ?").run(id);
  }

  /** What a crash or kill left: live ones stop where their copy ended, unfinished copies go. */
  #settleAfterRestart(): void {
    const rows = this.#db.prepare(
      "SELECT * FROM recordings WHERE deleting = 0 AND state != 'stopped'",
    ).all() as unknown as RecordingRow[];
    for (const row of rows) {
      if (row.state === "saving") {
        this.#db.prepare("UPDATE recordings SET deleting = 1, size_bytes = 0 WHERE id = ?").run(
          row.id,
        );
      } else {
        this.#finish(row.id, "shutdown", null);
      }
    }
    const gone = this.#db.prepare("SELECT id FROM recordings WHERE deleting = 1").all() as {
      id: number;
    }[];
    for (const { id } of gone) {
      this.#purge(id).catch((error) =>
        this.#notice(`Cannot delete recording ${id}: ${error.message}`)
      );
    }
  }

  #row(id: number): RecordingRow | undefined {
    return this.#stmt.one.get(id) as RecordingRow | undefined;
  }

  #must(id: number): RecordingRow {
    const row = this.#row(id);
    if (!row) throw new RecordingError(404, `No recording ${id}`);
    return row;
  }

  #seriesId(id: number, channel: string): number {
    const row = this.#must(id);
    const s = this.#seriesOf(row.id).find((x) => x.channel === channel);
    if (!s) {
      throw new RecordingError(
        422,
        `Recording ${id} has no channel "${channel}" (it has ${
          this.#seriesOf(row.id).map((x) => x.channel).join(", ")
        })`,
        "channel",
      );
    }
    return s.id;
  }

  #reader(seriesId: number): { spans: SpanReader; queries: Queries } {
    let r = this.#readers.get(seriesId);
    if (!r) {
      r = {
        spans: new SpanReader(this.#db, seriesId, RECORDING_TABLES),
        queries: new Queries(this.#db, seriesId, RECORDING_TABLES),
      };
      this.#readers.set(seriesId, r);
    }
    return r;
  }

  #view(row: RecordingRow): Recording {
    const series = this.#seriesOf(row.id);
    let figures: Record<string, SpanResponse> = {};
    if (row.figures !== null) {
      figures = JSON.parse(row.figures);
    } else if (row.start_ms !== null && row.state === "recording") {
      const end = Math.max(row.start_ms + 1, this.#now());
      for (const s of series) {
        figures[s.channel] = this.#reader(s.id).spans.read(row.start_ms, end, -Infinity);
      }
    }
    return {
      id: row.id,
      name: row.name,
      notes: row.notes,
      tags: JSON.parse(row.tags),
      channels: series.map((s) => s.channel),
      state: row.state,
      source: row.source,
      stop_reason: row.stop_reason,
      start_ms: row.start_ms,
      end_ms: row.end_ms,
      created_ms: row.created_ms,
      samples: series.reduce((n, s) => n + s.rows, 0),
      size_bytes: row.size_bytes,
      triggers: JSON.parse(row.triggers),
      figures,
    };
  }
}

/** One row of a recording as the CSV export writes it. */
export interface ExportRow {
  /** Row id (paging). */
  id: number;
  /** Time (Unix ms). */
  ts_ms: number;
  /** Sequence number. */
  seq: number;
  /** Bus voltage (V). */
  v: number;
  /** Current (A). */
  a: number;
  /** Power (W). */
  w: number;
  /** Stored status code. */
  status: number;
  /** Device mode. */
  mode: string;
  /** Error text of a failed read. */
  error: string | null;
  /** Interval of the energy step ending here (null: unknown). */
  step_ms: number | null;
}

/** An import under way ({@link Recordings.beginImport}). */
export interface ImportSession {
  /** The recording's id. */
  readonly id: number;
  /** Adds rows of `channel`, oldest first, in one transaction (refused when the budget is full). */
  add(channel: string, rows: readonly IngestRow[]): void;
  /** Keeps the markers the file carried (those of channels it has rows of); returns how many. */
  addMarkers(markers: readonly ImportedMarker[]): number;
  /** Marks it complete, starting at `firstMs`, and returns it. */
  finish(firstMs: number): Recording;
  /** Removes what was added. */
  abort(): Promise<void>;
}

/** The {@link RecordingsStore} view of a {@link Store}. */
export function recordingsStore(store: Store): RecordingsStore {
  return {
    db: store.db,
    rawRetentionMs: store.retention.rawRetentionMs,
    flush: () => store.flush(),
    onWritten: (listener) => store.onWritten(listener),
    channelId: (name) => store.channel(name).id,
  };
}
