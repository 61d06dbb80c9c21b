/**
 * One client connection through the front: read the first request head (within a
 * time and size limit), connect to the internal server, then copy bytes both
 * ways, watching the client's WebSocket frame headers and how long a write to the
 * client stays pending.
 * @module
 */
import {
  headEnd,
  isSwitchingProtocols,
  MAX_HEAD_BYTES,
  parseHead,
  refusalResponse,
  type RefusalStatus,
  type RequestHead,
  STATUS_PREFIX_BYTES,
} from "./http_head.ts";
import type { ConnectionCounters, Peer } from "./front_state.ts";
import type { Issue } from "../protocol/common.ts";
import { FrameWatcher } from "./ws_frames.ts";

/** What every pipe shares with the front. */
export interface PipeContext {
  /** The internal server's port on 127.0.0.1 (it may change when that server is served again). */
  internalPort: () => number;
  /** The first request head must be complete within this (then 408). */
  headerTimeoutMs: number;
  /** A keep-alive connection with no bytes either way for this long is closed. */
  idleTimeoutMs: number;
  /** A write to the client pending this long drops both connections. */
  sendTimeoutMs: number;
  /** Largest WebSocket message a client may announce. */
  maxMessageBytes: number;
  /** The front's counters, updated by every pipe. */
  counters: ConnectionCounters;
  /** The client behind each internal connection, by the front's local port. */
  peers: Map<number, Peer>;
}

/** Bytes read at once from either side (one buffer per direction, reused). */
const CHUNK_BYTES = 16 * 1024;
/** A refusal that cannot be written within this is dropped. */
const REFUSAL_WRITE_MS = 1000;

type Phase = "head" | "open" | "ws" | "refusing" | "closed";

/** A client connection and, once its first head is read, its internal twin. */
export class Pipe {
  /** The client's connection. */
  readonly client: Deno.TcpConn;
  /** The client's IP address. */
  readonly address: string;
  #ctx: PipeContext;
  #internal?: Deno.TcpConn;
  #phase: Phase = "head";
  #sinceMs: number;
  #lastActivityMs: number;
  /** When the write to the client now pending began. */
  #writeSinceMs: number | undefined;
  #refusal?: Promise<void>;

  /** A pipe for `client` (from `address`); {@link run} drives it. */
  constructor(client: Deno.TcpConn, address: string, ctx: PipeContext) {
    this.client = client;
    this.address = address;
    this.#ctx = ctx;
    this.#sinceMs = this.#lastActivityMs = Date.now();
  }

  /** Runs the connection to its end; never throws. */
  async run(): Promise<void> {
    try {
      await this.#run();
    } catch {
      // A reset or a socket closed by the sweeper ends the pipe; nothing to report.
    } finally {
      await this.#refusal;
      this.close();
    }
  }

  /** Applies the time limits (called by the front's sweeper). */
  check(nowMs: number): void {
    const { counters, headerTimeoutMs, idleTimeoutMs, sendTimeoutMs } = this.#ctx;
    if (this.#phase === "head" && nowMs - this.#sinceMs >= headerTimeoutMs) {
      counters.header_timeouts++;
      this.#refuse(408, `Request head not received within ${headerTimeoutMs} ms`);
    } else if (this.#phase === "refusing" && nowMs - this.#sinceMs >= REFUSAL_WRITE_MS) {
      this.close();
    } else if (
      this.#writeSinceMs !== undefined && nowMs - this.#writeSinceMs >= sendTimeoutMs
    ) {
      counters.stalled_closes++;
      this.close();
    } else if (
      this.#phase === "open" && this.#writeSinceMs === undefined &&
      nowMs - this.#lastActivityMs >= idleTimeoutMs
    ) {
      counters.idle_closes++;
      this.close();
    }
  }

  /** Whether the first head is still being read (such a pipe never reached the server). */
  get readingHead(): boolean {
    return this.#phase === "head";
  }

