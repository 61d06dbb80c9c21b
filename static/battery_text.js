// @ts-check
/**
 * @module The battery box's pure parts (no DOM, so tests import them directly): the
 * query parameters from what the user typed, and a runtime as people read it.
 */

import { formatDuration } from "./format.js";

/**
 * The query parameters of a battery figure, or null when no valid capacity is typed.
 * @param {string} capacity mAh as typed
 * @param {string} nominal V as typed (may be empty)
 * @returns {Record<string, string> | null}
 */
export function batteryParams(capacity, nominal) {
  const mah = Number(capacity);
  if (capacity.trim() === "" || !Number.isFinite(mah) || mah <= 0) return null;
  const v = Number(nominal);
  return nominal.trim() !== "" && Number.isFinite(v) && v > 0
    ? { capacity_mah: String(mah), nominal_v: String(v) }
    : { capacity_mah: String(mah) };
}

/**
 * A runtime in hours as people read it ("12 h 30 min", "4 d 02 h"); "—" when unknown.
 * @param {number | null | undefined} hours
 * @returns {string}
 */
export function runtimeText(hours) {
  return typeof hours === "number" && Number.isFinite(hours) && hours > 0
    ? formatDuration(hours * 3_600_000)
    : "—";
}
