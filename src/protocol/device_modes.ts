/**
 * The device modes of the v1 protocol as a plain list, with no schema library, so
 * the acquisition Worker's bundle (which runs the mock's waveforms on the emulated
 * INA219) carries no zod; `./simulator.ts` builds its schemas on it.
 * @module
 */

/**
 * Every mode of the v1 mock and the v1 Arduino device, in the order `/status` lists
 * them; `POST /simulator/mode` takes one of these when the source has modes.
 */
export const DEVICE_MODES = [
  "NORMAL",
  "LOAD_SPIKE",
  "VOLTAGE_DROP",
  "NOISE",
  "ERROR_TEST",
] as const;

/** A mode of the v1 mock and the v1 Arduino device. */
export type DeviceMode = typeof DEVICE_MODES[number];
