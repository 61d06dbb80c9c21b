/**
 * Hand-written fakes implementing the real interfaces: a clock whose time only
 * moves when a test says so, and a WebSocket client the hub can talk to.
 * @module
 */
import type { Clock, TimerId } from "../src/clock.ts";
import type { HubClient } from "../src/hub.ts";

interface Timer {
  id: number;
  atMs: number;
  fn: () => void;
}

/** Lets every pending promise callback run (one macrotask turn). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** A {@link Clock} driven by {@link FakeClock.advance}; `lateMs` delays every timer. */
export class FakeClock implements Clock {
  nowMs: number;
  /** Extra delay added to every timer, as a busy event loop would. */
  lateMs = 0;
  #timers: Timer[] = [];
  #nextId = 1;

  constructor(startMs = 1_700_000_000_000) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  setTimeout(fn: () => void, delayMs: number): TimerId {
    const id = this.#nextId++;
    this.#timers.push({ id, atMs: this.nowMs + Math.max(0, delayMs) + this.lateMs, fn });
    return id as unknown as TimerId;
  }

  clearTimeout(id: TimerId): void {
    this.#timers = this.#timers.filter((t) => t.id !== (id as unknown as number));
  }

  /** Number of timers waiting. */
  get pending(): number {
    return this.#timers.length;
  }

  /** Moves time forward by `ms`, firing due timers in order and letting their work settle. */
  async advance(ms: number): Promise<void> {
    const endMs = this.nowMs + ms;
    for (;;) {
      this.#timers.sort((a, b) => a.atMs - b.atMs || a.id - b.id);
      const next = this.#timers[0];
      if (!next || next.atMs > endMs) break;
      this.#timers.shift();
      this.nowMs = Math.max(this.nowMs, next.atMs);
      next.fn();
      await settle();
    }
    this.nowMs = endMs;
    await settle();
  }
}

/** A WebSocket stand-in for the hub: records what it was sent. */
export class FakeSocket implements HubClient {
  readyState = 1;
  bufferedAmount = 0;
  sent: string[] = [];
  closed: { code?: number; reason?: string } | undefined;
  /** Make `send` throw, as a socket closed under our feet does. */
  failSend = false;

  send(data: string): void {
    if (this.failSend) throw new Error("socket closed");
    this.sent.push(data);
  }

  close(code?: number, reason?: string): void {
    this.closed = { code, reason };
    this.readyState = 2;
  }

  /** The close code, if the socket was closed (a method, so asserts do not narrow it). */
  closeCode(): number | undefined {
    return this.closed?.code;
  }

  /** The messages sent so far, parsed. */
  messages(): { type: string; [key: string]: unknown }[] {
    return this.sent.map((s) => JSON.parse(s));
  }
}
