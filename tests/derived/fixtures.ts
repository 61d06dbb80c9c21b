/** Derived channel configurations the derived-channel tests share. */
import type { EfficiencyChannelConfig, SumChannelConfig } from "../../src/channels.ts";

/** The regulator of the issue: `in` before it, `out` after it. */
export const REG: EfficiencyChannelConfig = Object.freeze({
  name: "reg",
  label: "Regulator",
  kind: "derived",
  derived: "efficiency",
  input: "in",
  output: "out",
});

/** A `sum` channel named `total` over `inputs`. */
export function sumOf(...inputs: string[]): SumChannelConfig {
  return { name: "total", label: "total", kind: "derived", derived: "sum", inputs };
}
