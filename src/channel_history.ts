/**
 * A channel's history and span figures as the routes read them: a measured channel's from
 * its share of the store, a derived channel's computed from its inputs' when asked
 * (derived samples are never stored).
 * @module
 */
import type { DerivedChannelConfig } from "./channels.ts";
import { inputsOf } from "./channel_parts.ts";
import { deriveHistory, deriveRows, type InputBucket } from "./derived/history.ts";
import type { SpanFigures } from "./http/routes_analysis.ts";
import type { HistoryStore } from "./http/routes_history.ts";
import type { MeasurementRow } from "./protocol/history.ts";
import type { SpanResponse } from "./protocol/span.ts";
import type { ChannelStore } from "./store/channel_store.ts";
import type { Store } from "./store/store.ts";

/** Raw rows read per input to replay a derived channel's samples (the route's largest limit). */
const DERIVED_ROWS_MAX = 100_000;

/** A derived channel's CSV export replays its inputs an hour at a time. */
const DERIVED_PAGE_MS = 3_600_000;

/** A measured channel's stored history, as the history routes read it. */
export function measuredHistory(store: Store, channel: ChannelStore): HistoryStore {
  return {
    rawRetentionMs: store.retention.rawRetentionMs,
    rollupRetentionMs: store.retention.rollupRetentionMs,
    flush: () => void store.flush(),
    measurements: (fromMs, toMs, limit) => channel.queries.measurements(fromMs, toMs, limit),
    history: (fromMs, toMs, plan) => channel.queries.history(fromMs, toMs, plan),
    minutes: (fromMs, toMs) => channel.queries.minutes(fromMs, toMs),
    pages: (fromMs, toMs) => channel.queries.iterate(fromMs, toMs),
    stats: () => store.stats(),
    prune: () => store.prune(),
    vacuum: () => store.retention.vacuum(),
  };
}

/**
 * A derived channel's history, computed from its inputs' stored history whenever asked:
 * buckets from their buckets (`deriveHistory`), rows by replaying their rows through the
 * live computation (`deriveRows`).
 */
export function derivedHistory(
  config: DerivedChannelConfig,
  store: Store,
  intervalMs: (input: string) => number,
): HistoryStore {
  const inputs = inputsOf(config);
  const stores = inputs.map((n) => store.channel(n));
  const base = measuredHistory(store, stores[0]);
  const staleMs = () => Math.max(100, 2 * Math.max(...inputs.map(intervalMs)));
  const buckets = (read: (c: ChannelStore) => InputBucket[]) =>
    Object.fromEntries(stores.map((c) => [c.name, read(c)]));
  /** The derived rows stamped in [fromMs, toMs), oldest first. */
  const rows = (fromMs: number, toMs: number): MeasurementRow[] => {
    const margin = staleMs();
    const input = Object.fromEntries(stores.map((c) => [
      c.name,
      c.queries.measurements(fromMs - margin, toMs + margin, DERIVED_ROWS_MAX).reverse(),
    ]));
    return deriveRows(config, input, { intervalMs })
      .filter((r) => r.ts_ms >= fromMs && r.ts_ms < toMs);
  };
  return {
    ...base,
    measurements: (fromMs, toMs, limit) => rows(fromMs, toMs).reverse().slice(0, limit),
    history: (fromMs, toMs, plan) =>
      deriveHistory(config, buckets((c) => c.queries.history(fromMs, toMs, plan))),
    minutes: (fromMs, toMs) =>
      deriveHistory(config, buckets((c) => c.queries.minutes(fromMs, toMs))),
    pages: function* (fromMs, toMs) {
      for (let t = fromMs; t < toMs; t += DERIVED_PAGE_MS) {
        const page = rows(t, Math.min(toMs, t + DERIVED_PAGE_MS));
        if (page.length > 0) yield page;
      }
    },
  };
}

/** A measured channel's span figures. */
export function measuredSpans(store: Store, channel: ChannelStore): SpanFigures {
  return {
    rollupRetentionMs: store.retention.rollupRetentionMs,
    span: (fromMs, toMs) => channel.span(fromMs, toMs),
  };
}

/**
 * A derived channel's span figures from its inputs': an efficiency channel's are its
 * output's (its v, a and w are the output's); a sum's add the inputs' power, current,
 * energy and charge (min and max are not known: null), with the mean of their voltages.
 */
export function derivedSpans(config: DerivedChannelConfig, store: Store): SpanFigures {
  const inputs = inputsOf(config).map((n) => store.channel(n));
  const span = (fromMs: number, toMs: number): SpanResponse => {
    if (config.derived === "efficiency") return inputs[1].span(fromMs, toMs);
    const spans = inputs.map((c) => c.span(fromMs, toMs));
    const sum = (pick: (s: SpanResponse) => number | null) => {
      let total = 0;
      for (const s of spans) {
        const x = pick(s);
        if (x === null) return null;
        total += x;
      }
      return total;
    };
    const v = sum((s) => s.v.avg);
    const only = (avg: number | null) => ({
      min: null,
      max: null,
      avg,
      p2p: null,
      rms: null,
      sd: null,
    });
    return {
      ...spans[0],
      count: Math.min(...spans.map((s) => s.count)),
      errors: Math.max(...spans.map((s) => s.errors)),
      v: only(v === null ? null : v / spans.length),
      a: only(sum((s) => s.a.avg)),
      w: only(sum((s) => s.w.avg)),
      energy_j: sum((s) => s.energy_j) ?? 0,
      energy_wh: sum((s) => s.energy_wh) ?? 0,
      charge_c: sum((s) => s.charge_c) ?? 0,
      charge_ah: sum((s) => s.charge_ah) ?? 0,
      source: { ...spans[0].source, exact: spans.every((s) => s.source.exact) },
    };
  };
  return { rollupRetentionMs: store.retention.rollupRetentionMs, span };
}
