/**
 * The simulator routes over a fake {@link SimulatorControl}: v1 answers, validation,
 * device refusals and the token, with no sampler and no source.
 */
import assert from "node:assert/strict";
import { DeviceCommandErrorBody } from "../../src/protocol/simulator.ts";
import { StatusResponse } from "../../src/protocol/status.ts";
import { DeviceCommandError } from "../../src/sources/source.ts";
import { fakeApp, fakeStatus } from "../fakes.ts";
import { errorBody, post } from "../assertions.ts";

const TOKEN = "secret-token-1";

Deno.test("GET /status answers what the status builder gives, in the documented schema", async () => {
  const status = fakeStatus({ simulator: "connected", last_seq: 42 });
  const { app } = fakeApp({ status: () => status });
  const res = await app.request("/status");
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.deepEqual(StatusResponse.parse(body), status);
});

Deno.test("POST /simulator/start and /stop answer in the v1 shape", async () => {
  const { app, fakes } = fakeApp();
  const call = async (path: string) => await (await app.request(path, post())).json();
  assert.deepEqual(await call("/simulator/start"), {
    status: "started",
    type: "Fake",
    already_running: false,
  });
  assert.deepEqual(await call("/simulator/start"), {
    status: "started",
    type: "Fake",
    already_running: true,
  });
  assert.deepEqual(await call("/simulator/stop"), {
    status: "stopped",
    type: "Fake",
    was_running: true,
  });
  assert.deepEqual(await call("/simulator/stop"), {
    status: "stopped",
    type: "Fake",
    was_running: false,
  });
  assert.deepEqual(fakes.simulator.calls, ["start", "start", "stop", "stop"]);
});

Deno.test("POST /simulator/mode and /interval command the device and answer its state", async () => {
  const { app, fakes } = fakeApp();
  let res = await app.request("/simulator/mode", post({ mode: "LOAD_SPIKE" }));
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { status: "ok", mode: "LOAD_SPIKE", auto_rotate: false });
  res = await app.request("/simulator/interval", post({ interval_ms: 250 }));
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { status: "ok", interval_ms: 250 });
  assert.deepEqual(fakes.simulator.calls, ["setMode LOAD_SPIKE", "setInterval 250"]);
});

Deno.test("bad input answers 4xx JSON and changes nothing", async (t) => {
  const { app, fakes } = fakeApp();
  const cases: [string, RequestInit, number, RegExp?][] = [
    ["/simulator/mode", post("{bad json"), 400, /Malformed JSON/],
    ["/simulator/mode", post({ mode: "TURBO" }), 400, /Invalid request body/],
    ["/simulator/mode", post({ mode: 3 }), 400],
    ["/simulator/mode", post({}), 400],
    ["/simulator/mode", post({ mode: "NOISE", extra: 1 }), 400],
    ["/simulator/mode", post(), 400],
    ["/simulator/mode", { method: "POST", body: '{"mode":"NOISE"}' }, 415],
    ["/simulator/interval", post({ interval_ms: 0 }), 400],
    ["/simulator/interval", post({ interval_ms: 10_001 }), 400],
    ["/simulator/interval", post({ interval_ms: "500" }), 400],
    ["/simulator/interval", post({ interval_ms: 1.5 }), 400],
    ["/simulator/interval", post({ interval_ms: 5, x: "y".repeat(17_000) }), 413],
    ["/nowhere", { method: "GET" }, 404, /Not found: GET \/nowhere/],
    ["/status", { method: "PUT" }, 405, /Method PUT not allowed/],
    ["/simulator/start", { method: "GET" }, 405],
    ["/ws", { method: "GET" }, 426, /WebSocket upgrade/],
  ];
  for (const [path, init, status, pattern] of cases) {
    await t.step(
      `${init.method} ${path} ${String(init.body ?? "").slice(0, 40)} → ${status}`,
      async () => {
        const res = await app.request(path, init);
        assert.equal(res.status, status);
        const body = await errorBody(res);
        if (pattern) assert.match(body.error, pattern);
        if (status === 400 && path === "/simulator/mode" && body.issues.length) {
          assert.ok(body.issues.every((i) => typeof i.path === "string" && i.message));
        }
      },
    );
  }
  await t.step("an unknown mode names the device's modes", async () => {
    const res = await app.request("/simulator/mode", post({ mode: "TURBO" }));
    assert.deepEqual((await errorBody(res)).issues, [{
      path: "mode",
      message: 'Unknown mode "TURBO": expected one of NORMAL, LOAD_SPIKE',
    }]);
  });
  await t.step("405 names the allowed methods", async () => {
    const res = await app.request("/status", { method: "DELETE" });
    assert.equal(res.headers.get("allow"), "GET, HEAD");
    await res.body?.cancel();
  });
  assert.deepEqual(fakes.simulator.calls, [], "no command reached the device");
  assert.deepEqual(fakes.simulator.state().mode, "NORMAL");
});

