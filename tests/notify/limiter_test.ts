/** The per-rule rate limit: windows, summaries, and state carried over a restart. */
import assert from "node:assert/strict";
import { RuleLimiter } from "../../src/notify/limiter.ts";
import type { NotifyEvent } from "../../src/notify/event.ts";
import { backoffMs, MAX_BACKOFF_MS } from "../../src/notify/notifier.ts";

const event = (kind: NotifyEvent["kind"], tsMs: number): NotifyEvent => ({
  kind,
  alertId: tsMs,
  channel: "main",
  metric: "v",
  level: "warning",
  value: 4.6,
  threshold: 4.7,
  message: kind,
  tsMs,
});

Deno.test("RuleLimiter.admit() pushes `limit` transitions per window and holds back the rest", () => {
  const limiter = new RuleLimiter({ limit: 2, windowMs: 1000 });
  const sent = [0, 100, 200, 300].map((t) => limiter.admit("main/v", event("raised", t), t).send);
  assert.deepEqual(sent, [true, true, false, false]);
  assert.equal(limiter.admit("main/a", event("raised", 300), 300).send, true, "per rule");
  assert.equal(limiter.nextDueMs(), 1000);
  assert.deepEqual(limiter.due(999), []);
  const [{ summary, window }] = limiter.due(1000);
  assert.deepEqual(
    [summary.rule, summary.suppressed, summary.firstTsMs, summary.lastTsMs],
    ["main/v", 2, 200, 300],
  );
  assert.deepEqual([window.sent, window.suppressed], [0, 0]);
  assert.deepEqual(limiter.due(5000), [], "a summary once");
  assert.equal(limiter.nextDueMs(), undefined);
  assert.equal(limiter.suppressedTotal, 2);
});

Deno.test("RuleLimiter.admit() sends a summary still owed before the next window's first transition", () => {
  const limiter = new RuleLimiter({ limit: 1, windowMs: 1000 });
  limiter.admit("main/v", event("raised", 0), 0);
  limiter.admit("main/v", event("cleared", 10), 10);
  const next = limiter.admit("main/v", event("raised", 2000), 2000);
  assert.equal(next.send, true);
  assert.equal(next.summary?.suppressed, 1);
  assert.equal(next.summary?.event.kind, "cleared");
  assert.deepEqual([next.window.windowStartMs, next.window.sent], [2000, 1]);
});

Deno.test("RuleLimiter starts from saved windows (a restart does not reopen the gate)", () => {
  const first = new RuleLimiter({ limit: 1, windowMs: 1000 });
  const { window } = first.admit("main/v", event("raised", 0), 0);
  const held = first.admit("main/v", event("cleared", 5), 5).window;
  const again = new RuleLimiter({ limit: 1, windowMs: 1000 }, [held]);
  assert.equal(window.sent, 1);
  assert.equal(again.admit("main/v", event("raised", 10), 10).send, false);
  assert.equal(again.due(1000)[0].summary.suppressed, 2);
  assert.throws(() => new RuleLimiter({ limit: 0, windowMs: 1000 }), RangeError);
});

Deno.test("backoffMs() doubles from 1 s to 5 min and adds at most 25 % jitter", () => {
  assert.deepEqual(
    [1, 2, 3, 9, 10, 30].map((n) => backoffMs(n, () => 0)),
    [1000, 2000, 4000, 256_000, MAX_BACKOFF_MS, MAX_BACKOFF_MS],
  );
  assert.equal(backoffMs(1, () => 0.999), 1250);
  assert.equal(backoffMs(9, () => 0.999), MAX_BACKOFF_MS, "the cap holds with jitter");
});
