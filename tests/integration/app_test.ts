/**
 * Wiring tests on the real assembly (createCore): the simulator routes drive the
 * real sampler and mock, /status reads the real parts, the app serves its pages and
 * documents every route. Route behaviour on fakes: tests/http/routes_simulator_test.ts.
 */
import assert from "node:assert/strict";
import { loadConfig } from "../../src/config.ts";
import { createCore, type MonitorCore } from "../../src/monitor.ts";
import { StatusResponse } from "../../src/protocol/status.ts";
import { VENDOR_FILES } from "../../src/http/static.ts";
import { errorBody, post } from "../assertions.ts";

const TOKEN = "secret-token-1";

const opened: MonitorCore[] = [];

/** A monitor without a server, on an in-memory database; closed by {@link test}. */
function core(env: Record<string, string> = {}): MonitorCore {
  const c = createCore(
    loadConfig({ MOCK_SEED: "1", MOCK_AUTO_ROTATE_S: "0", DB_PATH: ":memory:", ...env }, []),
    "test",
  );
  opened.push(c);
  return c;
}

/** Deno.test that stops and closes every core the test opened. */
function test(name: string, fn: (t: Deno.TestContext) => void | Promise<void>) {
  Deno.test(name, async (t) => {
    try {
      await fn(t);
    } finally {
      for (const c of opened.splice(0)) {
        await c.sampler.stop();
        c.store.close();
      }
    }
  });
}

test("GET /status answers the v1 fields and the documented schema", async () => {
  const { app } = core();
  const res = await app.request("/status");
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.deepEqual(
    {
      server: body.server,
      simulator: body.simulator,
      websocket_connections: body.websocket_connections,
    },
    { server: "running", simulator: "disconnected", websocket_connections: 0 },
  );
  StatusResponse.parse(body);
  assert.equal(body.type, "Mock");
  assert.equal(body.interval_ms, 1000);
  assert.equal(body.auth_required, false);
  assert.deepEqual(body.retention, { raw_hours: 48, rollup_days: 30 });
});

test("POST /simulator/start and /stop answer in the v1 shape", async () => {
  const { app, sampler } = core();
  try {
    let res = await app.request("/simulator/start", post());
    assert.deepEqual(await res.json(), { status: "started", type: "Mock", already_running: false });
    assert.ok(sampler.running);
    res = await app.request("/simulator/start", post());
    assert.deepEqual(await res.json(), { status: "started", type: "Mock", already_running: true });
    assert.equal((await (await app.request("/status")).json()).simulator, "connected");
    res = await app.request("/simulator/stop", post());
    assert.deepEqual(await res.json(), { status: "stopped", type: "Mock", was_running: true });
    res = await app.request("/simulator/stop", post());
    assert.deepEqual(await res.json(), { status: "stopped", type: "Mock", was_running: false });
  } finally {
    await sampler.stop();
  }
});

test("POST /simulator/mode and /interval change the device", async () => {
  const { app, source, sampler } = core({ MOCK_AUTO_ROTATE_S: "30" });
  let res = await app.request("/simulator/mode", post({ mode: "LOAD_SPIKE" }));
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { status: "ok", mode: "LOAD_SPIKE", auto_rotate: false });
  assert.equal(source.mode, "LOAD_SPIKE");
  res = await app.request("/simulator/interval", post({ interval_ms: 250 }));
  assert.deepEqual(await res.json(), { status: "ok", interval_ms: 250 });
  assert.equal(sampler.intervalMs, 250);
});

