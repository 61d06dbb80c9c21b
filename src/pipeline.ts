/**
 * What happens to each sample of one channel: the energy meter integrates it once, then
 * the sample goes to the store (a measured channel's only), to the channel's WebSocket
 * clients and to its live analysis, whose alert transitions are stored and broadcast.
 * Also restores and persists the channel's alert rules through the store. (Energy and
 * charge are owned by energy_meter.ts.)
 * @module
 */
import type { Analyzer } from "./analysis/analyzer.ts";
import type { EnergyMeter } from "./energy_meter.ts";
import type { Hub } from "./hub.ts";
import { type AlertMessage, alertMessage, type AlertRule, AlertRules } from "./protocol/alerts.ts";
import { type StatisticsData, statisticsMessage } from "./protocol/analysis.ts";
import { statusMessage } from "./protocol/ws.ts";
import type { Sample } from "./sample.ts";
import type { AlertEvent } from "./protocol/alerts.ts";
import type { EnergyStep } from "./analysis/energy.ts";

const RULES_KEY = "alert_rules";

/** One channel's share of the store, as the pipeline writes it. */
export interface PipelineStore {
  /** Queues a sample with the energy integrated up to it. */
  append(sample: Sample, step: EnergyStep): void;
  /** The channel's alert history. */
  readonly alerts: { add(event: AlertEvent): number };
  /** Stores one of the channel's settings now. */
  setSetting(key: string, value: unknown): void;
}

/** Collaborators of {@link Pipeline}. */
export interface PipelineOptions {
  /** Broadcasts each sample and message to the WebSocket clients. */
  hub: Pick<Hub, "publish" | "broadcast">;
  /** Stores each sample (unless `derived`) and the alert history. */
  store: PipelineStore;
  /** The channel's name (default `main`): samples and messages go to its clients. */
  channel?: string;
  /** A derived channel: its samples are never stored (they are computed from stored ones). */
  derived?: boolean;
  /** Extra `statistics` fields at `nowMs` (a derived channel's efficiency and loss). */
  extraStatistics?: (nowMs: number) => Partial<StatisticsData>;
  /** The live analysis (statistics, outliers, alerts). */
  analyzer: Analyzer;
  /** Energy and charge. */
  energy: EnergyMeter;
  /** Clock for statistics and status messages (default `Date.now`). */
  now?: () => number;
}

/** The newest measured sample's figures. */
export interface LastReading {
  /** Bus voltage in V. */
  v: number;
  /** Current in A. */
  a: number;
  /** Power in W. */
  w: number;
  /** Unix time of the reading in ms. */
  tsMs: number;
}

/** The per-sample fan-out and the analysis state around it. */
export class Pipeline {
  /** The channel's name. */
  readonly channel: string;
  #analyzer: Analyzer;
  #hub: Pick<Hub, "publish" | "broadcast">;
  #store: PipelineStore;
  #derived: boolean;
  #extraStatistics: ((nowMs: number) => Partial<StatisticsData>) | undefined;
  #energy: EnergyMeter;
  #now: () => number;
  #alertListeners: ((message: AlertMessage) => void)[] = [];
  #sampleListeners: ((sample: Sample) => void)[] = [];
  /** Samples handled since start-up, failed reads included. */
  samplesTotal = 0;
  /** Failed reads (`error` samples) handled since start-up. */
  sensorErrorsTotal = 0;
  /** The newest `ok`/`overflow` sample; undefined until one arrives. */
  last: LastReading | undefined;

  /** Takes its collaborators; samples arrive through {@link Pipeline.onSample}. */
  constructor(options: PipelineOptions) {
    this.#hub = options.hub;
    this.#store = options.store;
    this.channel = options.channel ?? "main";
    this.#derived = options.derived ?? false;
    this.#extraStatistics = options.extraStatistics;
    this.#now = options.now ?? Date.now;
    this.#analyzer = options.analyzer;
    this.#energy = options.energy;
  }

  /** Handles one sample from the sampler. */
  onSample = (sample: Sample): void => {
    this.samplesTotal++;
    if (sample.status === "error") this.sensorErrorsTotal++;
    // The sample itself (samples are never changed once emitted): no object per sample.
    else this.last = sample;
    const step = this.#energy.add(sample);
    if (!this.#derived) this.#store.append(sample, step);
    this.#hub.publish(sample, this.channel);
    for (const event of this.#analyzer.add(sample)) {
      let id = 0;
      try {
        id = this.#store.alerts.add(event);
      } catch (error) {
        // The alert still reaches every client; only its history entry is missing.
        console.error(`Cannot store alert: ${(error as Error).message}`);
      }
      const message = alertMessage(event, id, this.channel);
      this.#hub.broadcast(message, this.channel);
      for (const listener of this.#alertListeners) listener(message);
    }
    for (const listener of this.#sampleListeners) listener(sample);
  };

  /** Calls `listener` with every sample, after the clients have it (recording triggers). */
  onEachSample(listener: (sample: Sample) => void): void {
    this.#sampleListeners.push(listener);
  }

  /** Calls `listener` with every alert message (integrations such as MQTT). */
  onAlert(listener: (message: AlertMessage) => void): void {
    this.#alertListeners.push(listener);
  }

  /** The `statistics` message's data at `nowMs`: window figures and energy. */
  statistics(nowMs: number = this.#now()): StatisticsData {
    const { samples, ...window } = this.#analyzer.snapshot(nowMs);
    return {
      ...window,
      ...this.#energy.figures(),
      samples,
      ...this.#extraStatistics?.(nowMs),
      channel: this.channel,
    };
  }

  /** Sends the `statistics` message to the channel's clients. */
  broadcastStatistics(): void {
    const nowMs = this.#now();
    this.#hub.broadcast(statisticsMessage(this.statistics(nowMs), nowMs), this.channel);
  }

  /** The alert rules in force. */
  rules(): AlertRule[] {
    return this.#analyzer.alerts.rules;
  }

  /** Replaces the alert rules, persists them and announces it. */
  setRules(rules: AlertRule[]): void {
    this.#analyzer.alerts.setRules(rules);
    this.#store.setSetting(RULES_KEY, rules);
    this.#hub.broadcast(
      statusMessage("Alert rules updated", this.#now(), {
        event: "rules_updated",
        channel: this.channel,
      }),
      this.channel,
    );
  }
}

/**
 * The rules to start with: ALERT_RULES when it was set, otherwise the rules last
 * saved through the API, otherwise `defaults`.
 */
export function initialRules(
  store: { getSetting(key: string): unknown; setSetting(key: string, value: unknown): void },
  configured: readonly AlertRule[] | null,
  defaults: readonly AlertRule[],
  log: (line: string) => void = console.error,
): AlertRule[] {
  if (configured) {
    store.setSetting(RULES_KEY, configured);
    return [...configured];
  }
  const stored = store.getSetting(RULES_KEY);
  if (stored === undefined) return [...defaults];
  const saved = AlertRules.safeParse(stored);
  if (saved.success) return saved.data;
  // Rules saved by an older version can fail today's bounds: say so rather than
  // replacing them silently.
  const issue = saved.error.issues[0];
  log(
    `Warning: saved alert rules are no longer valid (${
      issue.path.join(".") || "rules"
    }: ${issue.message}); using the defaults until new rules are saved`,
  );
  return [...defaults];
}
