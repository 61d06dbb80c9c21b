/**
 * Bodies of the sensor's own settings: `PUT /api/sensor/adc`, the INA219's ADC
 * averaging (`ADC_SAMPLES` at run time).
 * @module
 */
import { z } from "zod";
import { ErrorBody } from "./common.ts";

/** Body of `PUT /api/sensor/adc`. */
export const AdcRequest = z.object({
  samples: z.literal([1, 2, 4, 8, 16, 32, 64, 128]).meta({
    description:
      "Samples the chip averages per conversion (as ADC_SAMPLES): 1 is one 12-bit sample, 0.532 ms per quantity; 128 take 68.1 ms",
    example: 4,
  }),
}).strict();

/** `PUT /api/sensor/adc`: the setting in force. */
export const AdcResponse = z.object({
  status: z.literal("ok"),
  adc_samples: z.number().int().meta({ example: 4 }),
  conversion_time_ms: z.number().meta({
    description: "One shunt + bus result; samples come at most this often",
    example: 4.26,
  }),
});

/** `PUT /api/sensor/adc` the device did not carry out (the acquisition thread did not answer). */
export const SensorCommandErrorBody = ErrorBody.extend({
  failure: z.enum(["refused", "timeout", "garbled", "gone"]).meta({
    description:
      "timeout (504): the acquisition thread did not answer in time; gone (502): it is restarting; refused (422): the driver said no",
  }),
});
