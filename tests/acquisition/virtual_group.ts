/**
 * Runs an acquisition group in this thread on a virtual clock (the emulated bus's
 * transfer time and the scheduler's waits advance it; nothing sleeps), until a given
 * instant: the per-channel events and the run's counters.
 * @module
 */
import { buildGroup, type GroupSettings } from "../../src/acquisition/group.ts";
import type { WireEvent } from "../../src/acquisition/protocol.ts";
import { GroupRunner } from "../../src/acquisition/runner.ts";
import { Scheduler } from "../../src/acquisition/scheduler.ts";

/** What {@link runVirtual} saw. */
export interface VirtualRun {
  /** Every event, in order. */
  events: WireEvent[];
  /** Start-up lines by channel. */
  lines: Record<string, string[]>;
  /** Each channel's `/status` details at the end. */
  details: Record<string, Record<string, unknown>>;
  /** Virtual ms the bus spent transferring. */
  busyMs: number;
}

/** Options of {@link runVirtual}. */
export interface VirtualOptions {
  /** Virtual ms to run (default 1000). */
  durationMs?: number;
  /** Called at a virtual instant with the runner (e.g. a command). */
  at?: { ms: number; run: (runner: GroupRunner) => void | Promise<void> }[];
}

/** Runs `settings` on a virtual clock for `options.durationMs`. */
export async function runVirtual(
  settings: GroupSettings,
  options: VirtualOptions = {},
): Promise<VirtualRun> {
  const durationMs = options.durationMs ?? 1000;
  const pendingAt = [...(options.at ?? [])].sort((a, b) => a.ms - b.ms);
  let t = 1_000_000;
  const start = t;
  let busyMs = 0;
  const halted = Promise.withResolvers<void>();
  const release = Promise.withResolvers<void>();
  const held: { runner?: GroupRunner } = {};
  const scheduler = new Scheduler({
    now: () => t,
    async waitUntil(atMs) {
      while (pendingAt.length > 0 && pendingAt[0].ms + start <= atMs) {
        const next = pendingAt.shift()!;
        t = Math.max(t, next.ms + start);
        await next.run(held.runner!);
        return;
      }
      if (atMs - start > durationMs) {
        halted.resolve();
        await release.promise;
        return;
      }
      t = Math.max(t, atMs);
    },
    async between() {
      // A saturated bus never waits: the run ends between two turns then.
      if (t - start > durationMs) {
        halted.resolve();
        await release.promise;
      }
    },
  });
  const events: WireEvent[] = [];
  const units = buildGroup(settings, {
    now: () => t,
    sleepFor: (key) => scheduler.sleepFor(key),
    spend: (us) => {
      t += us / 1000;
      busyMs += us / 1000;
    },
  });
  const runner = held.runner = new GroupRunner(scheduler, units, {
    onEvent: (event) => events.push(event),
    wallNow: () => t,
  });
  const lines = await runner.start();
  await halted.promise;
  const details = runner.details();
  const stopping = runner.stop();
  release.resolve();
  await stopping;
  return { events, lines, details, busyMs };
}
