/**
 * Every export of src/ and main.ts keeps its JSDoc summary and an explicit return type:
 * runs `deno doc --lint` on them and fails on any `missing-jsdoc` or
 * `missing-return-type`, naming each symbol. The lint's other complaints are left
 * alone: `private-type-ref` fires on library types (zod's `output`, Hono's `Context`)
 * and `missing-explicit-type` on zod schema constants, whose written-out type
 * (`z.ZodObject<...>`) would say less than the schema itself.
 * @module
 */
import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";

const ROOT = fromFileUrl(new URL("../../", import.meta.url));

/** The lint rules this test enforces. */
const ENFORCED = new Set(["missing-jsdoc", "missing-return-type"]);

/** One complaint of `deno doc --lint`. */
interface Finding {
  rule: string;
  /** Path relative to the repository, e.g. `src/hub.ts`. */
  path: string;
  line: number;
  /** The source line the complaint points at: names the symbol. */
  source: string;
}

/** Every `.ts` file under `dir` (relative to the repository), sorted. */
async function tsFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(join(ROOT, dir))) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) files.push(...await tsFiles(path));
    else if (entry.isFile && entry.name.endsWith(".ts")) files.push(path);
  }
  return files.sort();
}

/** Parses the diagnostics of `deno doc --lint` (colours off). */
function parseFindings(output: string): Finding[] {
  const pattern = /^error\[([a-z-]+)\]:[^\n]*\n\s*--> (.+):(\d+):\d+\n[^\n]*\n\s*\d+ \|([^\n]*)/gm;
  return [...output.matchAll(pattern)].map(([, rule, file, line, source]) => ({
    rule,
    path: relative(ROOT, file).replaceAll("\\", "/"),
    line: Number(line),
    source: source.trim(),
  }));
}

Deno.test("parseFindings() reads the rule, place and symbol of each complaint", () => {
  const output = [
    "error[missing-jsdoc]: exported symbol is missing JSDoc documentation",
    `  --> ${join(ROOT, "src/hub.ts")}:21:14`,
    "   | ",
    "21 | export const CLOSE_TOO_BIG = 1009;",
    "   |              ^",
    "",
    "",
    "error[missing-return-type]: exported function is missing an explicit return type annotation",
    `  --> ${join(ROOT, "src/http/route_helpers.ts")}:12:17`,
    "   | ",
    "12 | export function json<T>(schema: T, description: string) {",
    "   |                 ^",
  ].join("\n");
  assert.deepEqual(parseFindings(output), [
    {
      rule: "missing-jsdoc",
      path: "src/hub.ts",
      line: 21,
      source: "export const CLOSE_TOO_BIG = 1009;",
    },
    {
      rule: "missing-return-type",
      path: "src/http/route_helpers.ts",
      line: 12,
      source: "export function json<T>(schema: T, description: string) {",
    },
  ]);
});

Deno.test("deno doc --lint finds no undocumented export and no missing return type", async () => {
  const files = [...await tsFiles("src"), "main.ts"];
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--lint", ...files],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const output = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  // A clean run says "Checked N files"; one with complaints counts them. Anything else
  // (a module that does not load) would otherwise pass with no findings at all.
  assert.match(output, /Checked \d+ files?|Found \d+ documentation lint errors?/, output);
  const findings = parseFindings(output)
    .filter((f) => ENFORCED.has(f.rule))
    .sort((x, y) => x.path.localeCompare(y.path) || x.line - y.line);
  const report = findings.map((f) => `${f.path}:${f.line} ${f.rule}: ${f.source}`).join("\n");
  assert.equal(findings.length, 0, `Exports to document or type:\n${report}`);
});
