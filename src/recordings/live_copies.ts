/**
 * Live recordings' copying: after each store flush a live recording copies the new
 * rows of its channels (while the disk budget has room); a stop copies up to its end,
 * and {@link SETTLE_MS} later once more what reached the store late but was stamped
 * before the end (another bus's batch).
 * @module
 */
import type { RecordingRows, Series } from "./recording_rows.ts";
import type { RecordingsStore } from "./recordings_store.ts";
import { ROW_BYTES_ESTIMATE } from "./recordings_types.ts";

/**
 * How long after a stop the samples stamped before it that were still on their way
 * are copied: another channel's batch (an acquisition Worker posts within 5 ms, the
 * mock every 10 ms) can reach the store after the stop's own channel has passed it.
 */
export const SETTLE_MS = 250;

/** What {@link LiveCopies} needs. */
export interface LiveCopiesDeps {
  /** The recordings' rows. */
  rows: RecordingRows;
  /** The store the rows come from. */
  store: RecordingsStore;
  /** RECORDINGS_MAX_MB in bytes. */
  maxBytes: number;
  /** Measured channels (the store's row ids are shared by all of them). */
  channelCount: number;
  /** Delay of the late copy after a stop (default {@link SETTLE_MS}). */
  settleMs?: number;
  /** Recording `id` has been taken out of the copies because the budget is full: stop it. */
  onBudgetFull: (id: number) => void;
}

/** A stopped recording whose late samples are still to be copied. */
interface Settling {
  series: Series[];
  endMs: number;
  timer: ReturnType<typeof setTimeout>;
}

/** The copies of the live recordings of one store. */
export class LiveCopies {
  #d: LiveCopiesDeps;
  #settleMs: number;
  #live = new Map<number, Series[]>();
  #settling = new Map<number, Settling>();
  /** Set by close(): a stop from then on copies its late samples at once (no timer). */
  #closed = false;
  #settled = Promise.withResolvers<void>();

  /** Copies with `deps`; {@link followWrites} is to be called after each store flush. */
  constructor(deps: LiveCopiesDeps) {
    this.#d = deps;
    this.#settleMs = deps.settleMs ?? SETTLE_MS;
    this.#settled.resolve();
  }

  /** Ids of the live recordings. */
  get ids(): number[] {
    return [...this.#live.keys()];
  }

  /** Whether recording `id` is live. */
  has(id: number): boolean {
    return this.#live.has(id);
  }

  /**
   * Makes recording `id` live from `fromMs` (the store just flushed): the rows already
   * stored from then on (a pre-trigger span, or samples stamped this very millisecond)
   * are copied now, newer ones with each flush, from the newest stored row id on.
   */
  start(id: number, fromMs: number): void {
    const { rows, store } = this.#d;
    const series = rows.seriesOf(id);
    const cursor = rows.maxSampleId();
    rows.write(id, {
      series,
      writes: () => {
        for (const s of series) {
          s.cursorId = cursor;
          rows.writer.copyRange(s, store.channelId(s.channel), fromMs, Number.MAX_SAFE_INTEGER);
        }
      },
    });
    this.#live.set(id, series);
  }

  /**
   * Ends the copying of live recording `id` at `endMs`: what the store holds stamped
   * before it is copied now. Returns its series (for {@link settleLater}), undefined
   * when it was not live.
   */
  stop(id: number, endMs: number): Series[] | undefined {
    const series = this.#live.get(id);
    // Out of the live set first: the flush below must not copy past endMs.
    this.#live.delete(id);
    if (!series) return undefined;
    this.#d.store.flush();
    this.#copy(id, series, endMs);
    return series;
  }

  /**
   * Copies the late samples of recording `id` (its series, stopped at `endMs`) after
   * the settle delay (`settleMs`, default {@link SETTLE_MS}); none after close().
   */
  settleLater(id: number, o: { series: Series[]; endMs: number }): void {
    const { series, endMs } = o;
    if (this.#closed) return;
    if (this.#settling.size === 0) this.#settled = Promise.withResolvers<void>();
    const timer = setTimeout(() => this.#settle(id), this.#settleMs);
    this.#settling.set(id, { series, endMs, timer });
  }

  /** Forgets recording `id` (deleted): no copy, no late copy. */
  drop(id: number): void {
    this.#live.delete(id);
    this.#dropSettling(id);
  }

  /** After each store flush: live recordings copy the new rows, while the budget has room. */
  followWrites(): void {
    const { rows, maxBytes, channelCount } = this.#d;
    if (this.#live.size === 0 || rows.db.isTransaction) return;
    const upTo = rows.maxSampleId();
    for (const [id, series] of [...this.#live]) {
      const newRows = series.reduce((n, s) => n + Math.max(0, upTo - s.cursorId), 0);
      // The id range holds every channel's rows: an upper bound of what is copied.
      const estimate = newRows * ROW_BYTES_ESTIMATE / Math.max(1, channelCount);
      if (rows.usedBytes() + estimate > maxBytes) {
        this.#live.delete(id);
        this.#d.onBudgetFull(id);
        continue;
      }
      this.#copy(id, series, Number.MAX_SAFE_INTEGER, upTo);
    }
  }

  /** Resolves once every stopped recording's late samples are copied (tests, shutdown). */
  settled(): Promise<void> {
    return this.#settled.promise;
  }

  /** Copies every pending late sample now; from now on a stop copies none later. */
  close(): void {
    this.#closed = true;
    for (const id of [...this.#settling.keys()]) this.#settle(id);
  }

  #copy(id: number, series: readonly Series[], toMs: number, upTo?: number): void {
    const { rows, store } = this.#d;
    const row = rows.row(id);
    if (!row || row.start_ms === null) return;
    const startMs = row.start_ms;
    const upToId = upTo ?? rows.maxSampleId();
    rows.write(id, {
      series,
      writes: () => {
        for (const s of series) {
          if (upToId <= s.cursorId) continue;
          rows.writer.copyNew(
            s,
            store.channelId(s.channel),
            { afterId: s.cursorId, upToId },
            startMs,
            toMs,
          );
          s.cursorId = upToId;
        }
      },
    });
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
    const { rows, store, maxBytes } = this.#d;
    try {
      const row = rows.row(id);
      if (!row || row.state !== "stopped" || row.start_ms === null) return;
      if (rows.usedBytes() >= maxBytes) return;
      if (!store.flush()) {
        console.error(`Recording ${id}: late samples not copied: the store could not write them`);
        return;
      }
      const before = settling.series.reduce((n, s) => n + s.rows, 0);
      this.#copy(id, settling.series, settling.endMs);
      if (settling.series.reduce((n, s) => n + s.rows, 0) > before) {
        rows.saveFigures(id, { startMs: row.start_ms, endMs: row.end_ms });
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
}
