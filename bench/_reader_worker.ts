/**
 * @module
 * A Worker holding some of a benchmark's readers ({@link LocalReaders}), so they
 * read on their own event loop and thread. Driven by {@link WorkerReaders}: each
 * command gets one reply, in order (`count` gets none).
 */
/// <reference lib="deno.worker" />

import { LocalReaders, type ReaderTally } from "./_readers.ts";

/** What the main thread sends. */
export type ReaderCommand =
  | { type: "open"; wsUrl: string; count: number }
  | { type: "ready"; timeoutMs: number }
  | { type: "count"; on: boolean }
  | { type: "finish" };

/** What the Worker answers. */
export type ReaderReply =
  | { type: "ready" }
  | { type: "error"; message: string }
  | { type: "tallies"; tallies: ReaderTally[] };

let readers: LocalReaders | undefined;

function reply(message: ReaderReply, transfer: Transferable[] = []): void {
  self.postMessage(message, { transfer });
}

self.onmessage = async (event: MessageEvent<ReaderCommand>) => {
  const command = event.data;
  switch (command.type) {
    case "open":
      readers = new LocalReaders(command.wsUrl, command.count);
      return;
    case "ready":
      try {
        await readers!.ready(command.timeoutMs);
        reply({ type: "ready" });
      } catch (error) {
        reply({ type: "error", message: (error as Error).message });
      }
      return;
    case "count":
      readers!.setCounting(command.on);
      return;
    case "finish": {
      const tallies = (await readers!.finish()).map((tally) => ({
        ...tally,
        latenciesMs: Float64Array.from(tally.latenciesMs),
        newestAgesMs: Float64Array.from(tally.newestAgesMs),
      }));
      reply(
        { type: "tallies", tallies },
        tallies.flatMap((t) => [t.latenciesMs.buffer, t.newestAgesMs.buffer]),
      );
    }
  }
};
