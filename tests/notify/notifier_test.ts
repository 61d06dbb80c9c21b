/**
 * The notifier against a real local receiver (Deno.serve on a loopback port) with an
 * injected clock: retries with backoff after 500s, exactly once per key and in order per
 * rule, signatures, the ntfy request's shape, the rate limit's summary, 4xx and
 * Retry-After, and that no URL path, token or secret reaches /status or the log.
 */
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import type { DatabaseSync } from "node:sqlite";
import { alertMessage } from "../../src/protocol/alerts.ts";
import type { Metric, Severity } from "../../src/protocol/common.ts";
import { NotificationBody } from "../../src/protocol/notifications.ts";
import {
  destinationsOf,
  type NotifySettings,
  ntfySequenceId,
} from "../../src/notify/destinations.ts";
import {
  HELD_RETRY_MS,
  MIN_BACKOFF_MS,
  Notifier,
  type NotifierOptions,
} from "../../src/notify/notifier.ts";
import { MAX_HELD_ROWS } from "../../src/notify/held.ts";
import { openDatabase } from "../../src/store/db.ts";
import { poll } from "../daemon.ts";
import { type Received, Receiver } from "./receiver.ts";

const SECRET = "whsec-0123456789abcdef";
const T0 = 1_700_000_000_000;

/** A settable clock. */
function clock(start = T0) {
  const c = { t: start, now: () => c.t };
  return c;
}

let nextId = 1;
/** An `alert` message of one transition. */
function alert(
  state: "raised" | "escalated" | "deescalated" | "cleared",
  tsMs: number,
  o: { metric?: Metric; severity?: Severity; channel?: string; value?: number } = {},
) {
  return alertMessage(
    {
      metric: o.metric ?? "v",
      severity: o.severity ?? "warning",
      state,
      value: o.value ?? 4.6,
      limit: 4.7,
      message: `Voltage ${state}`,
      ts_ms: tsMs,
    },
    nextId++,
    o.channel ?? "main",
  );
}

function settings(s: Partial<NotifySettings>): NotifySettings {
  return {
    notifyWebhookUrls: [],
    notifyWebhookSecret: null,
    notifyNtfyUrl: null,
    notifyNtfyToken: null,
    ...s,
  };
}

async function withNotifier(
  s: Partial<NotifySettings>,
  o: Partial<NotifierOptions> & { db?: DatabaseSync },
  fn: (n: Notifier, lines: string[]) => Promise<void>,
): Promise<void> {
  const db = o.db ?? openDatabase(":memory:");
  const lines: string[] = [];
  const notifier = new Notifier(db, {
    destinations: destinationsOf(settings(s)),
    device: "bench-pi",
    defaultChannel: "main",
    ruleLimit: 4,
    ruleWindowMs: 600_000,
    random: () => 0,
    log: (line) => lines.push(line),
    ...o,
  });
  try {
    await fn(notifier, lines);
  } finally {
    await notifier.stop();
    if (!o.db) db.close();
  }
}

const body = (r: Received) => NotificationBody.parse(JSON.parse(r.body));

