/**
 * The Prometheus text exposition format, parsed as strictly as the tests need.
 * @module
 */
import assert from "node:assert/strict";

/** One metric family: its TYPE, HELP and samples. */
export interface Family {
  type: string;
  help: string;
  samples: { labels: Record<string, string>; value: number }[];
}

/** Parses the text exposition format strictly enough to catch a malformed line. */
export function parse(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const family = (name: string) => {
    let f = families.get(name);
    if (!f) families.set(name, f = { type: "", help: "", samples: [] });
    return f;
  };
  for (const line of text.split("\n")) {
    if (line === "") continue;
    let m = line.match(/^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/);
    if (m) {
      if (m[1] === "HELP") family(m[2]).help = m[3];
      else family(m[2]).type = m[3];
      continue;
    }
    m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/);
    assert.ok(m, `malformed line: ${line}`);
    const pairs = [...(m[3] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/g)];
    assert.equal(pairs.map((p) => p[0]).join(""), m[3] ?? "", `labels of ${line}`);
    const labels = Object.fromEntries(pairs.map((p) => [p[1], JSON.parse(`"${p[2]}"`)]));
    const value = Number(m[4]);
    assert.ok(!Number.isNaN(value), `value of ${line}`);
    family(m[1]).samples.push({ labels, value });
  }
  return families;
}
