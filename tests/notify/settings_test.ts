/** NOTIFY_* settings: URLs checked at start-up, secrets never echoed, destinations named safely. */
import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../../src/config.ts";
import { destinationsOf } from "../../src/notify/destinations.ts";
import { withDaemon } from "../daemon.ts";
import { Daemon } from "../daemon.ts";

Deno.test("loadConfig() refuses bad notification URLs, naming the setting but not the value", async (t) => {
  const cases: [Record<string, string>, RegExp][] = [
    [
      { NOTIFY_WEBHOOK_URLS: "ftp://x/SECRET1" },
      /^Invalid NOTIFY_WEBHOOK_URLS at 0: must be an http/,
    ],
    [
      { NOTIFY_WEBHOOK_URLS: "https://ok.example/a, not a url SECRET1" },
      /^Invalid NOTIFY_WEBHOOK_URLS at 1: must be an http/,
    ],
    [
      { NOTIFY_NTFY_URL: "https://ntfy.sh/" },
      /^Invalid NOTIFY_NTFY_URL: must be .* naming a topic/,
    ],
    [{ NOTIFY_NTFY_URL: "ntfy.sh/SECRET1" }, /^Invalid NOTIFY_NTFY_URL: must be/],
    [
      { NOTIFY_NTFY_URL: "https://ntfy.sh/t", NOTIFY_NTFY_TOKEN: "bad token SECRET1" },
      /^Invalid NOTIFY_NTFY_TOKEN: must be an access token/,
    ],
    [
      { NOTIFY_WEBHOOK_URLS: "https://a.example/h", NOTIFY_WEBHOOK_SECRET: "SECRET1" },
      /^Invalid NOTIFY_WEBHOOK_SECRET: must be at least 16 characters/,
    ],
    [
      { NOTIFY_WEBHOOK_SECRET: "SECRET1-long-enough" },
      /NOTIFY_WEBHOOK_SECRET: it needs NOTIFY_WEBHOOK_URLS/,
    ],
    [{ NOTIFY_NTFY_TOKEN: "tk_SECRET1" }, /NOTIFY_NTFY_TOKEN: it needs NOTIFY_NTFY_URL/],
  ];
  for (const [env, pattern] of cases) {
    await t.step(JSON.stringify(env), () => {
      assert.throws(() => loadConfig(env, []), (error: Error) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, pattern);
        assert.ok(!error.message.includes("SECRET1"), error.message);
        return true;
      });
    });
  }
});

Deno.test("loadConfig() reads the notification settings; destinationsOf() names them without secrets", () => {
  const config = loadConfig({
    NOTIFY_WEBHOOK_URLS:
      "https://hooks.example/a/TOKEN1, http://10.0.0.2:8080/b,https://hooks.example/a/TOKEN1",
    NOTIFY_WEBHOOK_SECRET: "0123456789abcdef",
    NOTIFY_NTFY_URL: "https://ntfy.sh/TOPIC1",
    NOTIFY_NTFY_TOKEN: "tk_abc",
    NOTIFY_RULE_LIMIT: "2",
    NOTIFY_RULE_WINDOW_S: "60",
  }, []);
  assert.equal(config.notifyRuleLimit, 2);
  assert.equal(config.notifyRuleWindowMs, 60_000);
  const d = destinationsOf(config);
  assert.deepEqual(d.map((x) => [x.type, x.shown]), [
    ["webhook", "https://hooks.example"],
    ["webhook", "http://10.0.0.2:8080"],
    ["ntfy", "https://ntfy.sh"],
  ]);
  assert.match(d[0].id, /^webhook-[0-9a-f]{8}$/);
  assert.ok(d.every((x) => !/TOKEN1|TOPIC1/.test(x.id)));
  assert.equal(d[0].id, destinationsOf(config)[0].id, "stable across runs");
  const defaults = loadConfig({}, []);
  assert.deepEqual(destinationsOf(defaults), []);
  assert.deepEqual([defaults.notifyRuleLimit, defaults.notifyRuleWindowMs], [4, 600_000]);
});

Deno.test("main.ts exits 1 with one line naming NOTIFY_NTFY_URL when it is bad", async () => {
  const daemon = new Daemon({ NOTIFY_NTFY_URL: "https://ntfy.sh/", DATA_DIR: "/nonexistent" });
  const status = await daemon.finish();
  assert.equal(status.code, 1);
  assert.equal(daemon.stdout, "");
  assert.match(daemon.stderr.trim(), /^Invalid NOTIFY_NTFY_URL: must be [^\n]*$/);
});

Deno.test("a monitor with notifications shows them in /status and /metrics", async () => {
  await withDaemon(
    { NOTIFY_WEBHOOK_URLS: "http://127.0.0.1:9/hook/PATHSECRET" },
    async (_, url) => {
      const status = await (await fetch(`${url}/status`)).json();
      assert.equal(status.server, "running");
      assert.deepEqual(status.notifications, {
        enabled: true,
        destinations: [{
          id: destinationsOf({
            notifyWebhookUrls: ["http://127.0.0.1:9/hook/PATHSECRET"],
            notifyWebhookSecret: null,
            notifyNtfyUrl: null,
            notifyNtfyToken: null,
          })[0].id,
          type: "webhook",
          url: "http://127.0.0.1:9",
          pending: 0,
          delivered: 0,
          failed: 0,
          last_error: null,
        }],
        suppressed: 0,
        held: 0,
        held_dropped: 0,
      });
      const metrics = await (await fetch(`${url}/metrics`)).text();
      assert.match(
        metrics,
        /^ina219_notifications_pending\{destination="webhook-[0-9a-f]{8}",type="webhook"\} 0$/m,
      );
      assert.match(metrics, /^ina219_notifications_delivered_total\{destination="webhook-/m);
      assert.match(metrics, /^ina219_notifications_suppressed_total 0$/m);
      assert.match(metrics, /^ina219_notifications_held 0$/m);
      assert.ok(!metrics.includes("PATHSECRET"));
    },
  );
  await withDaemon({}, async (_, url) => {
    const status = await (await fetch(`${url}/status`)).json();
    assert.deepEqual(status.notifications, { enabled: false });
    assert.doesNotMatch(await (await fetch(`${url}/metrics`)).text(), /ina219_notification/);
  });
});
