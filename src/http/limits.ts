/**
 * Caps on long-lived WebSocket clients: how many in all and how many from one
 * address. A slot is held from the upgrade until the socket is really gone.
 * @module
 */

/** Options of {@link ClientLimits}. */
export interface ClientLimitsOptions {
  /** Most clients at once (then 503). */
  maxClients: number;
  /** Most clients at once from one address (then 429). */
  maxPerAddress: number;
}

/** A refusal: the HTTP status and a sentence for the JSON error body. */
export interface Refusal {
  /** 503 when the server is full, 429 when this address holds its share. */
  status: 429 | 503;
  /** Why the client was refused, for the JSON error body. */
  error: string;
}

/** A held slot; `release()` may be called any number of times. */
export interface Slot {
  /** Frees the slot so another client can connect. */
  release(): void;
}

/** Counts clients in all and per address, and refuses those over a cap. */
export class ClientLimits {
  /** Most clients at once (then 503). */
  readonly maxClients: number;
  /** Most clients at once from one address (then 429). */
  readonly maxPerAddress: number;
  #total = 0;
  #byAddress = new Map<string, number>();

  /** Takes both caps; throws a `RangeError` unless each is a positive integer. */
  constructor(options: ClientLimitsOptions) {
    for (const [name, value] of Object.entries(options)) {
      if (!Number.isInteger(value) || value < 1) {
        throw new RangeError(`ClientLimits: ${name} must be a positive integer, got ${value}`);
      }
    }
    this.maxClients = options.maxClients;
    this.maxPerAddress = options.maxPerAddress;
  }

  /** Clients holding a slot, including closed ones whose connection is not yet gone. */
  get total(): number {
    return this.#total;
  }

  /** Slots held by `address`. */
  heldBy(address: string): number {
    return this.#byAddress.get(address) ?? 0;
  }

  /** Takes a slot for a client from `address`, or says why not. */
  acquire(address: string): Slot | Refusal {
    if (this.#total >= this.maxClients) {
      return {
        status: 503,
        error: `Too many WebSocket clients (WS_MAX_CLIENTS=${this.maxClients}): try again later`,
      };
    }
    const held = this.heldBy(address);
    if (held >= this.maxPerAddress) {
      return {
        status: 429,
        error:
          `Too many WebSocket clients from ${address} (WS_MAX_CLIENTS_PER_ADDRESS=${this.maxPerAddress})`,
      };
    }
    this.#total++;
    this.#byAddress.set(address, held + 1);
    return slotFreeing(() => {
      this.#total--;
      const left = this.heldBy(address) - 1;
      if (left > 0) this.#byAddress.set(address, left);
      else this.#byAddress.delete(address);
    });
  }
}

/** A {@link Slot} whose first `release()` calls `free`; later calls do nothing. */
export function slotFreeing(free: () => void): Slot {
  let released = false;
  return {
    release: () => {
      if (released) return;
      released = true;
      free();
    },
  };
}

/** Whether {@link ClientLimits.acquire} refused. */
export function isRefusal(result: Slot | Refusal): result is Refusal {
  return "status" in result;
}

/** The peer address of each request the server is handling (set by the server, read by the upgrader). */
const remoteAddresses = new WeakMap<Request, string>();

/** Records the peer address of `request` (the server does this before routing). */
export function rememberRemoteAddress(request: Request, address: string): void {
  remoteAddresses.set(request, address);
}

/** The peer address recorded for `request`, or `"unknown"` (e.g. `app.request()` in tests). */
export function remoteAddressOf(request: Request): string {
  return remoteAddresses.get(request) ?? "unknown";
}

/** Requests that must not upgrade (behind the front: not the first request of their connection). */
const upgradesForbidden = new WeakSet<Request>();

/** Marks `request` as one that must not become a WebSocket. */
export function forbidUpgrade(request: Request): void {
  upgradesForbidden.add(request);
}

/** Whether {@link forbidUpgrade} marked `request`. */
export function upgradeForbidden(request: Request): boolean {
  return upgradesForbidden.has(request);
}
