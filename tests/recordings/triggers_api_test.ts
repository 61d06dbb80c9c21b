/**
 * Recordings armed on triggers through the real assembly (createCore): POST
 * /api/recordings with trigger fields arms one on the trigger module the pipelines
 * feed; it starts exactly pre_trigger_ms before its trigger, stops on its stop
 * condition or by hand, its state follows in GET /api/recordings/{id}, and each
 * transition reaches the channel's clients as exactly one status message.
 * @module
 */
import assert from "node:assert/strict";
import { loadConfig } from "../../src/config.ts";
import { createCore, type MonitorCore } from "../../src/monitor.ts";
import { Recording } from "../../src/protocol/recordings.ts";
import type { Sample } from "../../src/sample.ts";
import { FakeSocket } from "../fakes.ts";
import { parseServerMessage } from "../ws_messages.ts";

const CHANNELS = JSON.stringify([
  { name: "in", sensor: "mock", mock_seed: 1 },
  { name: "out", sensor: "mock", mock_seed: 2 },
]);

async function withCore(fn: (core: MonitorCore) => Promise<void>): Promise<void> {
  const core = createCore(loadConfig({ DB_PATH: ":memory:", CHANNELS }, []), "dev", () => {});
  try {
    await fn(core);
  } finally {
    core.recordings.close();
    core.store.close();
  }
}

/** Feeds `channel` one sample a millisecond at 5 V with these currents, ending before now. */
function feed(core: MonitorCore, channel: string, currents: number[]): Sample[] {
  const startMs = Date.now() - currents.length - 10;
  const samples = currents.map((a, i): Sample => ({
    tsMs: startMs + i,
    seq: i + 1,
    v: 5,
    a,
    w: 5 * a,
    status: "ok",
    mode: "NORMAL",
  }));
  for (const s of samples) core.channels.get(channel)!.pipeline.onSample(s);
  return samples;
}

const repeat = (n: number, a: number) => Array<number>(n).fill(a);

function request(core: MonitorCore, method: string, path: string, body?: unknown) {
  return core.app.request(path, {
    method,
    headers: { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function get(core: MonitorCore, id: number): Promise<Recording> {
  return Recording.parse(await (await request(core, "GET", `/api/recordings/${id}`)).json());
}

Deno.test("POST /api/recordings with triggers: armed, triggered, stopped; exact span and figures", async () => {
  await withCore(async (core) => {
    const socket = new FakeSocket();
    core.hub.add(socket, undefined, ["out"]);
    const made = await request(core, "POST", "/api/recordings", {
      name: "radio burst",
      channels: ["in", "out"],
      start_trigger: { metric: "a", op: ">", value: 0.3, for_ms: 2, channel: "out" },
      pre_trigger_ms: 20,
      stop_trigger: { metric: "a", op: "<", value: 0.1, for_ms: 0 },
    });
    assert.equal(made.status, 201, await made.clone().text());
    const rec = Recording.parse(await made.json());
    assert.equal(rec.state, "armed");
    assert.equal(rec.triggers.start_trigger?.channel, "out");

    const samples = feed(core, "out", [
      ...repeat(200, 0.2),
      ...repeat(300, 0.5),
      ...repeat(50, 0.05),
    ]);
    const riseMs = samples[200].tsMs;
    const dropMs = samples[500].tsMs;
    const done = await get(core, rec.id);
    assert.equal(done.state, "stopped");
    assert.equal(done.stop_reason, "trigger");
    assert.equal(done.start_ms, riseMs - 20);
    assert.equal(done.end_ms, dropMs + 1);
    const kept = samples.filter((s) => s.tsMs >= riseMs - 20 && s.tsMs <= dropMs);
    const out = done.figures.out;
    assert.equal(out.count, kept.length);
    assert.equal(done.samples, kept.length, "'in' had no samples in the span");
    assert.equal(out.a.min, 0.05);
    assert.equal(out.a.max, 0.5);
    const avg = kept.reduce((s, x) => s + x.a, 0) / kept.length;
    assert.ok(Math.abs(out.a.avg! - avg) < 1e-6, `${out.a.avg} vs ${avg}`);
    // Trapezoids between the recording's own samples.
    let energyJ = 0;
    for (let i = 1; i < kept.length; i++) energyJ += (kept[i - 1].w + kept[i].w) / 2 / 1000;
    assert.ok(Math.abs(out.energy_j - energyJ) < 1e-9, `${out.energy_j} vs ${energyJ}`);

    const csv =
      await (await request(core, "GET", `/api/recordings/${rec.id}/export.csv?channel=out`))
        .text();
    const firstRow = csv.split("\n").find((line) => line.startsWith("out,"))!;
    assert.equal(Number(firstRow.split(",")[2]), riseMs - 20, "first sample = trigger − 20 ms");

    const states = socket.sent.map((text) => parseServerMessage(text)).flatMap((m) =>
      m.type === "status" && m.trigger ? [[m.event, m.trigger.id, m.trigger.state]] : []
    );
    const id = String(rec.id);
    assert.deepEqual(states, [
      ["trigger_armed", id, "armed"],
      ["trigger_fired", id, "triggered"],
      ["trigger_stopped", id, "stopped"],
    ]);
    const texts = socket.sent.map((text) => parseServerMessage(text)).flatMap((m) =>
      m.type === "status" ? [m.message] : []
    );
    assert.equal(texts.filter((t) => t.includes("radio burst")).length, 3, texts.join("\n"));
  });
});

Deno.test("POST /api/recordings/{id}/stop disarms an armed recording once; bad triggers are 400", async () => {
  await withCore(async (core) => {
    const socket = new FakeSocket();
    core.hub.add(socket);
    const made = await request(core, "POST", "/api/recordings", {
      name: "never",
      start_trigger: { metric: "a", op: ">", value: 5, for_ms: 0 },
      duration_ms: 1000,
    });
    const rec = Recording.parse(await made.json());
    feed(core, "in", repeat(50, 0.2));
    const stop = await request(core, "POST", `/api/recordings/${rec.id}/stop`);
    assert.equal(stop.status, 200);
    const stopped = Recording.parse(await stop.json());
    assert.equal(stopped.state, "stopped");
    assert.equal(stopped.stop_reason, "manual");
    assert.equal(stopped.samples, 0);
    assert.equal((await request(core, "POST", `/api/recordings/${rec.id}/stop`)).status, 409);
    const events = socket.sent.map((text) => parseServerMessage(text)).flatMap((m) =>
      m.type === "status" && m.event ? [m.event] : []
    );
    assert.deepEqual(events, ["trigger_armed", "trigger_stopped"]);
    feed(core, "in", repeat(5, 9));
    assert.equal((await get(core, rec.id)).state, "stopped");

    const bad = await request(core, "POST", "/api/recordings", {
      name: "x",
      start_trigger: { metric: "a", op: ">", value: 5000, for_ms: 0 },
    });
    assert.equal(bad.status, 400);
    const body = await bad.json();
    assert.equal(body.issues[0].path, "start_trigger.value");
    assert.equal(core.recordings.list().length, 1);
  });
});
