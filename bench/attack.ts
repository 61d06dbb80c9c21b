/**
 * @module
 * Resource-exhaustion attacks on /ws, each against a fresh server, reporting the
 * server's RSS before, at its peak and after, and its open file descriptors:
 * (a) five clients each send one 63 MB frame at once; (b) a client that never
 * reads at 1 kHz, until the server gives up on it; (c) connect/disconnect churn;
 * (d) 100 clients from one address that never read, at 1 kHz.
 * Loopback only; every attack is bounded in count and time.
 *
 * ```sh
 * deno run -A bench/attack.ts [--runs a,b,c,d] [--seconds-b 60] [--seconds-c 30] [--server-dir DIR]
 * ```
 */

import { parseArgs } from "node:util";
import { openStalledClient } from "./_client.ts";
import { readRssBytes } from "./_proc.ts";
import { fetchStatus, type ServerHandle, startServer } from "./_server.ts";
import { formatTable, round, toMiB } from "./_stats.ts";

/** What one attack did to the server. */
export interface AttackResult {
  name: string;
  rssBeforeMiB: number;
  rssPeakMiB: number;
  rssAfterMiB: number;
  fdsBefore: number;
  fdsPeak: number;
  fdsAfter: number;
  /** Seconds from the end of the attack until the fd count was back within 5 of before (-1: never). */
  fdsBackS: number;
  note: string;
}

function countFds(pid: number): number {
  let n = 0;
  for (const _ of Deno.readDirSync(`/proc/${pid}/fd`)) n++;
  return n;
}

function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Samples RSS and fd count every 100 ms; `settle()` waits for the fds to come back down. */
class Watch {
  #pid: number;
  #timer: ReturnType<typeof setInterval>;
  rssBefore: number;
  fdsBefore: number;
  rssPeak: number;
  fdsPeak: number;

  constructor(pid: number) {
    this.#pid = pid;
    this.rssBefore = this.rssPeak = readRssBytes(pid);
    this.fdsBefore = this.fdsPeak = countFds(pid);
    this.#timer = setInterval(() => this.#sample(), 100);
  }