test("with API_TOKEN, state-changing requests need the bearer token", async () => {
  const { app, sampler } = core({ API_TOKEN: TOKEN });
  try {
    let res = await app.request("/simulator/start", post());
    assert.equal(res.status, 401);
    assert.match((await errorBody(res)).error, /Missing token/);
    assert.match(res.headers.get("www-authenticate") ?? "", /Bearer/);
    res = await app.request(
      "/simulator/start",
      post(undefined, { Authorization: "Bearer nope" }),
    );
    assert.equal(res.status, 401);
    await res.body?.cancel();
    res = await app.request(
      "/simulator/mode",
      post({ mode: "NOISE" }, { Authorization: "Basic x" }),
    );
    assert.ok(res.status === 400 || res.status === 401);
    await errorBody(res);
    assert.equal(sampler.running, false, "refused requests change nothing");
    res = await app.request(
      "/simulator/start",
      post(undefined, { Authorization: `Bearer ${TOKEN}` }),
    );
    assert.equal(res.status, 200);
    await res.body?.cancel();
    assert.ok(sampler.running);
    res = await app.request("/status");
    assert.equal(res.status, 200);
    assert.equal((await res.json()).auth_required, true);
  } finally {
    await sampler.stop();
  }
});

test("GET /ws refuses a foreign browser Origin", async () => {
  const { app } = core({ ALLOWED_ORIGINS: "http://dash.example:3000" });
  const res = await app.request("http://127.0.0.1:8000/ws", {
    headers: { Upgrade: "websocket", Origin: "http://evil.example" },
  });
  assert.equal(res.status, 403);
  assert.match((await errorBody(res)).error, /ALLOWED_ORIGINS/);
});

