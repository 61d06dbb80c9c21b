/**
 * Caps on TCP connections, checked by the front before a connection costs more
 * than its descriptor: how many are open in all, how many from one address, and
 * how fast one address may open new ones (a token bucket). Pure; the clock is
 * passed in.
 * @module
 */
import { type Refusal, type Slot, slotFreeing } from "./limits.ts";

/** Options of {@link ConnectionLimits}. */
export interface ConnectionLimitsOptions {
  /** Most open connections in all (then 503). */
  maxConnections: number;
  /** Most open connections from one address (then 429). */
  maxPerAddress: number;
  /** New connections per second one address may open on average (then 429). */
  ratePerSecond: number;
  /** How many new connections one address may open at once; defaults to 2 × the rate. */
  burst?: number;
  /** The clock in ms (default `Date.now`). */
  now?: () => number;
}

/** Why a connection was refused, with the HTTP status and a sentence for the JSON body. */
export interface ConnectionRefusal extends Refusal {
  /** Which cap: all connections, this address's open ones, or its connect rate. */
  refused: "total" | "address" | "rate";
}

/** An admitted connection; `release()` (when it closes) may be called any number of times. */
export type ConnectionTicket = Slot;

interface Bucket {
  tokens: number;
  atMs: number;
  open: number;
}

/** Admits or refuses new connections and counts the open ones. */
export class ConnectionLimits {
  /** Most open connections in all. */
  readonly maxConnections: number;
  /** Most open connections from one address. */
  readonly maxPerAddress: number;
  /** New connections per second one address may open on average. */
  readonly ratePerSecond: number;
  /** New connections one address may open at once. */
  readonly burst: number;
  #now: () => number;
  #open = 0;
  #byAddress = new Map<string, Bucket>();

  /**
   * Limits as `options` say; burst defaults to twice the rate.
   * @throws {RangeError} when a cap or the rate is not a positive number.
   */
  constructor(options: ConnectionLimitsOptions) {
    const { now, burst, ...rest } = options;
    const checked = { ...rest, burst: burst ?? Math.max(1, Math.round(2 * options.ratePerSecond)) };
    for (const [name, value] of Object.entries(checked)) {
      if (!Number.isFinite(value) || value <= 0) {
        throw new RangeError(`ConnectionLimits: ${name} must be a positive number, got ${value}`);
      }
    }
    this.maxConnections = checked.maxConnections;
    this.maxPerAddress = checked.maxPerAddress;
    this.ratePerSecond = checked.ratePerSecond;
    this.burst = checked.burst;
    this.#now = now ?? Date.now;
  }

  /** Connections admitted and not yet released. */
  get open(): number {
    return this.#open;
  }

  /** Open connections from `address`. */
  openFrom(address: string): number {
    return this.#byAddress.get(address)?.open ?? 0;
  }

  /** Addresses remembered (open connections, or a bucket not yet full again). */
  get addresses(): number {
    return this.#byAddress.size;
  }

  /** Admits a connection from `address`, or says why not (a refusal takes no token). */
  admit(address: string): ConnectionTicket | ConnectionRefusal {
    if (this.#open >= this.maxConnections) {
      return {
        refused: "total",
        status: 503,
        error: `Too many connections (HTTP_MAX_CONNS=${this.maxConnections}): try again later`,
      };
    }
    const nowMs = this.#now();
    const bucket = this.#refill(address, nowMs);
    if (bucket.open >= this.maxPerAddress) {
      return {
        refused: "address",
        status: 429,
        error:
          `Too many connections from ${address} (HTTP_MAX_CONNS_PER_ADDRESS=${this.maxPerAddress})`,
      };
    }
    if (bucket.tokens < 1) {
      return {
        refused: "rate",
        status: 429,
        error:
          `Too many new connections from ${address} (HTTP_CONNECT_RATE_PER_ADDRESS=${this.ratePerSecond}/s)`,
      };
    }
    bucket.tokens -= 1;
    bucket.open++;
    this.#byAddress.set(address, bucket);
    this.#open++;
    return slotFreeing(() => {
      this.#open--;
      bucket.open--;
    });
  }

  /** Forgets addresses with nothing open and a full bucket (call now and then). */
  prune(): void {
    const nowMs = this.#now();
    for (const [address, bucket] of this.#byAddress) {
      if (bucket.open === 0 && this.#refill(address, nowMs).tokens >= this.burst) {
        this.#byAddress.delete(address);
      }
    }
  }

  #refill(address: string, nowMs: number): Bucket {
    const bucket = this.#byAddress.get(address);
    if (!bucket) return { tokens: this.burst, atMs: nowMs, open: 0 };
    const elapsedS = Math.max(0, nowMs - bucket.atMs) / 1000;
    bucket.tokens = Math.min(this.burst, bucket.tokens + elapsedS * this.ratePerSecond);
    bucket.atMs = nowMs;
    return bucket;
  }
}

/** Whether {@link ConnectionLimits.admit} refused. */
export function isConnectionRefusal(
  result: ConnectionTicket | ConnectionRefusal,
): result is ConnectionRefusal {
  return "refused" in result;
}
