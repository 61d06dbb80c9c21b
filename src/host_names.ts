/**
 * Host names and addresses as a browser canonicalises them (RFC 3986 syntax, lower
 * case, IPv6 in brackets). Pure: the Host guard and the configuration share it.
 * @module
 */

/** A Host header split into its canonical name (lower case, IPv6 in brackets) and port. */
export interface HostParts {
  /** Lower case, IPv6 in brackets, no trailing dot. */
  name: string;
  /** The port, when the value had one. */
  port?: number;
}

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
