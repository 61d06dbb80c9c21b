import assert from "node:assert/strict";
import denoJson from "../../deno.json" with { type: "json" };
import { VENDOR_FILES } from "../../src/http/static.ts";
import { Daemon, LISTENING } from "../daemon.ts";

const ROOT = new URL("../../", import.meta.url);

Deno.test("compile tasks embed every served asset with explicit permissions", async (t) => {
  const tasks: Record<string, string> = Object.fromEntries(
    Object.entries(denoJson.tasks).map(([k, v]) => [k, typeof v === "string" ? v : v.command]),
  );
  for (const name of ["compile:host", "compile:pi"]) {
    await t.step(name, () => {
      const task = tasks[name];
      // The compiled binary runs the bundle, as `deno task start` does.
      assert.match(task, /^deno task build && deno compile /);
      assert.match(task, /--include static\b/);
      for (const file of Object.values(VENDOR_FILES)) {
        // Files under static/ (the vendored Scalar bundle) come with `--include static`.
        if (file.startsWith("static/")) continue;
        assert.ok(task.includes(`--include ${file}`), `${name} embeds ${file}`);
      }
      // The Workers run from their own bundles beside the main one (tools/bundle.ts).
      for (const worker of [WORKER_BUNDLE, CHECKPOINT_WORKER_BUNDLE]) {
        assert.ok(task.includes(`--include ${worker}`), `${name} embeds ${worker}`);
      }
      assert.doesNotMatch(task, /(-A\b|--allow-all)/);
      for (const flag of ["--allow-net", "--allow-env", "--allow-read", "--allow-write"]) {
        assert.ok(task.includes(flag), flag);
      }
      assert.match(task, / dist\/ina219-monitor\.js$/);
    });
  }
  assert.match(tasks["compile:pi"], /--target aarch64-unknown-linux-gnu/);
  for (const [name, task] of Object.entries(tasks)) {
    // The one exception: playwright-core probes /proc/sys, which Deno grants only to -A.
    // And the benchmarks, which read other processes' /proc/<pid>/stat (also -A only).
    const rest = name === "test"
      ? task.replace("deno test -A --lock=tests/e2e/deno.lock tests/e2e", "")
      : name === "bench"
      ? task.replace("deno run -A bench/run.ts", "")
      : task;
    assert.doesNotMatch(rest, /(-A\b|--allow-all)/, `${name} names its permissions`);
  }
});

Deno.test("every embedded asset exists where the server looks for it", async () => {
  for (const file of [...Object.values(VENDOR_FILES), "static/index.html"]) {
    const info = await Deno.stat(new URL(file, ROOT));
    assert.ok(info.isFile && info.size > 0, file);
  }
});

Deno.test("deno task start builds the bundle, loads it once, then runs it", () => {
  const start = denoJson.tasks.start;
  assert.match(start, /^deno task build && deno run /);
  assert.match(start, / dist\/ina219-monitor\.js$/);
  const build = denoJson.tasks.build.command;
  assert.match(build, /^deno run [^&]* tools\/bundle\.ts && /);
  // The warm-up run creates the V8 code cache, which Deno keys on the V8 flags: start's.
  const v8Flags = (task: string) => task.match(/--v8-flags=\S+/g);
  assert.deepEqual(v8Flags(build), v8Flags(start));
});

Deno.test("the bundle is ASCII, so V8 holds its source one byte per character", async () => {
  await build();
  const text = await Deno.readTextFile(new URL(BUNDLE, ROOT));
  // deno-lint-ignore no-control-regex
  assert.equal(text.search(/[^\x00-\x7f]/), -1);
});

Deno.test("the bundle does not import node:module at start-up (its Node loader costs 2.4 MiB)", async () => {
  await build();
  const text = await Deno.readTextFile(new URL(BUNDLE, ROOT));
  assert.doesNotMatch(text, /from\s*"node:module"/);
});

Deno.test("the acquisition Worker's bundle carries no zod (it needs no schemas)", async () => {
  await build();
  const text = await Deno.readTextFile(new URL(WORKER_BUNDLE, ROOT));
  // Every zod schema keeps its definition in `_zod.def`; its errors are ZodError.
  assert.doesNotMatch(text, /_zod\b|ZodError/);
  assert.ok(text.length < 100_000, `${text.length} bytes`);
});

const BUNDLE = "dist/ina219-monitor.js";
const WORKER_BUNDLE = "dist/acquisition-worker.js";
const CHECKPOINT_WORKER_BUNDLE = "dist/checkpoint-worker.js";

/** `deno task build`: what `deno task start` runs first. */
async function build(): Promise<void> {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "build"],
    cwd: ROOT,
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
}

for (const entry of ["main.ts", BUNDLE]) {
  Deno.test(`${entry} serves its pages and libraries when started from another folder`, async () => {
    if (entry === BUNDLE) await build();
    const cwd = await Deno.makeTempDir();
    try {
      const daemon = new Daemon(
        { PORT: "0", HOST: "127.0.0.1", DATA_DIR: "data", SAMPLE_INTERVAL_MS: "1" },
        { cwd, allowWrite: cwd, entry: new URL(entry, ROOT).pathname },
      );
      try {
        const [, port] = await daemon.waitFor(LISTENING);
        const base = `http://127.0.0.1:${port}`;
        // /metrics loads prom-client, whose CommonJS require() runs through the bundle's lazy
        // createRequire (tools/bundle.ts).
        for (
          const path of [
            "/",
            "/metrics",
            ...Object.keys(VENDOR_FILES).map((key) => `/vendor/${key}`),
          ]
        ) {
          const res = await fetch(base + path);
          assert.equal(res.status, 200, path);
          await res.body?.cancel();
        }
        assert.ok((await Deno.stat(`${cwd}/data`)).isDirectory, "data folder created in its cwd");
        // At 1 kHz the first timed flush starts the checkpoint Worker (from
        // dist/checkpoint-worker.js when bundled), which checkpoints at once; a script
        // that did not load would have moved the checkpoints back to the main thread.
        let database: { checkpoints: string; last_checkpoint_ms: number | null };
        const until = Date.now() + 10_000;
        do {
          await new Promise((resolve) => setTimeout(resolve, 200));
          database = (await (await fetch(`${base}/status`)).json()).database;
        } while (database.last_checkpoint_ms === null && Date.now() < until);
        assert.equal(database.checkpoints, "worker");
        assert.notEqual(database.last_checkpoint_ms, null);
      } finally {
        daemon.kill("SIGTERM");
        await daemon.finish(5000);
      }
    } finally {
      await Deno.remove(cwd, { recursive: true });
    }
  });
}
