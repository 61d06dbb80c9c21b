/**
 * The live analysis of the sample stream: rolling 60 s statistics, moving averages,
 * outlier flags and alert transitions. Pure: fed samples, asked for snapshots;
 * failed reads never enter it. (Energy and charge are the energy meter's.)
 * @module
 */
import type { Sample } from "../sample.ts";
import type { AlertEvent } from "../protocol/alerts.ts";
import type {
  Averages,
  MetricFigures,
  OutlierCounts,
  OutlierSummary,
  StatisticsData,
} from "../protocol/analysis.ts";
import type { AlertEngine, DerivedFigures } from "./alerts.ts";
import { SecondBuckets } from "./averages.ts";
import type { EnergyFigures } from "./energy.ts";
import { type Outlier, OutlierDetector } from "./outliers.ts";
import { type Metric, METRICS, RollingWindow } from "./rolling.ts";

/** What {@link Analyzer.add} returns for a sample that completes no alert (shared, frozen). */
const NO_EVENTS: AlertEvent[] = Object.freeze([]) as unknown as AlertEvent[];

/** The `statistics` message's data without the energy figures (the meter's). */
export type WindowFigures = Omit<StatisticsData, keyof EnergyFigures>;

/** Options of {@link Analyzer}. */
export interface AnalyzerOptions {
  /** The alert state machines every sample is fed to. */
  alerts: AlertEngine;
  /** Span of the statistics and outlier window (default 60 s). */
  windowMs?: number;
  /** Outliers kept for `/api/analysis/outliers/recent`. */
  recentOutliers?: number;
}

const MA_WINDOWS_S = { ma_1m: 60, ma_5m: 300, ma_15m: 900 } as const;

/** Rolling figures of the stream. */
export class Analyzer {
  /** The samples of the last `windowMs`, which the statistics are computed from. */
  readonly window: RollingWindow;
  /** The alert state machines fed by {@link Analyzer.add}. */
  readonly alerts: AlertEngine;
  #buckets = new SecondBuckets(900);
  #outliers: OutlierDetector;
  #recent: Outlier[] = [];
  #recentMax: number;
  #totals = new Map<string, number>();

  /** Starts with an empty window and no outliers. */
  constructor(options: AnalyzerOptions) {
    this.window = new RollingWindow(options.windowMs ?? 60_000);
    this.alerts = options.alerts;
    this.#outliers = new OutlierDetector(this.window);
    this.#recentMax = options.recentOutliers ?? 1000;
  }

  /** Feeds one sample; returns the alert transitions it completes. */
  add(sample: Sample): AlertEvent[] {
    if (sample.status === "error") return NO_EVENTS;
    const { tsMs, v, a, w, seq } = sample;
    this.window.push(tsMs, v, a, w);
    this.#buckets.add(tsMs, v, a, w);
    // Most samples complete no alert: they share one empty answer. The metrics one by
    // one rather than by a loop over their names: `sample[metric]` is a keyed load.
    let events = this.#metric("v", v, tsMs, seq, NO_EVENTS);
    events = this.#metric("a", a, tsMs, seq, events);
    events = this.#metric("w", w, tsMs, seq, events);
    // A derived efficiency sample's efficiency and loss (a no-op without their rules).
    const derived = this.alerts.evaluateDerived(sample as Sample & DerivedFigures, tsMs);
    if (derived.length > 0) events = [...events, ...derived];
    return events;
  }

  /** Outlier flags and the alert transition of one metric's value, added to `events`. */
  #metric(
    metric: Metric,
    value: number,
    tsMs: number,
    seq: number,
    events: AlertEvent[],
  ): AlertEvent[] {
    const flags = this.#outliers.check(metric, value, tsMs, seq);
    for (let i = 0; i < flags.length; i++) this.#note(flags[i]);
    const event = this.alerts.evaluate(metric, value, tsMs);
    if (!event) return events;
    return events === NO_EVENTS ? [event] : [...events, event];
  }

  #note(o: Outlier): void {
    this.#recent.push(o);
    if (this.#recent.length > this.#recentMax) this.#recent.shift();
    const key = `${o.metric}/${o.method}`;
    this.#totals.set(key, (this.#totals.get(key) ?? 0) + 1);
  }

  /** Moving averages of one metric at `nowMs`. */
  movingAverages(metric: Metric, nowMs: number): Averages {
    return {
      ma_1m: this.#buckets.average(metric, MA_WINDOWS_S.ma_1m, nowMs),
      ma_5m: this.#buckets.average(metric, MA_WINDOWS_S.ma_5m, nowMs),
      ma_15m: this.#buckets.average(metric, MA_WINDOWS_S.ma_15m, nowMs),
    };
  }

  /** The `statistics` message's window figures at `nowMs` (energy comes from the meter). */
  snapshot(nowMs: number): WindowFigures {
    this.window.evict(nowMs);
    const figures = (metric: Metric): MetricFigures => {
      const { min, max, avg } = this.window.stats(metric);
      return { min, max, avg, ...this.movingAverages(metric, nowMs) };
    };
    return {
      window_s: this.window.windowMs / 1000,
      v: figures("v"),
      a: figures("a"),
      w: figures("w"),
      samples: this.window.count,
      ma_covered_s: {
        ma_1m: this.#buckets.coveredS(MA_WINDOWS_S.ma_1m, nowMs),
        ma_5m: this.#buckets.coveredS(MA_WINDOWS_S.ma_5m, nowMs),
        ma_15m: this.#buckets.coveredS(MA_WINDOWS_S.ma_15m, nowMs),
      },
    };
  }

  /** The most recent outliers, newest first. */
  recentOutliers(limit: number): Outlier[] {
    return this.#recent.slice(-limit).reverse();
  }

  /** Outlier counts per metric and method: since start, and within the window. */
  outlierSummary(nowMs: number): OutlierSummary {
    const cutoff = nowMs - this.window.windowMs;
    const metrics = Object.fromEntries(METRICS.map((m) => {
      const inWindow = (method: string) =>
        this.#recent.filter((o) => o.metric === m && o.method === method && o.ts_ms > cutoff)
          .length;
      return [m, {
        zscore: this.#totals.get(`${m}/zscore`) ?? 0,
        iqr: this.#totals.get(`${m}/iqr`) ?? 0,
        zscore_window: inWindow("zscore"),
        iqr_window: inWindow("iqr"),
      }];
    })) as Record<Metric, OutlierCounts>;
    return { window_s: this.window.windowMs / 1000, metrics, last: this.#recent.at(-1) ?? null };
  }
}
