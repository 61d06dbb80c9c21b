/**
 * The daemon and its database across process lifetimes: restart keeps `seq`, SIGTERM
 * writes everything broadcast, SIGKILL leaves a consistent database.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { Daemon, poll, withDaemon } from "../daemon.ts";
import { parseServerMessage } from "../ws_messages.ts";

/** Records every measurement seq a WebSocket client receives until the socket closes. */
function listen(base: string): { seqs: number[]; opened: Promise<void>; closed: Promise<void> } {
  const seqs: number[] = [];
  const ws = new WebSocket(`${base.replace("http", "ws")}/ws`);
  const opened = new Promise<void>((resolve) => ws.onopen = () => resolve());
  const closed = new Promise<void>((resolve) => ws.onclose = () => resolve());
  ws.onmessage = (e) => {
    const m = parseServerMessage(e.data);
    if (m.type === "measurement") seqs.push(m.data.seq);
  };
  return { seqs, opened, closed };
}

function storedSeqs(dataDir: string): number[] {
  const db = new DatabaseSync(`${dataDir}/ina219.db`);
  try {
    const check = db.prepare("PRAGMA integrity_check").get() as { integrity_check: string };
    assert.equal(check.integrity_check, "ok");
    const rows = db.prepare("SELECT seq FROM samples ORDER BY seq").all() as { seq: number }[];
    const rollup = db.prepare("SELECT SUM(count + errors) AS n FROM rollup_1s").get() as {
      n: number;
    };
    assert.equal(rollup.n, rows.length, "rollups hold exactly the stored samples");
    return rows.map((r) => r.seq);
  } finally {
    db.close();
  }
}

function assertContiguous(seqs: number[], from = 1): void {
  seqs.forEach((s, i) => assert.equal(s, from + i, `seq ${s} at position ${i}`));
}

const until = (what: string, check: () => boolean) =>
  poll(what, () => Promise.resolve(check()), 10_000);

Deno.test("SIGTERM writes every broadcast sample; a restart continues seq", async () => {
  const dataDir = await Deno.makeTempDir();
  try {
    // A flush interval far longer than the run: only the shutdown flush can store them.
    const env = { DATA_DIR: dataDir, SAMPLE_INTERVAL_MS: "10", FLUSH_INTERVAL_MS: "60000" };
    let first: number[] = [];
    let stored: number[] = [];
    await withDaemon(env, async (daemon, url) => {
      const client = listen(url);
      await client.opened;
      await until("50 samples", () => client.seqs.length >= 50);
      daemon.kill("SIGTERM");
      assert.equal((await daemon.exited).code, 0);
      await client.closed;
      first = client.seqs;
    });
    stored = storedSeqs(dataDir);
    assertContiguous(stored);
    assert.ok(
      stored.at(-1)! >= first.at(-1)!,
      `stored up to ${stored.at(-1)}, saw ${first.at(-1)}`,
    );
    assert.ok(first.every((s) => stored.includes(s)), "nothing broadcast is lost");

    await withDaemon(env, async (daemon, url) => {
      const client = listen(url);
      await client.opened;
      await until("10 samples", () => client.seqs.length >= 10);
      daemon.kill("SIGTERM");
      await daemon.exited;
      await client.closed;
      assert.ok(client.seqs[0] > stored.at(-1)!, "no repeated number after restart");
    });
    const after = storedSeqs(dataDir);
    assertContiguous(after);
    assert.ok(after.length > stored.length);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("SIGKILL leaves a readable database missing at most one flush interval", async () => {
  const dataDir = await Deno.makeTempDir();
  try {
    const env = { DATA_DIR: dataDir, SAMPLE_INTERVAL_MS: "10", FLUSH_INTERVAL_MS: "500" };
    let seen: number[] = [];
    await withDaemon(env, async (daemon, url) => {
      const client = listen(url);
      await client.opened;
      await until("200 samples", () => client.seqs.length >= 200);
      daemon.kill("SIGKILL");
      await daemon.exited;
      await client.closed;
      seen = client.seqs;
    });
    const stored = storedSeqs(dataDir);
    assertContiguous(stored);
    const missing = seen.at(-1)! - stored.at(-1)!;
    // 500 ms at 10 ms is 50 samples; allow a little for timer lateness on a busy machine.
    assert.ok(missing <= 60, `${missing} samples lost`);
    assert.ok(stored.length >= 140, `${stored.length} stored`);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("after SIGKILL a restart never reuses a seq a client has seen", async () => {
  const dataDir = await Deno.makeTempDir();
  try {
    // Nothing is flushed before the kill: only the reservation can tell the next start.
    const env = { DATA_DIR: dataDir, SAMPLE_INTERVAL_MS: "10", FLUSH_INTERVAL_MS: "60000" };
    let seen: number[] = [];
    await withDaemon(env, async (daemon, url) => {
      const client = listen(url);
      await client.opened;
      await until("50 samples", () => client.seqs.length >= 50);
      daemon.kill("SIGKILL");
      await daemon.exited;
      await client.closed;
      seen = client.seqs;
    });
    await withDaemon(env, async (_daemon, url) => {
      const client = listen(url);
      await client.opened;
      await until("a sample", () => client.seqs.length >= 1);
      const highest = Math.max(...seen);
      assert.ok(client.seqs[0] > highest, `first seq ${client.seqs[0]}, saw up to ${highest}`);
    });
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("a second monitor on the same database exits 1; after SIGKILL of the first, one starts", async () => {
  const dataDir = await Deno.makeTempDir();
  try {
    const env = { DATA_DIR: dataDir };
    await withDaemon(env, async (first) => {
      const second = new Daemon({ PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir });
      const status = await second.finish();
      assert.equal(status.code, 1);
      assert.equal(second.stdout, "");
      assert.match(
        second.stderr,
        new RegExp(
          `^Database "${dataDir}/ina219\\.db" is in use by another ina219-monitor \\(pid \\d+\\)\\n$`,
        ),
      );
      first.kill("SIGKILL");
      await first.exited;
    });
    // The lock died with its holder: no stale lock file blocks this start.
    await withDaemon(env, async (_daemon, url) => {
      const res = await fetch(`${url}/status`);
      assert.equal((await res.json()).server, "running");
    });
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
