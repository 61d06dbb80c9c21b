import assert from "node:assert/strict";
import { serveSupervised } from "../../src/http/server.ts";
import { FakeClock } from "../fakes.ts";

/** A stand-in for one `Deno.serve` server whose accept loop can be made to fail. */
class FakeServer {
  readonly addr: Deno.NetAddr;
  readonly finished: Promise<void>;
  shutdowns = 0;
  #fail!: (error: Error) => void;

  constructor(port: number) {
    this.addr = { transport: "tcp", hostname: "127.0.0.1", port };
    this.finished = new Promise<void>((_, reject) => this.#fail = reject);
  }

  fail(error: Error): void {
    this.#fail(error);
  }

  shutdown(): Promise<void> {
    this.shutdowns++;
    return Promise.resolve();
  }
}

function setup() {
  const clock = new FakeClock();
  const lines: string[] = [];
  const servers: FakeServer[] = [];
  const ports: number[] = [];
  let refuse = 0;
  const server = serveSupervised({
    hostname: "127.0.0.1",
    port: 0,
    clock,
    log: (line) => lines.push(line),
    start: (options) => {
      ports.push(options.port!);
      if (refuse > 0) {
        refuse--;
        throw new Deno.errors.Http("Too many open files (os error 24)");
      }
      const fake = new FakeServer(options.port || 40123);
      servers.push(fake);
      return fake as unknown as Deno.HttpServer<Deno.NetAddr>;
    },
  }, () => new Response("ok"));
  return { clock, lines, servers, ports, server, refuseNext: (n: number) => refuse = n };
}

Deno.test("serveSupervised() serves the same port again after the accept loop fails", async () => {
  const { clock, lines, servers, ports, server } = setup();
  assert.equal(server.addr.port, 40123);
  servers[0].fail(new Error("Too many open files (os error 24)"));
  await clock.advance(0);
  assert.match(lines[0], /stopped accepting: Too many open files .*again in 250 ms/);
  assert.equal(servers.length, 1, "not before the pause");
  await clock.advance(250);
  assert.equal(servers.length, 2);
  assert.deepEqual(ports, [0, 40123], "port 0 is resolved once, then reused");
  assert.equal(server.restarts, 1);
  assert.match(lines[1], /accepting again on 127\.0\.0\.1:40123/);

  await server.shutdown();
  assert.deepEqual(servers.map((s) => s.shutdowns), [1, 1], "old servers own connections too");
});

Deno.test("serveSupervised() backs off while it cannot listen, and stops on shutdown", async () => {
  const { clock, lines, servers, server, refuseNext } = setup();
  refuseNext(2);
  servers[0].fail(new Error("Too many open files (os error 24)"));
  await clock.advance(0);
  await clock.advance(250);
  assert.match(lines[1], /Cannot serve 127\.0\.0\.1:40123 again yet/);
  await clock.advance(499);
  assert.equal(lines.length, 2, "the second pause is 500 ms");
  await clock.advance(1);
  assert.equal(lines.length, 3);
  await clock.advance(1000);
  assert.equal(servers.length, 2);

  servers[1].fail(new Error("Too many open files (os error 24)"));
  await clock.advance(0);
  await server.shutdown();
  assert.equal(clock.pending, 0, "no retry after shutdown");
});

Deno.test("serveSupervised() throws the first start's error (port in use)", () => {
  const blocker = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    assert.throws(
      () =>
        serveSupervised({ hostname: "127.0.0.1", port: blocker.addr.port }, () => new Response()),
      Deno.errors.AddrInUse,
    );
  } finally {
    blocker.close();
  }
});
