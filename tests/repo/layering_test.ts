/**
 * The layers stay apart: pure code (analysis, derived channels, the protocol, the sample, register
 * math, hardware facts, the settings) reaches no HTTP framework, database, network or
 * file I/O, the hub knows nothing of Hono, and the configuration reaches no source,
 * analysis, store, HTTP or integration module. Reads the real module graph with `deno info --json`, so type-only
 * and indirect imports count too.
 * @module
 */
import assert from "node:assert/strict";
import { relative } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";

const ROOT = new URL("../../", import.meta.url);

interface Graph {
  modules: { specifier: string; kind: string }[];
}

/** Every module `path` reaches, directly or not (itself included). */
async function reachable(path: string): Promise<string[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", path],
    cwd: fromFileUrl(ROOT),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.ok(out.success, `deno info ${path} failed: ${stderr}`);
  const graph: Graph = JSON.parse(new TextDecoder().decode(out.stdout));
  return graph.modules.map((m) => m.specifier);
}

/** A module as it reads in a message: a repository path, or the import specifier. */
function shown(specifier: string): string {
  return specifier.startsWith("file:")
    ? relative(fromFileUrl(ROOT), fromFileUrl(specifier))
    : specifier;
}

const HONO = /^npm:\/(hono|@hono\/[^@]+)@/;
const IO_LAYERS = /^src\/(http|store|integrations)\//;

/**
 * What a pure module must not reach: Hono, node: built-ins (node:sqlite, node:fs,
 * node:net…), npm packages other than zod, and the I/O layers.
 */
function pureViolation(specifier: string): string | undefined {
  const name = shown(specifier);
  if (HONO.test(specifier)) return `${name} (HTTP framework)`;
  if (specifier.startsWith("node:")) return `${name} (runtime I/O)`;
  if (specifier.startsWith("npm:") && !/^npm:\/zod@/.test(specifier)) return `${name} (npm)`;
  if (/^(jsr|https?):/.test(specifier)) return `${name} (remote module)`;
  if (IO_LAYERS.test(name)) return `${name} (I/O layer)`;
  return undefined;
}

/** The modules that must stay pure. */
async function pureModules(): Promise<string[]> {
  const files: string[] = [
    "src/sample.ts",
    "src/host_names.ts",
    "src/settings.ts",
    "src/recordings/triggers.ts",
    "src/recordings/trigger_manager.ts",
  ];
  for (
    const dir of ["src/analysis", "src/derived", "src/protocol", "src/sources", "src/hardware"]
  ) {
    for await (const entry of Deno.readDir(new URL(dir, ROOT))) {
      if (!entry.isFile || !entry.name.endsWith(".ts")) continue;
      if (dir === "src/sources" && !entry.name.endsWith("_registers.ts")) continue;
      files.push(`${dir}/${entry.name}`);
    }
  }
  return files.sort();
}

/** Violations of the pure rule for `path`: what it reaches, and any use of `Deno.*`. */
async function pureViolations(path: string): Promise<string[]> {
  const found = (await reachable(path)).map(pureViolation).filter((v) => v !== undefined);
  const text = await Deno.readTextFile(new URL(path, ROOT));
  if (/\bDeno\.\w+/.test(text.replace(/^\s*(\/\/|\*).*$/gm, ""))) {
    found.push("Deno.* (runtime I/O)");
  }
  return found;
}

Deno.test("pure modules reach no HTTP framework, database, runtime I/O or I/O layer", async (t) => {
  const modules = await pureModules();
  assert.ok(modules.length >= 15, `found only ${modules.join(", ")}`);
  for (const path of modules) {
    await t.step(path, async () => assert.deepEqual(await pureViolations(path), [], path));
  }
});

Deno.test("src/hub.ts does not reach Hono", async () => {
  const hono = (await reachable("src/hub.ts")).filter((s) => HONO.test(s));
  assert.deepEqual(hono, []);
});

Deno.test("the layering check finds violations where they are", async () => {
  // The HTTP app is the opposite of pure: the check must see Hono, the store and node:.
  const found = await pureViolations("src/http/app.ts");
  assert.ok(found.some((v) => v.includes("hono@")), found.join("\n"));
  assert.ok(found.some((v) => v.startsWith("src/store/")), found.join("\n"));
  assert.ok(found.some((v) => v.startsWith("node:sqlite")), found.join("\n"));
  assert.ok((await pureViolations("src/store/store.ts")).includes("Deno.* (runtime I/O)"));
});

/** The layers configuration must not reach: they are built from it, not the other way. */
const BUILT_FROM_CONFIG = /^src\/(sources|analysis|store|http|integrations)\//;

/** The modules under src/ that `path` reaches and configuration must not. */
async function configViolations(path: string): Promise<string[]> {
  return (await reachable(path)).map(shown).filter((name) => BUILT_FROM_CONFIG.test(name));
}

Deno.test("src/config.ts reaches no source, analysis, store, HTTP or integration module", async () => {
  assert.deepEqual(await configViolations("src/config.ts"), []);
  // The check sees them where they are: the composition root reaches every layer.
  const wiring = await configViolations("src/monitor.ts");
  for (const layer of ["sources", "analysis", "store", "http", "integrations"]) {
    assert.ok(wiring.some((name) => name.startsWith(`src/${layer}/`)), layer);
  }
});
