/**
 * The notifier's writes to the outbox, queued in memory until the database takes
 * them: new rows (at most {@link MAX_HELD_ROWS} once a write was refused; beyond, the
 * oldest are dropped and counted), each rule's newest rate-limit window, and the
 * outcome of every attempt whose row could not be updated (so it is not sent again
 * while the disk is full). Everything goes out in one transaction, oldest first;
 * normally at once.
 * @module
 */
import type { RuleWindow } from "./limiter.ts";
import type { NewRow, Outbox, OutboxRow, Outcome } from "./outbox.ts";

/** Rows held in memory at most while the database refuses writes. */
export const MAX_HELD_ROWS = 1000;

/** Outbox writes not yet taken by the database. */
export class HeldWrites {
  #batches: { rows: readonly NewRow[]; atMs: number }[] = [];
  #rows = 0;
  #windows = new Map<string, RuleWindow>();
  #outcomes = new Map<number, Outcome>();
  #dropped = 0;

  /** Rows waiting to be stored. */
  get rows(): number {
    return this.#rows;
  }

  /** Rows dropped over {@link MAX_HELD_ROWS} since start-up. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Attempt outcomes waiting to be written. */
  get outcomes(): number {
    return this.#outcomes.size;
  }

  /** Whether nothing waits. */
  get empty(): boolean {
    return this.#batches.length === 0 && this.#windows.size === 0 && this.#outcomes.size === 0;
  }

  /** Queues the rows of one transition (due at `atMs`) and the rule's new window. */
  add(rows: readonly NewRow[], window: RuleWindow | undefined, atMs: number): void {
    if (window) this.#windows.set(window.rule, window);
    if (rows.length === 0) return;
    this.#batches.push({ rows, atMs });
    this.#rows += rows.length;
  }

  /** Drops the oldest rows beyond {@link MAX_HELD_ROWS} (after a refused write). */
  trim(): void {
    while (this.#rows > MAX_HELD_ROWS && this.#batches.length > 1) {
      const dropped = this.#batches.shift()!;
      this.#rows -= dropped.rows.length;
      this.#dropped += dropped.rows.length;
    }
  }

  /** Queues how an attempt on row `id` ended. */
  record(id: number, outcome: Outcome): void {
    this.#outcomes.set(id, outcome);
  }

  /** When the earliest held retry comes due (undefined: none held). */
  nextRetryMs(): number | undefined {
    let next: number | undefined;
    for (const o of this.#outcomes.values()) {
      if (o.result === "retry" && (next === undefined || o.nextMs < next)) next = o.nextMs;
    }
    return next;
  }

  /** Attempts made on `row` so far, counting those not yet written. */
  attempts(row: OutboxRow): number {
    return this.#outcomes.get(row.id)?.attempts ?? row.attempts;
  }

  /**
   * Whether `row` must wait: its last attempt's outcome is not written yet and is final
   * (delivered, failed) or a retry not yet due at `nowMs`.
   */
  holdsBack(row: OutboxRow, nowMs: number): boolean {
    const outcome = this.#outcomes.get(row.id);
    return outcome !== undefined && (outcome.result !== "retry" || nowMs < outcome.nextMs);
  }

  /** Writes everything in one transaction and forgets it; on a refusal keeps it all and throws. */
  writeTo(outbox: Outbox): void {
    if (this.empty) return;
    outbox.write({
      outcomes: this.#outcomes,
      batches: this.#batches,
      windows: this.#windows.values(),
    });
    this.clear();
  }

  /** Forgets everything (lost at shutdown). */
  clear(): void {
    this.#batches = [];
    this.#rows = 0;
    this.#windows.clear();
    this.#outcomes.clear();
  }
}
