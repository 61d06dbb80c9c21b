/**
 * @module
 * Benchmark clients: a WebSocket reader that counts messages, sequence gaps
 * and latency with as little parsing as possible, and a raw TCP client that
 * upgrades to WebSocket and then never reads.
 */

const MEASUREMENT_PREFIX = '{"type":"measurement",';

const BATCH_PREFIX = '{"type":"measurements",';

/** Reads the unsigned integer right after `key` in `text`; NaN if absent. */
function readUintAfter(text: string, key: string): number {
  const at = text.indexOf(key);
  if (at < 0) return NaN;
  let value = 0;
  let index = at + key.length;
  const start = index;
  for (; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 48 || code > 57) break;
    value = value * 10 + (code - 48);
  }
  return index > start ? value : NaN;
}

/**
 * Reads the array of unsigned integers right after `key` (which ends in `[`) in `text`,
 * as `JSON.parse` would for an array of plain integers; undefined if absent or if
 * anything but digits and commas comes before the `]`.
 */
export function readUintArrayAfter(text: string, key: string): number[] | undefined {
  const at = text.indexOf(key);
  if (at < 0) return undefined;
  const values: number[] = [];
  let value = 0;
  let digits = 0;
  for (let index = at + key.length; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code >= 48 && code <= 57) {
      value = value * 10 + (code - 48);
      digits++;
    } else if ((code === 44 || code === 93) && digits > 0) { // "," or "]"
      values.push(value);
      if (code === 93) return values;
      value = 0;
      digits = 0;
    } else if (code === 93 && values.length === 0) {
      return values; // "[]"
    } else {
      return undefined;
    }
  }
  return undefined;
}

/** Reads the string right after `key` (which ends in `"`) up to the next `"`, no escapes; undefined if absent. */
function readNameAfter(text: string, key: string): string | undefined {
  const at = text.indexOf(key);
  if (at < 0) return undefined;
  const end = text.indexOf('"', at + key.length);
  return end < 0 ? undefined : text.slice(at + key.length, end);
}

/**
 * A WebSocket client that tallies the stream; counters are public for cheap reads. On
 * `?channel=*` (every channel in one stream) `seq` is contiguous per channel, so gaps are
 * counted per `data.channel`; on any other URL, over the whole stream.
 */
export class StreamClient {
  /** Messages of any type received while counting. */
  totalMessages = 0;
  /** Samples received while counting (one per measurement message, each of a batch). */
  measurements = 0;
  /** Status messages received while counting. */
  statusMessages = 0;
  /** Measurements whose `seq` was not the previous one + 1, counted from the first measurement on. */
  seqGaps = 0;
  /** Samples skipped by forward jumps of `seq` (a gap of 3 → 4 → 7 misses 2). */
  missedSamples = 0;
  /** Receipt time minus `data.ts_ms` of every measurement received while counting, ms. */
  latenciesMs: number[] = [];
  /**
   * Batched stream only: receipt time minus the newest `ts_ms` of each message received
   * while counting, ms. That is the delivery delay without the wait for the period's end.
   */
  newestAgesMs: number[] = [];
  /** Close code if the connection closed before {@linkcode close} was called. */
  closedEarlyCode: number | undefined;
  /** Resolves when the socket is open; rejects if it fails first. */
  readonly opened: Promise<void>;
  /** Resolves at the first measurement. */
  readonly firstMeasurement: Promise<void>;

  #socket: WebSocket;
  #counting = false;
  #closing = false;
  /** Last `seq` per channel (`""` for the whole stream unless {@linkcode #perChannel}). */
  #lastSeqs = new Map<string, number>();
  #perChannel: boolean;
  #onFirstMeasurement: (() => void) | undefined;

