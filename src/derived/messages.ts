/**
 * A derived channel's samples on the wire: the v1 protocol's `measurement` and batched
 * `measurements` messages, built as for a measured channel, plus `derived` and, for an
 * efficiency channel, `efficiency`, `loss_w` and `p_in_w` (src/protocol/derived.ts).
 * @module
 */
import {
  type MeasurementMessage,
  measurementMessage,
  type MeasurementsMessage,
  measurementsMessages,
} from "../protocol/ws.ts";
import type { DerivedSample } from "./combine.ts";

/** The `measurement` message of one derived sample. */
export function derivedMeasurementMessage(sample: DerivedSample): MeasurementMessage {
  const message = measurementMessage(sample);
  message.data.derived = sample.derived;
  if (sample.derived === "efficiency") {
    message.data.efficiency = sample.efficiency ?? null;
    message.data.loss_w = sample.lossW ?? 0;
    message.data.p_in_w = sample.pInW ?? 0;
  }
  return message;
}

/**
 * The `measurements` messages of consecutive derived samples of one channel (the batched
 * stream), with the extra columns index for index.
 */
export function derivedMeasurementsMessages(
  samples: readonly DerivedSample[],
): MeasurementsMessage[] {
  const messages = measurementsMessages(samples);
  let next = 0;
  for (const { data } of messages) {
    const batch = samples.slice(next, next += data.ts_ms.length);
    data.derived = batch[0].derived;
    if (data.derived === "efficiency") {
      data.efficiency = batch.map((s) => s.efficiency ?? null);
      data.loss_w = batch.map((s) => s.lossW ?? 0);
      data.p_in_w = batch.map((s) => s.pInW ?? 0);
    }
  }
  return messages;
}
