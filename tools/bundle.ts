/**
 * @module
 * `deno task build`'s first step: `deno bundle` of `main.ts` into one minified file,
 * `dist/ina219-monitor.js` (and of the acquisition and checkpoint Workers into
 * `dist/acquisition-worker.js` and `dist/checkpoint-worker.js`),
 * then one edit. For the CommonJS packages inside (prom-client
 * and mqtt, loaded on first use) `deno bundle` starts the file with
 * `import { createRequire } from "node:module"`, and importing `node:module` loads
 * Deno's Node module loader and its bindings at start-up: +2.4 MiB RSS for a server
 * that never loads either package (docs/benchmarks.md). The edit makes that `require`
 * lazy: it reaches `node:module` through `process.getBuiltinModule` on its first call.
 * The replacement is padded to the original's length so the external source map
 * stays right.
 *
 * ```sh
 * deno run --allow-run=deno --allow-read=. --allow-write=dist tools/bundle.ts
 * ```
 */

/** The bundle `deno task start` runs. */
export const OUTPUT = "dist/ina219-monitor.js";
/**
 * The acquisition Worker's own bundle, beside {@link OUTPUT}: src/acquisition/client.ts
 * starts it from there when it runs bundled.
 */
export const WORKER_OUTPUT = "dist/acquisition-worker.js";
/**
 * The checkpoint Worker's bundle, beside {@link OUTPUT}: src/store/checkpointer.ts starts
 * it from there when it runs bundled.
 */
export const CHECKPOINT_WORKER_OUTPUT = "dist/checkpoint-worker.js";

const EAGER_REQUIRE =
  /import\{createRequire as (__deno_internal_createRequire)\} from "node:module";var ([A-Za-z_$][\w$]*)=\1\(import\.meta\.url\);/;

/**
 * `text` with its eager `createRequire` import replaced by a lazy `require` of the
 * same name and length; unchanged when it has none. Throws when `text` imports
 * `node:module` in a form this does not know (a newer `deno bundle`), so the saving is
 * not lost unnoticed.
 */
export function lazyNodeRequire(text: string): string {
  const match = text.match(EAGER_REQUIRE);
  if (!match) {
    if (/from\s*"node:module"/.test(text)) {
      throw new Error("The bundle imports node:module in an unknown form: update tools/bundle.ts");
    }
    return text;
  }
  const name = match[2];
  const lazy =
    `var ${name}__m,${name}=e=>(${name}__m??=process.getBuiltinModule("node:module").createRequire(import.meta.url))(e);`;
  if (lazy.length > match[0].length) throw new Error("Lazy require longer than the import");
  return text.replace(match[0], lazy.padEnd(match[0].length, " "));
}

async function bundle(entry: string, output: string): Promise<void> {
  const { code } = await new Deno.Command("deno", {
    args: [
      "bundle",
      "--quiet",
      "--platform=deno",
      "--minify",
      "--sourcemap=external",
      "--output",
      output,
      entry,
    ],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (code !== 0) Deno.exit(code);
  await Deno.writeTextFile(output, lazyNodeRequire(await Deno.readTextFile(output)));
}

async function main(): Promise<void> {
  await bundle("main.ts", OUTPUT);
  await bundle("src/acquisition/worker.ts", WORKER_OUTPUT);
  await bundle("src/store/checkpoint_worker.ts", CHECKPOINT_WORKER_OUTPUT);
}

if (import.meta.main) await main();
