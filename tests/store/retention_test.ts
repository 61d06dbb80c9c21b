/** Tests of src/store/retention.ts: exactly what is older than each limit goes. */
import assert from "node:assert/strict";
import { openDatabase } from "../../src/store/db.ts";
import { Retention } from "../../src/store/retention.ts";
import { SampleWriter } from "../../src/store/writer.ts";
import { feeder, sample, T0 } from "./fixtures.ts";

Deno.test("Retention removes exactly what is older than each limit, in chunks", async () => {
  const db = openDatabase(":memory:");
  const writer = new SampleWriter(db);
  const append = feeder(writer);
  const nowMs = T0 + 10 * 3_600_000;
  // One sample every 10 s for 10 hours.
  for (let i = 0; i < 3600; i++) append(sample(i + 1, T0 + i * 10_000));
  writer.flush();
  let yields = 0;
  const retention = new Retention(db, {
    rawRetentionMs: 4 * 3_600_000,
    rollupRetentionMs: 6 * 3_600_000,
    chunkRows: 100,
    now: () => nowMs,
    yieldFn: () => {
      yields++;
      return Promise.resolve();
    },
  });
  const result = await retention.run();
  const rawCut = nowMs - 4 * 3_600_000;
  const minuteCut = nowMs - 6 * 3_600_000;
  const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
  assert.equal(count(`SELECT COUNT(*) n FROM samples WHERE ts_ms < ${rawCut}`), 0);
  assert.equal(count(`SELECT COUNT(*) n FROM samples`), 1440, "the last 4 h stay");
  assert.equal(result.samples, 3600 - 1440);
  assert.equal(count(`SELECT COUNT(*) n FROM rollup_1s WHERE bucket_ms < ${rawCut}`), 0);
  assert.equal(count(`SELECT COUNT(*) n FROM rollup_1m WHERE bucket_ms < ${minuteCut}`), 0);
  assert.equal(count(`SELECT COUNT(*) n FROM rollup_1m`), 360, "the last 6 h of minutes stay");
  assert.ok(yields >= 20, `yielded ${yields} times between chunks`);
  assert.deepEqual(await retention.run(), {
    samples: 0,
    rollup_100ms: 0,
    rollup_1s: 0,
    rollup_1m: 0,
    alerts: 0,
  });
  assert.ok((await retention.vacuum()) >= 0);
  db.close();
});