Deno.test("a command the device did not carry out answers its failure and its unchanged state", async (t) => {
  const { app, fakes } = fakeApp();
  const cases = [
    ["refused", 422, "/simulator/mode", { mode: "LOAD_SPIKE" }, "mode"],
    ["timeout", 504, "/simulator/interval", { interval_ms: 250 }, "interval_ms"],
    ["garbled", 502, "/simulator/mode", { mode: "LOAD_SPIKE" }, "mode"],
    ["gone", 502, "/simulator/interval", { interval_ms: 250 }, "interval_ms"],
  ] as const;
  for (const [failure, status, path, body, field] of cases) {
    await t.step(`${failure} → ${status}`, async () => {
      fakes.simulator.failNext = new DeviceCommandError(failure, `Device said ${failure}`, "why");
      const res = await app.request(path, post(body));
      assert.equal(res.status, status);
      const answer = DeviceCommandErrorBody.parse(await res.json());
      assert.deepEqual(answer, {
        error: `Device said ${failure}`,
        issues: [{ path: field, message: "why" }],
        failure,
        mode: "NORMAL",
        interval_ms: 1000,
      });
    });
  }
  await t.step("any other failure is a 500 without its text", async () => {
    fakes.simulator.failNext = new Error("secret detail");
    const originalError = console.error;
    console.error = () => {};
    try {
      const res = await app.request("/simulator/mode", post({ mode: "LOAD_SPIKE" }));
      assert.equal(res.status, 500);
      assert.doesNotMatch(JSON.stringify(await errorBody(res)), /secret detail/);
    } finally {
      console.error = originalError;
    }
  });
});

Deno.test("with a token, the simulator commands need it and /status does not", async () => {
  const { app, fakes } = fakeApp({
    security: { apiToken: TOKEN, readTokenRequired: false, allowedOrigins: [] },
  });
  for (const path of ["/simulator/start", "/simulator/stop"]) {
    const res = await app.request(path, post());
    assert.equal(res.status, 401, path);
    assert.match(res.headers.get("www-authenticate") ?? "", /Bearer/);
    await errorBody(res);
  }
  let res = await app.request("/simulator/mode", post({ mode: "LOAD_SPIKE" }));
  assert.equal(res.status, 401);
  await res.body?.cancel();
  assert.deepEqual(fakes.simulator.calls, [], "refused requests change nothing");
  res = await app.request(
    "/simulator/start",
    post(undefined, { Authorization: `Bearer ${TOKEN}` }),
  );
  assert.equal(res.status, 200);
  await res.body?.cancel();
  res = await app.request("/status");
  assert.equal(res.status, 200);
  await res.body?.cancel();
  assert.deepEqual(fakes.simulator.calls, ["start"]);
});

Deno.test("GET /status tells the status builder whether the request carried the token", async (t) => {
  const views: boolean[] = [];
  const status = (view: { authorised: boolean }) => {
    views.push(view.authorised);
    return fakeStatus();
  };
  const { app } = fakeApp({
    status,
    security: { apiToken: TOKEN, readTokenRequired: true, allowedOrigins: [] },
  });
  const cases: [string, Record<string, string>, boolean][] = [
    ["no header", {}, false],
    ["the token", { Authorization: `Bearer ${TOKEN}` }, true],
    ["the token, lower-case scheme", { Authorization: `bearer ${TOKEN}` }, true],
    ["a wrong token", { Authorization: "Bearer wrong-token-2" }, false],
    ["a malformed header", { Authorization: `Basic ${TOKEN}` }, false],
  ];
  for (const [name, headers, authorised] of cases) {
    await t.step(`${name} → 200, authorised: ${authorised}`, async () => {
      views.length = 0;
      const res = await app.request("/status", { headers });
      assert.equal(res.status, 200, "/status stays open: a wrong token is no refusal");
      await res.body?.cancel();
      assert.deepEqual(views, [authorised]);
    });
  }
  await t.step("without a token set, nobody carries one", async () => {
    views.length = 0;
    const open = fakeApp({ status }).app;
    const res = await open.request("/status", { headers: { Authorization: `Bearer ${TOKEN}` } });
    await res.body?.cancel();
    assert.deepEqual(views, [false]);
  });
});