test("GET /openapi.json documents every route; /docs loads Scalar from this server", async () => {
  const { app } = core();
  const doc = await (await app.request("/openapi.json")).json();
  assert.equal(doc.openapi, "3.1.0");
  for (
    const path of [
      "/status",
      "/simulator/start",
      "/simulator/stop",
      "/simulator/mode",
      "/simulator/interval",
      "/ws",
    ]
  ) assert.ok(doc.paths[path], path);
  assert.ok(doc.components.securitySchemes.bearerAuth);
  const tags = new Set(
    Object.values(doc.paths).flatMap((item) =>
      Object.values(item as Record<string, { tags?: string[] }>).flatMap((op) => op.tags ?? [])
    ),
  );
  assert.deepEqual([...tags].sort(), [
    "Alerts",
    "Analysis",
    "History",
    "Markers",
    "Metrics",
    "Recordings",
    "Simulator",
    "Status",
  ]);
  assert.doesNotMatch(JSON.stringify(doc), /\bseed/i, "the contract is the v1 protocol");
  for (
    const name of [
      "MeasurementMessage",
      "MeasurementsMessage",
      "StatusMessage",
      "StatisticsMessage",
      "AlertMessage",
      "MarkerMessage",
    ]
  ) {
    assert.equal(doc.components.schemas[name]?.type, "object", `WebSocket message ${name}`);
  }
  assert.deepEqual(
    doc.components.schemas.MeasurementMessage.properties.data,
    { $ref: "#/components/schemas/MeasurementData" },
  );
  assert.deepEqual(
    doc.components.schemas.MeasurementsMessage.properties.data,
    { $ref: "#/components/schemas/MeasurementsData" },
  );
  assert.equal(
    doc.components.schemas.MeasurementData.properties.v.description,
    "Bus voltage (V)",
    "descriptions from the protocol's .meta()",
  );
  assert.deepEqual(doc.paths["/api/history"].get.responses["200"].content["application/json"], {
    schema: { $ref: "#/components/schemas/History" },
  });
  assert.ok(doc.paths["/simulator/mode"].post.responses["400"]);
  for (const code of ["422", "502", "504"]) {
    assert.deepEqual(
      doc.paths["/simulator/interval"].post.responses[code].content["application/json"],
      { schema: { $ref: "#/components/schemas/DeviceCommandError" } },
      `device command ${code}`,
    );
  }
  assert.equal(
    doc.components.schemas.Status.properties.rejected_requests.description,
    "Requests refused before reaching a route, since start-up",
  );
  const html = await (await app.request("/docs")).text();
  assert.match(html, /src="\/vendor\/scalar\/standalone\.js"/);
  assert.doesNotMatch(html, /<script[^>]+src="https?:/, "no script from elsewhere");
  assert.doesNotMatch(html, /fonts\.(googleapis|scalar)/);
});

test("browser libraries are served from npm packages, not a CDN", async (t) => {
  const { app } = core();
  for (const path of Object.keys(VENDOR_FILES).map((key) => `/vendor/${key}`)) {
    await t.step(path, async () => {
      const res = await app.request(path);
      assert.equal(res.status, 200);
      // Scripts, and the style sheet uPlot comes with.
      assert.match(
        res.headers.get("content-type") ?? "",
        path.endsWith(".css") ? /text\/css/ : /javascript/,
      );
      assert.ok((await res.arrayBuffer()).byteLength > (path.endsWith(".css") ? 1_000 : 10_000));
    });
  }
  const res = await app.request("/vendor/../../deno.json");
  assert.equal(res.status, 404);
  await res.body?.cancel();
});

test("the live page and the v1 test page are served", async (t) => {
  const { app } = core();
  for (const [path, text] of [["/", "/vendor/uplot/"], ["/test_websocket.html", "WebSocket"]]) {
    await t.step(path, async () => {
      const res = await app.request(path);
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type") ?? "", /text\/html/);
      assert.ok((await res.text()).includes(text));
    });
  }
  const res = await app.request("/missing-page.html");
  assert.equal(res.status, 404);
  await errorBody(res);
});

test("the dashboard loads uPlot as an ES module whose every import is served", async () => {
  const { app } = core();
  const html = await (await app.request("/")).text();
  assert.doesNotMatch(html, /<script[^>]+src="[^"]*uplot/i, "no classic script defines a global");
  const mapText = /<script type="importmap">([^]*?)<\/script>/.exec(html)?.[1];
  assert.ok(mapText, "an import map");
  const imports: Record<string, string> = JSON.parse(mapText).imports;
  assert.ok(imports["uplot"], "uplot is mapped");
  // Follow every import from the mapped files: bare ones must be mapped, relative ones served.
  const pending = Object.values(imports);
  const seen = new Set<string>();
  while (pending.length > 0) {
    const path = pending.pop()!;
    if (seen.has(path)) continue;
    seen.add(path);
    const res = await app.request(path);
    assert.equal(res.status, 200, path);
    assert.match(res.headers.get("content-type") ?? "", /javascript/, path);
    const code = await res.text();
    for (const [, specifier] of code.matchAll(/(?:^|[\s;}])(?:import|from)\s*['"]([^'"]+)['"]/g)) {
      if (specifier.startsWith(".")) pending.push(new URL(specifier, `http://x${path}`).pathname);
      else assert.ok(imports[specifier], `${path} imports ${specifier}, which the map lacks`);
    }
  }
  assert.ok(seen.size >= 1, [...seen].join(", "));
  const css = await app.request("/vendor/uplot/uPlot.min.css");
  assert.equal(css.status, 200);
  assert.match(css.headers.get("content-type") ?? "", /text\/css/);
  await css.body?.cancel();
});

test("static files carry a validator and answer 304 when unchanged", async () => {
  const { app } = core();
  const first = await app.request("/app.js");
  assert.equal(first.status, 200);
  assert.equal(first.headers.get("cache-control"), "no-cache");
  const etag = first.headers.get("etag");
  assert.ok(etag, "an ETag");
  await first.body?.cancel();
  const again = await app.request("/app.js", { headers: { "If-None-Match": etag } });
  assert.equal(again.status, 304);
  assert.equal(again.body, null);
  const changed = await app.request("/app.js", { headers: { "If-None-Match": 'W/"other"' } });
  assert.equal(changed.status, 200);
  await changed.body?.cancel();
  const lib = await app.request("/vendor/uplot/uPlot.esm.js");
  assert.match(lib.headers.get("cache-control") ?? "", /max-age=86400/);
  await lib.body?.cancel();
});
