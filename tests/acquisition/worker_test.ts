import assert from "node:assert/strict";

Deno.test("AcquisitionClient with a real Worker that crashes: the process lives on; an error sample, a status message, a new Worker, samples again", async () => {
  // In a process of its own, run as the monitor runs: `deno run`.
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-env", new URL("./crash_run.ts", import.meta.url).href],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(stderr);
  assert.equal(code, 0, `the process ended with ${code}: ${err}`);
  const run = JSON.parse(new TextDecoder().decode(stdout));
  const samples: { seq: number; status: string; error?: string }[] = run.samples;
  const crash = samples.findIndex((s) => s.status === "error");
  assert.ok(crash > 0, "samples flowed before the crash");
  assert.match(
    samples[crash].error!,
    /^The acquisition thread crashed \(Uncaught Error: boom in the acquisition thread\); restarting in 0\.1 s$/,
  );
  assert.ok(
    run.statuses.includes(`Sensor error: ${samples[crash].error}`),
    run.statuses.join("\n"),
  );
  assert.ok(
    samples.slice(crash + 1).filter((s) => s.status === "ok").length >= 5,
    "samples flow again",
  );
  assert.deepEqual(run.scripts, ["crashing_worker.ts", "worker.ts"]);
  assert.equal(run.restarts, 1);
  assert.ok(run.statuses.includes("Sensor recovered"), run.statuses.join("\n"));
  assert.deepEqual(samples.map((s) => s.seq), samples.map((_, i) => i + 1), "seq continues");
});
