/**
 * The Host allowlist against DNS rebinding: which names and addresses this server is
 * reached by (loopback, this machine's names and interface addresses, the bound HOST,
 * ALLOWED_HOSTS). Pure functions; the machine's facts are read once at start-up.
 * @module
 */
import { canonicalHost } from "../host_names.ts";

// Host syntax lives in a module configuration can import too; re-exported for the guard's users.
export { canonicalHost, parseHost } from "../host_names.ts";

/** What the machine says about itself, read once at start-up by {@link machineHostFacts}. */
export interface HostFacts {
  /** `Deno.hostname()`, when it could be read. */
  hostnames: readonly string[];
  /** Addresses of the network interfaces, when they could be listed. */
  addresses: readonly string[];
}

/** No facts: only loopback, the bound HOST and ALLOWED_HOSTS are allowed. */
export const NO_HOST_FACTS: HostFacts = { hostnames: [], addresses: [] };

/** The names a request may carry in `Host`, or `*` for any. */
export type HostAllowlist = "*" | ReadonlySet<string>;

/** The authority (`host[:port]`) of an absolute URL string, without parsing it. */
export function urlAuthority(url: string): string {
  const start = url.indexOf("//") + 2;
  const end = url.slice(start).search(/[/?#]/);
  return end < 0 ? url.slice(start) : url.slice(start, start + end);
}

function isLoopback(name: string): boolean {
  return name === "localhost" || name.endsWith(".localhost") || name === "[::1]" ||
    /^127\.\d+\.\d+\.\d+$/.test(name);
}

const WILDCARD_BINDS = new Set(["0.0.0.0", "[::]"]);

/**
 * Builds the allowlist: loopback names and addresses (always), each host name with its
 * `.local` (mDNS) form and, for a dotted name, its first label, the interface addresses,
 * the bound HOST when it is specific, and the extra names of ALLOWED_HOSTS (`*` = any).
 */
export function hostAllowlist(
  facts: HostFacts,
  options: { boundHost: string; extra: readonly string[] },
): HostAllowlist {
  if (options.extra.includes("*")) return "*";
  const names = new Set<string>();
  const add = (raw: string) => {
    const name = canonicalHost(raw);
    if (name) names.add(name);
  };
  for (const hostname of facts.hostnames) {
    add(hostname);
    const short = hostname.split(".")[0];
    add(short);
    add(`${short}.local`);
  }
  for (const address of facts.addresses) add(address.replace(/%.*$/, "")); // drop an IPv6 zone
  const bound = canonicalHost(options.boundHost);
  if (bound && !WILDCARD_BINDS.has(bound)) names.add(bound);
  for (const name of options.extra) add(name);
  return names;
}

/** Whether a canonical host name (from {@link parseHost}) is one this server answers to. */
export function hostAllowed(name: string, allowlist: HostAllowlist): boolean {
  return allowlist === "*" || isLoopback(name) || allowlist.has(name);
}

/** What {@link machineHostFacts} reads; Deno's functions by default. */
export interface HostSystem {
  /** The machine's host name. */
  hostname: () => string;
  /** The machine's interface addresses. */
  networkInterfaces: () => { address: string }[];
}

/**
 * Reads this machine's host name and interface addresses (needs
 * `--allow-sys=hostname,networkInterfaces`). A fact that cannot be read is left out and
 * reported through `warn`, so the server still starts with a narrower allowlist.
 */
export function machineHostFacts(
  warn: (line: string) => void,
  system: HostSystem = { hostname: Deno.hostname, networkInterfaces: Deno.networkInterfaces },
): HostFacts {
  const read = <T>(what: string, fn: () => T[]): T[] => {
    try {
      return fn();
    } catch (error) {
      warn(
        `Warning: cannot read this machine's ${what} (${
          (error as Error).message
        }): requests using it get 421 unless it is in ALLOWED_HOSTS`,
      );
      return [];
    }
  };
  return {
    hostnames: read("host name", () => [system.hostname()]),
    addresses: read("network interfaces", () => system.networkInterfaces().map((i) => i.address)),
  };
}
