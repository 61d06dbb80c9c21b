/**
 * README.ko.md, the Korean quick start, configuration basics and Raspberry Pi deployment,
 * runs exactly the commands README.md runs: every shell block of it is in README.md.
 * @module
 */
import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url);

/** The ```sh blocks of a Markdown text. */
function shellBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
}

Deno.test("README.ko.md's commands are README.md's, and each links the other", async () => {
  const en = await Deno.readTextFile(new URL("README.md", ROOT));
  const ko = await Deno.readTextFile(new URL("README.ko.md", ROOT));
  const blocks = shellBlocks(ko);
  assert.ok(blocks.length >= 4, `${blocks.length} command blocks`);
  const english = shellBlocks(en);
  for (const block of blocks) assert.ok(english.includes(block), `not in README.md:\n${block}`);
  assert.match(en, /\]\(README\.ko\.md\)/);
  assert.match(ko, /\]\(README\.md\)/);
});
