/**
 * main.ts as a user runs it, in a child `deno run` process: output collected as it
 * comes, waits with deadlines, and clean-up that never leaves a process behind.
 * @module
 */

const ROOT = new URL("..", import.meta.url);
const MAIN = new URL("main.ts", ROOT).pathname;
/** Variables the child needs to find deno's cache; nothing else leaks in. */
const PASS_THROUGH = ["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME", "TMPDIR"];
/** The start-up line, with the port in group 1. */
export const LISTENING = /listening on http:\/\/\S+:(\d+)\//;
/** Generous: the first `deno run` of a test run may have to load npm packages. */
const START_TIMEOUT_MS = 20_000;

/** Waits `ms` (only to space out polls). */
export function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` every 20 ms until it returns true; fails after `timeoutMs`. */
export async function poll(what: string, check: () => Promise<boolean>, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms: ${what}`);
    await wait(20);
  }
}

/** Rejects with `what` after `timeoutMs` unless `promise` settles first. */
export async function within<T>(what: string, promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Timed out after ${timeoutMs} ms: ${what}`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** main.ts in a child process, its output collected as it comes. */
export class Daemon {
  stdout = "";
  stderr = "";
  /** Resolves when the process has exited and both pipes are drained. */
  readonly exited: Promise<Deno.CommandStatus>;
  #child: Deno.ChildProcess;
  #done = false;
  #wakers = new Set<() => void>();

  constructor(
    env: Record<string, string>,
    options: {
      args?: string[];
      /** The script to run; defaults to main.ts. */
      entry?: string;
      cwd?: string | URL;
      allowWrite?: string;
      /** Runs the child under `ulimit -n` of this many open files (soft and hard). */
      openFiles?: number;
    } = {},
  ) {
    const base: Record<string, string> = { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" };
    for (const name of PASS_THROUGH) {
      const value = Deno.env.get(name);
      if (value !== undefined) base[name] = value;
    }
    const denoArgs = [
      "run",
      "--allow-net",
      "--allow-env",
      "--allow-read",
      "--allow-sys=hostname,networkInterfaces",
      options.allowWrite ? `--allow-write=${options.allowWrite}` : "--allow-write",
      options.entry ?? MAIN,
      ...(options.args ?? []),
    ];
    // bash's exec keeps the pid, so signals still reach deno itself.
    const [program, args] = options.openFiles === undefined
      ? [Deno.execPath(), denoArgs]
      : ["bash", [
        "-c",
        `ulimit -n ${options.openFiles} && exec "$@"`,
        "bash",
        Deno.execPath(),
        ...denoArgs,
      ]];
    this.#child = new Deno.Command(program, {
      args,
      cwd: options.cwd ?? ROOT,
      clearEnv: true,
      env: { ...base, ...env },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const pump = async (stream: ReadableStream<Uint8Array>, key: "stdout" | "stderr") => {
      for await (const text of stream.pipeThrough(new TextDecoderStream())) {
        this[key] += text;
        this.#wake();
      }
    };
    this.exited = Promise.all([
      pump(this.#child.stdout, "stdout"),
      pump(this.#child.stderr, "stderr"),
      this.#child.status,
    ]).then(([, , status]) => {
      this.#done = true;
      this.#wake();
      return status;
    });
  }

  #wake(): void {
    for (const wake of this.#wakers) wake();
  }

  /** Resolves with the first match of `pattern` in stdout + stderr. */
  waitFor(pattern: RegExp, timeoutMs = START_TIMEOUT_MS): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const match = (this.stdout + this.stderr).match(pattern);
        if (match) finish(() => resolve(match));
        else if (this.#done) {
          finish(() =>
            reject(new Error(`Exited before ${pattern}:\n${this.stdout}${this.stderr}`))
          );
        }
      };
      const timer = setTimeout(
        () => finish(() => reject(new Error(`No ${pattern} in ${timeoutMs} ms`))),
        timeoutMs,
      );
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        this.#wakers.delete(check);
        settle();
      };
      this.#wakers.add(check);
      check();
    });
  }

  get running(): boolean {
    return !this.#done;
  }

  kill(signal: Deno.Signal): void {
    this.#child.kill(signal);
  }

  /** Waits for the exit; a process still running after `timeoutMs` is killed. */
  async finish(timeoutMs = START_TIMEOUT_MS): Promise<Deno.CommandStatus> {
    try {
      return await within("main.ts to exit", this.exited, timeoutMs);
    } finally {
      if (!this.#done) {
        this.#child.kill("SIGKILL");
        await this.exited;
      }
    }
  }
}

/**
 * Starts main.ts on a free port with a fresh DATA_DIR (unless `env` names one) and
 * waits until `GET /status` answers; `fn` gets the daemon and its loopback base URL.
 */
export async function withDaemon(
  env: Record<string, string>,
  fn: (daemon: Daemon, url: string) => Promise<void>,
  options: { openFiles?: number } = {},
): Promise<void> {
  const ownDir = env.DATA_DIR === undefined;
  const dataDir = env.DATA_DIR ?? await Deno.makeTempDir({ prefix: "ina219-main-" });
  const daemon = new Daemon({
    PORT: "0",
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    MOCK_SEED: "1",
    SAMPLE_INTERVAL_MS: "50",
    ...env,
  }, options);
  try {
    const [, port] = await daemon.waitFor(LISTENING);
    const url = `http://127.0.0.1:${port}`;
    await poll("GET /status 200", async () => {
      const res = await fetch(`${url}/status`);
      await res.body?.cancel();
      return res.status === 200;
    });
    await fn(daemon, url);
  } finally {
    if (daemon.running) daemon.kill("SIGTERM");
    await daemon.finish(5000);
    if (ownDir) await Deno.remove(dataDir, { recursive: true });
  }
}
