/**
 * Tests of src/http/routes_markers.ts through the real app (validation, token policy,
 * errors) over real markers in an in-memory store, with the broadcast recorded.
 * @module
 */
import assert from "node:assert/strict";
import { ErrorBody } from "../../src/protocol/common.ts";
import { MarkerData, MarkerList, type MarkerMessage } from "../../src/protocol/markers.ts";
import type { ServerMessage } from "../../src/protocol/messages.ts";
import { Markers } from "../../src/recordings/markers.ts";
import { MarkerLog } from "../../src/store/markers.ts";
import { Store } from "../../src/store/store.ts";
import { fakeApp } from "../fakes.ts";

const TOKEN = "s3cret-token";
const NOW = 1_700_000_000_000; // fakeApp's clock

function setup(security: { apiToken?: string | null; readTokenRequired?: boolean } = {}) {
  const store = new Store({
    path: ":memory:",
    channels: ["main", "out"],
    rawRetentionMs: 86_400_000,
    rollupRetentionMs: 86_400_000,
    flushIntervalMs: 0,
    retentionIntervalMs: 0,
  });
  const sent: [ServerMessage, string][] = [];
  const markers = new Markers({
    log: new MarkerLog(store.db),
    broadcast: (message, channel) => sent.push([message, channel]),
    channels: ["main", "out"],
    now: () => NOW,
  });
  const { app } = fakeApp({
    markers,
    security: {
      apiToken: security.apiToken ?? null,
      readTokenRequired: security.readTokenRequired ?? false,
      allowedOrigins: [],
    },
  });
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    app.request("/api/markers", {
      method: "POST",
      headers: { "Content-Type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  return { app, store, sent, post, markers };
}

Deno.test("POST /api/markers stores a marker (default now, first channel) and sends it to the channel's clients", async () => {
  const { store, sent, post } = setup();
  try {
    const res = await post({ label: "  radio on  " });
    assert.equal(res.status, 201);
    const marker = MarkerData.parse(await res.json());
    assert.deepEqual(marker, {
      id: marker.id,
      ts_ms: NOW,
      channel: "main",
      label: "radio on",
      source: "user",
      created_at_ms: NOW,
    });
    const other = MarkerData.parse(
      await (await post({ label: "boot", channel: "out", ts_ms: NOW - 5 }))
        .json(),
    );
    assert.equal(other.ts_ms, NOW - 5);
    assert.deepEqual(
      sent,
      [
        [{ type: "marker", data: marker, timestamp: new Date(NOW).toISOString() }, "main"],
        [{ type: "marker", data: other, timestamp: new Date(NOW - 5).toISOString() }, "out"],
      ] satisfies [MarkerMessage, string][],
    );
  } finally {
    store.close();
  }
});

Deno.test("POST /api/markers refuses bad input with a 400 and stores and sends nothing", async (t) => {
  const { app, store, sent, post } = setup();
  try {
    const cases: [string, unknown, RegExp][] = [
      ["unknown channel", { label: "x", channel: "nope" }, /expected one of: main, out/],
      ["empty channel", { label: "x", channel: "" }, /expected one of/],
      ["no label", {}, /label/],
      ["empty label", { label: "" }, /must not be empty/],
      ["blank label", { label: "   " }, /must not be empty/],
      ["label of 201", { label: "x".repeat(201) }, /at most 200/],
      ["label not a string", { label: 5 }, /label/],
      ["fractional ts_ms", { label: "x", ts_ms: NOW + 0.5 }, /whole epoch milliseconds/],
      ["ts_ms in seconds", { label: "x", ts_ms: NOW / 1000 }, /seconds × 1000/],
      ["ts_ms a day ahead", { label: "x", ts_ms: NOW + 86_400_001 }, /a day ahead/],
      ["ts_ms as text", { label: "x", ts_ms: "now" }, /ts_ms/],
      ["source given", { label: "x", source: "alert" }, /source/],
      ["not JSON", "{label:", /JSON/i],
    ];
    for (const [name, body, message] of cases) {
      await t.step(name, async () => {
        const res = await post(body);
        assert.equal(res.status, 400);
        const error = ErrorBody.parse(await res.json());
        assert.match(`${error.error} ${JSON.stringify(error.issues)}`, message);
      });
    }
    const list = MarkerList.parse(await (await app.request("/api/markers?channel=*")).json());
    assert.equal(list.count, 0);
    assert.deepEqual(sent, []);
    assert.equal((await post({ label: "x".repeat(200) })).status, 201, "200 characters are fine");
  } finally {
    store.close();
  }
});

Deno.test("GET /api/markers lists a channel's markers in [from, to), oldest first", async () => {
  const { app, store, markers } = setup();
  try {
    markers.add({ channel: "main", label: "b", tsMs: NOW - 1000 });
    markers.add({ channel: "main", label: "a", tsMs: NOW - 2000 });
    markers.add({ channel: "out", label: "c", tsMs: NOW - 1500 });
    const labels = async (query: string) => {
      const res = await app.request(`/api/markers${query}`);
      assert.equal(res.status, 200, query);
      const list = MarkerList.parse(await res.json());
      assert.equal(list.count, list.data.length);
      return list.data.map((m) => m.label);
    };
    assert.deepEqual(await labels(""), ["a", "b"]);
    assert.deepEqual(await labels("?channel=out"), ["c"]);
    assert.deepEqual(await labels("?channel=*"), ["a", "c", "b"]);
    assert.deepEqual(await labels(`?from=${NOW - 1500}`), ["b"]);
    assert.deepEqual(await labels(`?to=${NOW - 1000}`), ["a"]);
    assert.deepEqual(
      await labels(`?channel=*&from=${new Date(NOW - 1500).toISOString()}&to=${NOW}`),
      ["c", "b"],
    );
    assert.deepEqual(await labels("?channel=*&limit=1"), ["a"]);
    for (
      const [query, message] of [
        ["?channel=nope", /expected one of: main, out/],
        [`?from=${NOW}&to=${NOW}`, /before/],
        ["?from=yesterday", /not a time/],
        ["?limit=0", /limit/],
        ["?limit=10001", /limit/],
      ] as const
    ) {
      const res = await app.request(`/api/markers${query}`);
      assert.equal(res.status, 400, query);
      assert.match(JSON.stringify(ErrorBody.parse(await res.json())), message);
    }
  } finally {
    store.close();
  }
});

Deno.test("DELETE /api/markers/{id} deletes once, then 404; a bad id is a 400", async () => {
  const { app, store, markers } = setup();
  try {
    const m = markers.add({ channel: "out", label: "x", tsMs: NOW });
    const first = await app.request(`/api/markers/${m.id}`, { method: "DELETE" });
    assert.equal(first.status, 200);
    assert.deepEqual(await first.json(), { deleted: m });
    const again = await app.request(`/api/markers/${m.id}`, { method: "DELETE" });
    assert.equal(again.status, 404);
    assert.deepEqual(await again.json(), { error: `No marker ${m.id}`, issues: [] });
    for (const id of ["abc", "0", "1.5"]) {
      const res = await app.request(`/api/markers/${id}`, { method: "DELETE" });
      assert.equal(res.status, 400, id);
      ErrorBody.parse(await res.json());
    }
  } finally {
    store.close();
  }
});

Deno.test("Marker routes follow the token policy: writes need it, reads only with READ_TOKEN_REQUIRED", async () => {
  const open = setup({ apiToken: TOKEN });
  const locked = setup({ apiToken: TOKEN, readTokenRequired: true });
  try {
    const auth = { Authorization: `Bearer ${TOKEN}` };
    assert.equal((await open.post({ label: "x" })).status, 401);
    assert.equal((await open.post({ label: "x" }, { Authorization: "Bearer wrong" })).status, 401);
    const made = await open.post({ label: "x" }, auth);
    assert.equal(made.status, 201);
    const { id } = MarkerData.parse(await made.json());
    assert.equal((await open.app.request(`/api/markers/${id}`, { method: "DELETE" })).status, 401);
    assert.equal((await open.app.request("/api/markers")).status, 200, "a read, without the token");
    assert.equal((await locked.app.request("/api/markers")).status, 401);
    assert.equal((await locked.app.request("/api/markers", { headers: auth })).status, 200);
    const gone = await open.app.request(`/api/markers/${id}`, { method: "DELETE", headers: auth });
    assert.equal(gone.status, 200);
  } finally {
    open.store.close();
    locked.store.close();
  }
});

Deno.test("/openapi.json documents the marker routes and the marker message", async () => {
  const { app, store } = setup();
  try {
    const doc = await (await app.request("/openapi.json")).json();
    assert.ok(doc.paths["/api/markers"].post);
    assert.ok(doc.paths["/api/markers"].get);
    assert.ok(doc.paths["/api/markers/{id}"].delete);
    assert.deepEqual(doc.paths["/api/markers"].post.security, [{ bearerAuth: [] }]);
    assert.ok(doc.components.schemas.MarkerMessage);
  } finally {
    store.close();
  }
});
