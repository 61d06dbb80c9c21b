/**
 * @module
 * Starts the monitor server as a subprocess on a free loopback port for a
 * benchmark run, waits until `GET /status` answers, and stops it with SIGTERM.
 */

import denoJson from "../deno.json" with { type: "json" };

/** The repository root: where `main.ts` lives. */
export const REPO_DIR: string = new URL("..", import.meta.url).pathname;

/** The V8 flags of `deno task start`, so the benchmarks measure what users run. */
export function startV8Flags(): string[] {
  return denoJson.tasks.start.split(" ").filter((word) => word.startsWith("--v8-flags="));
}

/** Options for {@linkcode startServer}. */
export interface StartServerOptions {
  /** `SAMPLE_INTERVAL_MS` of the server. */
  sampleIntervalMs: number;
  /** `STATUS_INTERVAL_S` of the server; defaults to 5. */
  statusIntervalS?: number;
  /** Directory holding `main.ts`; defaults to {@linkcode REPO_DIR}. */
  serverDir?: string;
  /** The script to run, relative to `serverDir`; defaults to `main.ts`. */
  entry?: string;
  /** Extra `deno run` flags; defaults to {@linkcode startV8Flags} (pass `[]` for none). */
  denoFlags?: readonly string[];
  /** How long to wait for `/status` to answer 200; defaults to 30 s. */
  readyTimeoutMs?: number;
  /** Further settings of the server (they win over the ones above). */
  env?: Record<string, string>;
}

/** A running server subprocess. */
export interface ServerHandle {
  /** `http://127.0.0.1:<port>` */
  baseUrl: string;
  /** `ws://127.0.0.1:<port>/ws` */
  wsUrl: string;
  /** Process id of the server (the `deno` process itself, no shell between). */
  pid: number;
  /** Sends SIGTERM, waits for exit (SIGKILL after 5 s) and removes the temp dir. */
  stop(): Promise<ServerExit>;
}

/** How the server ended. */
export interface ServerExit {
  /** Exit code; 0 is a clean SIGTERM shutdown. */
  code: number;
  /** Milliseconds from SIGTERM to exit. */
  stopMs: number;
  /** The last 2000 characters of the server's stdout and stderr. */
  logTail: string;
}

/** Returns a loopback TCP port that was free a moment ago. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Fetches and parses `GET /status`. */
export async function fetchStatus(
  baseUrl: string,
): Promise<Record<string, unknown>> {
  const response = await fetch(`${baseUrl}/status`);
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`GET ${baseUrl}/status failed: HTTP ${response.status}`);
  }
  return await response.json();
}

/**
 * Starts `deno run main.ts` (or `entry`) with the permissions of `deno task start`, a mock
 * source (unless `env` sets `SENSOR`) and a temp `DATA_DIR`, and waits until it serves `/status`.
 */
export async function startServer(
  options: StartServerOptions,
): Promise<ServerHandle> {
  const serverDir = options.serverDir ?? REPO_DIR;
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  const tempDir = await Deno.makeTempDir({ prefix: "ina219-bench-" });
  const logPath = `${tempDir}/server.log`;
  const port = freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const child = new Deno.Command("deno", {
    args: [
      "run",
      "--allow-net",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      // As `deno task start`: FFI for a real I2C bus (the acquisition Worker inherits
      // these), and the host names the Host check accepts.
      "--allow-ffi",
      "--allow-sys=hostname,networkInterfaces",
      ...options.denoFlags ?? startV8Flags(),
      options.entry ?? "main.ts",
    ],
    cwd: serverDir,
    env: {
      PORT: String(port),
      HOST: "127.0.0.1",
      SAMPLE_INTERVAL_MS: String(options.sampleIntervalMs),
      MOCK_AUTO_ROTATE_S: "0",
      MOCK_SEED: "1",
      DATA_DIR: `${tempDir}/data`,
      STATUS_INTERVAL_S: String(options.statusIntervalS ?? 5),
      NO_COLOR: "1",
      ...options.env,
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const log = await Deno.open(logPath, { write: true, create: true });
  const logSink = () =>
    new WritableStream<Uint8Array>({
      write: async (chunk) => {
        for (let done = 0; done < chunk.length;) {
          done += await log.write(chunk.subarray(done));
        }
      },
    });
  // Drained continuously into one file so the server never blocks on a full pipe.
  const drained = Promise.all([
    child.stdout.pipeTo(logSink()),
    child.stderr.pipeTo(logSink()),
  ]);

  let stopped: Promise<ServerExit> | undefined;
  const stop = (): Promise<ServerExit> => {
    stopped ??= (async () => {
      const startMs = performance.now();
      try {
        child.kill("SIGTERM");
      } catch (error) {
        if (!(error instanceof TypeError)) throw error; // TypeError: already exited
      }
      const timer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch (error) {
          if (!(error instanceof TypeError)) throw error;
        }
      }, 5_000);
      const { code } = await child.status;
      const stopMs = performance.now() - startMs;
      clearTimeout(timer);
      await drained;
      log.close();
      const logTail = (await Deno.readTextFile(logPath)).slice(-2000);
      await Deno.remove(tempDir, { recursive: true });
      return { code, stopMs, logTail };
    })();
    return stopped;
  };

  const deadline = Date.now() + readyTimeoutMs;
  while (true) {
    try {
      await fetchStatus(baseUrl);
      break;
    } catch (error) {
      const exited = await Promise.race([
        child.status.then(() => true),
        new Promise<false>((resolve) => setTimeout(() => resolve(false), 100)),
      ]);
      if (exited || Date.now() > deadline) {
        const { logTail } = await stop();
        const reason = exited ? "it exited" : `no answer in ${readyTimeoutMs} ms`;
        throw new Error(
          `Cannot start server in "${serverDir}": ${reason} (${error})\n${logTail}`,
        );
      }
    }
  }
  return {
    baseUrl,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    pid: child.pid,
    stop,
  };
}