Deno.test("Notifier retries 500s with backoff and delivers each transition once, signed, in order", async () => {
  const receiver = new Receiver((n) => (n < 2 ? 500 : 200));
  await receiver.start();
  const c = clock();
  try {
    await withNotifier(
      { notifyWebhookUrls: [`${receiver.url}/hook`], notifyWebhookSecret: SECRET },
      { now: c.now },
      async (notifier) => {
        notifier.onAlert(alert("raised", T0 - 10));
        notifier.onAlert(alert("escalated", T0 - 5, { severity: "danger" }));
        notifier.onAlert(alert("deescalated", T0 - 4)); // not pushed
        notifier.onAlert(alert("cleared", T0 - 1));
        await notifier.deliverDue();
        assert.equal(receiver.requests.length, 1, "one rule: only its oldest is tried");
        await notifier.deliverDue();
        assert.equal(receiver.requests.length, 1, "not again before the backoff");
        const failing = notifier.status();
        assert.ok(failing.enabled);
        assert.equal(failing.destinations[0].pending, 3);
        assert.match(failing.destinations[0].last_error ?? "", /answered 500/);
        c.t += 999;
        await notifier.deliverDue();
        assert.equal(receiver.requests.length, 1, "the first retry waits 1 s");
        c.t += 1;
        await notifier.deliverDue();
        assert.equal(receiver.requests.length, 2);
        c.t += 2000; // the second retry waits 2 s
        for (let i = 0; i < 3; i++) await notifier.deliverDue();
        assert.equal(receiver.requests.length, 5);

        const delivered = receiver.requests.slice(2).map(body);
        assert.deepEqual(delivered.map((b) => b.kind), ["raised", "escalated", "cleared"]);
        const keys = receiver.requests.map((r) => r.headers.get("idempotency-key"));
        assert.equal(new Set(keys).size, 3, "one key per transition, the same on every retry");
        assert.equal(receiver.requests[0].body, receiver.requests[2].body, "same bytes on retry");
        for (const r of receiver.requests) {
          const expected = createHmac("sha256", SECRET).update(r.body).digest("hex");
          assert.equal(r.headers.get("x-signature"), `sha256=${expected}`);
          assert.equal(r.headers.get("idempotency-key"), body(r).idempotency_key);
          assert.equal(r.headers.get("content-type"), "application/json");
          assert.equal(r.path, "/hook");
        }
        const raised = delivered[0];
        assert.equal(raised.rule, "main/v");
        assert.equal(raised.device, "bench-pi");
        assert.equal(raised.level, "warning");
        assert.equal(raised.threshold, 4.7);
        assert.equal(raised.unit, "V");
        assert.equal(raised.active, true);
        assert.equal(delivered[2].active, false);
        const status = notifier.status();
        assert.ok(status.enabled);
        assert.deepEqual(
          { ...status.destinations[0], id: undefined },
          {
            id: undefined,
            type: "webhook",
            url: receiver.url,
            pending: 0,
            delivered: 3,
            failed: 0,
            last_error: null,
          },
        );
        const m = notifier.metrics().destinations[0];
        assert.deepEqual([m.deliveredTotal, m.attemptErrorsTotal, m.failedTotal], [3, 2, 0]);
      },
    );
  } finally {
    await receiver.stop();
  }
});

Deno.test("Notifier sends two rules independently: one rule's retries do not hold back another", async () => {
  const receiver = new Receiver((_, r) => (body(r).metric === "v" ? 503 : 200));
  await receiver.start();
  const c = clock();
  try {
    await withNotifier({ notifyWebhookUrls: [receiver.url] }, { now: c.now }, async (notifier) => {
      notifier.onAlert(alert("raised", T0, { metric: "v" }));
      notifier.onAlert(alert("raised", T0, { metric: "a" }));
      notifier.onAlert(alert("cleared", T0, { metric: "a" }));
      for (let i = 0; i < 3; i++) await notifier.deliverDue();
      const delivered = receiver.requests.map(body).filter((b) => b.metric === "a");
      assert.deepEqual(delivered.map((b) => b.kind), ["raised", "cleared"]);
      assert.equal(receiver.requests.filter((r) => body(r).metric === "v").length, 1);
      assert.equal(
        receiver.requests[0].headers.get("x-signature"),
        null,
        "no secret, no signature",
      );
    });
  } finally {
    await receiver.stop();
  }
});

