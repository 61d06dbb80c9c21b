/**
 * main.ts as a user runs it: a child `deno run` process. Covers `--help`, one-line
 * start-up errors with exit code 1, the exposure warning, and a clean exit on
 * SIGTERM/SIGINT that closes WebSocket clients with 1001.
 * @module
 */
import assert from "node:assert/strict";
import { Daemon, LISTENING, withDaemon, within } from "./daemon.ts";
import { parseServerMessage } from "./ws_messages.ts";

const SETTINGS = [
  "PORT",
  "HOST",
  "SENSOR",
  "SAMPLE_INTERVAL_MS",
  "MOCK_AUTO_ROTATE_S",
  "MOCK_SEED",
  "DATA_DIR",
  "DB_PATH",
  "API_TOKEN",
  "ALLOWED_ORIGINS",
  "STATUS_INTERVAL_S",
];
/** Runs main.ts to its exit with a fresh DATA_DIR. */
async function run(env: Record<string, string>, args: string[] = []) {
  const dataDir = await Deno.makeTempDir({ prefix: "ina219-main-" });
  try {
    const daemon = new Daemon({ DATA_DIR: dataDir, ...env }, { args });
    const status = await daemon.finish();
    return { status, stdout: daemon.stdout, stderr: daemon.stderr };
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
}

/** Asserts a failed start: exit code 1, one line on stderr, no stack trace. */
function assertOneLineFailure(
  result: { status: Deno.CommandStatus; stderr: string },
  pattern: RegExp,
): void {
  assert.equal(result.status.code, 1, result.stderr);
  const lines = result.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `one line on stderr, got:\n${result.stderr}`);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(result.stderr, /^\s+at |Uncaught|Stack backtrace/m);
}

Deno.test("main.ts --help lists every setting with its default and exits 0", async () => {
  const { status, stdout } = await run({}, ["--help"]);
  assert.equal(status.code, 0);
  for (const name of SETTINGS) {
    assert.match(stdout, new RegExp(`--${name.toLowerCase().replaceAll("_", "-")} .*\\(${name},`));
  }
  assert.match(stdout, /\(PORT, default: 8000\)/);
  assert.match(stdout, /\(SAMPLE_INTERVAL_MS, default: 1000\)/);
  assert.match(stdout, /\(API_TOKEN, default: unset\)/);
  assert.doesNotMatch(stdout, /listening on/, "--help does not start the server");
});

Deno.test("main.ts exits 1 with one line naming a bad setting", async (t) => {
  const rows: { env: Record<string, string>; args: string[]; names: RegExp }[] = [
    { env: { SAMPLE_INTERVAL_MS: "0" }, args: [], names: /SAMPLE_INTERVAL_MS "0"/ },
    { env: { PORT: "abc" }, args: [], names: /PORT "abc"/ },
    { env: { SENSOR: "foo" }, args: [], names: /SENSOR "foo"/ },
    {
      env: { SAMPLE_INTERVAL_MS: "50" },
      args: ["--sample-interval-ms", "99999"],
      names: /--sample-interval-ms "99999"/,
    },
    { env: {}, args: ["--bogus"], names: /--bogus/ },
    {
      env: { ALERT_RULES: '[{"metric":"a","warning_high":1e308,"hysteresis":0,"for_ms":0}]' },
      args: [],
      names: /ALERT_RULES .* at 0\.warning_high: warning_high 1e\+308 A is not a physical current/,
    },
    {
      env: {
        CHANNELS:
          '[{"name":"in","sensor":"ina219"},{"name":"out","sensor":"ina219","i2c_address":"0x80"}]',
      },
      args: [],
      names: /^Invalid CHANNELS: entry 2 \("out"\): i2c_address "0x80": must be 0x40 to 0x4F$/,
    },
    {
      env: { CONFIG_FILE: "tests/no-such-config.jsonc" },
      args: [],
      names: /^Invalid CONFIG_FILE "tests\/no-such-config.jsonc": cannot read it: No such file/,
    },
  ];
  for (const row of rows) {
    await t.step(
      [...Object.entries(row.env).map((e) => e.join("=")), ...row.args].join(" "),
      async () => {
        const result = await run({ PORT: "0", HOST: "127.0.0.1", ...row.env }, row.args);
        assertOneLineFailure(result, row.names);
        assert.equal(result.stdout, "", "nothing starts");
      },
    );
  }
});

