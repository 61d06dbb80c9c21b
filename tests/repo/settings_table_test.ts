import assert from "node:assert/strict";
import { helpText } from "../../src/config.ts";
import { settingDocs, SETTINGS } from "../../src/settings.ts";
import {
  BEGIN,
  CANDIDATES,
  END,
  findTarget,
  renderTable,
  withTable,
} from "../../tools/settings_table.ts";

const ROOT = new URL("../../", import.meta.url);

Deno.test("the docs' settings table is the one the settings render (deno task docs:settings)", async () => {
  const { path, text } = await findTarget(ROOT);
  assert.equal(
    text,
    withTable(text, renderTable()),
    `${path} disagrees with src/settings.ts: run deno task docs:settings`,
  );
});

Deno.test("renderTable() has one row per setting with its variable, flag, default and help", () => {
  const lines = renderTable().split("\n");
  assert.equal(lines.length, 2 + Object.keys(SETTINGS).length);
  assert.match(lines[0], /^\| variable +\| flag +\| default +\| meaning +\|$/);
  const port = lines.find((l) => l.startsWith("| `PORT` "));
  assert.match(port ?? "", /^\| `PORT` +\| `--port` +\| `8000` +\| TCP port .*free one\) +\|$/);
  const seed = lines.find((l) => l.startsWith("| `MOCK_SEED` "));
  assert.match(seed ?? "", /\| unset +\| seed for reproducible mock values \(unset = random\)/);
  // Every row is as wide as the header: the table is aligned as deno fmt aligns it.
  assert.ok(lines.every((l) => [...l].length === [...lines[0]].length));
  // A pipe in a help text would split its cell: it is escaped.
  const piped = renderTable([{ variable: "X", flag: "--x", default: "a|b", meaning: "m" }]);
  assert.match(piped, /\| a\\\|b +\|/);
});

Deno.test("settingDocs() and helpText() come from the same settings", () => {
  const help = helpText();
  for (const doc of settingDocs()) {
    assert.ok(help.includes(`${doc.flag} <value>  (${doc.variable}, default: `), doc.variable);
    assert.ok(help.includes(doc.meaning.replaceAll("`", "")), doc.variable);
  }
  assert.ok(!help.includes("`"), "--help shows no Markdown");
});

Deno.test("withTable() replaces what is between the markers and refuses a file without them", () => {
  const text = `# Configuration\n\n${BEGIN}\nold\n${END}\n\nAfter.\n`;
  assert.equal(
    withTable(text, "| new |"),
    `# Configuration\n\n${BEGIN}\n\n| new |\n\n${END}\n\nAfter.\n`,
  );
  assert.throws(() => withTable("# No table\n", "| new |"), /expected <!-- settings:begin -->/);
  assert.throws(() => withTable(`${END}\n${BEGIN}\n`, "| new |"), /Cannot place/);
});

Deno.test("findTarget() takes the first candidate file that has the markers", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ina219-settings-" });
  const root = new URL(`file://${dir}/`);
  try {
    await Deno.mkdir(new URL("docs/", root));
    const marked = `${BEGIN}\n${END}\n`;
    await Deno.writeTextFile(new URL("README.md", root), marked);
    assert.equal((await findTarget(root)).path, "README.md", "docs/configuration.md is absent");
    await Deno.writeTextFile(new URL("docs/configuration.md", root), "# Configuration\n");
    assert.equal(
      (await findTarget(root)).path,
      "README.md",
      "docs/configuration.md has no markers",
    );
    await Deno.writeTextFile(new URL("docs/configuration.md", root), marked);
    assert.equal((await findTarget(root)).path, "docs/configuration.md");
    assert.deepEqual([...CANDIDATES], ["docs/configuration.md", "README.md"]);
    await Deno.remove(new URL("README.md", root));
    await Deno.remove(new URL("docs/configuration.md", root));
    await assert.rejects(findTarget(root), /Cannot find the settings table/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
