/**
 * What happens to each sample: the energy meter integrates it once, then the sample
 * goes to the store, to every WebSocket client and to the live analysis, whose alert
 * transitions are stored and broadcast. Also restores and persists the alert rules
 * through the store. (Energy and charge are owned by energy_meter.ts.)
 * @module
 */
import type { Analyzer } from "./analysis/analyzer.ts";
import type { EnergyMeter } from "./energy_meter.ts";
import type { Hub } from "./hub.ts";
import { type AlertMessage, alertMessage, type AlertRule, AlertRules } from "./protocol/alerts.ts";
import { type StatisticsData, statisticsMessage } from "./protocol/analysis.ts";
import { statusMessage } from "./protocol/ws.ts";
import type { Sample } from "./sample.ts";
import type { Store } from "./store/store.ts";

const RULES_KEY = "alert_rules";

/** Collaborators of {@link Pipeline}. */
export interface PipelineOptions {
  /** Broadcasts each sample and message to the WebSocket clients. */
  hub: Hub;
  /** Stores each sample and the alert history. */
  store: Store;
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
  #analyzer: Analyzer;
  #hub: Hub;
  #store: Store;
  #energy: EnergyMeter;
  #now: () => number;
  #alertListeners: ((message: AlertMessage) => void)[] = [];
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
    this.#now = options.now ?? Date.now;
    this.#analyzer = options.analyzer;
    this.#energy = options.energy;
  }

  /** Handles one sample from the sampler. */
  onSample = (sample: Sample): void => {
    this.samplesTotal++;
    if (sample.status === "error") this.sensorErrorsTotal++;
    else this.last = { v: sample.v, a: sample.a, w: sample.w, tsMs: sample.tsMs };
    this.#store.append(sample, this.#energy.add(sample));
    this.#hub.publish(sample);
    for (const event of this.#analyzer.add(sample)) {
      let id = 0;
      try {
        id = this.#store.alerts.add(event);
      } catch (error) {
        // The alert still reaches every client; only its history entry is missing.
        console.error(`Cannot store alert: ${(error as Error).message}`);
      }
      const message = alertMessage(event, id);
      this.#hub.broadcast(message);
      for (const listener of this.#alertListeners) listener(message);
    }
  };

  /** Calls `listener` with every alert message (integrations such as MQTT). */
  onAlert(listener: (message: AlertMessage) => void): void {
    this.#alertListeners.push(listener);
  }

  /** The `statistics` message's data at `nowMs`: window figures and energy. */
  statistics(nowMs: number = this.#now()): StatisticsData {
    const { samples, ...window } = this.#analyzer.snapshot(nowMs);
    return { ...window, ...this.#energy.figures(), samples };
  }

  /** Sends the `statistics` message. */
  broadcastStatistics(): void {
    const nowMs = this.#now();
    this.#hub.broadcast(statisticsMessage(this.statistics(nowMs), nowMs));
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
      statusMessage("Alert rules updated", this.#now(), { event: "rules_updated" }),
    );
  }
}

/**
 * The rules to start with: ALERT_RULES when it was set, otherwise the rules last
 * saved through the API, otherwise `defaults`.
 */
export function initialRules(
  store: Pick<Store, "getSetting" | "setSetting">,
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
