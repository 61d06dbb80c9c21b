/**
 * @module
 * Order statistics and formatting helpers shared by the benchmarks.
 */

/** Nearest-rank percentile `p` (0..100) of an ascending array; NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** Median of `values` (lower middle for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  return percentile(Float64Array.from(values).sort(), 50);
}

/** Bytes to MiB (2^20 bytes), the unit of the RSS targets. */
export function toMiB(bytes: number): number {
  return bytes / 2 ** 20;
}

/** Rounds to `digits` decimals for reports. */
export function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** A named check of a measured value against a target. */
export interface Check {
  /** What is checked, e.g. `"p99 latency ≤ 5 ms"`. */
  name: string;
  /** The measured value as printed. */
  actual: string;
  /** Whether the target was met. */
  pass: boolean;
}

/** Formats rows as a left-aligned text table with a header rule. */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column].length))
  );
  const line = (cells: readonly string[]) =>
    cells.map((cell, column) => cell.padEnd(widths[column])).join("  ")
      .trimEnd();
  return [
    line(header),
    widths.map((width) => "-".repeat(width)).join("  "),
    ...rows.map(line),
  ].join("\n");
}

/** Formats checks as `PASS`/`FAIL` lines. */
export function formatChecks(checks: readonly Check[]): string {
  return formatTable(
    ["result", "target", "measured"],
    checks.map((check) => [
      check.pass ? "PASS" : "FAIL",
      check.name,
      check.actual,
    ]),
  );
}
