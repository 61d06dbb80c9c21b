/**
 * Alert notifications, end to end: each alert transition passes the per-rule rate limit
 * and is written to the outbox (one row per destination) before anything is sent (held
 * in memory while the database refuses writes: {@link HeldWrites}); a delivery loop
 * sends what is due, in order per rule and destination, retrying with
 * backoff from 1 s to 5 min (plus up to 25 % jitter) and giving up after 24 h or on a
 * refusal (4xx). The loop resumes at start-up with whatever the last run left.
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import type { AlertMessage } from "../protocol/alerts.ts";
import type { NotificationsStatus } from "../protocol/notifications.ts";
import { attempt, type Destination } from "./destinations.ts";
import { eventOf, type NotifyEvent, ruleOf, summaryBody, transitionBody } from "./event.ts";
import { HeldWrites, MAX_HELD_ROWS } from "./held.ts";
import { RuleLimiter, type RuleWindow, type Summary } from "./limiter.ts";
import { type NewRow, Outbox, type OutboxRow, type Outcome } from "./outbox.ts";

/** First retry delay. */
export const MIN_BACKOFF_MS = 1000;
/** Longest retry delay (also caps a `Retry-After`). */
export const MAX_BACKOFF_MS = 300_000;
/** A notification not delivered within this long is given up. */
export const GIVE_UP_AFTER_MS = 24 * 3_600_000;
/** Delivered and failed rows are kept this long (for `/status`). */
const KEEP_DONE_MS = 7 * 86_400_000;
/** One attempt may take this long. */
const ATTEMPT_TIMEOUT_MS = 10_000;
/** A stop waits this long for attempts in flight before cutting them off. */
const STOP_GRACE_MS = 1000;
/** The loop looks at the clock at least this often (pruning, a clock that jumped). */
const MAX_IDLE_MS = 60_000;
/** While writes are held, the database is tried again this often. */
export const HELD_RETRY_MS = 5000;

/** Options of {@link Notifier}. */
export interface NotifierOptions {
  /** Where notifications go; at least one. */
  destinations: readonly Destination[];
  /** DEVICE_ID, in every body. */
  device: string;
  /** The channel of an alert that names none (the first). */
  defaultChannel: string;
  /** Transitions pushed per rule and window. */
  ruleLimit: number;
  /** The rate limit's window. */
  ruleWindowMs: number;
  /** Clock (default `Date.now`). */
  now?: () => number;
  /** HTTP client (default `fetch`). */
  fetch?: typeof fetch;
  /** Jitter source in [0, 1) (default `Math.random`). */
  random?: () => number;
  /** Where delivery trouble is reported (default `console.log`). */
  log?: (line: string) => void;
}

/** The delay before retry number `attempt` (1-based): 1 s doubling to 5 min, + 0–25 %. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** Math.min(attempt - 1, 20));
  return Math.min(MAX_BACKOFF_MS, Math.round(base * (1 + 0.25 * random())));
}

interface Tally {
  delivered: number;
  failed: number;
  errors: number;
  lastError: string | null;
  down: boolean;
}

/** Per-destination counters since start-up, for `/metrics`. */
export interface DestinationMetrics {
  /** The destination's id (the `destination` label). */
  id: string;
  /** `webhook` or `ntfy`. */
  type: string;
  /** Rows waiting now. */
  pending: number;
  /** Deliveries acknowledged since start-up. */
  deliveredTotal: number;
  /** Deliveries given up since start-up. */
  failedTotal: number;
  /** Failed attempts (to be retried) since start-up. */
  attemptErrorsTotal: number;
}

/** The notifier of one monitor. */
export class Notifier {
  #o: Required<NotifierOptions>;
  #outbox: Outbox;
  #limiter: RuleLimiter;
  #tally = new Map<string, Tally>();
  #byId: Map<string, Destination>;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #stopping = false;
  #abort = new AbortController();
  #lastPruneMs = 0;
  /** Outbox writes the database has not taken yet (normally none). */
  #held = new HeldWrites();
  /** The database's refusal while writes are held (logged when it changes). */
  #holdError: string | null = null;
  /** When the held writes were last tried while refused. */
  #lastTryMs = 0;
  /** Rows dropped over the limit before the current refusal began. */
  #droppedBefore = 0;