  /** Closes both connections at once (pending reads and writes fail). */
  close(): void {
    if (this.#phase === "closed") return;
    this.#phase = "closed";
    for (const conn of [this.client, this.#internal]) {
      try {
        conn?.close();
      } catch {
        // Already closed.
      }
    }
  }

  async #run(): Promise<void> {
    const first = await this.#readHead();
    if (!first) return;
    const { head, bytes, headBytes } = first;
    let internal: Deno.TcpConn;
    try {
      internal = await Deno.connect({ hostname: "127.0.0.1", port: this.#ctx.internalPort() });
    } catch {
      // Out of descriptors, or the server is restarting.
      this.#ctx.counters.refused++;
      this.#refuse(503, "Server busy: try again later");
      return;
    }
    if (this.#phase !== "head") {
      internal.close();
      return;
    }
    this.#internal = internal;
    this.#phase = "open";
    internal.setNoDelay(true);
    this.client.setNoDelay(true);
    const port = internal.localAddr.port;
    const peer = { address: this.address, mayUpgrade: head.upgrade };
    this.#ctx.peers.set(port, peer);
    try {
      if (!head.upgrade) {
        await this.#write(internal, bytes, false);
        await Promise.all([this.#up(internal), this.#down(internal)]);
        return;
      }
      // A WebSocket handshake: the client's next bytes are frames only if the answer is 101.
      await this.#write(internal, bytes.subarray(0, headBytes), false);
      let decide: (upgraded: boolean) => void = () => {};
      const decided = new Promise<boolean>((resolve) => decide = resolve);
      await Promise.all([
        this.#up(internal, bytes.subarray(headBytes), decided),
        this.#down(internal, decide),
      ]);
    } finally {
      // Loopback reuses ports at once: a newer connection may already have this one.
      if (this.#ctx.peers.get(port) === peer) this.#ctx.peers.delete(port);
    }
  }

  /** Reads up to the end of the first head; `undefined` if the pipe ended instead. */
  async #readHead(): Promise<
    { head: RequestHead; bytes: Uint8Array; headBytes: number } | undefined
  > {
    let buffer = new Uint8Array(2048);
    let length = 0;
    while (true) {
      if (length === buffer.length) {
        if (length >= MAX_HEAD_BYTES) {
          this.#ctx.counters.bad_requests++;
          this.#refuse(431, `Request head over ${MAX_HEAD_BYTES} bytes`);
          return undefined;
        }
        const grown = new Uint8Array(Math.min(2 * length, MAX_HEAD_BYTES));
        grown.set(buffer);
        buffer = grown;
      }
      const n = await this.client.read(buffer.subarray(length));
      if (n === null || this.#phase !== "head") return undefined;
      const end = headEnd(buffer, length + n, length);
      length += n;
      if (end < 0) continue;
      const head = parseHead(buffer.subarray(0, end));
      if (!head) {
        this.#ctx.counters.bad_requests++;
        this.#refuse(400, "Not an HTTP/1.1 request");
        return undefined;
      }
      if (head.hostError) {
        this.#ctx.counters.bad_requests++;
        this.#refuse(400, head.hostError.error, head.hostError.issues);
        return undefined;
      }
      return { head, bytes: buffer.subarray(0, length), headBytes: end };
    }
  }

  /** Client → server; with `decided`, waits for the handshake's answer, then watches frames. */
  async #up(internal: Deno.TcpConn, early?: Uint8Array, decided?: Promise<boolean>) {
    let watcher: FrameWatcher | undefined;
    if (decided && await decided) {
      this.#phase = this.#phase === "open" ? "ws" : this.#phase;
      watcher = new FrameWatcher(this.#ctx.maxMessageBytes);
    }
    const buffer = new Uint8Array(CHUNK_BYTES);
    let chunk = early ?? buffer.subarray(0, 0);
    while (true) {
      if (chunk.length > 0) {
        if (watcher?.push(chunk)) {
          this.#ctx.counters.oversize_frames++;
          this.close();
          return;
        }
        await this.#write(internal, chunk, false);
      }
      const n = await this.client.read(buffer);
      if (n === null) break;
      this.#lastActivityMs = Date.now();
      chunk = buffer.subarray(0, n);
    }
    // The client is done sending; the server may still answer.
    internal.closeWrite().catch(() => {});
  }

  /** Server → client; `decide` learns whether the first answer is a 101. */
  async #down(internal: Deno.TcpConn, decide?: (upgraded: boolean) => void) {
    const buffer = new Uint8Array(CHUNK_BYTES);
    const start = new Uint8Array(STATUS_PREFIX_BYTES);
    let startLength = 0;
    try {
      while (true) {
        const n = await internal.read(buffer);
        if (n === null) break;
        this.#lastActivityMs = Date.now();
        if (decide) {
          const take = Math.min(n, start.length - startLength);
          start.set(buffer.subarray(0, take), startLength);
          startLength += take;
          if (startLength === start.length) {
            decide(isSwitchingProtocols(start));
            decide = undefined;
          }
        }
        await this.#write(this.client, buffer.subarray(0, n), true);
        this.#lastActivityMs = Date.now();
      }
    } finally {
      decide?.(false);
      // The server closed (or failed): what it sent has been written; end the client too.
      this.close();
    }
  }

  async #write(conn: Deno.TcpConn, bytes: Uint8Array, toClient: boolean): Promise<void> {
    for (let done = 0; done < bytes.length;) {
      if (toClient) this.#writeSinceMs = Date.now();
      done += await conn.write(bytes.subarray(done));
    }
    this.#writeSinceMs = undefined;
  }

  /** Answers the client with a JSON error and closes it (the sweeper closes it if the write hangs). */
  #refuse(status: RefusalStatus, error: string, issues: readonly Issue[] = []): void {
    if (this.#phase !== "head") return;
    this.#phase = "refusing";
    this.#sinceMs = Date.now();
    this.#refusal = this.client.write(refusalResponse(status, error, issues)).then(
      () => this.close(),
      () => this.close(),
    );
  }
}
