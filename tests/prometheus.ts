/**
 * The real Prometheus tools for tests: `promtool` (on an exposition, a configuration, rule
 * files), and a Prometheus server on a free loopback port that scrapes one target every
 * second or runs a configuration it is given.
 * @module
 */

/** Path of Debian's promtool. */
export const PROMTOOL = "/usr/bin/promtool";
/** Path of Debian's Prometheus server. */
export const PROMETHEUS = "/usr/bin/prometheus";

/** Whether both are installed; in CI their absence is a failure, not a skip. */
export function prometheusAvailable(): boolean {
  try {
    Deno.statSync(PROMTOOL);
    Deno.statSync(PROMETHEUS);
    return true;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    if (Deno.env.get("CI") === "true") {
      throw new Error(`Cannot run the Prometheus tests: ${PROMTOOL} or ${PROMETHEUS} is missing`);
    }
    return false;
  }
}

/** `promtool check metrics` on `text`: its complaints (empty when it has none) and exit code. */
export async function promtoolCheck(text: string): Promise<{ code: number; output: string }> {
  const child = new Deno.Command(PROMTOOL, {
    args: ["check", "metrics"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
  const out = await child.output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, output: decode(out.stdout) + decode(out.stderr) };
}

/** Runs `promtool` with `args` in `cwd`; its exit code and output (stdout then stderr). */
export async function promtool(
  args: string[],
  cwd?: string,
): Promise<{ code: number; output: string }> {
  const out = await new Deno.Command(PROMTOOL, { args, cwd, stdout: "piped", stderr: "piped" })
    .output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, output: decode(out.stdout) + decode(out.stderr) };
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

/** A Prometheus server scraping `target` (`host:port`, path /metrics) every second. */
export class PrometheusServer {
  readonly port = freePort();
  #dir = Deno.makeTempDirSync({ prefix: "ina219-prometheus-" });
  #child: Deno.ChildProcess | undefined;

  /** Its temporary folder (configuration, data), removed by {@link dispose}. */
  get dir(): string {
    return this.#dir;
  }

  /** Starts the server; resolves once it answers (scrapes follow each second). */
  start(target: string): Promise<void> {
    const conf = `${this.#dir}/prometheus.yml`;
    Deno.writeTextFileSync(
      conf,
      [
        "global: { scrape_interval: 1s, evaluation_interval: 1s }",
        "scrape_configs:",
        "  - job_name: ina219",
        `    static_configs: [{ targets: ["${target}"] }]`,
        "",
      ].join("\n"),
    );
    return this.run(conf);
  }

  /** Starts the server with the configuration file `conf`; resolves once it answers. */
  async run(conf: string): Promise<void> {
    this.#child = new Deno.Command(PROMETHEUS, {
      args: [
        `--config.file=${conf}`,
        `--storage.tsdb.path=${this.#dir}/data`,
        `--web.listen-address=127.0.0.1:${this.port}`,
      ],
      stdout: "null",
      stderr: "null",
    }).spawn();
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        const res = await fetch(`http://127.0.0.1:${this.port}/-/ready`);
        await res.body?.cancel();
        if (res.ok) return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
      if (Date.now() > deadline) throw new Error("Prometheus did not become ready in 20 s");
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** `GET /api/v1/<path>`: the answer's `data`, or an error naming the path and the answer. */
  async api(path: string): Promise<unknown> {
    const res = await fetch(`http://127.0.0.1:${this.port}/api/v1/${path}`);
    const body = await res.json();
    if (body.status !== "success") throw new Error(`${path}: ${JSON.stringify(body)}`);
    return body.data;
  }

  /** An instant query's result vector: each series' labels and value. */
  async query(promql: string): Promise<{ metric: Record<string, string>; value: number }[]> {
    const res = await fetch(
      `http://127.0.0.1:${this.port}/api/v1/query?query=${encodeURIComponent(promql)}`,
    );
    const body = await res.json();
    if (body.status !== "success") throw new Error(`query ${promql}: ${JSON.stringify(body)}`);
    return body.data.result.map((
      r: { metric: Record<string, string>; value: [number, string] },
    ) => ({
      metric: r.metric,
      value: Number(r.value[1]),
    }));
  }

  /** Stops the server and removes its files. */
  async dispose(): Promise<void> {
    if (this.#child) {
      this.#child.kill("SIGTERM");
      await this.#child.status;
      this.#child = undefined;
    }
    await Deno.remove(this.#dir, { recursive: true });
  }
}
