/**
 * @module
 * A Worker that fetches `GET /status` every `intervalMs` and times each answer (request
 * to the last byte of the body), on its own thread so the readers' event loop adds
 * nothing to the times. Its first request is not timed: it opens the keep-alive
 * connection and runs this Worker's fetch code for the first time, which took 13–19 ms
 * against any server, the bare floor's too (docs/benchmarks.md). Started by
 * {@link ./_status_probe.ts}.
 */
/// <reference lib="deno.worker" />

/** What the main thread sends the probe. */
export type ProbeCommand =
  | { type: "start"; url: string; intervalMs: number }
  | { type: "stop" };

/** What the probe sends back once stopped: every response time, ms, and the failed requests. */
export interface ProbeResult {
  type: "result";
  timesMs: number[];
  failures: number;
}

let running = false;
let wake: (() => void) | undefined;
let timer: ReturnType<typeof setTimeout> | undefined;
let finished: Promise<void> = Promise.resolve();
const timesMs: number[] = [];
let failures = 0;

async function probe(url: string): Promise<void> {
  const startMs = performance.now();
  try {
    const response = await fetch(url);
    await response.arrayBuffer();
    if (response.ok) timesMs.push(performance.now() - startMs);
    else failures++;
  } catch {
    failures++; // reported: a server that does not answer is a finding, not a crash
  }
}

/**
 * One untimed request, then one every `intervalMs` (from the start of the previous),
 * never two at once.
 */
async function loop(url: string, intervalMs: number): Promise<void> {
  try {
    await (await fetch(url)).arrayBuffer();
  } catch {
    // The timed requests that follow count the failure.
  }
  while (running) {
    const startMs = performance.now();
    await probe(url);
    const waitMs = Math.max(0, intervalMs - (performance.now() - startMs));
    if (!running) break;
    await new Promise<void>((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, waitMs);
    });
  }
}

self.onmessage = async (event: MessageEvent<ProbeCommand>) => {
  if (event.data.type === "start") {
    running = true;
    finished = loop(event.data.url, event.data.intervalMs);
    return;
  }
  running = false;
  clearTimeout(timer);
  wake?.();
  await finished;
  const result: ProbeResult = { type: "result", timesMs, failures };
  self.postMessage(result);
};