  /** Opens (migrating) the outbox tables in `db`, the store's database. */
  constructor(db: DatabaseSync, options: NotifierOptions) {
    if (options.destinations.length === 0) throw new RangeError("notifications need a destination");
    this.#o = {
      now: Date.now,
      fetch: globalThis.fetch.bind(globalThis),
      random: Math.random,
      log: console.log,
      ...options,
    };
    this.#outbox = new Outbox(db);
    this.#limiter = new RuleLimiter(
      { limit: options.ruleLimit, windowMs: options.ruleWindowMs },
      this.#outbox.rules(),
    );
    this.#byId = new Map(options.destinations.map((d) => [d.id, d]));
    for (const d of options.destinations) {
      this.#tally.set(d.id, { delivered: 0, failed: 0, errors: 0, lastError: null, down: false });
    }
  }

  #rows(kind: string, rule: string, body: (eventId: string, key: string) => object): NewRow[] {
    const eventId = crypto.randomUUID();
    return this.#o.destinations.map((d) => {
      const idempotencyKey = `${eventId}.${d.id}`;
      return {
        destination: d.id,
        rule,
        eventId,
        idempotencyKey,
        kind,
        body: JSON.stringify(body(eventId, idempotencyKey)),
      };
    });
  }

  #summaryRows(s: Summary): NewRow[] {
    return this.#rows(
      "summary",
      s.rule,
      (eventId, idempotencyKey) =>
        summaryBody(s, { eventId, idempotencyKey, device: this.#o.device }),
    );
  }

  #eventRows(e: NotifyEvent): NewRow[] {
    return this.#rows(
      e.kind,
      ruleOf(e),
      (eventId, idempotencyKey) =>
        transitionBody(e, { eventId, idempotencyKey, device: this.#o.device }),
    );
  }

  /**
   * Takes one alert message (subscribe it to every pipeline): once this returns, its
   * notifications are stored (or, while the database refuses writes, held in memory);
   * the loop sends them.
   */
  onAlert = (message: AlertMessage): void => {
    const event = eventOf(message, this.#o.defaultChannel);
    if (!event) return;
    const nowMs = this.#o.now();
    const rule = ruleOf(event);
    const admission = this.#limiter.admit(rule, event, nowMs);
    const rows = [
      ...(admission.summary ? this.#summaryRows(admission.summary) : []),
      ...(admission.send ? this.#eventRows(event) : []),
    ];
    this.#enqueue(rows, admission.window, nowMs);
    this.#wake?.();
  };

  /**
   * Writes `rows` (and the rule's window) to the outbox behind any held writes; if the
   * database refuses, they are held in memory and tried again by the loop.
   */
  #enqueue(rows: NewRow[], window: RuleWindow | undefined, atMs: number): void {
    this.#held.add(rows, window, atMs);
    this.#storeHeld();
  }

  /** Records how an attempt on `row` ended (held in memory if the database refuses). */
  #record(row: OutboxRow, outcome: Outcome): void {
    this.#held.record(row.id, outcome);
    this.#storeHeld();
  }

  /**
   * Writes everything held in one transaction; a refusal is logged once per reason.
   * While the database refuses, it is tried at most every {@link HELD_RETRY_MS}
   * (`force`: now, at shutdown), so a flapping alert does not replay the held rows on
   * the sample path. Returns whether nothing is left.
   */
  #storeHeld(force = false): boolean {
    const nowMs = this.#o.now();
    if (this.#holdError !== null && !force && nowMs - this.#lastTryMs < HELD_RETRY_MS) {
      this.#held.trim();
      return this.#held.empty;
    }
    this.#lastTryMs = nowMs;
    try {
      this.#held.writeTo(this.#outbox);
    } catch (error) {
      const message = (error as Error).message;
      if (this.#holdError === null) this.#droppedBefore = this.#held.dropped;
      this.#held.trim();
      if (message !== this.#holdError) {
        this.#o.log(
          `Notifications: the database refuses the outbox (${message}); notifications held in memory (at most ${MAX_HELD_ROWS}) and written when it takes them, tried every ${
            HELD_RETRY_MS / 1000
          } s`,
        );
      }
      this.#holdError = message;
      return false;
    }
    if (this.#holdError !== null) {
      this.#holdError = null;
      const dropped = this.#held.dropped - this.#droppedBefore;
      this.#o.log(
        `Notifications: the outbox takes notifications again; the held ones are stored${
          dropped > 0 ? ` (${dropped} dropped over the limit meanwhile)` : ""
        }`,
      );
    }
    return true;
  }

  /** Queues the summaries of windows ended by now, then sends every delivery due; one pass. */
  async deliverDue(): Promise<void> {
    const nowMs = this.#o.now();
    this.#storeHeld();
    for (const { summary, window } of this.#limiter.due(nowMs)) {
      this.#enqueue(this.#summaryRows(summary), window, nowMs);
    }
    const byDestination = new Map<string, OutboxRow[]>();
    for (const row of this.#outbox.due(nowMs)) {
      // Sent already (or retried too soon) while its row could not be updated.
      if (this.#held.holdsBack(row, nowMs)) continue;
      byDestination.set(row.destination, [...(byDestination.get(row.destination) ?? []), row]);
    }
    // Every destination's sends end before the next pass may start (no row sent twice at once).
    const sends = await Promise.allSettled(
      [...byDestination].map(async ([id, rows]) => {
        const d = this.#byId.get(id);
        if (!d) return;
        for (const row of rows) {
          if (this.#stopping && this.#abort.signal.aborted) return;
          await this.#send(d, row);
        }
      }),
    );
    for (const send of sends) if (send.status === "rejected") throw send.reason;
    if (nowMs - this.#lastPruneMs > 3_600_000) {
      try {
        this.#outbox.prune(nowMs - KEEP_DONE_MS);
        this.#lastPruneMs = nowMs;
      } catch {
        // A database refusing writes: the old rows only take room; tried again next pass.
      }
    }
  }

  async #send(d: Destination, row: OutboxRow): Promise<void> {
    const tally = this.#tally.get(d.id)!;
    const signal = AbortSignal.any([this.#abort.signal, AbortSignal.timeout(ATTEMPT_TIMEOUT_MS)]);
    const outcome = await attempt(d, row.body, row.idempotencyKey, {
      fetch: this.#o.fetch,
      signal,
      nowMs: this.#o.now(),
    });
    const nowMs = this.#o.now();
    const attempts = this.#held.attempts(row) + 1;
    if (outcome.result === "delivered") {
      this.#record(row, { result: "delivered", attempts, atMs: nowMs });
      tally.delivered++;
      tally.lastError = null;
      if (tally.down) this.#o.log(`Notifications to ${d.type} ${d.shown} delivered again`);
      tally.down = false;
      return;
    }
    tally.lastError = outcome.error;
    if (outcome.result === "retry" && nowMs - row.createdMs < GIVE_UP_AFTER_MS) {
      tally.errors++;
      const delay = Math.min(
        MAX_BACKOFF_MS,
        Math.max(backoffMs(attempts, this.#o.random), outcome.retryAfterMs ?? 0),
      );
      this.#record(row, { result: "retry", attempts, nextMs: nowMs + delay, error: outcome.error });
      if (!tally.down && !this.#stopping) {
        tally.down = true;
        this.#o.log(`Notifications to ${d.type} ${d.shown} failing: ${outcome.error}; retrying`);
      }
      return;
    }
    tally.failed++;
    const error = outcome.result === "retry"
      ? `${outcome.error}: gave up after 24 h`
      : outcome.error;
    this.#record(row, { result: "failed", attempts, atMs: nowMs, error });
    this.#o.log(
      `Notification ${row.kind} of ${row.rule} to ${d.type} ${d.shown} given up: ${error}`,
    );
  }

  /** Starts the delivery loop: what the last run left is due at once. */
  start(): void {
    if (this.#loop) return;
    const nowMs = this.#o.now();
    const dropped = this.#outbox.failDestinationsExcept([...this.#byId.keys()], nowMs);
    if (dropped > 0) {
      this.#o.log(`Notifications: gave up ${dropped} for destinations no longer configured`);
    }
    this.#outbox.wakeAll(nowMs);
    const left = [...this.#outbox.counts().values()].reduce((n, c) => n + c.pending, 0);
    this.#o.log(
      `Notifications to ${this.#o.destinations.map((d) => `${d.type} ${d.shown}`).join(", ")}${
        left ? ` (${left} waiting from the last run)` : ""
      }`,
    );
    this.#loop = this.#run();
  }

  async #run(): Promise<void> {
    while (!this.#stopping) {
      let waitMs = MAX_IDLE_MS;
      try {
        await this.deliverDue();
        if (this.#stopping) break;
        const nowMs = this.#o.now();
        const held = !this.#held.empty;
        const next = [this.#outbox.nextDueMs(), this.#limiter.nextDueMs(), this.#held.nextRetryMs()]
          // While writes are held, a row due already is one held back: not a reason to spin.
          .filter((t): t is number => t !== undefined && (!held || t > nowMs));
        if (held) waitMs = HELD_RETRY_MS;
        waitMs = Math.min(waitMs, ...next.map((t) => Math.max(0, t - nowMs)));
      } catch (error) {
        this.#o.log(`Notifications: delivery pass failed: ${(error as Error).message}`);
        waitMs = HELD_RETRY_MS;
      }
      if (this.#stopping) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => resolve(), waitMs);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }

  /**
   * Stops the loop: an attempt in flight gets a moment to finish, then is cut off
   * (its row stays pending, and is sent again, with the same key, after a restart).
   */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wake?.();
    const cut = setTimeout(() => this.#abort.abort(), STOP_GRACE_MS);
    try {
      await this.#loop;
    } finally {
      clearTimeout(cut);
      this.#abort.abort();
    }
    if (!this.#storeHeld(true)) {
      this.#o.log(
        `Notifications: ${this.#held.rows} could not be stored before shutdown and are lost, with the rate limit's windows and the outcome of ${this.#held.outcomes} attempts (those delivered go out again after a restart, with the same Idempotency-Key) (${this.#holdError})`,
      );
      this.#held.clear();
      this.#holdError = null;
    }
  }

  /** The `notifications` section of `/status`. */
  status(): NotificationsStatus {
    const counts = this.#outbox.counts();
    return {
      enabled: true,
      destinations: this.#o.destinations.map((d) => {
        const c = counts.get(d.id) ?? { pending: 0, delivered: 0, failed: 0 };
        return {
          id: d.id,
          type: d.type,
          url: d.shown,
          pending: c.pending,
          delivered: c.delivered,
          failed: c.failed,
          last_error: this.#tally.get(d.id)!.lastError,
        };
      }),
      suppressed: this.#limiter.suppressedTotal,
      held: this.#held.rows,
      held_dropped: this.#held.dropped,
    };
  }

  /** Per-destination figures for `/metrics`. */
  metrics(): { destinations: DestinationMetrics[]; suppressedTotal: number; held: number } {
    const counts = this.#outbox.counts();
    return {
      destinations: this.#o.destinations.map((d) => {
        const t = this.#tally.get(d.id)!;
        return {
          id: d.id,
          type: d.type,
          pending: counts.get(d.id)?.pending ?? 0,
          deliveredTotal: t.delivered,
          failedTotal: t.failed,
          attemptErrorsTotal: t.errors,
        };
      }),
      suppressedTotal: this.#limiter.suppressedTotal,
      held: this.#held.rows,
    };
  }
}
