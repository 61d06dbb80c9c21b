/**
 * Recordings on a real monitor: the token policy (writes, the import and the CSV export
 * need it), status messages on /ws when a recording starts and stops, an import larger
 * than the app's 16 KiB body limit, and a live recording stopped ("shutdown") with what
 * was stored when the monitor shuts down.
 * @module
 */
import assert from "node:assert/strict";
import { Recordings } from "../../src/recordings/recordings.ts";
import { recordingsStore } from "../../src/recordings/recordings_store.ts";
import { RECORDING_CSV_HEADER } from "../../src/recordings/csv.ts";
import { Store } from "../../src/store/store.ts";
import { statusTexts, withMonitor } from "../integration/harness.ts";

const TOKEN = "recordings-token-1";
const AUTH = { Authorization: `Bearer ${TOKEN}` };

Deno.test("startMonitor(): recordings need the token to change or export, tell /ws, stop at shutdown", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ina219-rec-" });
  const dbPath = `${dir}/monitor.db`;
  let liveId = 0;
  try {
    await withMonitor(
      { API_TOKEN: TOKEN, DB_PATH: dbPath, SAMPLE_INTERVAL_MS: "10", FLUSH_INTERVAL_MS: "100" },
      async (h) => {
        const ws = await h.connect();
        assert.equal((await h.post("/api/recordings", { name: "run" })).status, 401);
        const made = await h.post("/api/recordings", { name: "run" }, AUTH);
        assert.equal(made.status, 201);
        const id = made.body.id as number;
        await ws.until(
          "the start message",
          (ms) => statusTexts(ms).includes(`Recording "run" started (main)`),
        );
        await ws.nextMeasurements(30);
        const got = await h.request("GET", `/api/recordings/${id}`);
        assert.equal(got.status, 200, "reads need no token");
        assert.equal(got.body.state, "recording");
        assert.equal((await h.post(`/api/recordings/${id}/stop`)).status, 401);
        const stopped = await h.post(`/api/recordings/${id}/stop`, undefined, AUTH);
        assert.equal(stopped.status, 200);
        assert.ok(stopped.body.samples >= 20, `${stopped.body.samples} samples`);
        await ws.until(
          "the stop message",
          (ms) => statusTexts(ms).includes(`Recording "run" stopped`),
        );

        const path = `/api/recordings/${id}/export.csv`;
        assert.equal((await h.request("GET", path)).status, 401);
        const csv = await h.request("GET", path, { headers: AUTH });
        assert.equal(csv.status, 200);
        assert.equal((csv.body as string).split("\n")[0], RECORDING_CSV_HEADER);

        // Over the app's 16 KiB body limit: the import streams it instead.
        const lines = [RECORDING_CSV_HEADER];
        const t0 = Date.now() - 60_000;
        for (let i = 0; i < 2000; i++) {
          lines.push(`main,x,${t0 + i},${i + 1},5,0.1,0.5,ok,NORMAL,,${i === 0 ? 0 : 1}`);
        }
        const body = lines.join("\n");
        assert.ok(body.length > 16 * 1024);
        const init = { body, headers: { "Content-Type": "text/csv" } };
        assert.equal(
          (await h.request("POST", "/api/recordings/import?name=big", init)).status,
          401,
        );
        const imported = await h.request("POST", "/api/recordings/import?name=big", {
          ...init,
          headers: { ...init.headers, ...AUTH },
        });
        assert.equal(imported.status, 201, JSON.stringify(imported.body));
        assert.equal(imported.body.samples, 2000);
        // 1999 steps of 1 ms at 0.5 W.
        assert.ok(Math.abs(imported.body.figures.main.energy_j - 1999 * 0.0005) < 1e-9);

        const live = await h.post("/api/recordings", { name: "left running" }, AUTH);
        liveId = live.body.id;
        await ws.nextMeasurements(20);
      },
    );
    // After shutdown: the live one was stopped with what the store held.
    const store = new Store({
      path: dbPath,
      rawRetentionMs: 3_600_000,
      rollupRetentionMs: 86_400_000,
      flushIntervalMs: 0,
      retentionIntervalMs: 0,
    });
    try {
      const recordings = new Recordings(recordingsStore(store), {
        channels: ["main"],
        maxBytes: 1e9,
      });
      const r = recordings.get(liveId)!;
      assert.equal(r.state, "stopped");
      assert.equal(r.stop_reason, "shutdown");
      assert.ok(r.samples > 0);
      assert.equal(r.figures.main.count + r.figures.main.errors, r.samples);
      recordings.close();
    } finally {
      store.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
