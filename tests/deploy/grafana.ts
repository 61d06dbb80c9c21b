/**
 * deploy/grafana/ina219-monitor.json as the tests read it: its panels, variables, and each
 * panel query with the dashboard variables substituted the way Grafana does.
 * @module
 */

/** The shipped dashboard's path. */
export const DASHBOARD = new URL("../../deploy/grafana/ina219-monitor.json", import.meta.url);

/** A Grafana data source reference. */
export interface DataSourceRef {
  type?: string;
  uid?: string;
}

/** A panel query. */
export interface Target {
  refId: string;
  expr: string;
  datasource?: DataSourceRef;
  instant?: boolean;
  range?: boolean;
  legendFormat?: string;
}

/** A panel, as far as the tests look. */
export interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: DataSourceRef;
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: Target[];
}

/** A templating variable. */
export interface Variable {
  name: string;
  type: string;
  query: string;
  datasource?: DataSourceRef;
  multi?: boolean;
  includeAll?: boolean;
  refresh?: number;
}

/** The dashboard JSON model. */
export interface Dashboard {
  title: string;
  uid: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: Variable[] };
  time: { from: string; to: string };
}

/** Reads the shipped dashboard. */
export function loadDashboard(): Dashboard {
  return JSON.parse(Deno.readTextFileSync(DASHBOARD));
}

/** `label_values(<selector>, <label>)`, the query of a Prometheus query variable. */
export function parseLabelValues(query: string): { match: string; label: string } {
  const m = query.match(/^label_values\((.+),\s*(\w+)\)$/);
  if (!m) throw new Error(`Not a label_values() query: ${query}`);
  return { match: m[1], label: m[2] };
}

/** A multi-value variable in a regex matcher, as Grafana writes it: `(a|b)`, values escaped. */
export function regexValue(values: readonly string[]): string {
  const escaped = values.map((v) => v.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&"));
  return escaped.length === 1 ? escaped[0] : `(${escaped.join("|")})`;
}

/**
 * `expr` with `$name` / `${name}` replaced by `values` (regex values, already joined) and
 * Grafana's `$__rate_interval` by `rateInterval`; throws on a variable it does not know.
 */
export function substitute(
  expr: string,
  values: Record<string, string>,
  rateInterval: string,
): string {
  return expr.replace(/\$\{?(\w+)\}?/g, (whole, name: string) => {
    if (name === "__rate_interval") return rateInterval;
    const value = values[name];
    if (value === undefined) throw new Error(`Unknown variable ${whole} in ${expr}`);
    return value;
  });
}
