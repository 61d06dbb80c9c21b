/**
 * The writer's queue in typed columns: each queued sample is copied into chunks of
 * `Float64Array`s (time, seq, v, a, w, energy, charge, step) and small integer columns
 * (status, mode), so no `Sample` object is kept alive until the next flush. At 1 kHz the
 * objects held up to a second survived the young generation's collections and were
 * promoted, which cost a full collection every ~15 s (docs/benchmarks.md, issue 12);
 * copied into columns, a sample dies young.
 * @module
 */
import type { Sample } from "../sample.ts";
import { STATUS_CODES } from "./db.ts";

/** Rows per chunk (a power of two: row → chunk and offset are a shift and a mask). */
const CHUNK_SHIFT = 10;
const CHUNK_ROWS = 1 << CHUNK_SHIFT;
const CHUNK_MASK = CHUNK_ROWS - 1;
/** Emptied chunks kept for reuse, so a steady stream allocates none. */
const SPARE_CHUNKS = 2;

/** One block of rows, column by column. */
class Chunk {
  readonly tsMs = new Float64Array(CHUNK_ROWS);
  readonly seq = new Float64Array(CHUNK_ROWS);
  readonly v = new Float64Array(CHUNK_ROWS);
  readonly a = new Float64Array(CHUNK_ROWS);
  readonly w = new Float64Array(CHUNK_ROWS);
  readonly energyJ = new Float64Array(CHUNK_ROWS);
  readonly chargeC = new Float64Array(CHUNK_ROWS);
  /** The energy step's interval; NaN when it has none (stored as NULL). */
  readonly stepMs = new Float64Array(CHUNK_ROWS);
  /** {@link STATUS_CODES}. */
  readonly status = new Uint8Array(CHUNK_ROWS);
  /** Index into the queue's mode names. */
  readonly mode = new Uint32Array(CHUNK_ROWS);
  /** Error texts by offset (failed reads only: rare). */
  errors: Map<number, string> | undefined;
}

/**
 * A FIFO of samples with the energy step integrated up to each: push at the end, read
 * row `i` (0 the oldest) column by column, drop from the front.
 */
export class SampleQueue {
  #chunks: Chunk[] = [];
  #spare: Chunk[] = [];
  /** Offset of the oldest row in the first chunk. */
  #head = 0;
  #length = 0;
  /** Mode names of the queued rows, by index; cleared whenever the queue empties. */
  #modes: string[] = [];
  #modeIndex = new Map<string, number>();

  /** Rows queued. */
  get length(): number {
    return this.#length;
  }

  /** Copies `sample` and its energy step (`stepMs` null: no interval) to the end. */
  push(sample: Sample, energyJ: number, chargeC: number, stepMs: number | null): void {
    const k = this.#head + this.#length;
    const index = k >>> CHUNK_SHIFT;
    let chunk = this.#chunks[index];
    if (chunk === undefined) {
      chunk = this.#spare.pop() ?? new Chunk();
      this.#chunks.push(chunk);
    }
    const at = k & CHUNK_MASK;
    chunk.tsMs[at] = sample.tsMs;
    chunk.seq[at] = sample.seq;
    chunk.v[at] = sample.v;
    chunk.a[at] = sample.a;
    chunk.w[at] = sample.w;
    chunk.energyJ[at] = energyJ;
    chunk.chargeC[at] = chargeC;
    chunk.stepMs[at] = stepMs ?? NaN;
    chunk.status[at] = STATUS_CODES[sample.status];
    let mode = this.#modeIndex.get(sample.mode);
    if (mode === undefined) {
      mode = this.#modes.push(sample.mode) - 1;
      this.#modeIndex.set(sample.mode, mode);
    }
    chunk.mode[at] = mode;
    if (sample.error !== undefined) (chunk.errors ??= new Map()).set(at, sample.error);
    else chunk.errors?.delete(at);
    this.#length++;
  }

  /** Removes the oldest `n` rows (all of them when `n` is larger). */
  drop(n: number): void {
    n = Math.min(Math.max(0, n), this.#length);
    this.#length -= n;
    this.#head += n;
    while (this.#head >= CHUNK_ROWS || (this.#length === 0 && this.#chunks.length > 0)) {
      const chunk = this.#chunks.shift()!;
      chunk.errors = undefined;
      if (this.#spare.length < SPARE_CHUNKS) this.#spare.push(chunk);
      this.#head = this.#length === 0 ? 0 : this.#head - CHUNK_ROWS;
    }
    if (this.#length === 0) {
      this.#head = 0;
      this.#modes = [];
      this.#modeIndex.clear();
    }
  }

  #chunk(i: number): Chunk {
    return this.#chunks[(this.#head + i) >>> CHUNK_SHIFT];
  }

  #at(i: number): number {
    return (this.#head + i) & CHUNK_MASK;
  }

  /** Row `i`'s time (Unix ms). */
  tsMs(i: number): number {
    return this.#chunk(i).tsMs[this.#at(i)];
  }

  /** Row `i`'s `seq`. */
  seq(i: number): number {
    return this.#chunk(i).seq[this.#at(i)];
  }

  /** Row `i`'s bus voltage. */
  v(i: number): number {
    return this.#chunk(i).v[this.#at(i)];
  }

  /** Row `i`'s current. */
  a(i: number): number {
    return this.#chunk(i).a[this.#at(i)];
  }

  /** Row `i`'s power. */
  w(i: number): number {
    return this.#chunk(i).w[this.#at(i)];
  }

  /** Energy integrated up to row `i` (J). */
  energyJ(i: number): number {
    return this.#chunk(i).energyJ[this.#at(i)];
  }

  /** Charge integrated up to row `i` (C). */
  chargeC(i: number): number {
    return this.#chunk(i).chargeC[this.#at(i)];
  }

  /** The interval of row `i`'s energy step, or null without one. */
  stepMs(i: number): number | null {
    const ms = this.#chunk(i).stepMs[this.#at(i)];
    return Number.isNaN(ms) ? null : ms;
  }

  /** Row `i`'s status code ({@link STATUS_CODES}). */
  status(i: number): number {
    return this.#chunk(i).status[this.#at(i)];
  }

  /** Row `i`'s mode index (see {@link modeName}). */
  modeIndex(i: number): number {
    return this.#chunk(i).mode[this.#at(i)];
  }

  /** The mode name of a {@link modeIndex}. */
  modeName(index: number): string {
    return this.#modes[index];
  }

  /** Row `i`'s error text (failed reads only). */
  error(i: number): string | undefined {
    return this.#chunk(i).errors?.get(this.#at(i));
  }
}
