/**
 * @module
 * Reads a process's resident memory and CPU time from Linux `/proc`, and
 * samples them over a benchmark window.
 */

/** Clock ticks per second of `/proc/<pid>/stat` times (`getconf CLK_TCK`). */
export const CLK_TCK = 100;

/** Resident set size of `pid` in bytes, from `VmRSS` in `/proc/<pid>/status`. */
export function readRssBytes(pid: number): number {
  const text = Deno.readTextFileSync(`/proc/${pid}/status`);
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(text);
  if (!match) throw new Error(`Cannot read VmRSS of pid ${pid}: no VmRSS line`);
  return Number(match[1]) * 1024;
}

/** User plus system CPU time of `pid` (all threads) in clock ticks, from `/proc/<pid>/stat`. */
export function readCpuTicks(pid: number): number {
  const text = Deno.readTextFileSync(`/proc/${pid}/stat`);
  // The command name (field 2) may hold spaces and parentheses: split after the last ")".
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
  return Number(fields[11]) + Number(fields[12]);
}

/** Resource use of a process over a window, from {@linkcode ProcSampler}. */
export interface ProcUsage {
  /** Largest RSS seen, bytes. */
  rssMaxBytes: number;
  /** RSS at the end of the window, bytes. */
  rssFinalBytes: number;
  /** CPU time over the window as a percentage of one core. */
  cpuPercent: number;
}

/** Samples a process's RSS every `intervalMs` and its CPU ticks at start and stop. */
export class ProcSampler {
  #pid: number;
  #timer: ReturnType<typeof setInterval>;
  #rssMaxBytes = 0;
  #startTicks: number;
  #startMs: number;

  /** Starts sampling `pid` now. */
  constructor(pid: number, intervalMs = 250) {
    this.#pid = pid;
    this.#startTicks = readCpuTicks(pid);
    this.#startMs = performance.now();
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), intervalMs);
  }

  #sample(): number {
    const rssBytes = readRssBytes(this.#pid);
    this.#rssMaxBytes = Math.max(this.#rssMaxBytes, rssBytes);
    return rssBytes;
  }

  /** Restarts the CPU window (RSS max is kept), e.g. after a warm-up. */
  resetCpu(): void {
    this.#startTicks = readCpuTicks(this.#pid);
    this.#startMs = performance.now();
  }

  /** Stops sampling and returns the usage since the start (or the last {@linkcode resetCpu}). */
  stop(): ProcUsage {
    clearInterval(this.#timer);
    const ticks = readCpuTicks(this.#pid) - this.#startTicks;
    const elapsedS = (performance.now() - this.#startMs) / 1000;
    const rssFinalBytes = this.#sample();
    return {
      rssMaxBytes: this.#rssMaxBytes,
      rssFinalBytes,
      cpuPercent: (ticks / CLK_TCK) / elapsedS * 100,
    };
  }
}

/** Busy and total CPU ticks of the whole machine (all cores), from the first line of `/proc/stat`. */
export function readMachineTicks(): { busy: number; total: number } {
  const line = Deno.readTextFileSync("/proc/stat").split("\n", 1)[0];
  // cpu user nice system idle iowait irq softirq steal guest guest_nice
  const fields = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = fields.reduce((sum, value) => sum + value, 0);
  const idle = fields[3] + fields[4];
  return { busy: total - idle, total };
}

/** Measures the machine's busy CPU over a window, as % of one core (200 = both of 2 cores busy). */
export class MachineSampler {
  #start = readMachineTicks();
  #startMs = performance.now();

  /** Busy CPU since construction, % of one core. */
  busyPercent(): number {
    const { busy } = readMachineTicks();
    const elapsedS = (performance.now() - this.#startMs) / 1000;
    return ((busy - this.#start.busy) / CLK_TCK) / elapsedS * 100;
  }
}

/**
 * Waits until the machine's busy CPU over `sampleMs` is at most `maxPercent` of one core,
 * checking again and again for at most `limitMs`; returns the last reading.
 */
export async function waitForQuiet(
  maxPercent: number,
  options: { sampleMs?: number; limitMs?: number } = {},
): Promise<{ busyPercent: number; waitedMs: number; quiet: boolean }> {
  const { sampleMs = 2_000, limitMs = 300_000 } = options;
  const startMs = performance.now();
  while (true) {
    const sampler = new MachineSampler();
    await new Promise((resolve) => setTimeout(resolve, sampleMs));
    const busyPercent = sampler.busyPercent();
    const waitedMs = performance.now() - startMs;
    if (busyPercent <= maxPercent || waitedMs >= limitMs) {
      return { busyPercent, waitedMs, quiet: busyPercent <= maxPercent };
    }
  }
}
