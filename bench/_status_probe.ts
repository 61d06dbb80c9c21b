/**
 * @module
 * Times `GET /status` during a benchmark window from a Worker
 * ({@link ./_status_probe_worker.ts}), so the server's responsiveness is measured
 * apart from the readers' load.
 */

import type { ProbeCommand, ProbeResult } from "./_status_probe_worker.ts";

/** A running probe. */
export interface StatusProbe {
  /** Stops probing and returns every response time (ms) and the number of failures. */
  stop(): Promise<{ timesMs: number[]; failures: number }>;
}

/** Starts fetching `${baseUrl}/status` every `intervalMs` (default 200). */
export function startStatusProbe(baseUrl: string, intervalMs = 200): StatusProbe {
  const worker = new Worker(new URL("./_status_probe_worker.ts", import.meta.url), {
    type: "module",
  });
  const send = (command: ProbeCommand) => worker.postMessage(command);
  send({ type: "start", url: `${baseUrl}/status`, intervalMs });
  let result: Promise<ProbeResult> | undefined;
  return {
    stop() {
      result ??= new Promise<ProbeResult>((resolve, reject) => {
        worker.onmessage = (event: MessageEvent<ProbeResult>) => resolve(event.data);
        worker.onerror = (event) => {
          event.preventDefault();
          reject(new Error(`Status probe failed: ${event.message}`));
        };
        send({ type: "stop" });
      }).finally(() => worker.terminate());
      return result.then(({ timesMs, failures }) => ({ timesMs, failures }));
    },
  };
}