Deno.test("main.ts exits 1 with one line when the port is taken", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  const result = await run({ PORT: String(port), HOST: "127.0.0.1" });
  assertOneLineFailure(result, /^Port \d+ is already in use: set PORT or stop the other process$/);
  assert.match(result.stderr, new RegExp(`^Port ${port} `));
});

Deno.test("main.ts exits 1 with one line when DATA_DIR cannot be written", async () => {
  const file = await Deno.makeTempFile({ prefix: "ina219-main-" });
  try {
    const result = await run({ PORT: "0", HOST: "127.0.0.1", DATA_DIR: `${file}/sub` });
    assertOneLineFailure(result, /^Data folder ".*\/sub"/);
    assert.ok(result.stderr.includes(`${file}/sub`), result.stderr);
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("main.ts shuts down on a signal: clients get 1001, exit 0 within 2 s", async (t) => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    await t.step(signal, async () => {
      await withDaemon({}, async (daemon, url) => {
        const ws = new WebSocket(`${url.replace(/^http/, "ws")}/ws`);
        const closed = new Promise<CloseEvent>((resolve) => ws.onclose = resolve);
        const greeted = new Promise((resolve) =>
          ws.onmessage = (e) => resolve(parseServerMessage(e.data))
        );
        await within("greeting", greeted, 5000);

        const sentMs = Date.now();
        daemon.kill(signal);
        const [event, status] = await within(
          "close and exit",
          Promise.all([closed, daemon.exited]),
          5000,
        );
        const tookMs = Date.now() - sentMs;
        assert.equal(event.code, 1001);
        assert.equal(status.code, 0, daemon.stderr);
        assert.ok(tookMs < 2000, `exited after ${tookMs} ms`);
        assert.match(daemon.stdout, new RegExp(`${signal}: shutting down`));
        assert.equal(daemon.stderr, "");
      });
    });
  }
});

Deno.test("main.ts warns when bound beyond this machine without API_TOKEN", async (t) => {
  const rows: { env: Record<string, string>; warns: boolean }[] = [
    { env: { HOST: "0.0.0.0" }, warns: true },
    { env: { HOST: "0.0.0.0", API_TOKEN: "secret-token-1" }, warns: false },
    { env: { HOST: "127.0.0.1" }, warns: false },
  ];
  for (const row of rows) {
    const name = Object.entries(row.env).map((e) => e.join("=")).join(" ");
    await t.step(`${name} → ${row.warns ? "a warning" : "no warning"}`, async () => {
      await withDaemon(row.env, async (daemon) => {
        daemon.kill("SIGTERM");
        assert.equal((await daemon.finish(5000)).code, 0);
        const output = daemon.stdout + daemon.stderr;
        assert.equal(/Warning/.test(output), row.warns, output);
        if (row.warns) assert.match(output, /Warning: .*API_TOKEN/);
      });
    });
  }
});

Deno.test("main.ts shuts down cleanly on a SIGTERM that arrives during start-up", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "ina219-main-" });
  try {
    for (let i = 0; i < 3; i++) {
      const daemon = new Daemon({ PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir });
      await daemon.waitFor(LISTENING);
      daemon.kill("SIGTERM");
      const status = await daemon.finish(5000);
      assert.equal(status.code, 0, daemon.stderr);
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("main.ts reads CONFIG_FILE, comments and all, and variables win over it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ina219-main-config-" });
  try {
    const path = `${dir}/monitor.jsonc`;
    await Deno.writeTextFile(
      path,
      '{\n  // no Prometheus here\n  "metrics_enabled": false,\n  "port": 1,\n}\n',
    );
    // withDaemon's PORT=0 wins over the file's port 1.
    await withDaemon({ CONFIG_FILE: path }, async (_daemon, url) => {
      const res = await fetch(`${url}/metrics`);
      await res.body?.cancel();
      assert.equal(res.status, 404, "the file turned /metrics off");
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
