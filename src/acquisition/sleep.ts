/**
 * Sub-millisecond sleeps for the acquisition Worker: timers are about 1 ms
 * granular, too coarse to wake just before an INA219 conversion ends (1.064 ms by
 * default), so the last part of a sleep blocks the thread in `Atomics.wait`. Only
 * for a Worker: a blocked main thread serves nobody.
 * @module
 */

const cell = new Int32Array(new SharedArrayBuffer(4));

/** How much of a sleep a timer may take: all but this many ms, which block. */
const TIMER_SLACK_MS = 2;

/**
 * Blocks this thread for `ms` (fractional). A 120 µs wait takes about 236 µs
 * (p50), a 900 µs one about 1030 µs, measured on the 2-core x86 of docs/hardware.md.
 */
export function blockFor(ms: number): void {
  if (ms > 0) Atomics.wait(cell, 0, 0, ms);
}

/**
 * Sleeps `ms` (fractional): a timer for all but the last {@link TIMER_SLACK_MS}
 * ms, so commands get through a long sleep, then {@link blockFor} the rest.
 */
export async function preciseSleep(
  ms: number,
  now: () => number = () => performance.now(),
): Promise<void> {
  const endMs = now() + ms;
  if (ms > TIMER_SLACK_MS + 1) {
    await new Promise((resolve) => setTimeout(resolve, ms - TIMER_SLACK_MS));
  }
  blockFor(endMs - now());
}
