// @ts-check
/**
 * @module The batched stream's samples one at a time: the newest sample of a
 * `measurements` batch as a `measurement`'s data, for the panels that show one number.
 */

/** @typedef {import("./types.js").MeasurementsData} MeasurementsData */
/** @typedef {import("./types.js").MeasurementData} MeasurementData */

/**
 * The last sample of a non-empty batch, in the shape of a `measurement` message's data.
 * @param {MeasurementsData} batch
 * @returns {MeasurementData}
 */
export function lastSampleOf(batch) {
  const i = batch.ts_ms.length - 1;
  const tsMs = batch.ts_ms[i];
  const status = batch.status[i];
  /** @type {Record<string, unknown>} */
  const sample = {
    ts: Math.floor(tsMs / 1000),
    ts_ms: tsMs,
    seq: batch.seq0 + i,
    v: batch.v[i],
    a: batch.a[i],
    w: batch.w[i],
    status,
    mode: batch.mode,
    timestamp: new Date(tsMs).toISOString(),
  };
  const error = batch.errors?.[String(i)];
  if (error !== undefined) sample.error = error;
  if (batch.channel !== undefined) sample.channel = batch.channel;
  if (batch.derived !== undefined) {
    sample.derived = batch.derived;
    if (batch.efficiency) sample.efficiency = batch.efficiency[i];
    if (batch.loss_w) sample.loss_w = batch.loss_w[i];
    if (batch.p_in_w) sample.p_in_w = batch.p_in_w[i];
  }
  return /** @type {MeasurementData} */ (/** @type {unknown} */ (sample));
}
