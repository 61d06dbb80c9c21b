/**
 * A webhook / ntfy receiver for the notification tests: a real `Deno.serve` on a
 * loopback port that records every request and answers what the test planned
 * (e.g. 500 for the first attempts), and can go down and come back on the same port.
 * @module
 */

/** One request as received. */
export interface Received {
  method: string;
  path: string;
  headers: Headers;
  body: string;
}

/** Answers request number `n` (0-based) with this status. */
export type Plan = (
  n: number,
  request: Received,
) => number | { status: number; headers?: HeadersInit };

/** A recording HTTP receiver. */
export class Receiver {
  readonly requests: Received[] = [];
  #server: Deno.HttpServer<Deno.NetAddr> | undefined;
  #port = 0;
  plan: Plan;

  /** Answers by `plan` (default: 200 to everything). */
  constructor(plan: Plan = () => 200) {
    this.plan = plan;
  }

  /** Listens (on the port it had before, once it has had one). */
  start(): Promise<void> {
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#server = Deno.serve({
      hostname: "127.0.0.1",
      port: this.#port,
      onListen: () => resolve(),
    }, async (req) => {
      const received = {
        method: req.method,
        path: new URL(req.url).pathname,
        headers: req.headers,
        body: await req.text(),
      };
      const n = this.requests.length;
      this.requests.push(received);
      const answer = this.plan(n, received);
      const { status, headers } = typeof answer === "number" ? { status: answer } : answer;
      return new Response(null, { status, headers });
    });
    this.#port = this.#server.addr.port;
    return promise;
  }

  /** The base URL, `http://127.0.0.1:<port>`. */
  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** Stops listening (the port stays this receiver's to listen on again). */
  async stop(): Promise<void> {
    await this.#server?.shutdown();
    this.#server = undefined;
  }
}
