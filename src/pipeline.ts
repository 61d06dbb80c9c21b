/**
 * What happens to each sample: energy is integrated once, then the sample goes to
 * the store, to every WebSocket client and to the live analysis, whose alert
 * transitions are stored and broadcast. Also restores and persists the analysis'
 * state (energy counters, alert rules) through the store.
 * @module
 */
import type { AlertEngine } from "./analysis/alerts.ts";
import { Analyzer, type EnergyCounters } from "./analysis/analyzer.ts";
import { EnergyIntegrator, type EnergyStep } from "./analysis/energy.ts";
import type { Hub } from "./hub.ts";
import { type AlertMessage, alertMessage, type AlertRule, AlertRules } from "./protocol/alerts.ts";
import { statisticsMessage } from "./protocol/analysis.ts";
import { measurementMessage, statusMessage } from "./protocol/ws.ts";
import type { Sample } from "./sample.ts";
import type { Store } from "./store/store.ts";

const ENERGY_KEY = "energy";
const RULES_KEY = "alert_rules";
const NO_STEP: EnergyStep = Object.freeze({ energyJ: 0, chargeC: 0 });

/** Collaborators of {@link Pipeline}. */
export interface PipelineOptions {
  hub: Hub;
  store: Store;
  alerts: AlertEngine;
  /** Longest gap energy is integrated across (a few sample intervals). */
  maxGapMs: () => number;
  now?: () => number;
}

/** The newest measured sample's figures. */
export interface LastReading {
  v: number;
  a: number;
  w: number;
  tsMs: number;
}

/** The per-sample fan-out and the analysis state around it. */
export class Pipeline {
  readonly analyzer: Analyzer;
  #hub: Hub;
  #store: Store;
  #energy: EnergyIntegrator;
  #now: () => number;
  #alertListeners: ((message: AlertMessage) => void)[] = [];
  samplesTotal = 0;
  sensorErrorsTotal = 0;
  /** The newest `ok`/`overflow` sample; undefined until one arrives. */
  last: LastReading | undefined;

  constructor(options: PipelineOptions) {
    this.#hub = options.hub;
    this.#store = options.store;
    this.#now = options.now ?? Date.now;
    this.#energy = new EnergyIntegrator(options.maxGapMs);
    this.analyzer = new Analyzer({
      alerts: options.alerts,
      energy: options.store.getSetting(ENERGY_KEY) as EnergyCounters | undefined,
      startedAtMs: this.#now(),
    });
  }

  /** Handles one sample from the sampler. */
  onSample = (sample: Sample): void => {
    this.samplesTotal++;
    let step = NO_STEP;
    if (sample.status === "error") {
      this.sensorErrorsTotal++;
      this.#energy.break();
    } else {
      step = this.#energy.add(sample.tsMs, sample.w, sample.a);
      this.last = { v: sample.v, a: sample.a, w: sample.w, tsMs: sample.tsMs };
    }
    this.#store.append(sample, step);
    this.#hub.broadcast(measurementMessage(sample));
    for (const event of this.analyzer.add(sample, step)) {
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

  /** Sends the `statistics` message. */
  broadcastStatistics(): void {
    const nowMs = this.#now();
    this.#hub.broadcast(statisticsMessage(this.analyzer.snapshot(nowMs), nowMs));
  }

  /** What the store writes with every flush: the energy counters. */
  flushSettings = (): Record<string, unknown> => ({ [ENERGY_KEY]: this.analyzer.energy });

  /** Zeroes the since-reset energy counters, persists and announces it. */
  resetEnergy(): { previous: EnergyCounters; resetAtMs: number } {
    const previous = this.analyzer.energy;
    const resetAtMs = this.#now();
    this.analyzer.resetEnergy(resetAtMs);
    this.#store.setSetting(ENERGY_KEY, this.analyzer.energy);
    this.#hub.broadcast(
      statusMessage("Energy counters reset", resetAtMs, { event: "energy_reset" }),
    );
    return { previous, resetAtMs };
  }

  /** Replaces the alert rules, persists them and announces it. */
  setRules(rules: AlertRule[]): void {
    this.analyzer.alerts.setRules(rules);
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