Deno.test("Notifier folds a flapping rule into one summary at the window's end", async () => {
  const receiver = new Receiver();
  await receiver.start();
  const c = clock();
  try {
    await withNotifier({ notifyWebhookUrls: [receiver.url] }, { now: c.now }, async (notifier) => {
      for (let i = 0; i < 10; i++) {
        notifier.onAlert(alert(i % 2 === 0 ? "raised" : "cleared", c.t, { value: 4.6 + i / 100 }));
        c.t += 10_000;
        for (let k = 0; k < 2; k++) await notifier.deliverDue();
      }
      assert.deepEqual(
        receiver.requests.map((r) => body(r).kind),
        ["raised", "cleared", "raised", "cleared"],
        "four pushed, the rest held back",
      );
      // A transition of another rule is not held back by this one's window.
      notifier.onAlert(alert("raised", c.t, { metric: "w" }));
      await notifier.deliverDue();
      assert.equal(receiver.requests.length, 5);
      c.t = T0 + 600_000;
      await notifier.deliverDue();
      assert.equal(receiver.requests.length, 6, "one summary");
      const summary = body(receiver.requests[5]);
      assert.equal(summary.kind, "summary");
      assert.equal(summary.rule, "main/v");
      assert.equal(summary.summary?.suppressed, 6);
      assert.equal(summary.active, false, "the last held-back transition cleared it");
      assert.match(summary.message, /flapped 6 more times within 10 min/);
      c.t += 600_000;
      await notifier.deliverDue();
      assert.equal(receiver.requests.length, 6, "a summary once");
      const status = notifier.status();
      assert.ok(status.enabled);
      assert.equal(status.suppressed, 6);
    });
  } finally {
    await receiver.stop();
  }
});

Deno.test("Notifier publishes to ntfy with title, priority and tags by severity, and the token", async () => {
  const receiver = new Receiver();
  await receiver.start();
  try {
    await withNotifier(
      {
        notifyNtfyUrl: `${receiver.url}/power-alerts`,
        notifyNtfyToken: "tk_0123456789abcdef",
      },
      {},
      async (notifier) => {
        notifier.onAlert(alert("raised", T0, { metric: "a", severity: "danger", value: 0.61 }));
        notifier.onAlert(alert("raised", T0, { metric: "w" }));
        notifier.onAlert(alert("cleared", T0 + 1, { metric: "w" }));
        for (let i = 0; i < 3; i++) await notifier.deliverDue();
        const shape = receiver.requests.map((r) => ({
          method: r.method,
          path: r.path,
          priority: r.headers.get("x-priority"),
          tags: r.headers.get("x-tags"),
          auth: r.headers.get("authorization"),
          type: r.headers.get("content-type"),
        }));
        const common = {
          method: "POST",
          path: "/power-alerts",
          auth: "Bearer tk_0123456789abcdef",
          type: "text/plain; charset=utf-8",
        };
        assert.deepEqual(shape, [
          { ...common, priority: "5", tags: "rotating_light,ina219,main" },
          { ...common, priority: "4", tags: "warning,ina219,main" },
          { ...common, priority: "3", tags: "white_check_mark,ina219,main" },
        ]);
        assert.equal(receiver.requests[0].headers.get("x-title"), "bench-pi main: Current danger");
        assert.equal(
          receiver.requests[2].headers.get("x-title"),
          "bench-pi main: Power back to normal",
        );
        assert.equal(receiver.requests[0].body, "Voltage raised (main on bench-pi)");
        assert.ok(receiver.requests[0].headers.get("idempotency-key"));
      },
    );
  } finally {
    await receiver.stop();
  }
});

Deno.test("Notifier gives ntfy the same sequence id on a retry, so ntfy 2.16+ updates instead of adding", async () => {
  const receiver = new Receiver((n) => (n === 0 ? 502 : 200));
  await receiver.start();
  const c = clock();
  try {
    await withNotifier(
      { notifyNtfyUrl: `${receiver.url}/power-alerts` },
      { now: c.now },
      async (notifier) => {
        notifier.onAlert(alert("raised", T0));
        notifier.onAlert(alert("cleared", T0 + 1));
        await notifier.deliverDue();
        c.t += MIN_BACKOFF_MS;
        await notifier.deliverDue();
        await notifier.deliverDue();
        const ids = receiver.requests.map((r) => r.headers.get("x-sequence-id") ?? "");
        assert.equal(ids.length, 3);
        assert.equal(ids[1], ids[0], "the retry of the lost first delivery");
        assert.notEqual(ids[2], ids[0], "another transition, another notification");
        for (const id of ids) assert.match(id, /^[A-Za-z0-9_-]{1,64}$/);
        assert.equal(ids[0], ntfySequenceId(receiver.requests[0].headers.get("idempotency-key")!));
      },
    );
  } finally {
    await receiver.stop();
  }
});

