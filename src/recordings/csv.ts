/**
 * Recordings as CSV: the export (every row with its channel and energy step, numbers
 * in JavaScript's shortest round-trip form, so an import gives back the same doubles)
 * and the import of three formats: that export, `/api/export.csv`, and the nRF Connect
 * Power Profiler app's CSV export (`Timestamp(ms),Current(uA)[,D0-D7][,D0,…,D7]`).
 * @module
 */
import { Readable } from "node:stream";
import { parse } from "csv-parse";
import { STATUS_CODES, STATUS_NAMES } from "../store/db.ts";
import type { SampleStatus } from "../protocol/common.ts";
import type { IngestRow } from "./ingest.ts";
import type { ExportRow } from "./recordings_types.ts";
import type { ImportedMarker } from "./recording_markers.ts";
import type { MarkerData } from "../protocol/markers.ts";
import { MarkerLabel } from "../protocol/markers.ts";

/** Header of a recording's CSV export. */
export const RECORDING_CSV_HEADER = "channel,time,ts_ms,seq,v,a,w,status,mode,error,step_ms";
/** Header of `/api/export.csv` (one channel, no energy steps). */
const EXPORT_CSV_HEADER = "time,ts_ms,seq,v,a,w,status,mode,error";

function csvField(text: string | null): string {
  if (text === null) return "";
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One exported row as a CSV line (with its newline). */
export function recordingCsvLine(channel: string, r: ExportRow): string {
  return `${csvField(channel)},${
    new Date(r.ts_ms).toISOString()
  },${r.ts_ms},${r.seq},${r.v},${r.a},${r.w},${STATUS_NAMES[r.status] ?? "error"},${
    csvField(r.mode)
  },${csvField(r.error)},${r.step_ms ?? ""}\n`;
}

/**
 * First field of a marker line in a recording's CSV: `#marker,channel,time,ts_ms,source,label`,
 * written after the header, before the rows. Tools that skip `#` comment lines skip them;
 * the import reads them back.
 */
export const MARKER_TAG = "#marker";

/** One marker as a line of a recording's CSV (with its newline). */
export function markerCsvLine(m: MarkerData): string {
  return `${MARKER_TAG},${csvField(m.channel)},${
    new Date(m.ts_ms).toISOString()
  },${m.ts_ms},${m.source},${csvField(m.label)}\n`;
}

/** A CSV import's format, told by its header. */
export type CsvFormat = "recording" | "export" | "nordic";

/** A file that cannot be imported: the line and what is wrong with it. */
export class CsvImportError extends Error {
  /** Names the error in logs and stack traces. */
  override name = "CsvImportError";
}

/** Options of {@link readCsv}. */
export interface ReadCsvOptions {
  /** Channel of an `/api/export.csv` or Nordic file (they name none). */
  channel: string;
  /** Supply voltage for a Nordic file (it holds current only). */
  voltageV?: number;
  /** Unix ms of a Nordic file's time 0 (its times are relative). */
  startMs: number;
  /** Id of a mode name. */
  modeId: (name: string) => number;
  /** Receives rows of one channel, oldest first, a batch at a time. */
  onRows: (channel: string, rows: IngestRow[]) => void;
  /** Rows per batch (default 10 000). */
  batchRows?: number;
}

/** What {@link readCsv} read. */
export interface CsvSummary {
  /** The format the header told. */
  format: CsvFormat;
  /** Data lines read. */
  lines: number;
  /** Channels seen, in order of first appearance. */
  channels: string[];
  /** Earliest time of a row (Unix ms), or null when there was none. */
  firstMs: number | null;
  /** What the import assumed, if anything. */
  note: string | null;
  /** Marker lines read (a recording's export only). */
  markers: ImportedMarker[];
}

/** Told by the first record: which format, or an error naming the expected headers. */
export function csvFormat(header: readonly string[]): CsvFormat {
  const text = header.map((h) => h.trim()).join(",");
  if (text === RECORDING_CSV_HEADER) return "recording";
  if (text === EXPORT_CSV_HEADER) return "export";
  if (header[0]?.trim() === "Timestamp(ms)" && header[1]?.trim() === "Current(uA)") return "nordic";
  throw new CsvImportError(
    `Unknown CSV header "${
      text.slice(0, 120)
    }": expected "${RECORDING_CSV_HEADER}" (a recording), "${EXPORT_CSV_HEADER}" (/api/export.csv) or "Timestamp(ms),Current(uA)…" (nRF Connect Power Profiler)`,
  );
}

const num = (text: string, what: string, line: number): number => {
  const x = Number(text);
  if (text.trim() === "" || !Number.isFinite(x)) {
    throw new CsvImportError(`Line ${line}: ${what} "${text}" is not a number`);
  }
  return x;
};

const int = (text: string, what: string, line: number): number => {
  const x = num(text, what, line);
  if (!Number.isSafeInteger(x)) {
    throw new CsvImportError(`Line ${line}: ${what} "${text}" is not an integer`);
  }
  return x;
};

/** A `#marker` line's marker, or an error naming what is wrong with it. */
function markerOf(record: readonly string[], line: number): ImportedMarker {
  if (record.length < 6) {
    throw new CsvImportError(
      `Line ${line}: a marker line has ${record.length} fields, expected 6 (${MARKER_TAG},channel,time,ts_ms,source,label)`,
    );
  }
  const label = MarkerLabel.safeParse(record[5]);
  if (!label.success) {
    throw new CsvImportError(`Line ${line}: marker label ${label.error.issues[0].message}`);
  }
  const source = record[4];
  if (source !== "user" && source !== "alert") {
    throw new CsvImportError(`Line ${line}: marker source "${source}" is not user or alert`);
  }
  return {
    channel: record[1],
    tsMs: int(record[3], "marker ts_ms", line),
    label: label.data,
    source,
  };
}

/**
 * Energy steps for rows that carry none (`/api/export.csv`, Nordic): each measured row
 * steps from the measured row before it, as the live integrator does, unless a failed
 * read lies between or the gap exceeds 5 sample intervals (the median of the first
 * thousand gaps).
 */
class StepGuess {
  #pending: IngestRow[] = [];
  #maxGapMs: number | null = null;
  #prev: IngestRow | null = null;
  #emit: (rows: IngestRow[]) => void;

  constructor(emit: (rows: IngestRow[]) => void) {
    this.#emit = emit;
  }

  add(row: IngestRow): void {
    if (this.#maxGapMs === null) {
      this.#pending.push(row);
      if (this.#pending.length > 1000) this.#settle();
      return;
    }
    this.#step(row);
  }

  #settle(): void {
    const gaps: number[] = [];
    for (let i = 1; i < this.#pending.length; i++) {
      const dt = this.#pending[i].tsMs - this.#pending[i - 1].tsMs;
      if (dt > 0) gaps.push(dt);
    }
    gaps.sort((x, y) => x - y);
    this.#maxGapMs = 5 * (gaps.length > 0 ? gaps[Math.floor(gaps.length / 2)] : 1);
    const rows = this.#pending;
    this.#pending = [];
    for (const r of rows) this.#step(r);
  }

  #step(row: IngestRow): void {
    const prev = this.#prev;
    const dt = prev === null ? 0 : row.tsMs - prev.tsMs;
    const measured = row.status !== STATUS_CODES.error;
    row.stepMs = measured && prev !== null && dt > 0 && dt <= this.#maxGapMs! ? dt : 0;
    this.#prev = measured ? row : null;
    this.#emit([row]);
  }

  flush(): void {
    if (this.#maxGapMs === null) this.#settle();
  }
}

/**
 * Reads a CSV body record by record (memory stays bounded), hands its rows to
 * `onRows` in batches, and says what it read.
 *
 * @throws {CsvImportError} for an unknown header or a bad line (nothing is assumed).
 */
export async function readCsv(
  body: ReadableStream<Uint8Array>,
  options: ReadCsvOptions,
): Promise<CsvSummary> {
  const batchRows = options.batchRows ?? 10_000;
  const modeIds = new Map<string, number>();
  const modeId = (name: string) => {
    let id = modeIds.get(name);
    if (id === undefined) modeIds.set(name, id = options.modeId(name));
    return id;
  };
  const parser = Readable.fromWeb(body as never).pipe(
    parse({ relax_column_count: true, skip_empty_lines: true, bom: true }),
  );
  const batches = new Map<string, IngestRow[]>();
  const channels: string[] = [];
  let firstMs: number | null = null;
  const emit = (channel: string, rows: IngestRow[]) => {
    let batch = batches.get(channel);
    if (!batch) {
      batches.set(channel, batch = []);
      channels.push(channel);
    }
    for (const r of rows) {
      batch.push(r);
      if (firstMs === null || r.tsMs < firstMs) firstMs = r.tsMs;
    }
    if (batch.length >= batchRows) {
      options.onRows(channel, batch);
      batches.set(channel, []);
    }
  };
  let format: CsvFormat | undefined;
  let line = 0;
  let note: string | null = null;
  const markers: ImportedMarker[] = [];
  const guess = new StepGuess((rows) => emit(options.channel, rows));
  // Nordic: samples (100 kHz on a PPK2) averaged into whole milliseconds.
  let nordicMs: number | null = null;
  let nordicSum = 0;
  let nordicN = 0;
  let nordicSeq = 0;
  const nordicModeId = () => modeId("import");
  const flushNordic = () => {
    if (nordicMs === null || nordicN === 0) return;
    const a = nordicSum / nordicN / 1e6;
    const v = options.voltageV!;
    guess.add({
      tsMs: options.startMs + nordicMs,
      seq: ++nordicSeq,
      v,
      a,
      w: v * a,
      status: STATUS_CODES.ok,
      modeId: nordicModeId(),
      error: null,
      stepMs: null,
    });
  };
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      line++;
      if (format === undefined) {
        format = csvFormat(record);
        if (format === "nordic" && options.voltageV === undefined) {
          throw new CsvImportError(
            "A Power Profiler CSV holds current only: give voltage_v (the supply voltage) to compute power and energy",
          );
        }
        continue;
      }
      if (format === "nordic") {
        const ms = Math.floor(num(record[0], "Timestamp(ms)", line));
        const uA = num(record[1], "Current(uA)", line);
        if (ms !== nordicMs) {
          flushNordic();
          nordicMs = ms;
          nordicSum = 0;
          nordicN = 0;
        }
        nordicSum += uA;
        nordicN++;
        continue;
      }
      if (format === "recording" && record[0] === MARKER_TAG) {
        markers.push(markerOf(record, line));
        continue;
      }
      const off = format === "recording" ? 1 : 0;
      const channel = format === "recording" ? record[0] : options.channel;
      if (record.length < 9 + off) {
        throw new CsvImportError(`Line ${line}: ${record.length} fields, expected ${9 + 2 * off}`);
      }
      const status = record[6 + off] as SampleStatus;
      if (!(status in STATUS_CODES)) {
        throw new CsvImportError(`Line ${line}: status "${status}" is not ok, error or overflow`);
      }
      const row: IngestRow = {
        tsMs: int(record[1 + off], "ts_ms", line),
        seq: int(record[2 + off], "seq", line),
        v: num(record[3 + off], "v", line),
        a: num(record[4 + off], "a", line),
        w: num(record[5 + off], "w", line),
        status: STATUS_CODES[status],
        modeId: modeId(record[7 + off] || "unknown"),
        error: record[8 + off] === "" ? null : record[8 + off],
        stepMs: null,
      };
      if (format === "recording") {
        const step = record[10] ?? "";
        row.stepMs = step === "" ? null : int(step, "step_ms", line);
        emit(channel, [row]);
      } else {
        guess.add(row);
      }
    }
  } finally {
    parser.destroy();
  }
  if (format === undefined) throw new CsvImportError("The file is empty: no header");
  if (format === "nordic") {
    flushNordic();
    note =
      `Power Profiler samples averaged into 1 ms rows (this server stores whole milliseconds); voltage ${options.voltageV} V assumed throughout, power = voltage × current`;
  } else if (format === "export") {
    note =
      "Energy steps inferred: each measured row steps from the one before it unless a failed read or a gap over 5 sample intervals lies between";
  }
  guess.flush();
  for (const [channel, batch] of batches) if (batch.length > 0) options.onRows(channel, batch);
  return { format, lines: line - 1 - markers.length, channels, firstMs, note, markers };
}
