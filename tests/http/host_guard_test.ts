import assert from "node:assert/strict";
import {
  canonicalHost,
  hostAllowed,
  hostAllowlist,
  machineHostFacts,
  NO_HOST_FACTS,
  parseHost,
  urlAuthority,
} from "../../src/http/host_guard.ts";

Deno.test("parseHost() splits and canonicalises well-formed Host values", async (t) => {
  const rows: [string, { name: string; port?: number }][] = [
    ["127.0.0.1:8000", { name: "127.0.0.1", port: 8000 }],
    ["Pi.Local:8000", { name: "pi.local", port: 8000 }],
    ["pi.local.", { name: "pi.local", port: undefined }],
    ["[::1]:8000", { name: "[::1]", port: 8000 }],
    ["[0:0:0:0:0:0:0:1]", { name: "[::1]", port: undefined }],
    ["localhost", { name: "localhost", port: undefined }],
  ];
  for (const [value, expected] of rows) {
    await t.step(value, () => assert.deepEqual(parseHost(value), expected));
  }
});

Deno.test("parseHost() refuses malformed Host values instead of throwing", async (t) => {
  for (
    const value of [
      "127.0.0.1:18732x",
      "127.0.0.1:99999",
      "a b",
      "evil@127.0.0.1",
      "[zz::1]",
      "::1",
      "host/path",
      "",
      ".",
      "1.2.3.999",
      "host:",
    ]
  ) {
    await t.step(JSON.stringify(value), () => assert.equal(parseHost(value), undefined));
  }
});

Deno.test("canonicalHost() takes bare names and IPv6 without brackets, never a port", () => {
  assert.equal(canonicalHost("::1"), "[::1]");
  assert.equal(canonicalHost("Pi.Example"), "pi.example");
  assert.equal(canonicalHost("pi.example:80"), undefined);
  assert.equal(canonicalHost("not a host"), undefined);
});

Deno.test("urlAuthority() reads the authority without parsing the URL", () => {
  assert.equal(urlAuthority("http://127.0.0.1:18732x/ws?x=1"), "127.0.0.1:18732x");
  assert.equal(urlAuthority("http://localhost"), "localhost");
  assert.equal(urlAuthority("http://[::1]:8000/"), "[::1]:8000");
});

Deno.test("hostAllowlist() holds loopback, this machine, a specific HOST and ALLOWED_HOSTS", () => {
  const facts = { hostnames: ["RaspberryPi.lan"], addresses: ["192.168.1.20", "fe80::1%eth0"] };
  const list = hostAllowlist(facts, { boundHost: "0.0.0.0", extra: ["dash.example"] });
  for (
    const name of [
      "localhost",
      "app.localhost",
      "127.0.0.1",
      "127.1.2.3",
      "[::1]",
      "raspberrypi.lan",
      "raspberrypi",
      "raspberrypi.local",
      "192.168.1.20",
      "[fe80::1]",
      "dash.example",
    ]
  ) assert.ok(hostAllowed(name, list), name);
  for (const name of ["evil.example", "0.0.0.0", "192.168.1.21", "localhost.evil.example"]) {
    assert.ok(!hostAllowed(name, list), name);
  }
  const bound = hostAllowlist(NO_HOST_FACTS, { boundHost: "10.0.0.5", extra: [] });
  assert.ok(hostAllowed("10.0.0.5", bound));
  assert.ok(!hostAllowed("raspberrypi", bound));
  assert.equal(hostAllowlist(NO_HOST_FACTS, { boundHost: "::", extra: ["*"] }), "*");
  assert.ok(hostAllowed("anything.example", "*"));
});

Deno.test("machineHostFacts() leaves out what it may not read and says so", () => {
  const lines: string[] = [];
  const facts = machineHostFacts((line) => lines.push(line), {
    hostname: () => "pi",
    networkInterfaces: () => {
      throw new Deno.errors.NotCapable('Requires sys access to "networkInterfaces"');
    },
  });
  assert.deepEqual(facts, { hostnames: ["pi"], addresses: [] });
  assert.equal(lines.length, 1);
  assert.match(lines[0], /network interfaces.*ALLOWED_HOSTS/);
  const full = machineHostFacts(() => assert.fail("no warning"), {
    hostname: () => "pi",
    networkInterfaces: () => [{ address: "192.168.1.20" }, { address: "::1" }],
  });
  assert.deepEqual(full.addresses, ["192.168.1.20", "::1"]);
});