Deno.test("Notifier gives up on a 4xx at once and waits as long as Retry-After says", async () => {
  let busy = 0;
  const receiver = new Receiver((_, r) =>
    r.path === "/gone"
      ? 404
      : busy++ === 0
      ? { status: 429, headers: { "Retry-After": "30" } }
      : 200
  );
  await receiver.start();
  const c = clock();
  try {
    await withNotifier(
      { notifyWebhookUrls: [`${receiver.url}/gone`, `${receiver.url}/busy`] },
      { now: c.now },
      async (notifier, lines) => {
        notifier.onAlert(alert("raised", T0));
        await notifier.deliverDue();
        const status = notifier.status();
        assert.ok(status.enabled);
        const [gone, busy] = status.destinations;
        assert.deepEqual([gone.pending, gone.failed], [0, 1]);
        assert.match(gone.last_error ?? "", /answered 404.*not retried/);
        assert.deepEqual([busy.pending, busy.failed], [1, 0]);
        c.t += 29_999;
        await notifier.deliverDue();
        assert.equal(receiver.requests.filter((r) => r.path === "/busy").length, 1);
        c.t += 1;
        await notifier.deliverDue();
        const after = notifier.status();
        assert.ok(after.enabled);
        assert.equal(after.destinations[1].delivered, 1);
        assert.ok(lines.some((l) => /given up: .*404/.test(l)));
        assert.ok(lines.some((l) => /delivered again/.test(l)));
      },
    );
  } finally {
    await receiver.stop();
  }
});

Deno.test("Notifier keeps URL paths, tokens and the secret out of /status, /metrics and the log", async () => {
  const receiver = new Receiver(() => 401);
  await receiver.start();
  const closed = new Receiver();
  await closed.start();
  await closed.stop(); // a port nobody listens on
  const hidden = ["SECRETPATH123", "QUERYSECRET", "topic-SECRET-xyz", "tk_TOKENSECRET99", SECRET];
  try {
    await withNotifier(
      {
        notifyWebhookUrls: [`${closed.url}/hooks/SECRETPATH123?token=QUERYSECRET`],
        notifyWebhookSecret: SECRET,
        notifyNtfyUrl: `${receiver.url}/topic-SECRET-xyz`,
        notifyNtfyToken: "tk_TOKENSECRET99",
      },
      {},
      async (notifier, lines) => {
        notifier.start();
        notifier.onAlert(alert("raised", T0));
        await poll("both destinations failing", () => {
          const s = notifier.status();
          return Promise.resolve(s.enabled && s.destinations.every((d) => d.last_error !== null));
        });
        const shown = JSON.stringify(notifier.status()) + JSON.stringify(notifier.metrics()) +
          lines.join("\n");
        const s = notifier.status();
        assert.ok(s.enabled);
        assert.match(s.destinations[0].last_error ?? "", /cannot reach/);
        assert.match(s.destinations[1].last_error ?? "", /401/);
        assert.deepEqual(s.destinations.map((d) => d.url), [closed.url, receiver.url]);
        for (const secret of hidden) {
          assert.ok(!shown.includes(secret), `${secret} shown:\n${shown}`);
        }
      },
    );
  } finally {
    await receiver.stop();
  }
});

