// @ts-check
/// <reference lib="dom" />
/**
 * @module The big V/A/W numbers, each in its own auto-ranged unit (V/mV, A/mA/µA,
 * W/mW/µW) to the sensor's resolution, with sensor status, mode, sample number and time;
 * the sensor-failure banner; and a watchdog banner when samples stop arriving while the
 * simulator is said to run. Drawn at most once per animation frame.
 */

import { pickedResolution } from "./channels.js";
import { formatClock, formatDuration, metricParts, METRICS, metricText } from "./format.js";
import { byId as $ } from "./dom.js";
import { formatNumber, onLanguageChange, t } from "./i18n.js";
import { level, markLevel } from "./rules.js";

/** @typedef {import("./types.js").MeasurementData} MeasurementData */
/** Samples may be this many intervals late before the page calls the stream stalled. */
const STALL_INTERVALS = 5;
const STALL_MIN_MS = 4_000;

/**
 * Unix ms of a measurement; a server of the original v1 protocol sends only `ts` (seconds).
 * @param {{ ts_ms?: number, ts?: number }} sample
 * @returns {number | null}
 */
export function sampleTimeMs(sample) {
  return sample.ts_ms ?? (typeof sample.ts === "number" ? sample.ts * 1000 : null);
}

/** Latest-sample readouts. */
export class Readouts {
  /** @type {MeasurementData | null} */
  #latest = null;
  #dirty = false;
  #lastArrival = 0;
  intervalMs = 1000;

  constructor() {
    setInterval(() => this.#checkStall(), 1000);
    onLanguageChange(() => {
      this.recolour();
      this.draw();
    });
  }

  /**
   * Remembers a measurement; drawn on the next frame.
   * @param {MeasurementData} sample
   */
  push(sample) {
    this.#latest = sample;
    this.#dirty = true;
    this.#lastArrival = performance.now();
  }

  /** Draws the latest sample if it changed. Returns whether it drew. */
  draw() {
    if (!this.#dirty || !this.#latest) return false;
    this.#dirty = false;
    const sample = this.#latest;
    const failed = sample.status === "error";
    const resolution = pickedResolution();
    for (const m of METRICS) {
      const value = $(`value-${m}`);
      const { text, unit } = metricParts(m, sample[m], resolution);
      value.textContent = failed ? t("readout.fail") : text;
      value.dataset.value = failed ? "" : String(sample[m]);
      $(`unit-${m}`).textContent = unit;
      markLevel($(`readout-${m}`), failed ? "normal" : level(m, sample[m]));
    }
    document.body.dataset.sensor = sample.status ?? "ok";
    const badge = $("sensor-status");
    const status = sample.status ?? "ok";
    badge.dataset.status = status;
    badge.textContent = t(`readout.status.${status}`);
    $("sample-mode").textContent = sample.mode ?? "—";
    // A derived efficiency channel (issue 13): V, A and W are its output's; these are its own.
    const efficiency = sample.derived === "efficiency";
    $("meta-efficiency").hidden = !efficiency;
    if (efficiency) {
      const ratio = sample.efficiency;
      $("sample-efficiency").textContent = failed || ratio == null
        ? "—"
        : formatNumber(ratio * 100, 1);
      $("sample-loss").textContent = failed ? "—" : metricText("w", sample.loss_w ?? null);
    }
    $("sample-seq").textContent = String(sample.seq ?? "—");
    const tsMs = sampleTimeMs(sample);
    const time = $("sample-time", HTMLTimeElement);
    time.textContent = tsMs === null ? "—" : formatClock(tsMs, true);
    if (tsMs !== null) time.dateTime = new Date(tsMs).toISOString();
    const banner = $("banner-sensor");
    if (banner.hidden === failed) banner.hidden = !failed;
    if (failed) {
      banner.textContent = t("readout.sensor_error", {
        detail: sample.error ?? t("readout.no_detail"),
      });
    }
    return true;
  }

  /** Blanks the numbers (another channel is shown) until its first sample. */
  reset() {
    this.#latest = null;
    this.#dirty = false;
    for (const m of METRICS) {
      $(`value-${m}`).textContent = "—";
      $(`value-${m}`).dataset.value = "";
      markLevel($(`readout-${m}`), "normal");
    }
    for (const id of ["sample-mode", "sample-seq", "sample-time"]) $(id).textContent = "—";
    $("meta-efficiency").hidden = true;
    $("banner-sensor").hidden = true;
    this.resetWatchdog();
  }

  /** Re-colours the numbers (after the rules changed). */
  recolour() {
    this.#dirty = this.#latest !== null;
  }

  /** Banner when the simulator runs and the stream is open but no sample came for a while. */
  #checkStall() {
    const banner = $("banner-stall");
    const body = document.body.dataset;
    const watching = body.conn === "live" && body.sim === "running" && this.#lastArrival > 0;
    const silentMs = performance.now() - this.#lastArrival;
    const limitMs = Math.max(STALL_MIN_MS, STALL_INTERVALS * this.intervalMs);
    const stalled = watching && silentMs > limitMs;
    banner.hidden = !stalled;
    if (stalled) {
      banner.textContent = t("readout.stalled", { duration: formatDuration(silentMs) });
    }
  }

  /** Forgets arrival times (after a reconnect), so the watchdog starts afresh. */
  resetWatchdog() {
    this.#lastArrival = performance.now();
  }
}
