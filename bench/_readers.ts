/**
 * @module
 * Groups of {@link StreamClient} readers, in this thread or spread over Workers
 * ({@link ./_reader_worker.ts}), behind one interface: wait until all are streaming,
 * count over a window, and collect each reader's tally.
 */

import { StreamClient } from "./_client.ts";
import type { ReaderCommand, ReaderReply } from "./_reader_worker.ts";

/** What one reader counted over the window. */
export interface ReaderTally {
  measurements: number;
  seqGaps: number;
  missedSamples: number;
  closedEarlyCode: number | undefined;
  latenciesMs: ArrayLike<number>;
  newestAgesMs: ArrayLike<number>;
  /** The window as this reader's thread timed it, ms. */
  windowMs: number;
}

/** Readers that stream from one URL. */
export interface ReaderGroup {
  /** Resolves when every reader is open and has had a measurement; rejects after `timeoutMs`. */
  ready(timeoutMs: number): Promise<void>;
  /** Starts or stops counting (the window); each thread times its own window. */
  setCounting(on: boolean): void;
  /** Closes the readers and returns their tallies. */
  finish(): Promise<ReaderTally[]>;
  /** Closes the readers (idempotent; after a failure). */
  close(): Promise<void>;
}

/** `promise`, or a rejection with `what` after `ms`; the timer never outlives it. */
async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(what)), ms);
  });
  try {
    return await Promise.race([promise, limit]);
  } finally {
    clearTimeout(timer);
  }
}

/** `count` readers of `wsUrl` on this thread. */
export class LocalReaders implements ReaderGroup {
  #readers: StreamClient[];
  #startMs = 0;
  #windowMs = 0;

  /** Connects `count` readers at once. */
  constructor(wsUrl: string, count: number) {
    this.#readers = Array.from({ length: count }, () => new StreamClient(wsUrl));
  }

  async ready(timeoutMs: number): Promise<void> {
    await withTimeout(
      Promise.all(this.#readers.map((r) => r.opened.then(() => r.firstMeasurement))),
      timeoutMs,
      `no measurement on every reader within ${timeoutMs} ms`,
    );
  }

  setCounting(on: boolean): void {
    for (const reader of this.#readers) reader.counting = on;
    if (on) this.#startMs = performance.now();
    else this.#windowMs = performance.now() - this.#startMs;
  }

  async finish(): Promise<ReaderTally[]> {
    await this.close();
    return this.#readers.map((reader) => ({
      measurements: reader.measurements,
      seqGaps: reader.seqGaps,
      missedSamples: reader.missedSamples,
      closedEarlyCode: reader.closedEarlyCode,
      latenciesMs: reader.latenciesMs,
      newestAgesMs: reader.newestAgesMs,
      windowMs: this.#windowMs,
    }));
  }

  async close(): Promise<void> {
    await Promise.all(this.#readers.map((reader) => reader.close()));
  }
}

/** `count` readers of `wsUrl` in a Worker of their own. */
export class WorkerReaders implements ReaderGroup {
  #worker: Worker;
  #replies: ((reply: ReaderReply) => void)[] = [];
  #failed: Promise<never>;
  #closed = false;

  /** Starts the Worker and its readers. */
  constructor(wsUrl: string, count: number) {
    this.#worker = new Worker(new URL("./_reader_worker.ts", import.meta.url), {
      type: "module",
    });
    this.#failed = new Promise<never>((_, reject) => {
      this.#worker.onerror = (event) => {
        event.preventDefault();
        reject(new Error(`Reader Worker failed: ${event.message}`));
      };
    });
    this.#failed.catch(() => {}); // observed by the awaits below
    this.#worker.onmessage = (event: MessageEvent<ReaderReply>) =>
      this.#replies.shift()?.(event.data);
    this.#send({ type: "open", wsUrl, count });
  }

  #send(command: ReaderCommand): void {
    this.#worker.postMessage(command);
  }

  #ask(command: ReaderCommand): Promise<ReaderReply> {
    const reply = new Promise<ReaderReply>((resolve) => this.#replies.push(resolve));
    this.#send(command);
    return Promise.race([reply, this.#failed]);
  }

  async ready(timeoutMs: number): Promise<void> {
    const reply = await this.#ask({ type: "ready", timeoutMs });
    if (reply.type === "error") throw new Error(reply.message);
  }

  setCounting(on: boolean): void {
    this.#send({ type: "count", on });
  }

  async finish(): Promise<ReaderTally[]> {
    const reply = await withTimeout(
      this.#ask({ type: "finish" }),
      30_000,
      "Reader Worker did not answer within 30 s",
    );
    await this.close();
    if (reply.type !== "tallies") throw new Error(`Reader Worker: unexpected ${reply.type}`);
    return reply.tallies;
  }

  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#worker.terminate();
    }
    return Promise.resolve();
  }
}

/** Several groups as one: `count` readers split as evenly as can be over `workers` Workers (0: this thread). */
export function openReaders(wsUrl: string, count: number, workers = 0): ReaderGroup {
  if (workers === 0) return new LocalReaders(wsUrl, count);
  const groups = Array.from(
    { length: workers },
    (_, i) => new WorkerReaders(wsUrl, Math.floor((count + i) / workers)),
  );
  return {
    async ready(timeoutMs) {
      await Promise.all(groups.map((group) => group.ready(timeoutMs)));
    },
    setCounting(on) {
      for (const group of groups) group.setCounting(on);
    },
    async finish() {
      return (await Promise.all(groups.map((group) => group.finish()))).flat();
    },
    async close() {
      await Promise.all(groups.map((group) => group.close()));
    },
  };
}