Deno.test("Notifier keeps undelivered notifications across a restart and sends them at start-up", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ina219-notify-" });
  const receiver = new Receiver();
  await receiver.start();
  await receiver.stop(); // down while the first run raises
  try {
    let db = openDatabase(`${dir}/db.sqlite`);
    await withNotifier({ notifyWebhookUrls: [receiver.url] }, { db }, async (notifier) => {
      notifier.onAlert(alert("raised", T0));
      notifier.onAlert(alert("cleared", T0 + 1));
      await notifier.deliverDue();
      const s = notifier.status();
      assert.ok(s.enabled);
      assert.equal(s.destinations[0].pending, 2);
    });
    db.close();
    await receiver.start();
    db = openDatabase(`${dir}/db.sqlite`);
    await withNotifier({ notifyWebhookUrls: [receiver.url] }, { db }, async (notifier, lines) => {
      notifier.start();
      await poll("both delivered", () => Promise.resolve(receiver.requests.length >= 2));
      assert.deepEqual(receiver.requests.map((r) => body(r).kind), ["raised", "cleared"]);
      assert.match(lines[0], /\(2 waiting from the last run\)/);
    });
    db.close();
  } finally {
    await receiver.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

/**
 * Runs `fn` with a receiver answering 200 and an in-memory database the test can make
 * refuse writes (`PRAGMA query_only`), and closes both after.
 */
async function withReceiverAndDb(
  fn: (receiver: Receiver, db: DatabaseSync) => Promise<void>,
): Promise<void> {
  const receiver = new Receiver();
  await receiver.start();
  const db = openDatabase(":memory:");
  try {
    await fn(receiver, db);
  } finally {
    db.close();
    await receiver.stop();
  }
}

Deno.test("Notifier holds what the database refuses, stores it in order once it may, and counts drops", async () => {
  const c = clock();
  await withReceiverAndDb(async (receiver, db) => {
    await withNotifier(
      { notifyWebhookUrls: [receiver.url] },
      { db, now: c.now },
      async (notifier, lines) => {
        db.exec("PRAGMA query_only = ON"); // every write refused, as on a full disk
        notifier.onAlert(alert("raised", T0));
        notifier.onAlert(alert("cleared", T0 + 1));
        await notifier.deliverDue();
        assert.equal(receiver.requests.length, 0, "nothing stored, nothing sent");
        let s = notifier.status();
        assert.ok(s.enabled);
        assert.deepEqual([s.held, s.held_dropped, s.destinations[0].pending], [2, 0, 0]);
        assert.equal(notifier.metrics().held, 2);
        const refusals = lines.filter((line) => line.includes("refuses the outbox"));
        assert.equal(refusals.length, 1, `one line per reason:\n${lines.join("\n")}`);
        assert.match(refusals[0], /readonly/);

        db.exec("PRAGMA query_only = OFF");
        notifier.onAlert(alert("raised", T0 + 2)); // the same rule: queued behind the held ones
        s = notifier.status();
        assert.ok(s.enabled);
        assert.equal(s.held, 3, "not tried again within 5 s of the refusal");
        c.t += HELD_RETRY_MS;
        for (let i = 0; i < 3; i++) await notifier.deliverDue(); // one row of a rule per pass
        assert.deepEqual(receiver.requests.map((r) => `${body(r).rule} ${body(r).kind}`), [
          "main/v raised",
          "main/v cleared",
          "main/v raised",
        ]);
        s = notifier.status();
        assert.ok(s.enabled);
        assert.deepEqual([s.held, s.destinations[0].delivered], [0, 3]);
        assert.match(lines.at(-1) ?? "", /takes notifications again/);

        db.exec("PRAGMA query_only = ON");
        // One transition each of more rules than may be held: the oldest go first.
        for (let i = 0; i < MAX_HELD_ROWS + 5; i++) {
          notifier.onAlert(alert("raised", T0 + 10 + i, { channel: `c${i}` }));
        }
        s = notifier.status();
        assert.ok(s.enabled);
        assert.deepEqual([s.held, s.held_dropped], [MAX_HELD_ROWS, 5]);
        db.exec("PRAGMA query_only = OFF");
        c.t += HELD_RETRY_MS;
        // The next transition is queued behind them and all are stored: nothing more dropped.
        notifier.onAlert(alert("raised", T0 + 5000, { channel: "last" }));
        s = notifier.status();
        assert.ok(s.enabled);
        assert.equal(s.held, 0);
        const rules = (db.prepare("SELECT rule FROM notify_outbox WHERE status = 0 ORDER BY id")
          .all() as { rule: string }[]).map((r) => r.rule);
        const expected = Array.from({ length: MAX_HELD_ROWS }, (_, i) => `c${i + 5}/v`);
        assert.deepEqual(rules, [...expected, "last/v"], "c0–c4 dropped, the rest in order");
        assert.equal(s.held_dropped, 5);
        assert.match(lines.at(-1) ?? "", /5 dropped over the limit meanwhile/);

        // A second refusal reports its own drops, not the first one's too.
        db.exec("PRAGMA query_only = ON");
        for (let i = 0; i < MAX_HELD_ROWS + 2; i++) {
          notifier.onAlert(alert("cleared", T0 + 6000 + i, { channel: `c${i + 5}` }));
        }
        db.exec("PRAGMA query_only = OFF");
        c.t += HELD_RETRY_MS;
        notifier.onAlert(alert("cleared", T0 + 9000, { channel: "last" }));
        assert.match(lines.at(-1) ?? "", /\(2 dropped over the limit meanwhile\)/);
      },
    );
  });
});

Deno.test("Notifier does not send again what was delivered while the database refused to note it", async () => {
  const c = clock();
  await withReceiverAndDb(async (receiver, db) => {
    await withNotifier(
      { notifyWebhookUrls: [receiver.url] },
      { db, now: c.now },
      async (notifier) => {
        notifier.onAlert(alert("raised", T0)); // stored
        db.exec("PRAGMA query_only = ON");
        for (let i = 0; i < 3; i++) await notifier.deliverDue();
        assert.equal(
          receiver.requests.length,
          1,
          "delivered once, though its row still says pending",
        );
        let s = notifier.status();
        assert.ok(s.enabled);
        assert.deepEqual([s.destinations[0].pending, s.destinations[0].delivered], [1, 0]);
        db.exec("PRAGMA query_only = OFF");
        c.t += HELD_RETRY_MS;
        await notifier.deliverDue();
        assert.equal(receiver.requests.length, 1);
        s = notifier.status();
        assert.ok(s.enabled);
        assert.deepEqual([s.destinations[0].pending, s.destinations[0].delivered], [0, 1]);
      },
    );
  });
});

Deno.test("Notifier's loop waits while writes are held, without spinning on a row held back", async () => {
  let clockReads = 0;
  const now = () => {
    clockReads++;
    return Date.now();
  };
  await withReceiverAndDb(async (receiver, db) => {
    await withNotifier({ notifyWebhookUrls: [receiver.url] }, { db, now }, async (notifier) => {
      notifier.start();
      notifier.onAlert(alert("raised", T0)); // stored; the loop sends it in a later turn
      db.exec("PRAGMA query_only = ON"); // ... and cannot mark it delivered
      await poll("delivered", () => Promise.resolve(receiver.requests.length === 1));
      const before = clockReads;
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.ok(clockReads - before < 20, `${clockReads - before} passes' clock reads in 300 ms`);
      assert.equal(receiver.requests.length, 1);
      db.exec("PRAGMA query_only = OFF");
    });
  });
});

Deno.test("Notifier says how many held notifications a shutdown loses, once", async () => {
  const db = openDatabase(":memory:");
  try {
    await withNotifier(
      { notifyWebhookUrls: ["http://127.0.0.1:9/"] },
      { db },
      async (notifier, lines) => {
        db.exec("PRAGMA query_only = ON");
        notifier.onAlert(alert("raised", T0));
        await notifier.stop();
        await notifier.stop();
        assert.equal(lines.length, 2, lines.join("\n"));
        assert.match(lines[0], /refuses the outbox/);
        assert.match(lines[1], /1 could not be stored before shutdown and are lost.*\(.*readonly/);
      },
    );
  } finally {
    db.close();
  }
});
