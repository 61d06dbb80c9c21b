/**
 * A test Worker: the real acquisition Worker, which throws an uncaught error 100 ms
 * after its start command, as a bug in the driver would.
 * @module
 */
/// <reference lib="deno.worker" />
import "../../src/acquisition/worker.ts";

self.addEventListener("message", (event: MessageEvent<{ cmd?: string }>) => {
  if (event.data.cmd !== "start") return;
  setTimeout(() => {
    throw new Error("boom in the acquisition thread");
  }, 100);
});