  #sample(): void {
    this.rssPeak = Math.max(this.rssPeak, readRssBytes(this.#pid));
    this.fdsPeak = Math.max(this.fdsPeak, countFds(this.#pid));
  }

  /** Waits up to `maxS` for the fds to come back, then `afterS` more; returns the result. */
  async finish(name: string, note: string, maxS: number, afterS = 10): Promise<AttackResult> {
    const start = performance.now();
    let fdsBackS = -1;
    while (performance.now() - start < maxS * 1000) {
      if (countFds(this.#pid) <= this.fdsBefore + 5) {
        fdsBackS = (performance.now() - start) / 1000;
        break;
      }
      await wait(100);
    }
    await wait(afterS * 1000);
    clearInterval(this.#timer);
    this.#sample();
    return {
      name,
      rssBeforeMiB: round(toMiB(this.rssBefore)),
      rssPeakMiB: round(toMiB(this.rssPeak)),
      rssAfterMiB: round(toMiB(readRssBytes(this.#pid))),
      fdsBefore: this.fdsBefore,
      fdsPeak: this.fdsPeak,
      fdsAfter: countFds(this.#pid),
      fdsBackS: round(fdsBackS),
      note,
    };
  }
}

/** (a) Five clients each send one 63 MB binary frame at the same time. */
async function attackA(server: ServerHandle): Promise<AttackResult> {
  const watch = new Watch(server.pid);
  const frame = new Uint8Array(63_000_000);
  const codes = await Promise.all(Array.from({ length: 5 }, async () => {
    const ws = new WebSocket(server.wsUrl);
    const closed = new Promise<number>((resolve) => ws.onclose = (e) => resolve(e.code));
    ws.onerror = () => {};
    await new Promise((resolve) => ws.onopen = resolve);
    ws.send(frame);
    return await Promise.race([closed, wait(60_000).then(() => -1)]);
  }));
  return watch.finish("a: 5 × 63 MB frames", `close codes ${codes.join(",")}`, 30);
}

/**
 * (b) One client that never reads, at SAMPLE_INTERVAL_MS=1, for `seconds`: when does
 * the server close it (1013), and when is its connection (a file descriptor) gone?
 */
async function attackB(server: ServerHandle, seconds: number): Promise<AttackResult> {
  // The keep-alive connection of our own status polls is open before the baseline.
  await fetchStatus(server.baseUrl);
  const watch = new Watch(server.pid);
  const stalled = await openStalledClient(server.wsUrl);
  const startMs = performance.now();
  let closedAtMs = -1;
  let releasedAfterS = -1;
  while (performance.now() - startMs < seconds * 1000) {
    await wait(250);
    if (closedAtMs < 0) {
      const status = await fetchStatus(server.baseUrl);
      if (Number(status.slow_client_closes) > 0) closedAtMs = performance.now();
    } else if (releasedAfterS < 0 && countFds(server.pid) <= watch.fdsBefore) {
      releasedAfterS = round((performance.now() - closedAtMs) / 1000);
    }
  }
  // The attacker still holds its end: whatever was released, the server released.
  const result = await watch.finish(`b: never reads, ${seconds} s`, "", 0, 0);
  stalled.close();
  const closedAtS = closedAtMs < 0 ? "never" : `${round((closedAtMs - startMs) / 1000)} s`;
  const released = releasedAfterS < 0 ? "not released" : `released ${releasedAfterS} s later`;
  return { ...result, note: `closed (1013) at ${closedAtS}, connection ${released}` };
}

/** (d) `count` clients from one address that never read, at SAMPLE_INTERVAL_MS=1, for `seconds`. */
async function attackD(
  server: ServerHandle,
  count: number,
  seconds: number,
): Promise<AttackResult> {
  await fetchStatus(server.baseUrl);
  const watch = new Watch(server.pid);
  const stalled = [];
  for (let i = 0; i < count; i++) stalled.push(await openStalledClient(server.wsUrl));
  await wait(1000);
  const status = await fetchStatus(server.baseUrl);
  await wait(seconds * 1000 - 1000);
  const result = await watch.finish(`d: ${count} never read, ${seconds} s`, "", 0, 0);
  for (const client of stalled) client.close();
  return { ...result, note: `${status.websocket_connections} upgraded after 1 s` };
}

/** (c) `parallel` loops connecting and closing WebSockets as fast as they can, for `seconds`. */
async function attackC(server: ServerHandle, seconds: number): Promise<AttackResult> {
  const watch = new Watch(server.pid);
  const parallel = 50;
  const endMs = performance.now() + seconds * 1000;
  let opened = 0;
  let refused = 0;
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (performance.now() < endMs) {
      const ws = new WebSocket(server.wsUrl);
      const outcome = await new Promise<boolean>((resolve) => {
        ws.onopen = () => resolve(true);
        ws.onerror = () => resolve(false);
      });
      if (outcome) opened++;
      else refused++;
      await new Promise<void>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        ws.onclose = () => resolve();
        ws.close();
      });
    }
  }));
  const rate = Math.round(opened / seconds);
  return watch.finish(
    `c: churn ${seconds} s`,
    `${rate} opens/s, ${refused} refused`,
    60,
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      runs: { type: "string", default: "a,b,c,d" },
      "seconds-b": { type: "string", default: "60" },
      "seconds-c": { type: "string", default: "30" },
      "server-dir": { type: "string" },
    },
  });
  const runs = values.runs.split(",");
  const results: AttackResult[] = [];
  for (const run of runs) {
    const server = await startServer({
      sampleIntervalMs: run === "b" || run === "d" ? 1 : 1000,
      serverDir: values["server-dir"],
      // (c) comes from one address: let it in, to measure the churn itself.
      env: run === "c" ? { WS_MAX_CLIENTS_PER_ADDRESS: "256" } : {},
    });
    try {
      await wait(1000);
      if (run === "a") results.push(await attackA(server));
      else if (run === "b") results.push(await attackB(server, Number(values["seconds-b"])));
      else if (run === "c") results.push(await attackC(server, Number(values["seconds-c"])));
      else if (run === "d") results.push(await attackD(server, 100, 45));
      else throw new RangeError(`Unknown run "${run}": use a, b, c or d`);
    } finally {
      const exit = await server.stop();
      if (exit.code !== 0) console.error(`server exited with ${exit.code}:\n${exit.logTail}`);
    }
  }
  console.log(formatTable(
    [
      "attack",
      "RSS before",
      "peak",
      "after",
      "fds before",
      "peak",
      "after",
      "fds back (s)",
      "note",
    ],
    results.map((r) => [
      r.name,
      `${r.rssBeforeMiB} MiB`,
      `${r.rssPeakMiB} MiB`,
      `${r.rssAfterMiB} MiB`,
      String(r.fdsBefore),
      String(r.fdsPeak),
      String(r.fdsAfter),
      String(r.fdsBackS),
      r.note,
    ]),
  ));
  console.log(JSON.stringify({ bench: "attack", results }));
}

if (import.meta.main) await main();
