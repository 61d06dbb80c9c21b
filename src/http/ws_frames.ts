/**
 * WebSocket frame headers (RFC 6455 §5.2) of a client's byte stream, read as the
 * bytes pass through the front: enough to refuse a message by the length its
 * header announces, before any of its payload is buffered. Pure; no I/O.
 * @module
 */

/** Largest payload of a control frame (close, ping, pong), RFC 6455 §5.5. */
const MAX_CONTROL_PAYLOAD = 125;

/** Why a stream must be cut: what the header announced and the limit it broke. */
export interface FrameViolation {
  /** Payload bytes announced by the frame (for a fragmented message: the message so far). */
  announced: number;
  /** The limit it broke, in bytes. */
  limit: number;
  /** A sentence for the log: which rule. */
  reason: string;
}

/** 2^32, to assemble a 64-bit length from two 32-bit halves. */
const HIGH = 2 ** 32;

/**
 * Follows the frame headers of one direction of a WebSocket connection. Feed it
 * every chunk in order with {@link push}; it skips payloads by counting, so it
 * never holds more than one 14-byte header.
 */
export class FrameWatcher {
  /** Largest data message (all its fragments) let through. */
  readonly maxMessageBytes: number;
  #header = new Uint8Array(14);
  #have = 0;
  #need = 2;
  /** Payload bytes of the current frame still to pass. */
  #payloadLeft = 0;
  /** Payload bytes of the current, unfinished data message (across its fragments). */
  #messageBytes = 0;
  #frames = 0;

  /** `maxMessageBytes`: the most payload one data message (all its fragments) may carry. */
  constructor(maxMessageBytes: number) {
    if (!Number.isInteger(maxMessageBytes) || maxMessageBytes < MAX_CONTROL_PAYLOAD) {
      throw new RangeError(`FrameWatcher: maxMessageBytes must be an integer ≥ 125`);
    }
    this.maxMessageBytes = maxMessageBytes;
  }

  /** Frame headers read so far. */
  get frames(): number {
    return this.#frames;
  }

  /** Reads `chunk`; returns the first violation found, or `undefined` if all is well. */
  push(chunk: Uint8Array): FrameViolation | undefined {
    let i = 0;
    while (i < chunk.length) {
      if (this.#payloadLeft > 0) {
        const n = Math.min(this.#payloadLeft, chunk.length - i);
        this.#payloadLeft -= n;
        i += n;
        continue;
      }
      this.#header[this.#have++] = chunk[i++];
      if (this.#have === 2) {
        const len7 = this.#header[1] & 0x7f;
        const masked = (this.#header[1] & 0x80) !== 0;
        this.#need = 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (masked ? 4 : 0);
      }
      if (this.#have < this.#need) continue;
      const violation = this.#frame();
      if (violation) return violation;
      this.#have = 0;
      this.#need = 2;
    }
    return undefined;
  }

  /** A whole header is in `#header`: check it and start counting its payload. */
  #frame(): FrameViolation | undefined {
    this.#frames++;
    const h = this.#header;
    const fin = (h[0] & 0x80) !== 0;
    const opcode = h[0] & 0x0f;
    const len7 = h[1] & 0x7f;
    const view = new DataView(h.buffer);
    const length = len7 === 126
      ? view.getUint16(2)
      : len7 === 127
      ? view.getUint32(2) * HIGH + view.getUint32(6)
      : len7;
    if (opcode >= 0x8) {
      // Control frames may come between the fragments of a message and are not part of it.
      if (length > MAX_CONTROL_PAYLOAD) {
        return {
          announced: length,
          limit: MAX_CONTROL_PAYLOAD,
          reason: `control frame (opcode ${opcode}) of ${length} bytes`,
        };
      }
    } else {
      // 0 continues a message; 1 (text), 2 (binary) and the reserved data opcodes start one.
      this.#messageBytes = opcode === 0 ? this.#messageBytes + length : length;
      if (this.#messageBytes > this.maxMessageBytes) {
        return {
          announced: this.#messageBytes,
          limit: this.maxMessageBytes,
          reason: `message of ${this.#messageBytes}+ bytes`,
        };
      }
      if (fin) this.#messageBytes = 0;
    }
    this.#payloadLeft = length;
    return undefined;
  }
}
