/**
 * Markers and triggers on the real assembly (createCore): alert transitions become
 * markers of their channel, every added marker reaches that channel's clients as a
 * `marker` message (plain /ws included), and armed triggers are fed each channel's
 * samples and announce their states there.
 * @module
 */
import assert from "node:assert/strict";
import { loadConfig } from "../src/config.ts";
import { SINGLE } from "../src/hub.ts";
import { createCore, type MonitorCore } from "../src/monitor.ts";
import { MarkerList } from "../src/protocol/markers.ts";
import type { Sample } from "../src/sample.ts";
import { FakeSocket } from "./fakes.ts";
import { parseServerMessage } from "./ws_messages.ts";

const CHANNELS = JSON.stringify([
  { name: "in", sensor: "mock", mock_seed: 1 },
  { name: "out", sensor: "mock", mock_seed: 2 },
]);

async function withCore(fn: (core: MonitorCore) => void | Promise<void>): Promise<void> {
  const core = createCore(loadConfig({ DB_PATH: ":memory:", CHANNELS }, []));
  try {
    await fn(core);
  } finally {
    core.store.close();
  }
}

/** Feeds `out` 1 Hz samples at 5 V with the given currents, ending just before now. */
function feed(core: MonitorCore, channel: string, currents: number[], stepMs = 1000): Sample[] {
  const startMs = Date.now() - currents.length * stepMs;
  const samples = currents.map((a, i): Sample => ({
    tsMs: startMs + i * stepMs,
    seq: i + 1,
    v: 5,
    a,
    w: Math.round(5 * a * 1000) / 1000,
    status: "ok",
    mode: "NORMAL",
  }));
  for (const s of samples) core.channels.get(channel)!.pipeline.onSample(s);
  return samples;
}

/** Sockets on the first channel (a plain v1 client) and on `out`. */
function clients(core: MonitorCore) {
  const plain = new FakeSocket();
  const out = new FakeSocket();
  core.hub.add(plain);
  core.hub.add(out, SINGLE, ["out"]);
  const of = (socket: FakeSocket, type: string) =>
    socket.sent.map((text) => parseServerMessage(text)).filter((m) => m.type === type);
  return { plain, out, of };
}

const repeat = (n: number, a: number) => Array<number>(n).fill(a);

Deno.test("Alert transitions (raised, escalated, cleared) become markers of their channel", async () => {
  await withCore(async (core) => {
    const { plain, out, of } = clients(core);
    // 0.4 A warning, 0.5 A danger, held 1 s: raised, escalated, de-escalated, cleared.
    feed(core, "out", [
      ...repeat(2, 0.2),
      ...repeat(3, 0.45),
      ...repeat(3, 0.6),
      ...repeat(3, 0.45),
      ...repeat(3, 0.2),
    ]);
    const alerts = of(out, "alert").map((m) => m.type === "alert" ? m.data : undefined);
    // Current (and power, 5 V × current, past its own 1.7 W and 2 W limits) alert.
    assert.deepEqual(alerts.filter((a) => a?.metric === "a").map((a) => a?.state), [
      "raised",
      "escalated",
      "deescalated",
      "cleared",
    ]);
    const res = await core.app.request("/api/markers?channel=out");
    const { data } = MarkerList.parse(await res.json());
    const marked = alerts.filter((a) => a?.state !== "deescalated");
    assert.deepEqual(
      data.map((m) => [m.ts_ms, m.label, m.source, m.channel]),
      marked.map((a) => [a!.ts_ms, a!.message, "alert", "out"]),
    );
    assert.deepEqual(of(out, "marker").map((m) => m.type === "marker" && m.data), data);
    assert.deepEqual(of(plain, "marker"), [], "not sent to another channel's clients");
    const first = MarkerList.parse(await (await core.app.request("/api/markers")).json());
    assert.equal(first.count, 0, "the first channel has none");
  });
});

Deno.test("POST /api/markers reaches the channel's clients, a plain v1 client included", async () => {
  await withCore(async (core) => {
    const { plain, out, of } = clients(core);
    const post = (body: unknown) =>
      core.app.request("/api/markers", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
    assert.equal((await post({ label: "radio on" })).status, 201);
    assert.equal((await post({ label: "boot", channel: "out" })).status, 201);
    assert.deepEqual(
      of(plain, "marker").map((m) => m.type === "marker" && [m.data.label, m.data.channel]),
      [["radio on", "in"]],
    );
    assert.deepEqual(
      of(out, "marker").map((m) => m.type === "marker" && [m.data.label, m.data.channel]),
      [["boot", "out"]],
    );
    const bad = await post({ label: "x", channel: "nope" });
    assert.equal(bad.status, 400);
    assert.match((await bad.json()).issues[0].message, /expected one of: in, out/);
  });
});

Deno.test("Triggers armed on the core are fed the channel's samples and announce their states", async () => {
  await withCore((core) => {
    const { plain, out, of } = clients(core);
    const heard: string[] = [];
    core.triggers.arm("out", {
      start: { metric: "a", op: ">", value: 0.3, for_ms: 2 },
      pre_trigger_ms: 3,
      stop: { metric: "a", op: "<", value: 0.1, for_ms: 0 },
    }, { id: "r1", onEvent: (e) => heard.push(e.state) });
    feed(core, "in", repeat(10, 0.9), 1); // another channel: no effect
    feed(core, "out", [...repeat(10, 0.2), ...repeat(5, 0.35), ...repeat(3, 0.05)], 1);
    assert.deepEqual(heard, ["triggered", "stopped"]);
    const states = of(out, "status").flatMap((m) =>
      m.type === "status" && m.trigger ? [[m.event, m.trigger.state, m.channel]] : []
    );
    assert.deepEqual(states, [
      ["trigger_armed", "armed", "out"],
      ["trigger_fired", "triggered", "out"],
      ["trigger_stopped", "stopped", "out"],
    ]);
    assert.deepEqual(
      of(plain, "status").filter((m) => m.type === "status" && m.trigger),
      [],
      "only the channel's clients hear it",
    );
    assert.deepEqual(core.triggers.list(), []);
  });
});
