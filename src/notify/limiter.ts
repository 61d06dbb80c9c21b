/**
 * Per-rule rate limit, so a flapping signal cannot flood a phone: in fixed windows that
 * open with a rule's first transition, the first `limit` transitions are pushed; the
 * rest are counted, and when the window ends one summary ("flapped K times, now …")
 * goes out instead. Pure: fed times, returns what to send; its state is saved by the caller.
 * @module
 */
import type { NotifyEvent } from "./event.ts";

/** The latest transition held back in a window, and when the first one was. */
export interface Held {
  /** The newest suppressed transition: the state the summary reports. */
  event: NotifyEvent;
  /** When the first suppressed transition happened. */
  firstTsMs: number;
  /** When the newest suppressed transition happened. */
  lastTsMs: number;
}

/** One rule's current window, as saved. */
export interface RuleWindow {
  /** `<channel>/<metric>`. */
  rule: string;
  /** When the window opened. */
  windowStartMs: number;
  /** Transitions pushed in it. */
  sent: number;
  /** Transitions held back in it. */
  suppressed: number;
  /** What the summary will report; set once one is held back. */
  last?: Held;
}

/** A summary due: a rule that was held back in a window now ended. */
export interface Summary {
  /** `<channel>/<metric>`. */
  rule: string;
  /** The state the rule was left in (the newest held-back transition). */
  event: NotifyEvent;
  /** Transitions held back. */
  suppressed: number;
  /** When the first held-back transition happened. */
  firstTsMs: number;
  /** When the newest held-back transition happened. */
  lastTsMs: number;
  /** The window length. */
  windowMs: number;
}

/** What {@link RuleLimiter.admit} decided. */
export interface Admission {
  /** A summary of the rule's previous window, still owed, to send first. */
  summary?: Summary;
  /** Whether this transition is pushed. */
  send: boolean;
  /** The rule's window now (to save). */
  window: RuleWindow;
}

/** Options of {@link RuleLimiter}. */
export interface LimiterOptions {
  /** Transitions pushed per rule and window. */
  limit: number;
  /** The window length. */
  windowMs: number;
}

/** The windows of every rule. */
export class RuleLimiter {
  #o: LimiterOptions;
  #windows = new Map<string, RuleWindow>();
  /** Transitions held back since start-up. */
  suppressedTotal = 0;

  /** Starts from the windows saved by the last run. */
  constructor(options: LimiterOptions, saved: readonly RuleWindow[] = []) {
    if (!(options.limit >= 1) || !(options.windowMs > 0)) {
      throw new RangeError(
        `Invalid rate limit ${options.limit} per ${options.windowMs} ms: both must be positive`,
      );
    }
    this.#o = options;
    for (const w of saved) this.#windows.set(w.rule, { ...w });
  }

  #summary(w: RuleWindow): Summary | undefined {
    if (w.suppressed === 0 || !w.last) return undefined;
    return {
      rule: w.rule,
      event: w.last.event,
      suppressed: w.suppressed,
      firstTsMs: w.last.firstTsMs,
      lastTsMs: w.last.lastTsMs,
      windowMs: this.#o.windowMs,
    };
  }

  /** Decides whether `event` of `rule`, happening at `nowMs`, is pushed. */
  admit(rule: string, event: NotifyEvent, nowMs: number): Admission {
    let w = this.#windows.get(rule);
    let summary: Summary | undefined;
    if (w && nowMs >= w.windowStartMs + this.#o.windowMs) {
      summary = this.#summary(w);
      w = undefined;
    }
    if (!w) w = { rule, windowStartMs: nowMs, sent: 0, suppressed: 0 };
    let send = false;
    if (w.sent < this.#o.limit) {
      w.sent++;
      send = true;
    } else {
      w.suppressed++;
      this.suppressedTotal++;
      w.last = { event, firstTsMs: w.last?.firstTsMs ?? nowMs, lastTsMs: nowMs };
    }
    this.#windows.set(rule, w);
    return { summary, send, window: { ...w } };
  }

  /**
   * The summaries of windows ended by `nowMs`; those rules start afresh (the returned
   * windows, to save, are empty).
   */
  due(nowMs: number): { summary: Summary; window: RuleWindow }[] {
    const out: { summary: Summary; window: RuleWindow }[] = [];
    for (const w of this.#windows.values()) {
      if (nowMs < w.windowStartMs + this.#o.windowMs) continue;
      const summary = this.#summary(w);
      if (!summary) continue;
      const fresh: RuleWindow = {
        rule: w.rule,
        windowStartMs: w.windowStartMs,
        sent: 0,
        suppressed: 0,
      };
      this.#windows.set(w.rule, fresh);
      out.push({ summary, window: { ...fresh } });
    }
    return out;
  }

  /** When the next summary falls due; undefined when none is owed. */
  nextDueMs(): number | undefined {
    let next: number | undefined;
    for (const w of this.#windows.values()) {
      if (w.suppressed === 0) continue;
      const end = w.windowStartMs + this.#o.windowMs;
      if (next === undefined || end < next) next = end;
    }
    return next;
  }
}
