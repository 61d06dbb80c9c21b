/**
 * A recording's markers in its CSV (src/recordings/csv.ts, recording_markers.ts, through
 * the export, import and markers routes): the export carries the markers of its span as
 * `#marker` lines, the import reads them back, and export → import → export is the same
 * file with the same markers.
 * @module
 */
import assert from "node:assert/strict";
import { OpenAPIHono } from "@hono/zod-openapi";
import { validationHook } from "../../src/http/errors.ts";
import { recordingsRoutes } from "../../src/http/routes_recordings.ts";
import { MarkerList } from "../../src/protocol/markers.ts";
import { ImportResponse } from "../../src/protocol/recordings.ts";
import { MARKER_TAG, RECORDING_CSV_HEADER } from "../../src/recordings/csv.ts";
import { MarkerLog } from "../../src/store/markers.ts";
import { setup, T0 } from "./fixtures.ts";

const upload = (text: string) => ({
  method: "POST",
  headers: { "Content-Type": "text/csv" },
  body: text,
});

Deno.test("Recording CSV: markers of the span are exported as #marker lines and imported back", async () => {
  const t = setup();
  try {
    const log = new MarkerLog(t.store.db);
    const a = new OpenAPIHono({ defaultHook: validationHook });
    recordingsRoutes(a, { recordings: t.recordings, markers: log, now: () => t.clock.ms });
    t.feed("main", T0, 5000);
    t.feed("aux", T0, 5000, 3);
    t.clock.ms = T0 + 6000;
    const mark = (
      channel: string,
      tsMs: number,
      label: string,
      source: "user" | "alert" = "user",
    ) => log.add({ channel, tsMs, label, source, createdAtMs: t.clock.ms });
    mark("main", T0 + 999, "before"); // outside
    mark("main", T0 + 1000, "radio on");
    mark("aux", T0 + 2000, 'edge, "quoted"\nsecond line', "alert");
    mark("main", T0 + 3999, "last in");
    mark("main", T0 + 4000, "after"); // outside: the end is exclusive
    const rec = await t.recordings.fromHistory(
      { name: "marked", channels: ["main", "aux"] },
      T0 + 1000,
      T0 + 4000,
    );
    const listed = MarkerList.parse(
      await (await a.request(`/api/recordings/${rec.id}/markers`)).json(),
    );
    assert.deepEqual(listed.data.map((m) => m.label), [
      "radio on",
      'edge, "quoted"\nsecond line',
      "last in",
    ]);

    const csv = await (await a.request(`/api/recordings/${rec.id}/export.csv`)).text();
    const lines = csv.split("\n");
    assert.equal(lines[0], RECORDING_CSV_HEADER);
    assert.equal(
      lines[1],
      `${MARKER_TAG},main,${new Date(T0 + 1000).toISOString()},${T0 + 1000},user,radio on`,
    );
    assert.equal(
      lines[2],
      `${MARKER_TAG},aux,${new Date(T0 + 2000).toISOString()},${T0 + 2000},alert,"edge, ""quoted""`,
    );
    const oneChannel = await (await a.request(`/api/recordings/${rec.id}/export.csv?channel=aux`))
      .text();
    assert.equal(oneChannel.split(MARKER_TAG).length - 1, 1, "only the exported channel's");

    const res = await a.request("/api/recordings/import?name=back", upload(csv));
    assert.equal(res.status, 201, await res.clone().text());
    const back = ImportResponse.parse(await res.json());
    assert.equal(back.markers_read, 3);
    assert.equal(back.rows_read, rec.samples);
    const again = MarkerList.parse(
      await (await a.request(`/api/recordings/${back.id}/markers`)).json(),
    );
    const shape = (ms: MarkerList["data"]) =>
      ms.map((m) => [m.channel, m.ts_ms, m.label, m.source]);
    assert.deepEqual(shape(again.data), shape(listed.data));
    // The same file again, markers included.
    assert.equal(await (await a.request(`/api/recordings/${back.id}/export.csv`)).text(), csv);

    // Deleting the import forgets its markers; the live ones stay.
    assert.equal((await a.request(`/api/recordings/${back.id}`, { method: "DELETE" })).status, 200);
    assert.deepEqual(t.recordings.importedMarkers(back.id), []);
    assert.equal(log.markersIn("main", T0, T0 + 5000).length, 4);
  } finally {
    t.close();
  }
});

Deno.test("Recording CSV import: a bad #marker line is refused with its line number; nothing is kept", async () => {
  const t = setup();
  try {
    const a = new OpenAPIHono({ defaultHook: validationHook });
    recordingsRoutes(a, { recordings: t.recordings, now: () => t.clock.ms });
    const row = `main,x,${T0},1,5,0.1,0.5,ok,NORMAL,,0`;
    for (
      const [marker, pattern] of [
        [`${MARKER_TAG},main,x,${T0}`, /Line 2: a marker line has 4 fields/],
        [`${MARKER_TAG},main,x,${T0},robot,hi`, /Line 2: marker source "robot"/],
        [`${MARKER_TAG},main,x,${T0},user,  `, /Line 2: marker label must not be empty/],
        [`${MARKER_TAG},main,x,soon,user,hi`, /Line 2: marker ts_ms "soon"/],
      ] as const
    ) {
      const res = await a.request(
        "/api/recordings/import?name=bad",
        upload([RECORDING_CSV_HEADER, marker, row].join("\n")),
      );
      assert.equal(res.status, 422);
      assert.match((await res.json()).error, pattern);
    }
    assert.deepEqual(t.recordings.list(), []);
  } finally {
    t.close();
  }
});
