/** Tests of src/derived/messages.ts and src/protocol/derived.ts: derived samples on the wire. */
import assert from "node:assert/strict";
import { DerivedChannel } from "../../src/derived/channel.ts";
import {
  derivedMeasurementMessage,
  derivedMeasurementsMessages,
} from "../../src/derived/messages.ts";
import { HistoryBucket, MeasurementRow } from "../../src/protocol/history.ts";
import { measurementMessage, measurementsMessages } from "../../src/protocol/ws.ts";
import type { Sample } from "../../src/sample.ts";
import { close } from "../assertions.ts";
import { fakeApp } from "../fakes.ts";
import { parseServerMessage } from "../ws_messages.ts";
import { REG, sumOf } from "./fixtures.ts";

const T0 = 1_700_000_000_000;

function s(tsMs: number, v: number, a: number, w = v * a): Sample {
  return { tsMs, seq: 0, v, a, w, status: "ok", mode: "NORMAL" };
}

Deno.test("derivedMeasurementMessage() is a valid measurement message with the derived fields", () => {
  const reg = new DerivedChannel(REG, { intervalMs: () => 10 });
  reg.add("in", s(T0, 5, 1, 5));
  const [d] = reg.add("out", s(T0 + 1, 3.3, 1.2, 3.96));
  const message = parseServerMessage(JSON.stringify(derivedMeasurementMessage(d)));
  assert.equal(message.type, "measurement");
  if (message.type !== "measurement") return;
  const { data } = message;
  assert.deepEqual(
    [data.v, data.a, data.w, data.seq, data.ts_ms, data.status, data.mode, data.derived],
    [3.3, 1.2, 3.96, 1, T0, "ok", "DERIVED", "efficiency"],
  );
  close(data.efficiency!, 0.792, "efficiency");
  close(data.loss_w!, 1.04, "loss");
  assert.equal(data.p_in_w, 5);
  assert.equal(message.timestamp, new Date(T0).toISOString());

  // A sum carries only `derived`; a measured sample carries none of them (v1 unchanged).
  const total = new DerivedChannel(sumOf("in", "out"), { intervalMs: () => 10 });
  total.add("in", s(T0, 5, 1, 5));
  const [t] = total.add("out", s(T0, 3.3, 1.2, 3.96));
  const sum = derivedMeasurementMessage(t).data;
  assert.equal(sum.derived, "sum");
  assert.deepEqual(
    ["efficiency", "loss_w", "p_in_w"].filter((k) => k in sum),
    [],
  );
  const measured = measurementMessage(s(T0, 5, 1)).data;
  assert.deepEqual(
    ["derived", "efficiency", "loss_w", "p_in_w"].filter((k) => k in measured),
    [],
  );
});

Deno.test("derivedMeasurementMessage(): an error sample has efficiency null and zeros", () => {
  const reg = new DerivedChannel(REG, { intervalMs: () => 10 });
  reg.add("in", s(T0, 5, 1));
  const [d] = reg.add("out", { ...s(T0, 0, 0), status: "error", error: "I2C read failed" });
  const { data } = derivedMeasurementMessage(d);
  assert.deepEqual(
    [data.status, data.error, data.efficiency, data.loss_w, data.p_in_w, data.w],
    ["error", 'input "out": I2C read failed', null, 0, 0, 0],
  );
});

Deno.test("derivedMeasurementsMessages() adds the columns index for index", () => {
  const reg = new DerivedChannel(REG, { intervalMs: () => 10 });
  const samples = [];
  for (let i = 0; i < 3; i++) {
    samples.push(...reg.add("in", s(T0 + 10 * i, 5, 1, 5)));
    samples.push(
      ...reg.add(
        "out",
        i === 1
          ? { ...s(T0 + 10 * i, 0, 0), status: "error", error: "I2C read failed" }
          : s(T0 + 10 * i, 3.3, 1.2, 3.96),
      ),
    );
  }
  const [message, ...rest] = derivedMeasurementsMessages(samples);
  assert.equal(rest.length, 0);
  const parsed = parseServerMessage(JSON.stringify(message));
  if (parsed.type !== "measurements") return assert.fail(parsed.type);
  const { data } = parsed;
  assert.equal(data.seq0, 1);
  assert.equal(data.derived, "efficiency");
  assert.deepEqual(data.status, ["ok", "error", "ok"]);
  assert.deepEqual(data.efficiency?.map((e) => e === null ? null : Math.round(e * 1000)), [
    792,
    null,
    792,
  ]);
  assert.deepEqual(data.p_in_w, [5, 0, 5]);
  assert.equal(data.loss_w?.length, 3);
  assert.deepEqual(data.errors, { "1": 'input "out": I2C read failed' });
  assert.equal("derived" in measurementsMessages([s(T0, 5, 1)])[0].data, false);
});

Deno.test("the derived fields are in the protocol's schemas and the OpenAPI document", async () => {
  const row = MeasurementRow.parse({
    ts_ms: T0,
    seq: 1,
    v: 3.3,
    a: 1.2,
    w: 3.96,
    status: "ok",
    mode: "DERIVED",
    error: null,
    derived: "efficiency",
    efficiency: 0.792,
    loss_w: 1.04,
    p_in_w: 5,
  });
  assert.equal(row.efficiency, 0.792, "kept, not stripped");
  const empty = { min: null, max: null, avg: null };
  const bucket = HistoryBucket.parse({
    ts_ms: T0,
    count: 0,
    errors: 0,
    v: empty,
    a: empty,
    w: empty,
    derived: "efficiency",
    efficiency: 0.8,
    efficiency_basis: "energy",
    energy_j: 4,
    loss_j: 1,
  });
  assert.equal(bucket.efficiency_basis, "energy");
  assert.throws(() => HistoryBucket.parse({ ...bucket, derived: "product" }));

  const { app } = fakeApp();
  const doc = await (await app.request("/openapi.json")).json();
  const props = (name: string) => Object.keys(doc.components.schemas[name].properties);
  for (const name of ["MeasurementData", "MeasurementsData", "MeasurementRow"]) {
    for (const field of ["derived", "efficiency", "loss_w", "p_in_w"]) {
      assert.ok(props(name).includes(field), `${name}.${field}`);
    }
  }
  for (const field of ["derived", "efficiency", "efficiency_basis", "loss_j", "energy_j"]) {
    assert.ok(props("HistoryBucket").includes(field), `HistoryBucket.${field}`);
  }
  assert.ok(!doc.components.schemas.MeasurementData.required.includes("derived"), "optional");
});
