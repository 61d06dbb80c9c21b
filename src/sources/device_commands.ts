/**
 * Commands to the v1 device and their acknowledgements: each command line
 * carries our `seq`, the device answers `{"ack":<seq>,"result":"ok"|"error",…}`,
 * and a command without an answer in time fails.
 * @module
 */
import { type DeviceCommand, type DeviceLine, encodeCommand } from "./arduino_protocol.ts";
import { DeviceCommandError } from "./source.ts";

interface Pending {
  what: string;
  deadlineMs: number;
  resolve: (body: object) => void;
  reject: (error: Error) => void;
}

/** Commands in flight, by `seq`. */
export class DeviceCommands {
  /** How long a command waits for the device's answer before it fails as `timeout`. */
  readonly timeoutMs: number;
  #pending = new Map<number, Pending>();
  #seq = 0;

  /** Fails each command not answered within `timeoutMs`. */
  constructor(timeoutMs = 2000) {
    this.timeoutMs = timeoutMs;
  }

  /**
   * Writes the command line with `write`; resolves with the ack's body, rejects
   * with a {@link DeviceCommandError} when the device refuses it, does not answer,
   * answers something unreadable, or `write` throws.
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
      const reason = error instanceof Error ? error.message : String(error);
      return Promise.reject(gone(what, reason));
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
    if (ack.ok) return p.resolve(ack.body);
    if (ack.result === "error") {
      const reason = ack.message ?? "no reason given";
      return p.reject(
        new DeviceCommandError("refused", `The device refused ${p.what}: ${reason}`, reason),
      );
    }
    const reason = `its answer has result ${JSON.stringify(ack.result) ?? "missing"}, ` +
      `not "ok" or "error"`;
    p.reject(
      new DeviceCommandError(
        "garbled",
        `The device's answer to ${p.what} is unreadable: ${reason}`,
        reason,
      ),
    );
  }

  /** Fails the commands whose answer is overdue at `nowMs`. */
  expire(nowMs: number): void {
    for (const [seq, p] of this.#pending) {
      if (nowMs < p.deadlineMs) continue;
      this.#pending.delete(seq);
      const reason = `no answer within ${this.timeoutMs} ms`;
      p.reject(
        new DeviceCommandError("timeout", `The device did not answer ${p.what}: ${reason}`, reason),
      );
    }
  }

  /** Fails every command in flight (the port closed). */
  rejectAll(why: string): void {
    for (const p of this.#pending.values()) p.reject(gone(p.what, why));
    this.#pending.clear();
  }
}

/** The device is not there to answer `what`. */
export function gone(what: string, reason: string): DeviceCommandError {
  return new DeviceCommandError("gone", `No answer from the device to ${what}: ${reason}`, reason);
}
