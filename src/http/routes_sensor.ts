/**
 * The sensor's own settings: `PUT /api/sensor/adc` sets the INA219's ADC averaging
 * at run time (what `ADC_SAMPLES` sets at start-up).
 * @module
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { ErrorBody } from "../protocol/common.ts";
import { AdcRequest, AdcResponse, SensorCommandErrorBody } from "../protocol/sensor.ts";
import { type AdcState, DeviceCommandError } from "../sources/source.ts";
import {
  CHANNEL_QUERY,
  channelPart,
  json,
  type PerChannel,
  SECURED,
  UNAUTHORIZED,
} from "./route_helpers.ts";

/** The source's settings, as the sensor routes change them. */
export interface SensorControl {
  /** The source's type (`Mock`, `INA219`, `Serial`), for the 409 of one without the setting. */
  readonly type: string;
  /** Whether the source has an ADC setting (the INA219; not the mock or a serial device). */
  readonly hasAdc: boolean;
  /**
   * Sets the samples per conversion; resolves with the setting in force. Rejects
   * with `RangeError` (nothing changed) or a {@link DeviceCommandError}.
   */
  setAdcSamples(samples: number): Promise<AdcState>;
}

/** What the sensor routes act on. */
export interface SensorDeps {
  /**
   * Each measured channel's source settings (`?channel=`, default the first); absent
   * means none can be changed (every answer a 409).
   */
  sensor?: PerChannel<SensorControl>;
}

const COMMAND_STATUS = { refused: 422, timeout: 504, garbled: 502, gone: 502 } as const;

const adcRoute = createRoute({
  method: "put",
  path: "/api/sensor/adc",
  tags: ["Simulator"],
  summary: "Set the sensor's ADC averaging",
  description:
    "The INA219's samples averaged per conversion (1–128, a power of two, as `ADC_SAMPLES`): more samples, less noise, fewer samples a second. The acquisition thread rewrites the chip's configuration register and paces its reads by the new conversion time; the answer comes once it did. Until the next restart only: `ADC_SAMPLES` sets it at start-up.",
  security: SECURED,
  request: {
    query: z.object(CHANNEL_QUERY),
    body: { content: { "application/json": { schema: AdcRequest } }, required: true },
  },
  responses: {
    200: json(AdcResponse, "Set: the setting in force"),
    400: json(ErrorBody, "Invalid input or unknown channel; nothing was changed"),
    401: UNAUTHORIZED,
    409: json(ErrorBody, "The source has no ADC setting (the mock, a serial device)"),
    413: json(ErrorBody, "Body over 16 KiB"),
    422: json(SensorCommandErrorBody, "The driver refused; nothing changed"),
    502: json(SensorCommandErrorBody, "The acquisition thread is restarting; nothing changed"),
    504: json(SensorCommandErrorBody, "The acquisition thread did not answer in time"),
  },
});

/** Registers the sensor routes on `app`. */
export function sensorRoutes(app: OpenAPIHono, deps: SensorDeps): void {
  app.openapi(adcRoute, async (c) => {
    const { samples } = c.req.valid("json");
    let sensor: SensorControl | undefined;
    if (deps.sensor) {
      const pick = channelPart(deps.sensor, c.req.valid("query").channel);
      if (!pick.ok) return c.json(pick.body, 400);
      sensor = pick.part;
    }
    if (!sensor?.hasAdc) {
      const message = `The ${sensor?.type ?? "source"} source has no ADC setting`;
      return c.json({
        error: message,
        issues: [{ path: "samples", message: "only SENSOR=ina219 has one" }],
      }, 409);
    }
    try {
      const { adcSamples, conversionTimeMs } = await sensor.setAdcSamples(samples);
      return c.json(
        { status: "ok" as const, adc_samples: adcSamples, conversion_time_ms: conversionTimeMs },
        200,
      );
    } catch (error) {
      if (error instanceof RangeError) {
        return c.json({
          error: "Invalid request body",
          issues: [{ path: "samples", message: error.message }],
        }, 400);
      }
      if (!(error instanceof DeviceCommandError)) throw error;
      return c.json({
        error: error.message,
        issues: [{ path: "samples", message: error.reason }],
        failure: error.failure,
      }, COMMAND_STATUS[error.failure]);
    }
  });
}
