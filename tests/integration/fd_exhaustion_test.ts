/**
 * main.ts out of file descriptors: under `ulimit -n 256`, a flood of half-sent
 * requests must not kill the process. It stops accepting, keeps sampling and
 * streaming to the clients it has, serves again once the flood is gone, and
 * still exits cleanly on SIGTERM.
 * @module
 */
import assert from "node:assert/strict";
import { poll, wait, withDaemon, within } from "../daemon.ts";

const OPEN_FILES = 256;
/** More connections than the child has descriptors. */
const FLOOD = 400;

/** Opens up to `count` connections that each send half a request; stops at the first refusal. */
async function flood(port: number, count: number): Promise<Deno.TcpConn[]> {
  const half = new TextEncoder().encode("GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  const conns: Deno.TcpConn[] = [];
  for (let i = 0; i < count; i++) {
    let conn: Deno.TcpConn;
    try {
      conn = await Deno.connect({ hostname: "127.0.0.1", port });
    } catch (error) {
      if (error instanceof Deno.errors.ConnectionRefused) break; // The server stopped listening.
      throw error;
    }
    conns.push(conn);
    try {
      await conn.write(half);
    } catch {
      break; // Accepted by the kernel, then dropped by the server: the flood has done its job.
    }
  }
  return conns;
}

Deno.test({
  name: "main.ts survives running out of file descriptors and keeps streaming",
  async fn() {
    // The front's per-address caps would stop this flood long before the descriptors run
    // out (see front_test.ts); lift them to reach the accept loop's EMFILE path.
    await withDaemon({
      SAMPLE_INTERVAL_MS: "20",
      HTTP_MAX_CONNS: "10000",
      HTTP_MAX_CONNS_PER_ADDRESS: "10000",
      HTTP_CONNECT_RATE_PER_ADDRESS: "10000",
    }, async (daemon, url) => {
      const port = Number(new URL(url).port);
      const ws = new WebSocket(`${url.replace(/^http/, "ws")}/ws`);
      let measurements = 0;
      ws.onmessage = (event) => {
        if (String(event.data).startsWith('{"type":"measurement"')) measurements++;
      };
      const closed = new Promise<CloseEvent>((resolve) => ws.onclose = resolve);
      await poll("first measurement", () => Promise.resolve(measurements > 0));

      const conns = await flood(port, FLOOD);
      try {
        // The flood used every descriptor: the server's accept loop hit EMFILE.
        await poll(
          "the server to report running out of descriptors",
          () => Promise.resolve(/Too many open files/.test(daemon.stderr) || !daemon.running),
          10_000,
        );
        await wait(300);
        assert.ok(daemon.running, `the process died:\n${daemon.stderr}`);
        const before = measurements;
        await poll(
          "measurements during the flood",
          () => Promise.resolve(measurements > before + 5),
        );
      } finally {
        for (const conn of conns) conn.close();
      }

      await poll("GET /status after the flood", async () => {
        // A new connection each time: the pooled one from start-up would not prove accepting.
        const client = Deno.createHttpClient({});
        try {
          const res = await fetch(`${url}/status`, { client });
          await res.body?.cancel();
          return res.status === 200;
        } catch {
          return false;
        } finally {
          client.close();
        }
      }, 15_000);
      assert.equal(ws.readyState, WebSocket.OPEN, "the existing client stayed connected");
      assert.ok(daemon.running);

      daemon.kill("SIGTERM");
      const [event, status] = await within(
        "close and exit",
        Promise.all([closed, daemon.exited]),
        5000,
      );
      assert.equal(event.code, 1001);
      assert.equal(status.code, 0, daemon.stderr);
      assert.doesNotMatch(daemon.stderr, /Uncaught/);
      assert.match(daemon.stderr, /HTTP server accepting again/);
    }, { openFiles: OPEN_FILES });
  },
});

Deno.test({
  // Why the monitor does not call setrlimit itself: Deno does it at start-up (as Go
  // does), so only the hard limit (LimitNOFILE in the systemd unit) matters. If a
  // Deno release stops doing this, this test says so.
  name: "deno raises its soft open-file limit to the hard limit by itself",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const code = 'console.log(Deno.readTextFileSync("/proc/self/limits")' +
      '.match(/Max open files\\s+(\\d+)\\s+(\\d+)/).slice(1).join(" "))';
    const { code: exit, stdout, stderr } = await new Deno.Command("bash", {
      args: [
        "-c",
        'ulimit -S -n 100 && ulimit -H -n 4096 && exec "$@"',
        "bash",
        Deno.execPath(),
        "eval",
        code,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(exit, 0, new TextDecoder().decode(stderr));
    assert.equal(new TextDecoder().decode(stdout).trim(), "4096 4096");
  },
});
