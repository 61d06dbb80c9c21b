/**
 * An acquisition Worker: owns one group of channels (the chips on one I2C bus, on
 * `/dev/i2c-N` or the emulated bus, or every hwmon channel), runs their
 * conversion-synced read loops on its own thread under one {@link Scheduler}, so no
 * blocking transfer ever runs on the main thread and the chips' transfers never
 * interleave, timestamps each reading here and posts them in batches of at most
 * {@link BATCH_MS} ms ({@link Batcher}). Commands (start, stop, setMode, setInterval, setAdc) each get
 * one acknowledgement; a heartbeat goes out every second, so the client can tell a
 * hung Worker. Started by {@link ./client.ts}.
 * @module
 */
/// <reference lib="deno.worker" />
import { Batcher } from "./batcher.ts";
import { buildGroup } from "./group.ts";
import {
  type Command,
  type GroupDetails,
  HEARTBEAT_MS,
  type WireEvent,
  type WorkerMessage,
} from "./protocol.ts";
import { GroupRunner } from "./runner.ts";
import { Scheduler } from "./scheduler.ts";
import { blockFor } from "./sleep.ts";

/** The longest span of samples one batch holds, in ms. */
export const BATCH_MS = 5;
/** How often at most a batch carries the drivers' `/status` details, in ms. */
const DETAILS_MS = 250;
/** How much of a wait a timer may take: all but this many ms, which block. */
const TIMER_SLACK_MS = 2;
/** The longest timer of a wait, so a command's wake-up is looked at soon, in ms. */
const MAX_TIMER_MS = 25;

let runner: GroupRunner | undefined;
/** Set by stop: the scheduler drained, so this Worker starts nothing again. */
let stopped = false;
let detailsAtMs = 0;
let lastYieldMs = 0;

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

const batcher = new Batcher<WireEvent>(BATCH_MS, (events) => {
  const t = now();
  let details: GroupDetails | undefined;
  if (t - detailsAtMs >= DETAILS_MS && runner) {
    details = runner.details();
    detailsAtMs = t;
  }
  post({ type: "batch", events, details });
});
const flush = () => batcher.flush();

function onEvent(event: WireEvent): void {
  // Any failure, whatever its message (even none), posts at once.
  batcher.add(event, now(), event.reading === undefined);
}

const scheduler = new Scheduler({
  now,
  async waitUntil(atMs) {
    const ms = atMs - now();
    if (ms > TIMER_SLACK_MS + 1) {
      flush();
      await yieldTask(); // a timer set from here is not clamped as a nested one
      await new Promise((resolve) =>
        setTimeout(resolve, Math.min(ms - TIMER_SLACK_MS, MAX_TIMER_MS))
      );
      lastYieldMs = now();
      return;
    }
    batcher.flushIfOlder(atMs);
    blockFor(atMs - now());
  },
  async between() {
    if (now() - lastYieldMs < BATCH_MS) return;
    batcher.flushIfOlder(now());
    await yieldTask(); // commands get in
    lastYieldMs = now();
  },
});

function onNotice(channel: string, message: string): void {
  flush(); // keeps notices in order with the samples around them
  post({ type: "notice", channel, message });
}

async function handle(command: Command): Promise<unknown> {
  switch (command.cmd) {
    case "start": {
      if (runner || stopped) throw new Error(stopped ? "stopped" : "already started");
      const units = buildGroup(command.settings, {
        onNotice,
        sleepFor: (key) => scheduler.sleepFor(key),
        now,
      });
      runner = new GroupRunner(scheduler, units, { onEvent });
      return await runner.start();
    }
    case "stop": {
      stopped = true;
      await runner?.stop();
      flush();
      runner = undefined;
      return undefined;
    }
    case "setMode":
      if (!runner) throw new Error("not started");
      runner.setMode(command.channel, command.mode);
      return undefined;
    case "setInterval":
      if (!runner) throw new Error("not started");
      runner.setInterval(command.channel, command.intervalMs);
      return undefined;
    case "setAdc":
      if (!runner) throw new Error("not started");
      return await runner.setAdc(command.channel, command.samples);
  }
}

self.onmessage = async (event: MessageEvent<Command>) => {
  const command = event.data;
  try {
    const value = await handle(command);
    flush(); // samples taken before the acknowledgement arrive before it
    post({ type: "ack", id: command.id, ok: true, value, details: runner?.details() ?? {} });
  } catch (error) {
    const { name, message } = error instanceof Error ? error : new Error(String(error));
    post({ type: "ack", id: command.id, ok: false, name, message });
  }
};
