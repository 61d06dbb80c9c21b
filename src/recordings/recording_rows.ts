/**
 * The rows of the recordings' tables (src/recordings/schema.ts): a recording and its
 * series, the transaction every copy runs in (its pages counted against the
 * recording), stopping one with its figures, and deleting one a chunk at a time.
 * @module
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import type {
  PatchRecordingBody,
  RecordingSource,
  RecordingState,
  RecordingTriggers,
  StopReason,
} from "../protocol/recordings.ts";
import type { SpanResponse } from "../protocol/span.ts";
import { rollbackAfter } from "../store/db.ts";
import { Queries } from "../store/queries.ts";
import { SpanReader } from "../store/span.ts";
import { type SeriesState, SeriesWriter } from "./ingest.ts";
import { RecordingMarkers } from "./recording_markers.ts";
import { type NewRecording, RecordingError } from "./recordings_types.ts";
import { migrateRecordings, RECORDING_TABLES } from "./schema.ts";

/** Rows deleted per transaction when a recording goes. */
const DELETE_CHUNK_ROWS = 20_000;

const NO_TRIGGERS: RecordingTriggers = {
  start_trigger: null,
  stop_trigger: null,
  pre_trigger_ms: null,
  duration_ms: null,
};

/** A row of the `recordings` table (the columns are those of the API's `Recording`). */
export interface RecordingRow {
  /** Its id. */
  id: number;
  /** Its name. */
  name: string;
  /** Free text. */
  notes: string;
  /** Labels, a JSON array. */
  tags: string;
  /** armed, recording, saving or stopped. */
  state: RecordingState;
  /** live, history or import. */
  source: RecordingSource;
  /** Why it stopped (null: running, or finished without a reason). */
  stop_reason: StopReason | null;
  /** Its first instant (null: armed). */
  start_ms: number | null;
  /** Its end, exclusive (null: running). */
  end_ms: number | null;
  /** When it was created. */
  created_ms: number;
  /** Database bytes its rows take. */
  size_bytes: number;
  /** Its trigger settings, JSON. */
  triggers: string;
  /** Its figures per channel, JSON, once stopped. */
  figures: string | null;
}

/** What {@link RecordingRows.create} keeps besides the name, notes, tags and triggers. */
export interface NewRow {
  /** Its channels, in order. */
  channels: readonly string[];
  /** Its state at creation. */
  state: RecordingState;
  /** Where its samples come from. */
  source: RecordingSource;
  /** Its start (null: armed, not started). */
  startMs: number | null;
  /** Its end, when known at creation (a span of history). */
  endMs?: number | null;
}

/** One channel of a recording, as copies update it. */
export interface Series extends SeriesState {
  /** The channel's name. */
  channel: string;
  /** Live: last store row id copied. */
  cursorId: number;
}

/** The recordings' rows in one database (tables created or migrated on construction). */
export class RecordingRows {
  /** The database. */
  readonly db: DatabaseSync;
  /** Writes sample rows into a series. */
  readonly writer: SeriesWriter;
  /** The markers imported with recordings. */
  readonly markers: RecordingMarkers;
  #now: () => number;
  #stmt: Record<string, StatementSync>;
  #readers = new Map<number, { spans: SpanReader; queries: Queries }>();

  /** Migrates the tables in `db` and prepares the statements; `now` dates new rows. */
  constructor(db: DatabaseSync, now: () => number) {
    this.db = db;
    this.#now = now;
    migrateRecordings(db);
    this.writer = new SeriesWriter(db);
    this.markers = new RecordingMarkers(db);
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
  }

