/**
 * What the front shares with the rest of the server: its counters (the
 * `connections` object of `/status`) and, per internal connection, the client it
 * carries.
 * @module
 */
import type { StatusResponse } from "../protocol/status.ts";

/** Counters of the front, since start-up: the `connections` object of `/status`. */
export type ConnectionCounters = StatusResponse["connections"];

/** A fresh set of zero counters. */
export function newConnectionCounters(): ConnectionCounters {
  return {
    open: 0,
    accepted: 0,
    refused: 0,
    header_timeouts: 0,
    bad_requests: 0,
    idle_closes: 0,
    oversize_frames: 0,
    stalled_closes: 0,
  };
}

/** What the internal server learns about a connection, by the front's local port. */
export interface Peer {
  /** The client's real address. */
  address: string;
  /** Whether the next request may upgrade: only the first, and only if the front saw it ask. */
  mayUpgrade: boolean;
}
