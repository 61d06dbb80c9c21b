/**
 * The documentation's relative links resolve: every link in README.md and docs/*.md
 * points at a file that exists, and every `#anchor` at a heading of its target, slugged
 * the way GitHub does. Written by hand (about fifty lines) rather than with a Markdown
 * library: inline links, reference definitions, code spans and fences are all the docs
 * use, and a parser would be one more package to install.
 * @module
 */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** One link as written: the file it is in, its line, and its target. */
export interface Link {
  file: string;
  line: number;
  target: string;
}

/** Removes fenced code blocks (keeping line numbers) and inline code spans. */
function stripCode(markdown: string): string[] {
  let fence: string | undefined;
  return markdown.split("\n").map((line) => {
    const open = line.match(/^ {0,3}(`{3,}|~{3,})/);
    if (fence) {
      if (open && open[1][0] === fence[0] && open[1].length >= fence.length) fence = undefined;
      return "";
    }
    if (open) {
      fence = open[1];
      return "";
    }
    return line.replace(/(`+)[^`]*?\1/g, "");
  });
}

/** Every inline link, image and reference definition of a Markdown text. */
export function extractLinks(file: string, markdown: string): Link[] {
  const links: Link[] = [];
  stripCode(markdown).forEach((text, i) => {
    // [text](target "title") and ![alt](target); the target may be in <angle brackets>.
    for (const m of text.matchAll(/!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*(<[^>]*>|[^\s)]+)/g)) {
      links.push({ file, line: i + 1, target: m[1].replace(/^<|>$/g, "") });
    }
    const definition = text.match(/^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/);
    if (definition) links.push({ file, line: i + 1, target: definition[1].replace(/^<|>$/g, "") });
  });
  return links;
}

/** GitHub's heading anchors (github-slugger): lower case, punctuation dropped, spaces → `-`. */
export function headingSlugs(markdown: string): Set<string> {
  const slugs = new Set<string>();
  const seen = new Map<string, number>();
  let fence = false;
  for (const line of markdown.split("\n")) {
    if (/^ {0,3}(`{3,}|~{3,})/.test(line)) fence = !fence;
    const heading = !fence && line.match(/^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/);
    if (!heading) continue;
    const text = heading[1]
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1") // a link's text only
      .replace(/<[^>]+>/g, ""); // inline HTML
    const base = text.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "").replace(/ /g, "-");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    slugs.add(n === 0 ? base : `${base}-${n}`);
  }
  return slugs;
}

/** The broken relative links among `links`, each as `file:line: target: why`. */
export async function brokenLinks(
  links: Link[],
  read: (path: string) => Promise<string | undefined>,
): Promise<string[]> {
  const broken: string[] = [];
  for (const link of links) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(link.target) || link.target.startsWith("//")) continue;
    const [rawPath, anchor] = link.target.split("#", 2) as [string, string | undefined];
    const path = rawPath === "" ? link.file : join(dirname(link.file), decodeURI(rawPath));
    const where = `${link.file}:${link.line}: ${link.target}`;
    const content = await read(path);
    if (content === undefined) {
      broken.push(`${where}: no file ${path}`);
      continue;
    }
    if (anchor !== undefined && !/\.md$/i.test(path)) continue;
    if (anchor !== undefined && !headingSlugs(content).has(decodeURIComponent(anchor))) {
      broken.push(`${where}: no heading #${anchor} in ${path}`);
    }
  }
  return broken;
}

/** Reads a file under the repository, or `undefined` when there is none. */
async function readRepoFile(path: string): Promise<string | undefined> {
  try {
    const stat = await Deno.stat(join(ROOT, path));
    return stat.isDirectory ? "" : await Deno.readTextFile(join(ROOT, path));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

async function docFiles(): Promise<string[]> {
  const files = ["README.md", "README.ko.md"];
  for await (const entry of Deno.readDir(join(ROOT, "docs"))) {
    if (entry.isFile && entry.name.endsWith(".md")) files.push(`docs/${entry.name}`);
  }
  return files.sort();
}

Deno.test("headingSlugs() slugs headings as GitHub does", () => {
  const slugs = headingSlugs(
    [
      "# Quick start",
      "## `GET /status`",
      "### `/status` → `source_details`",
      "## What `deno task start` may write",
      "## Quick start",
      "```",
      "# not a heading",
      "```",
      "## [Linked](x.md) heading",
    ].join("\n"),
  );
  assert.deepEqual([...slugs], [
    "quick-start",
    "get-status",
    "status--source_details",
    "what-deno-task-start-may-write",
    "quick-start-1",
    "linked-heading",
  ]);
});

Deno.test("extractLinks() finds links and images but none in code", () => {
  const links = extractLinks(
    "docs/a.md",
    [
      'See [api](api.md#errors) and ![shot](screenshot.png "title").',
      "Not `[code](nope.md)`, nor in a fence:",
      "```",
      "[fenced](nope.md)",
      "```",
      "[ref]: <other file.md>",
    ].join("\n"),
  );
  assert.deepEqual(links.map((l) => [l.line, l.target]), [
    [1, "api.md#errors"],
    [1, "screenshot.png"],
    [6, "other file.md"],
  ]);
});

Deno.test("brokenLinks() reports a missing file and a missing anchor", async () => {
  const files: Record<string, string> = {
    "README.md": "# Top\n",
    "docs/api.md": "# API\n\n## Errors\n",
  };
  const read = (path: string) => Promise.resolve(files[path]);
  const links = extractLinks(
    "README.md",
    "[ok](docs/api.md#errors) [gone](docs/nope.md) [bad](docs/api.md#nope) [self](#top) " +
      "[web](https://example.com/x.md) [self-bad](#nowhere)",
  );
  assert.deepEqual(await brokenLinks(links, read), [
    "README.md:1: docs/nope.md: no file docs/nope.md",
    "README.md:1: docs/api.md#nope: no heading #nope in docs/api.md",
    "README.md:1: #nowhere: no heading #nowhere in README.md",
  ]);
});

Deno.test("README.md and docs/*.md: every relative link and anchor resolves", async () => {
  const links: Link[] = [];
  for (const file of await docFiles()) {
    links.push(...extractLinks(file, await Deno.readTextFile(join(ROOT, file))));
  }
  assert.ok(links.length > 50, `only ${links.length} links found: is the parser broken?`);
  const broken = await brokenLinks(links, readRepoFile);
  assert.deepEqual(broken, [], "broken links in README.md or docs/*.md");
});