  /** Bytes all recordings take (their `size_bytes`). */
  usedBytes(): number {
    return (this.#stmt.used.get() as { b: number }).b;
  }

  /** Every recording not being deleted, newest first. */
  all(): RecordingRow[] {
    return this.#stmt.all.all() as unknown as RecordingRow[];
  }

  /** Recording `id`, unless unknown or being deleted. */
  row(id: number): RecordingRow | undefined {
    return this.#stmt.one.get(id) as RecordingRow | undefined;
  }

  /**
   * Recording `id`.
   * @throws {RecordingError} 404 when {@link row} has none.
   */
  must(id: number): RecordingRow {
    const row = this.row(id);
    if (!row) throw new RecordingError(404, `No recording ${id}`);
    return row;
  }

  /** The newest row id of the store's samples (0: none). */
  maxSampleId(): number {
    return (this.#stmt.maxSampleId.get() as { id: number | null }).id ?? 0;
  }

  /** Samples the store holds of channel `channelId` in [fromMs, toMs). */
  countRange(channelId: number, span: { fromMs: number; toMs: number }): number {
    const { fromMs, toMs } = span;
    return (this.#stmt.countRange.get(channelId, BigInt(fromMs), BigInt(toMs)) as { n: number }).n;
  }

  /** A new recording with its channels' series, in one transaction; returns its id. */
  create(spec: NewRecording, o: NewRow): number {
    const { channels, state, source, startMs, endMs = null } = o;
    this.db.exec("BEGIN IMMEDIATE");
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
      this.db.exec("COMMIT");
      return id;
    } catch (error) {
      rollbackAfter(this.db, error as Error);
      throw error;
    }
  }

  /** Adds a series for `channel` at `position` to recording `id` (imports). */
  addSeries(id: number, o: { channel: string; position: number }): Series {
    const { channel, position } = o;
    const { id: seriesId } = this.#stmt.insertSeries.get(id, channel, position) as { id: number };
    return { id: seriesId, channel, rows: 0, cursorId: 0, lastRowId: 0 };
  }

  /** The series of recording `id`, in channel order. */
  seriesOf(id: number): Series[] {
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

  /**
   * The series id of `channel` in recording `id`.
   * @throws {RecordingError} 404 for an unknown recording, 422 for a channel it lacks.
   */
  seriesId(id: number, channel: string): number {
    const row = this.must(id);
    const s = this.seriesOf(row.id).find((x) => x.channel === channel);
    if (!s) {
      throw new RecordingError(
        422,
        `Recording ${id} has no channel "${channel}" (it has ${
          this.seriesOf(row.id).map((x) => x.channel).join(", ")
        })`,
        "channel",
      );
    }
    return s.id;
  }

  /** Span and history readers of one series (kept while it lives). */
  reader(seriesId: number): { spans: SpanReader; queries: Queries } {
    let r = this.#readers.get(seriesId);
    if (!r) {
      r = {
        spans: new SpanReader(this.db, seriesId, RECORDING_TABLES),
        queries: new Queries(this.db, seriesId, RECORDING_TABLES),
      };
      this.#readers.set(seriesId, r);
    }
    return r;
  }

  /**
   * Runs `o.writes` in one transaction, saving `o.series`' counts and cursors and
   * counting the pages taken against recording `id`.
   */
  write(id: number, o: { series: readonly Series[]; writes: () => void }): void {
    const { series, writes } = o;
    const before = this.writer.usedBytes();
    this.db.exec("BEGIN IMMEDIATE");
    try {
      writes();
      for (const s of series) this.#stmt.saveSeries.run(s.rows, s.cursorId, s.id);
      this.#stmt.addSize.run(Math.max(0, this.writer.usedBytes() - before), id);
      this.db.exec("COMMIT");
    } catch (error) {
      rollbackAfter(this.db, error as Error);
      throw error;
    }
  }

  /** Marks an armed recording running from `startMs` (its trigger fired). */
  setRunning(id: number, startMs: number): void {
    this.db.prepare("UPDATE recordings SET state = 'recording', start_ms = ? WHERE id = ?")
      .run(startMs, id);
  }

  /** Sets a recording's span (an import, once its rows are in). */
  setSpan(id: number, span: { startMs: number; endMs: number }): void {
    const { startMs, endMs } = span;
    this.db.prepare("UPDATE recordings SET start_ms = ?, end_ms = ? WHERE id = ?")
      .run(startMs, endMs, id);
  }

  /** Renames or annotates recording `id`. */
  patch(id: number, body: PatchRecordingBody): void {
    if (body.name !== undefined) {
      this.db.prepare("UPDATE recordings SET name = ? WHERE id = ?").run(body.name, id);
    }
    if (body.notes !== undefined) {
      this.db.prepare("UPDATE recordings SET notes = ? WHERE id = ?").run(body.notes, id);
    }
    if (body.tags !== undefined) {
      this.db.prepare("UPDATE recordings SET tags = ? WHERE id = ?").run(
        JSON.stringify(body.tags),
        id,
      );
    }
  }

  /** Marks a recording stopped and keeps its figures (they no longer change). */
  finish(id: number, reason: StopReason | null, endMs?: number | null): void {
    const row = this.row(id)!;
    let end = endMs ?? row.end_ms;
    if (row.start_ms !== null) {
      // Never before a sample already kept.
      for (const s of this.seriesOf(id)) {
        const last = (this.#stmt.lastTs.get(s.id) as { ts: number | null }).ts;
        if (last !== null && (end === null || last >= end)) end = last + 1;
      }
      end ??= row.start_ms;
    }
    this.db.prepare(
      "UPDATE recordings SET state = 'stopped', stop_reason = ?, end_ms = ? WHERE id = ?",
    )
      .run(reason, end, id);
    this.saveFigures(id, { startMs: row.start_ms, endMs: end });
  }

  /** Computes and keeps the figures of each channel of `id` over [startMs, endMs). */
  saveFigures(id: number, span: { startMs: number | null; endMs: number | null }): void {
    const { startMs, endMs } = span;
    const figures: Record<string, SpanResponse> = {};
    if (startMs !== null && endMs !== null) {
      for (const s of this.seriesOf(id)) {
        figures[s.channel] = this.reader(s.id).spans.read(startMs, endMs, -Infinity);
      }
    }
    this.db.prepare("UPDATE recordings SET figures = ? WHERE id = ?").run(
      JSON.stringify(figures),
      id,
    );
  }

  /** Hides recording `id` at once (its rows go with {@link purge}). */
  hide(id: number): void {
    this.db.prepare("UPDATE recordings SET deleting = 1, size_bytes = 0 WHERE id = ?").run(id);
  }

  /** Deletes a hidden recording's rows, a chunk per transaction with `pause` between, then it. */
  async purge(id: number, pause: () => Promise<void>): Promise<void> {
    const ids = (this.#stmt.seriesIds.all(id) as { id: number }[]).map((r) => r.id);
    for (const seriesId of ids) {
      this.#readers.delete(seriesId);
      while (Number(this.#stmt.deleteRows.run(seriesId, DELETE_CHUNK_ROWS).changes) > 0) {
        await pause();
      }
      for (const table of Object.values(RECORDING_TABLES.rollups)) {
        this.db.prepare(`DELETE FROM ${table} WHERE channel_id = ?`).run(seriesId);
      }
    }
    this.markers.drop(id);
    this.db.prepare("DELETE FROM recordings WHERE id = ?").run(id);
  }

  /**
   * What a crash or kill left: live and armed ones stop where their copy ended,
   * unfinished copies are hidden; returns the ids of hidden ones, for {@link purge}.
   */
  settleAfterRestart(): number[] {
    const rows = this.db.prepare(
      "SELECT * FROM recordings WHERE deleting = 0 AND state != 'stopped'",
    ).all() as unknown as RecordingRow[];
    for (const row of rows) {
      if (row.state === "saving") this.hide(row.id);
      else this.finish(row.id, "shutdown", null);
    }
    return (this.db.prepare("SELECT id FROM recordings WHERE deleting = 1").all() as {
      id: number;
    }[]).map((r) => r.id);
  }

  /** Ids of the armed recordings. */
  armedIds(): number[] {
    return (this.db.prepare(
      "SELECT id FROM recordings WHERE deleting = 0 AND state = 'armed'",
    ).all() as { id: number }[]).map((r) => r.id);
  }

  #lastRowId(seriesId: number): number {
    const row = this.db.prepare(
      `SELECT id FROM ${RECORDING_TABLES.samples} WHERE channel_id = ? ORDER BY ts_ms DESC, id DESC LIMIT 1`,
    ).get(seriesId) as { id: number } | undefined;
    return row?.id ?? 0;
  }
}
