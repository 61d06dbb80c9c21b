import assert from "node:assert/strict";
import { AcquisitionClient, type WorkerLike } from "../../src/acquisition/client.ts";
import type { Command, WorkerMessage } from "../../src/acquisition/protocol.ts";
import { loadConfig } from "../../src/config.ts";
import { ina219Settings } from "../../src/sources/create.ts";
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
    this.send({ type: "ack", id, ok: true, value, details: { state: "ok" } });
  }
  crash(message: string): ErrorEvent {
    const event = new ErrorEvent("error", { message, cancelable: true });
    this.onerror?.(event);
    return event;
  }
}

const settings = ina219Settings(
  loadConfig({ SENSOR: "ina219", I2C_BUS: "emulated", MOCK_SEED: "7" }, []),
);

function client(workers: FakeWorker[], commandTimeoutMs = 1000) {
  return new AcquisitionClient(settings, {
    spawn: () => {
      const worker = new FakeWorker();
      workers.push(worker);
      return worker;
    },
    commandTimeoutMs,
    backoff: { baseMs: 10 },
  });
}

async function opened(workers: FakeWorker[], source: AcquisitionClient): Promise<string[]> {
  const opening = source.open();
  await poll("the start command", () => Promise.resolve(workers.at(-1)?.posted.length === 1));
  const start = workers.at(-1)!.posted[0];
  assert.equal(start.cmd, "start");
  assert.equal(start.cmd === "start" && start.settings.mockSeed, 7);
  workers.at(-1)!.ack(["INA219 ready - Starting measurements..."]);
  return await opening;
}

Deno.test("AcquisitionClient: commands resolve on their acknowledgement, batches become pushed readings", async () => {
  const workers: FakeWorker[] = [];
  const source = client(workers);
  assert.deepEqual(await opened(workers, source), ["INA219 ready - Starting measurements..."]);
  const events: PushEvent[] = [];
  source.listen((event) => events.push(event));
  const reading = { v: 5, a: 0.1, w: 0.5, status: "ok" as const };
  workers[0].send({
    type: "batch",
    events: [
      { tsMs: 1000, mode: "NORMAL", reading },
      { tsMs: 1001, mode: "LOAD_SPIKE", error: "bus stuck" },
    ],
    details: { bus: "emulated (400 kHz)", state: "ok" },
  });
  assert.deepEqual(events, [{ tsMs: 1000, reading }, { tsMs: 1001, error: "bus stuck" }]);
  assert.equal(source.mode, "LOAD_SPIKE");
  assert.equal(source.details().bus, "emulated (400 kHz)");

  const setting = source.setIntervalMs(5);
  assert.deepEqual(workers[0].posted.at(-1), { cmd: "setInterval", intervalMs: 5, id: 2 });
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

Deno.test("AcquisitionClient: a command without acknowledgement times out", async () => {
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
  const source = new AcquisitionClient(settings, {
    spawn: () => {
      const worker = new FakeWorker();
      workers.push(worker);
      return worker;
    },
    backoff: { baseMs: 10 },
    onNotice: (message) => notices.push(message),
  });
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
  workers[1].ack(["INA219 ready - Starting measurements..."]);
  await poll("the start-up lines", () => Promise.resolve(notices.length === 1));
  assert.deepEqual(notices, ["INA219 ready - Starting measurements..."]);
  assert.equal(source.details().worker_restarts, 1);
  const reading = { v: 5, a: 0.1, w: 0.5, status: "ok" as const };
  workers[1].send({ type: "batch", events: [{ tsMs: 5, mode: "NORMAL", reading }] });
  assert.deepEqual(events.at(-1), { tsMs: 5, reading });
  const closing = source.close();
  workers[1].ack();
  await closing;
});

Deno.test("AcquisitionClient: a Worker silent for 5 s (no heartbeat) is hung: ended, an error reading, started again", async () => {
  const workers: FakeWorker[] = [];
  const notices: string[] = [];
  const clock = new FakeClock();
  const source = new AcquisitionClient(settings, {
    spawn: () => {
      const worker = new FakeWorker();
      workers.push(worker);
      return worker;
    },
    clock,
    onNotice: (message) => notices.push(message),
  });
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
  workers[1].ack(["INA219 ready - Starting measurements..."]);
  await poll("the start-up lines", () => Promise.resolve(notices.length === 1));
  assert.equal(source.details().worker_restarts, 1);
  // The new Worker is watched too.
  await clock.advance(5000);
  assert.ok(workers[1].terminated);
  assert.match(events.at(-1)!.error!, /^The acquisition thread hung .*restarting in 1 s$/);
  await source.close();
  assert.equal(clock.pending, 0, "no timer left behind");
});

Deno.test("AcquisitionClient.setAdcSamples() waits for the Worker's acknowledgement; a bad count sends nothing", async () => {
  const workers: FakeWorker[] = [];
  const source = client(workers);
  await opened(workers, source);
  await assert.rejects(() => source.setAdcSamples(3), RangeError);
  assert.equal(workers[0].posted.length, 1, "nothing sent");
  const setting = source.setAdcSamples(4);
  assert.deepEqual(workers[0].posted.at(-1), { cmd: "setAdc", samples: 4, id: 2 });
  workers[0].ack({ adcSamples: 4, conversionTimeMs: 4.26 });
  assert.deepEqual(await setting, { adcSamples: 4, conversionTimeMs: 4.26 });
  assert.match(source.warnings(1)[0], /conversion time of 4.26 ms at ADC_SAMPLES 4/);
  const closing = source.close();
  workers[0].ack();
  await closing;
});
