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
      assert.match(task, /^deno compile /);
      assert.match(task, /--include static\b/);
      for (const file of Object.values(VENDOR_FILES)) {
        // Files under static/ (the vendored Scalar bundle) come with `--include static`.
        if (file.startsWith("static/")) continue;
        assert.ok(task.includes(`--include ${file}`), `${name} embeds ${file}`);
      }
      assert.doesNotMatch(task, /(-A\b|--allow-all)/);
      for (const flag of ["--allow-net", "--allow-env", "--allow-read", "--allow-write"]) {
        assert.ok(task.includes(flag), flag);
      }
      assert.match(task, / main\.ts$/);
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

Deno.test("main.ts serves its pages and libraries when started from another folder", async () => {
  const cwd = await Deno.makeTempDir();
  try {
    const daemon = new Daemon(
      { PORT: "0", HOST: "127.0.0.1", DATA_DIR: "data" },
      { cwd, allowWrite: cwd },
    );
    try {
      const [, port] = await daemon.waitFor(LISTENING);
      const base = `http://127.0.0.1:${port}`;
      for (const path of ["/", ...Object.keys(VENDOR_FILES).map((key) => `/vendor/${key}`)]) {
        const res = await fetch(base + path);
        assert.equal(res.status, 200, path);
        await res.body?.cancel();
      }
      assert.ok((await Deno.stat(`${cwd}/data`)).isDirectory, "data folder created in its cwd");
    } finally {
      daemon.kill("SIGTERM");
      await daemon.finish(5000);
    }
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});
