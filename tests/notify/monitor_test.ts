/**
 * Notifications on the real assembly: a monitor whose webhook receiver is down raises and
 * clears an alert (LOAD_SPIKE, then NORMAL), is shut down with the notifications still in
 * its outbox, and the next run on the same data folder delivers every transition exactly
 * once, in order per rule, signed, once the receiver is back.
 */
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { loadConfig } from "../../src/config.ts";
import { type Monitor, startMonitor } from "../../src/monitor.ts";
import { NotificationBody } from "../../src/protocol/notifications.ts";
import { poll } from "../daemon.ts";
import { Receiver } from "./receiver.ts";

const SECRET = "monitor-test-secret-0123";

async function json(url: string, init?: RequestInit) {
  const res = await fetch(url, init);
  return await res.json();
}

const mode = (monitor: Monitor, name: string) =>
  fetch(`${monitor.url}/simulator/mode`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ mode: name }),
  }).then((r) => r.body?.cancel());

Deno.test("notifications queued while the receiver is down arrive once each after a monitor restart", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "ina219-notify-it-" });
  const receiver = new Receiver();
  await receiver.start();
  await receiver.stop();
  const config = loadConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    MOCK_SEED: "3",
    MOCK_AUTO_ROTATE_S: "0",
    SAMPLE_INTERVAL_MS: "100",
    STATUS_INTERVAL_S: "0",
    NOTIFY_WEBHOOK_URLS: `${receiver.url}/hook`,
    NOTIFY_WEBHOOK_SECRET: SECRET,
  }, []);
  let monitor: Monitor | undefined;
  try {
    monitor = await startMonitor(config, { log: () => {} });
    const first = monitor;
    const notifications = async () => (await json(`${first.url}/status`)).notifications;
    await mode(first, "LOAD_SPIKE");
    await poll("a raised alert queued, its delivery failing", async () => {
      const n = await notifications();
      return n.destinations[0].pending >= 1 && n.destinations[0].last_error !== null;
    }, 10_000);
    await mode(first, "NORMAL");
    const history = async () =>
      (await json(`${first.url}/api/alerts?hours=1`)).data as { id: number; state: string }[];
    await poll(
      "the current alert cleared",
      async () => (await history()).some((e) => e.state === "cleared"),
      10_000,
    );
    await first.shutdown();
    monitor = undefined;
    // The next run on the same database; the receiver comes back once it has started.
    const second = monitor = await startMonitor(config, { log: () => {} });
    await receiver.start();
    const all = (await json(`${second.url}/api/alerts?hours=1`)).data as {
      id: number;
      state: string;
    }[];
    const expected = all.filter((e) => e.state !== "deescalated").map((e) => e.id)
      .sort((x, y) => x - y);
    assert.ok(expected.length >= 2, `raised and cleared: ${JSON.stringify(expected)}`);
    await poll(
      "every transition delivered",
      () => Promise.resolve(receiver.requests.length >= expected.length),
      10_000,
    );
    await new Promise((r) => setTimeout(r, 300)); // nothing more should come
    const bodies = receiver.requests.map((r) => NotificationBody.parse(JSON.parse(r.body)));
    assert.deepEqual(bodies.map((b) => b.alert_id).sort((x, y) => x! - y!), expected, "once each");
    assert.equal(new Set(bodies.map((b) => b.idempotency_key)).size, bodies.length);
    for (const rule of new Set(bodies.map((b) => b.rule))) {
      const ids = bodies.filter((b) => b.rule === rule).map((b) => b.alert_id!);
      assert.deepEqual(ids, [...ids].sort((x, y) => x - y), `${rule} in order`);
      assert.equal(bodies.filter((b) => b.rule === rule)[0].kind, "raised");
    }
    for (const r of receiver.requests) {
      const hex = createHmac("sha256", SECRET).update(r.body).digest("hex");
      assert.equal(r.headers.get("x-signature"), `sha256=${hex}`);
    }
    const status = (await json(`${second.url}/status`)).notifications;
    assert.deepEqual(
      [status.destinations[0].pending, status.destinations[0].delivered],
      [0, expected.length],
    );
  } finally {
    await monitor?.shutdown();
    await receiver.stop();
    await Deno.remove(dataDir, { recursive: true });
  }
});
