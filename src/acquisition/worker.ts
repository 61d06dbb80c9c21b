/**
 * The acquisition Worker: owns the INA219 (on `/dev/i2c-N` or the emulated bus),
 * runs the conversion-synced read loop on its own thread, so no blocking transfer
 * ever runs on the main thread, timestamps each reading here and posts them in
 * batches of at most {@link BATCH_MS} ms. Commands (start, stop, setMode,
 * setInterval, setAdc) each get one acknowledgement; a heartbeat goes out every
 * second, so the client can tell a hung Worker. Started by {@link ./client.ts}.
 * @module
 */
/// <reference lib="deno.worker" />
import { buildIna219 } from "../sources/create.ts";
import type { Ina219Source } from "../sources/ina219.ts";
import { conversionTimeMs } from "../sources/ina219_registers.ts";
import { type Command, HEARTBEAT_MS, type WireEvent, type WorkerMessage } from "./protocol.ts";
import { preciseSleep } from "./sleep.ts";

/** The longest span of samples one batch holds, in ms. */
export const BATCH_MS = 5;
/** How often at most a batch carries the driver's `/status` details, in ms. */
const DETAILS_MS = 250;

let source: Ina219Source | undefined;
let intervalMs = 1000;
let generation = 0;
let batch: WireEvent[] = [];
let batchStartMs = 0;
let detailsAtMs = 0;
/** The read in progress: a configuration change waits for it. */
let reading: Promise<unknown> = Promise.resolve();

const now = () => performance.timeOrigin + performance.now();
const post = (message: WorkerMessage) => self.postMessage(message);

setInterval(() => post({ type: "heartbeat" }), HEARTBEAT_MS);

// A macrotask without timer clamping, so commands get through a busy loop.
const channel = new MessageChannel();
let wake: (() => void) | undefined;
channel.port1.onmessage = () => wake?.();
function yieldTask(): Promise<void> {
  return new Promise((resolve) => {
    wake = resolve;
    channel.port2.postMessage(0);
  });
}

function flush(): void {
  if (batch.length === 0) return;
  const t = now();
  const details = t - detailsAtMs >= DETAILS_MS ? source?.details() : undefined;
  if (details) detailsAtMs = t;
  post({ type: "batch", events: batch, details });
  batch = [];
}

function onNotice(message: string): void {
  flush(); // keeps notices in order with the samples around them
  post({ type: "notice", message });
}

/** Reads until the generation changes: one fresh conversion per tick, ticks skipped when late. */
async function loop(gen: number): Promise<void> {
  let t0 = now();
  let n = 0;
  let lastYieldMs = t0;
  let interval = intervalMs;
  while (gen === generation && source) {
    if (interval !== intervalMs) {
      interval = intervalMs;
      t0 = now();
      n = 1;
    }
    // Within one conversion of the tick the read's wait for CNVR is the pacing: a
    // timer (1 ms granular) would lose conversions.
    const conversionMs = conversionTimeMs(source.config);
    const waitMs = t0 + n * interval - now() - conversionMs;
    if (waitMs > 0) {
      flush();
      await yieldTask(); // a timer set from here is not clamped as a nested one
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      lastYieldMs = now();
      if (gen !== generation || !source) break;
      if (interval !== intervalMs) continue;
    }
    let event: WireEvent;
    const read = Promise.resolve(source.read(now()));
    reading = read.catch(() => {});
    try {
      const value = await read;
      event = { tsMs: Date.now(), mode: source.mode, reading: value };
    } catch (error) {
      event = { tsMs: Date.now(), mode: source.mode, error: (error as Error).message };
    }
    if (gen !== generation) break;
    if (batch.length === 0) batchStartMs = now();
    batch.push(event);
    const t = now();
    // Hardware reads now: missed ticks are skipped.
    n = Math.max(n + 1, Math.floor((t - t0) / interval) + 1);
    const stepMs = Math.max(interval, conversionMs);
    if (event.error || t - batchStartMs + stepMs > BATCH_MS) flush();
    if (t - lastYieldMs >= BATCH_MS) {
      await yieldTask();
      lastYieldMs = now();
    }
  }
}

async function handle(command: Command): Promise<unknown> {
  switch (command.cmd) {
    case "start": {
      if (source) throw new Error("already started");
      intervalMs = command.settings.sampleIntervalMs;
      source = buildIna219(command.settings, { onNotice, sleep: (ms) => preciseSleep(ms) });
      source.readIntervalMs = intervalMs;
      const lines = await source.open();
      void loop(++generation);
      return lines;
    }
    case "stop": {
      generation++;
      flush();
      const closing = source;
      source = undefined;
      await closing?.close();
      return undefined;
    }
    case "setMode":
      if (!source) throw new Error("not started");
      source.setMode(command.mode);
      return undefined;
    case "setInterval":
      intervalMs = command.intervalMs;
      if (source) source.readIntervalMs = intervalMs;
      return undefined;
    case "setAdc": {
      if (!source) throw new Error("not started");
      const target = source;
      await reading; // not in the middle of a read, which waits by the old conversion time
      return await target.setAdcSamples(command.samples);
    }
  }
}

self.onmessage = async (event: MessageEvent<Command>) => {
  const command = event.data;
  try {
    const value = await handle(command);
    flush(); // samples taken before the acknowledgement arrive before it
    post({ type: "ack", id: command.id, ok: true, value, details: source?.details() ?? {} });
  } catch (error) {
    const { name, message } = error instanceof Error ? error : new Error(String(error));
    post({ type: "ack", id: command.id, ok: false, name, message });
  }
};
