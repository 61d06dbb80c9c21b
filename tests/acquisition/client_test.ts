import assert from "node:assert/strict";
import {
  AcquisitionClient,
  type AcquisitionClientOptions,
  type ChannelClient,
  type WorkerLike,
} from "../../src/acquisition/client.ts";
import type { GroupSettings } from "../../src/acquisition/group.ts";
import type { Command, WorkerMessage } from "../../src/acquisition/protocol.ts";
import { busGroups } from "../../src/channels.ts";
import { loadConfig } from "../../src/config.ts";
import { DeviceCommandError, type PushEvent } from "../../src/sources/source.ts";
import { poll } from "../daemon.ts";
import { FakeClock } from "../fakes.ts";

/** A Worker that answers nothing by itself: the test plays the acquisition thread. */
class FakeWorker implements WorkerLike {
  posted: Command[] = [];
  terminated = false;
  onmessage: ((event: MessageEvent<WorkerMessage>) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  postMessage(message: Command): void {
    this.posted.push(message);
  }
  terminate(): void {
    this.terminated = true;
  }
  send(message: WorkerMessage): void {
    this.onmessage?.(new MessageEvent("message", { data: message }));
  }
  ack(value?: unknown): void {
    const id = this.posted.at(-1)!.id;
    this.send({ type: "ack", id, ok: true, value, details: { main: { state: "ok" } } });
  }
  crash(message: string): ErrorEvent {
    const event = new ErrorEvent("error", { message, cancelable: true });
    this.onerror?.(event);
    return event;
  }
}

/** The emulated bus group of `env`'s channels, every input seeded 7, 8, … */
function groupOf(env: Record<string, string>): GroupSettings {
  const [group] = busGroups(loadConfig({ I2C_BUS: "emulated", ...env }, []).channels);
  return {
    kind: "i2c",
    bus: group.bus,
    emulatedKhz: group.emulatedKhz,
    channels: group.channels,
    inputs: Object.fromEntries(group.channels.map((c, i) => [
      c.name,
      { mockMode: "NORMAL", mockAutoRotateMs: 0, mockSeed: 7 + i },
    ])),
  };
}

const settings = groupOf({ SENSOR: "ina219" });

function group(
  workers: FakeWorker[],
  options: AcquisitionClientOptions = {},
  groupSettings = settings,
): AcquisitionClient {
  return new AcquisitionClient(groupSettings, {
    spawn: () => {
      const worker = new FakeWorker();
      workers.push(worker);
      return worker;
    },
    backoff: { baseMs: 10 },
    ...options,
  });
}

function client(workers: FakeWorker[], commandTimeoutMs = 1000): ChannelClient {
  return group(workers, { commandTimeoutMs }).sources.get("main")!;
}

async function opened(workers: FakeWorker[], source: ChannelClient): Promise<string[]> {
  const opening = source.open();
  await poll("the start command", () => Promise.resolve(workers.at(-1)?.posted.length === 1));
  const start = workers.at(-1)!.posted[0];
  assert.equal(start.cmd, "start");
  assert.equal(
    start.cmd === "start" && start.settings.kind === "i2c" && start.settings.inputs.main.mockSeed,
    7,
  );
  workers.at(-1)!.ack({ main: ["INA219 ready - Starting measurements..."] });
  return await opening;
}

Deno.test("ChannelClient: commands resolve on their acknowledgement, batches become pushed readings", async () => {
  const workers: FakeWorker[] = [];
  const source = client(workers);
  assert.deepEqual(await opened(workers, source), ["INA219 ready - Starting measurements..."]);
  const events: PushEvent[] = [];
  source.listen((event) => events.push(event));
  const reading = { v: 5, a: 0.1, w: 0.5, status: "ok" as const };
  workers[0].send({
    type: "batch",
    events: [
      { channel: "main", tsMs: 1000, mode: "NORMAL", reading },
      { channel: "main", tsMs: 1001, mode: "LOAD_SPIKE", error: "bus stuck" },
    ],
    details: { main: { bus: "emulated (400 kHz)", state: "ok" } },
  });
  assert.deepEqual(events, [{ tsMs: 1000, reading }, { tsMs: 1001, error: "bus stuck" }]);
  assert.equal(source.mode, "LOAD_SPIKE");
  assert.equal(source.details().bus, "emulated (400 kHz)");

  const setting = source.setIntervalMs(5);
  assert.deepEqual(workers[0].posted.at(-1), {
    cmd: "setInterval",
    channel: "main",
    intervalMs: 5,
    id: 2,
  });
  assert.equal(source.intervalMs, 1000, "unchanged until acknowledged");
  workers[0].ack();
  await setting;
  assert.equal(source.intervalMs, 5);

  await assert.rejects(() => source.setMode("NOPE"), RangeError);
  const refused = source.setMode("NORMAL");
  const id = workers[0].posted.at(-1)!.id;
  workers[0].send({ type: "ack", id, ok: false, name: "Error", message: "not started" });
  await assert.rejects(refused, (e) => e instanceof DeviceCommandError && e.failure === "refused");

  const closing = source.close();
  assert.equal(workers[0].posted.at(-1)!.cmd, "stop");
  workers[0].ack();
  await closing;
  assert.ok(workers[0].terminated);
});

Deno.test("ChannelClient: a command without acknowledgement times out", async () => {
  const workers: FakeWorker[] = [];
  const source = client(workers, 30);
  await opened(workers, source);
  await assert.rejects(
    () => source.setIntervalMs(10),
    (e) => e instanceof DeviceCommandError && e.failure === "timeout",
  );
  assert.equal(source.intervalMs, 1000);
  await source.close(); // stop times out too; the Worker is ended anyway
  assert.ok(workers[0].terminated);
});

Deno.test("AcquisitionClient: a crashed Worker becomes an error reading and is started again", async () => {
  const workers: FakeWorker[] = [];
  const notices: string[] = [];
  const source = group(workers, { onNotice: (_channel, message) => notices.push(message) })
    .sources.get("main")!;
  await opened(workers, source);
  const events: PushEvent[] = [];
  source.listen((event) => events.push(event));
  const pending = source.setIntervalMs(3);
  const event = workers[0].crash("Uncaught RangeError: boom");
  assert.ok(event.defaultPrevented, "the crash does not take the main thread down");
  assert.ok(workers[0].terminated);
  await assert.rejects(pending, (e) => e instanceof DeviceCommandError && e.failure === "gone");
  assert.equal(events.length, 1);
  assert.match(
    events[0].error!,
    /^The acquisition thread crashed \(Uncaught RangeError: boom\); restarting in 10 ms$/,
  );
  await poll("a new Worker", () => Promise.resolve(workers.length === 2));
  assert.equal(workers[1].posted[0].cmd, "start");
  workers[1].ack({ main: ["INA219 ready - Starting measurements..."] });
  await poll("the start-up lines", () => Promise.resolve(notices.length === 1));
  assert.deepEqual(notices, ["INA219 ready - Starting measurements..."]);
  assert.equal(source.details().worker_restarts, 1);
  const reading = { v: 5, a: 0.1, w: 0.5, status: "ok" as const };
  workers[1].send({
    type: "batch",
    events: [{ channel: "main", tsMs: 5, mode: "NORMAL", reading }],
  });
  assert.deepEqual(events.at(-1), { tsMs: 5, reading });
  const closing = source.close();
  workers[1].ack();
  await closing;
});

Deno.test("AcquisitionClient: a Worker silent for 5 s (no heartbeat) is hung: ended, an error reading, started again", async () => {
  const workers: FakeWorker[] = [];
  const notices: string[] = [];
  const clock = new FakeClock();
  const source = group(workers, {
    clock,
    backoff: undefined,
    onNotice: (_channel, message) => notices.push(message),
  }).sources.get("main")!;
  await opened(workers, source);
  const events: PushEvent[] = [];
  source.listen((event) => events.push(event));
  // Heartbeats alone (a sensor in backoff at a 10 s interval sends nothing else) keep it.
  for (let i = 0; i < 20; i++) {
    await clock.advance(1000);
    workers[0].send({ type: "heartbeat" });
  }
  assert.equal(workers[0].terminated, false);
  assert.equal(events.length, 0);
  await clock.advance(4900);
  assert.equal(workers[0].terminated, false, "4.9 s of silence is not yet a hang");
  await clock.advance(100);
  assert.ok(workers[0].terminated, "ended after 5 s of silence");
  assert.equal(events.length, 1);
  assert.equal(
    events[0].error,
    "The acquisition thread hung (no message, not even a heartbeat, for 5 s); restarting in 1 s",
  );
  assert.match(source.details().worker_last_crash as string, /^hung: no message/);
  assert.equal(workers.length, 1, "not before the backoff");
  await clock.advance(1000);
  assert.equal(workers.length, 2);
  assert.equal(workers[1].posted[0].cmd, "start");
  workers[1].ack({ main: ["INA219 ready - Starting measurements..."] });
  await poll("the start-up lines", () => Promise.resolve(notices.length === 1));
  assert.equal(source.details().worker_restarts, 1);
  // The new Worker is watched too.
  await clock.advance(5000);
  assert.ok(workers[1].terminated);
  assert.match(events.at(-1)!.error!, /^The acquisition thread hung .*restarting in 1 s$/);
  await source.close();
  assert.equal(clock.pending, 0, "no timer left behind");
});

Deno.test("ChannelClient.setAdcSamples() waits for the Worker's acknowledgement; a bad count sends nothing", async () => {
  const workers: FakeWorker[] = [];
  const source = client(workers);
  await opened(workers, source);
  await assert.rejects(() => source.setAdcSamples!(3), RangeError);
  assert.equal(workers[0].posted.length, 1, "nothing sent");
  const setting = source.setAdcSamples!(4);
  await poll("the setAdc command", () => Promise.resolve(workers[0].posted.length === 2));
  assert.deepEqual(workers[0].posted.at(-1), { cmd: "setAdc", channel: "main", samples: 4, id: 2 });
  workers[0].ack({ adcSamples: 4, conversionTimeMs: 4.26 });
  assert.deepEqual(await setting, { adcSamples: 4, conversionTimeMs: 4.26 });
  assert.match(source.warnings(1)[0], /conversion time of 4.26 ms at ADC_SAMPLES 4/);
  const closing = source.close();
  workers[0].ack();
  await closing;
});

Deno.test("AcquisitionClient: one Worker for a bus's channels; events split by channel; a crash is an error on each, a restart keeps changed intervals", async () => {
  const workers: FakeWorker[] = [];
  const notices: string[] = [];
  const bus = group(
    workers,
    { onNotice: (channel, message) => notices.push(`${channel}: ${message}`) },
    groupOf({
      CHANNELS: JSON.stringify([
        { name: "in", sensor: "ina219", i2c_bus: "emulated", i2c_address: "0x40" },
        { name: "out", sensor: "ina226", i2c_bus: "emulated", i2c_address: "0x41" },
      ]),
    }),
  );
  assert.deepEqual([...bus.sources.keys()], ["in", "out"]);
  const [a, b] = [bus.sources.get("in")!, bus.sources.get("out")!];
  assert.equal(a.type, "INA219");
  assert.equal(b.type, "INA226");
  assert.ok(a.setAdcSamples, "the INA219 has a run-time ADC setting");
  assert.equal(b.setAdcSamples, undefined, "the INA226 has none (yet)");
  const openingA = a.open();
  await poll("the start command", () => Promise.resolve(workers[0]?.posted.length === 1));
  workers[0].ack({ in: ["INA219 ready"], out: ["INA226 ready"] });
  // The Worker reads as soon as it opened: what comes before listen() is not lost.
  const early = { v: 4, a: 0.2, w: 0.8, status: "ok" as const };
  workers[0].send({
    type: "batch",
    events: [{ channel: "in", tsMs: 0, mode: "NORMAL", reading: early }],
  });
  assert.deepEqual(await openingA, ["INA219 ready"]);
  assert.deepEqual(await b.open(), ["INA226 ready"], "opened later: the running Worker's lines");
  assert.equal(workers.length, 1, "one Worker for the bus");
  const eventsA: PushEvent[] = [];
  const eventsB: PushEvent[] = [];
  a.listen((e) => eventsA.push(e));
  b.listen((e) => eventsB.push(e));
  const reading = { v: 5, a: 0.1, w: 0.5, status: "ok" as const };
  const energy = { energyJ: 1.5, chargeC: 0.3 };
  workers[0].send({
    type: "batch",
    events: [
      { channel: "in", tsMs: 1, mode: "NORMAL", reading },
      { channel: "out", tsMs: 2, mode: "NOISE", reading, accumulators: energy },
    ],
    details: { in: { address: "0x40" }, out: { address: "0x41" } },
  });
  assert.deepEqual(eventsA, [{ tsMs: 0, reading: early }, { tsMs: 1, reading }]);
  assert.deepEqual(eventsB, [{ tsMs: 2, reading }]);
  assert.equal(b.mode, "NOISE");
  assert.equal(a.mode, "NORMAL");
  assert.deepEqual(b.accumulators(), energy);
  assert.equal(a.details().address, "0x40");
  assert.deepEqual(b.details().thread_channels, ["in", "out"]);

  const setting = b.setIntervalMs(7);
  assert.deepEqual(workers[0].posted.at(-1), {
    cmd: "setInterval",
    channel: "out",
    intervalMs: 7,
    id: 2,
  });
  workers[0].ack();
  await setting;

  workers[0].crash("Uncaught Error: boom");
  assert.match(
    (eventsA.at(-1) as PushEvent).error!,
    /^The acquisition thread crashed \(Uncaught Error: boom\)/,
  );
  assert.match(
    (eventsB.at(-1) as PushEvent).error!,
    /^The acquisition thread crashed \(Uncaught Error: boom\)/,
  );
  await poll("a new Worker", () => Promise.resolve(workers.length === 2));
  const start = workers[1].posted[0];
  assert.ok(start.cmd === "start" && start.settings.kind === "i2c");
  assert.deepEqual(start.settings.channels.map((c) => c.sampleIntervalMs), [1000, 7]);
  workers[1].ack({ in: ["INA219 ready"], out: ["INA226 ready"] });
  await poll("the start-up lines", () => Promise.resolve(notices.length === 2));
  assert.deepEqual(notices, ["in: INA219 ready", "out: INA226 ready"]);

  await a.close();
  assert.equal(workers[1].terminated, false, "the other channel still reads");
  const closing = b.close();
  assert.equal(workers[1].posted.at(-1)!.cmd, "stop");
  workers[1].ack();
  await closing;
  assert.ok(workers[1].terminated);
});