  /** Connects to `wsUrl` at once. */
  constructor(wsUrl: string) {
    this.#socket = new WebSocket(wsUrl);
    this.#perChannel = new URL(wsUrl).searchParams.get("channel") === "*";
    this.opened = new Promise((resolve, reject) => {
      this.#socket.addEventListener("open", () => resolve(), { once: true });
      this.#socket.addEventListener(
        "error",
        () => reject(new Error(`Cannot open WebSocket "${wsUrl}"`)),
        { once: true },
      );
    });
    this.firstMeasurement = new Promise((resolve) => {
      this.#onFirstMeasurement = resolve;
    });
    this.#socket.addEventListener("message", (event) => this.#onMessage(event));
    this.#socket.addEventListener("close", (event) => {
      if (!this.#closing) this.closedEarlyCode = event.code;
    });
  }

  /** Starts or stops counting messages, rates and latencies (gaps are always counted). */
  set counting(on: boolean) {
    this.#counting = on;
  }

  /** The stream `text` belongs to for gap counting: its `data.channel` on `?channel=*`, else `""`. */
  #streamOf(text: string): string {
    if (!this.#perChannel) return "";
    return readNameAfter(text, '"channel":"') ?? JSON.parse(text).data?.channel ?? "";
  }

  /** Counts a gap if `seq` does not follow the last of `stream`; then `last` is that stream's last. */
  #follow(stream: string, seq: number, last: number): void {
    const lastSeq = this.#lastSeqs.get(stream) ?? -1;
    if (lastSeq >= 0 && seq !== lastSeq + 1) {
      this.seqGaps++;
      if (seq > lastSeq + 1) this.missedSamples += seq - lastSeq - 1;
    }
    if (this.#lastSeqs.size === 0) this.#onFirstMeasurement?.();
    this.#lastSeqs.set(stream, last);
  }

  /** Tallies one `measurements` message (the batched stream): each sample it holds. */
  #onBatch(
    data: { seq0: number; ts_ms: number[] },
    receivedMs: number,
    stream: string,
  ): void {
    this.#follow(stream, data.seq0, data.seq0 + data.ts_ms.length - 1);
    if (!this.#counting) return;
    this.totalMessages++;
    this.measurements += data.ts_ms.length;
    for (const tsMs of data.ts_ms) this.latenciesMs.push(receivedMs - tsMs);
    if (data.ts_ms.length > 0) this.newestAgesMs.push(receivedMs - data.ts_ms.at(-1)!);
  }

  #onMessage(event: MessageEvent): void {
    const receivedMs = performance.timeOrigin + performance.now();
    const text = event.data as string;
    if (text.startsWith(BATCH_PREFIX)) {
      // 100 readers of one batch run one after another on this thread: scanning the two
      // fields costs a few µs where JSON.parse of the whole message costs tens.
      const seq0 = readUintAfter(text, '"seq0":');
      const tsMs = readUintArrayAfter(text, '"ts_ms":[');
      const data = Number.isNaN(seq0) || tsMs === undefined
        ? JSON.parse(text).data
        : { seq0, ts_ms: tsMs };
      return this.#onBatch(data, receivedMs, this.#streamOf(text));
    }
    let seq = NaN;
    let tsMs = NaN;
    let isMeasurement = false;
    if (text.startsWith(MEASUREMENT_PREFIX)) {
      isMeasurement = true;
      seq = readUintAfter(text, '"seq":');
      tsMs = readUintAfter(text, '"ts_ms":');
    }
    if (Number.isNaN(seq) || Number.isNaN(tsMs)) {
      // Slow path for any other key order, or a status message.
      const message = JSON.parse(text);
      isMeasurement = message.type === "measurement";
      seq = message.data?.seq;
      tsMs = message.data?.ts_ms;
    }
    if (isMeasurement) this.#follow(this.#streamOf(text), seq, seq);
    if (!this.#counting) return;
    this.totalMessages++;
    if (isMeasurement) {
      this.measurements++;
      this.latenciesMs.push(receivedMs - tsMs);
    } else {
      this.statusMessages++;
    }
  }

  /** Closes the connection and waits for the close handshake (at most 2 s). */
  async close(): Promise<void> {
    this.#counting = false;
    this.#closing = true;
    if (this.#socket.readyState === WebSocket.CLOSED) return;
    const closed = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2_000);
      this.#socket.addEventListener("close", () => {
        clearTimeout(timer);
        resolve();
      }, { once: true });
    });
    this.#socket.close();
    await closed;
  }
}

/** A TCP connection that completed a WebSocket upgrade request and never reads. */
export interface StalledClient {
  /** Closes the TCP connection. */
  close(): void;
}

/** Sends a valid WebSocket upgrade request over raw TCP and then never reads, so the server's send buffer fills. */
export async function openStalledClient(wsUrl: string): Promise<StalledClient> {
  const url = new URL(wsUrl);
  const conn = await Deno.connect({
    hostname: url.hostname,
    port: Number(url.port),
  });
  const key = btoa(
    String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))),
  );
  const request = [
    `GET ${url.pathname} HTTP/1.1`,
    `Host: ${url.host}`,
    "Upgrade: websocket",
    "Connection: Upgrade",
    `Sec-WebSocket-Key: ${key}`,
    "Sec-WebSocket-Version: 13",
    "",
    "",
  ].join("\r\n");
  const bytes = new TextEncoder().encode(request);
  for (let done = 0; done < bytes.length;) {
    done += await conn.write(bytes.subarray(done));
  }
  return { close: () => conn.close() };
}
