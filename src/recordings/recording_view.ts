/**
 * How a kept recording is shown: its `Recording` view (a running one's figures up to
 * now) and its rows, paged, for the CSV export.
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import type { Recording } from "../protocol/recordings.ts";
import type { SpanResponse } from "../protocol/span.ts";
import type { RecordingRow, RecordingRows } from "./recording_rows.ts";
import type { ExportRow } from "./recordings_types.ts";
import { RECORDING_TABLES } from "./schema.ts";

/** The API's view of `row`; a running recording's figures are computed up to `nowMs`. */
export function recordingView(rows: RecordingRows, row: RecordingRow, nowMs: number): Recording {
  const series = rows.seriesOf(row.id);
  let figures: Record<string, SpanResponse> = {};
  if (row.figures !== null) {
    figures = JSON.parse(row.figures);
  } else if (row.start_ms !== null && row.state === "recording") {
    const end = Math.max(row.start_ms + 1, nowMs);
    for (const s of series) {
      figures[s.channel] = rows.reader(s.id).spans.read(row.start_ms, end, -Infinity);
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

/** Rows of one series, oldest first, `pageRows` at a time (CSV export). */
export function* exportRows(
  db: DatabaseSync,
  seriesId: number,
  pageRows: number,
): Generator<ExportRow[]> {
  const page = db.prepare(
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
