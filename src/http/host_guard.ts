/**
 * The Host allowlist against DNS rebinding: which names and addresses this server is
 * reached by (loopback, this machine's names and interface addresses, the bound HOST,
 * ALLOWED_HOSTS). Pure functions; the machine's facts are read once at start-up.
 * @module
 */

/** A Host header split into its canonical name (lower case, IPv6 in brackets) and port. */
export interface HostParts {
  /** Canonical host name: lower case, IPv6 in brackets. */
  name: string;
  /** The port, when the header names one. */
  port?: number;
}

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

// RFC 3986 host (IP literal or reg-name without percent-encoding or sub-delims) and port.
const HOST_SYNTAX = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~-]+)(?::(\d{1,5}))?$/;

/** Canonical form of a bare host name or address; undefined when it is not one. */
export function canonicalHost(name: string): string | undefined {
  const bracketed = name.includes(":") && !name.startsWith("[") ? `[${name}]` : name;
  const parts = parseHost(bracketed);
  return parts?.port === undefined ? parts?.name : undefined;
}

/**
 * Parses a `Host` header value (`name`, `name:port`, `[v6]:port`); undefined when it is
 * malformed. Names are canonicalised as a browser does (lower case, IPv4/IPv6 forms
 * normalised, a trailing dot dropped), so the allowlist compares like with like.
 *
 * @example
 * ```ts
 * parseHost("Pi.Local:8000"); // { name: "pi.local", port: 8000 }
 * parseHost("127.0.0.1:18732x"); // undefined
 * ```
 */
export function parseHost(value: string): HostParts | undefined {
  const match = HOST_SYNTAX.exec(value);
  if (!match) return undefined;
  const port = match[2] === undefined ? undefined : Number(match[2]);
  if (port !== undefined && port > 65_535) return undefined;
  if (!URL.canParse(`http://${match[1]}/`)) return undefined; // e.g. "[zz::]", "1.2.3.999"
  const name = new URL(`http://${match[1]}/`).hostname.replace(/\.$/, "");
  return name ? { name, port } : undefined;
}

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
