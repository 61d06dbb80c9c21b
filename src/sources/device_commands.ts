/**
 * Commands to the v1 device and their acknowledgements: each command line
 * carries our `seq`, the device answers `{"ack":<seq>,"result":"ok"|"error",…}`,
 * and a command without an answer in time fails.
 * @module
 */
import { type DeviceCommand, type DeviceLine, encodeCommand } from "./arduino_protocol.ts";

interface Pending {
  what: string;
  deadlineMs: number;
  resolve: (body: object) => void;
  reject: (error: Error) => void;
}

/** Commands in flight, by `seq`. */
export class DeviceCommands {
  readonly timeoutMs: number;
  #pending = new Map<number, Pending>();
  #seq = 0;

  constructor(timeoutMs = 2000) {
    this.timeoutMs = timeoutMs;
  }

  /**
   * Writes the command line with `write`; resolves with the ack's body, rejects
   * when the device refuses it, does not answer, or `write` throws.
   */
  send(
    write: (line: string) => void,
    nowMs: number,
    cmd: DeviceCommand,
    value?: number | string,
  ): Promise<object> {
    const what = value === undefined ? cmd : `${cmd} ${value}`;
    const seq = ++this.#seq;
    try {
      write(encodeCommand(cmd, seq, value));
    } catch (error) {
      return Promise.reject(error);
    }
    const { promise, resolve, reject } = Promise.withResolvers<object>();
    this.#pending.set(seq, { what, deadlineMs: nowMs + this.timeoutMs, resolve, reject });
    return promise;
  }

  /** Settles the command `ack` answers; an ack nobody waits for is ignored. */
  settle(ack: Extract<DeviceLine, { kind: "ack" }>): void {
    const p = this.#pending.get(ack.ack);
    if (!p) return;
    this.#pending.delete(ack.ack);
    if (ack.ok) p.resolve(ack.body);
    else p.reject(new Error(`the device refused ${p.what}: ${ack.message ?? "no reason given"}`));
  }

  /** Fails the commands whose answer is overdue at `nowMs`. */
  expire(nowMs: number): void {
    for (const [seq, p] of this.#pending) {
      if (nowMs < p.deadlineMs) continue;
      this.#pending.delete(seq);
      p.reject(new Error(`the device did not acknowledge ${p.what}`));
    }
  }

  /** Fails every command in flight (the port closed). */
  rejectAll(why: string): void {
    for (const p of this.#pending.values()) p.reject(new Error(`${p.what} got no answer: ${why}`));
    this.#pending.clear();
  }
}
