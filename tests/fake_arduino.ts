/**
 * The v1 Arduino device, faked on the master side of a pseudo-terminal: the source
 * opens the slave (through a symlink the test can re-point, as udev re-creates
 * /dev/ttyACM0 on a replug), the fake prints the v1 JSON lines, answers its
 * commands as the v1 device's sketch does (intervals 100–10000 ms, its five modes, the
 * same `message` texts), and can hang up.
 * @module
 */

const SYMBOLS = {
  posix_openpt: { parameters: ["i32"], result: "i32" },
  grantpt: { parameters: ["i32"], result: "i32" },
  unlockpt: { parameters: ["i32"], result: "i32" },
  ptsname_r: { parameters: ["i32", "buffer", "usize"], result: "i32" },
  read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  close: { parameters: ["i32"], result: "i32" },
} as const;
const O_RDWR_NOCTTY_NONBLOCK = 0o2 | 0o400 | 0o4000;
/** The modes the v1 device's sketch knows. */
const DEVICE_MODES = ["NORMAL", "LOAD_SPIKE", "VOLTAGE_DROP", "NOISE", "ERROR_TEST"];

/** Polls `check` every 5 ms until it holds; fails after `timeoutMs`. */
export async function until(what: string, check: () => boolean, timeoutMs = 3000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A fake device on a fresh pseudo-terminal, reachable at `linkPath`. */
export class FakeArduino {
  readonly linkPath: string;
  readonly slavePath: string;
  /** Command lines the source sent, parsed. */
  readonly commands: { cmd: string; value?: unknown; seq: number }[] = [];
  /**
   * Commands answered with `"result":"error"` whatever their value; `silent` ones
   * get no answer at all; `garble` ones an ack whose `result` is neither.
   */
  refuse = new Set<string>();
  silent = new Set<string>();
  garble = new Set<string>();
  seq = 0;
  mode = "NORMAL";
  /** The device's own interval, changed only by a `set_interval` it accepts. */
  intervalMs = 1000;
  #lib: Deno.DynamicLibrary<typeof SYMBOLS>;
  #fd: number;
  #timer: ReturnType<typeof setInterval>;
  #partial = "";

  private constructor(linkPath: string) {
    this.linkPath = linkPath;
    this.#lib = Deno.dlopen("libc.so.6", SYMBOLS);
    const s = this.#lib.symbols;
    this.#fd = s.posix_openpt(O_RDWR_NOCTTY_NONBLOCK);
    if (this.#fd < 0 || s.grantpt(this.#fd) !== 0 || s.unlockpt(this.#fd) !== 0) {
      throw new Error("Cannot create a pseudo-terminal");
    }
    const name = new Uint8Array(128);
    s.ptsname_r(this.#fd, name, BigInt(name.length));
    this.slavePath = new TextDecoder().decode(name.subarray(0, name.indexOf(0)));
    this.#timer = setInterval(() => this.#poll(), 5);
  }

  /** A new device; `linkPath` (re)points at its port. */
  static async plugIn(linkPath: string): Promise<FakeArduino> {
    const device = new FakeArduino(linkPath);
    await Deno.remove(linkPath).catch(() => {});
    await Deno.symlink(device.slavePath, linkPath);
    return device;
  }

  /** Writes raw text to the line, as the device would print it. */
  print(text: string): void {
    const bytes = new TextEncoder().encode(text);
    this.printBytes(bytes);
  }

  printBytes(bytes: Uint8Array): void {
    const copy = new Uint8Array(bytes);
    const n = Number(this.#lib.symbols.write(this.#fd, copy, BigInt(copy.length)));
    if (n !== copy.length) throw new Error(`fake device wrote ${n} of ${copy.length} bytes`);
  }

  /** One measurement line in the v1 format. */
  measure(fields: Record<string, unknown> = {}): void {
    const seq = ++this.seq;
    this.print(
      JSON.stringify({
        v: 5.012,
        a: 0.213,
        w: 1.068,
        ts: 1000 * seq,
        seq,
        status: "ok",
        mode: this.mode,
        ...fields,
      }) + "\n",
    );
  }

  status(message: string): void {
    this.print(JSON.stringify({ type: "status", message, ts: 1000 * this.seq }) + "\n");
  }

  /** Pulls the cable: the master closes, the source reads end of file or EIO. */
  unplug(): void {
    if (this.#fd < 0) return;
    clearInterval(this.#timer);
    this.#lib.symbols.close(this.#fd);
    this.#fd = -1;
    this.#lib.close();
  }

  #poll(): void {
    const buffer = new Uint8Array(4096);
    const n = Number(this.#lib.symbols.read(this.#fd, buffer, BigInt(buffer.length)));
    if (n <= 0) return;
    const parts = (this.#partial + new TextDecoder().decode(buffer.subarray(0, n))).split("\n");
    this.#partial = parts.pop()!;
    for (const line of parts) this.#answer(line);
  }

  /** Answers one command line as the v1 device's sketch does (its ranges and its words). */
  #answer(line: string): void {
    let command;
    try {
      command = JSON.parse(line);
    } catch {
      return this.status("Unknown command. Type HELP for available commands.");
    }
    this.commands.push(command);
    if (this.silent.has(command.cmd)) return;
    const ack = (result: string, fields: Record<string, unknown>) =>
      this.print(JSON.stringify({ ack: command.seq, result, ...fields }) + "\n");
    if (this.garble.has(command.cmd)) return ack("maybe", {});
    if (this.refuse.has(command.cmd)) return ack("error", { message: "value out of range" });
    switch (command.cmd) {
      case "set_interval":
        if (!(command.value >= 100 && command.value <= 10_000)) {
          return ack("error", { message: "Invalid interval range (100-10000ms)" });
        }
        this.intervalMs = command.value;
        return ack("ok", { message: "Interval updated" });
      case "set_mode":
        if (!DEVICE_MODES.includes(command.value)) return ack("error", { message: "Invalid mode" });
        this.mode = command.value;
        return ack("ok", { message: `Mode changed to ${command.value}` });
      case "get_status":
        return ack("ok", {
          uptime: 1000 * this.seq,
          interval: this.intervalMs,
          mode: this.mode,
          sequence: this.seq,
        });
      case "reset":
        return ack("ok", { message: "Resetting..." });
      default:
        return ack("error", { message: "Unknown command" });
    }
  }
}
