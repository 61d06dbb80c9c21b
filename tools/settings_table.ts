/**
 * Renders the settings table (variable, flag, default, meaning) from src/settings.ts into
 * the docs, between `<!-- settings:begin -->` and `<!-- settings:end -->`. Run by
 * `deno task docs:settings`; tests/repo/settings_table_test.ts fails when the docs disagree.
 * @module
 */
import { type SettingDoc, settingDocs } from "../src/settings.ts";

/** Where the table may live: the first of these files that has the markers wins. */
export const CANDIDATES = ["docs/configuration.md", "README.md"] as const;

/** The line before the table. */
export const BEGIN = "<!-- settings:begin -->";
/** The line after the table. */
export const END = "<!-- settings:end -->";

const HEADER: SettingDoc = {
  variable: "variable",
  flag: "flag",
  default: "default",
  meaning: "meaning",
};

/**
 * The settings as a Markdown table, columns padded as `deno fmt` pads them, so the
 * generated file passes `deno fmt --check` unchanged.
 */
export function renderTable(rows: readonly SettingDoc[] = settingDocs()): string {
  const cells = (row: SettingDoc) =>
    [
      `\`${row.variable}\``,
      `\`${row.flag}\``,
      row.default,
      row.meaning,
    ].map((cell) => cell.replaceAll("|", "\\|"));
  const header = Object.values(HEADER);
  const body = rows.map(cells);
  const width = (s: string) => [...s].length;
  const widths = header.map((h, i) => Math.max(3, width(h), ...body.map((r) => width(r[i]))));
  const line = (row: string[]) =>
    `| ${row.map((cell, i) => cell + " ".repeat(widths[i] - width(cell))).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}

/**
 * `text` with the part between the markers replaced by `table`.
 * @throws {Error} when the markers are missing or out of order.
 */
export function withTable(text: string, table: string): string {
  const begin = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (begin < 0 || end < begin) {
    throw new Error(`Cannot place the settings table: expected ${BEGIN} … ${END}`);
  }
  return `${text.slice(0, begin + BEGIN.length)}\n\n${table}\n\n${text.slice(end)}`;
}

/** The first candidate file (relative to `root`) that has the markers, with its text. */
export async function findTarget(root: URL): Promise<{ path: string; text: string }> {
  for (const path of CANDIDATES) {
    let text: string;
    try {
      text = await Deno.readTextFile(new URL(path, root));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) continue;
      throw error;
    }
    if (text.includes(BEGIN) && text.includes(END)) return { path, text };
  }
  throw new Error(
    `Cannot find the settings table: none of ${CANDIDATES.join(", ")} has ${BEGIN} … ${END}`,
  );
}

if (import.meta.main) {
  const root = new URL("../", import.meta.url);
  const { path, text } = await findTarget(root);
  const updated = withTable(text, renderTable());
  if (updated === text) {
    console.log(`${path}: the settings table is up to date`);
  } else {
    await Deno.writeTextFile(new URL(path, root), updated);
    console.log(`${path}: wrote the settings table`);
  }
}
