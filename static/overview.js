// @ts-check
/// <reference lib="dom" />
/**
 * @module The overview strip (issue 13): one card per channel with its latest V, A and W
 * (a derived efficiency channel: efficiency and loss), its state and label, fed by one
 * batched `/ws?channel=*` stream. A batch costs one look at its last sample, never work
 * per sample per card, and the cards are drawn at most ten times a second. Clicking a
 * card shows that channel. The same stream brings the compared channel's samples to the
 * live chart. Shown only when the server has several channels. Values are auto-ranged
 * (mV, µA, mW…) to each channel's sensor resolution.
 */

import { channelTitle, pickChannel, pickedChannel, refreshChannels } from "./channels.js";
import { connectStream, streamUrl } from "./connection.js";
import { byId } from "./dom.js";
import { metricParts } from "./format.js";
import { formatNumber, onLanguageChange, t } from "./i18n.js";

/** @typedef {import("./types.js").ChannelInfo} ChannelInfo */
/** @typedef {import("./types.js").MeasurementsData} MeasurementsData */
/** @typedef {import("./types.js").MeasurementData} MeasurementData */
/** @typedef {"ok" | "error" | "stopped" | "stale" | "waiting"} CardState */
/**
 * The last sample of one channel, as the cards show it.
 * @typedef {{ v: number, a: number, w: number, ok: boolean, error?: string,
 *   efficiency?: number | null, lossW?: number, atMs: number }} Latest
 */
/**
 * Where a sample of the compared channel goes.
 * @typedef {(tsMs: number, v: number, a: number, w: number, ok: boolean) => void} SampleSink
 */

/** Batches of this many milliseconds: ten a second per channel at most, whatever the rate. */
const BATCH_MS = 100;
const FRAME_MS = 100;
/** The list (states, rates) is re-read this often. */
const REFRESH_MS = 5_000;
/** A channel is stale after max(4 s, this many intervals) without a sample. */
const STALE_INTERVALS = 5;
const STALE_MIN_MS = 4_000;

/** The overview strip. */
export class Overview {
  /** @type {Map<string, { info: ChannelInfo, card: HTMLButtonElement, latest: Latest | null, samples: number }>} */
  #cards = new Map();
  #dirty = false;
  /** The compared channel and where its samples go. */
  /** @type {{ name: string, sink: SampleSink } | null} */
  #compare = null;

  /**
   * Builds one card per channel and opens the stream.
   * @param {readonly ChannelInfo[]} list
   */
  start(list) {
    const strip = byId("overview");
    strip.hidden = false;
    strip.replaceChildren(...list.map((info) => {
      const card = this.#card(info);
      this.#cards.set(info.name, { info, card, latest: null, samples: 0 });
      return card;
    }));
    this.markPicked(pickedChannel());
    connectStream({
      url: streamUrl({ channel: "*", format: "batch", batch_ms: String(BATCH_MS) }),
      onMessage: (message) => this.#onMessage(message),
      onState: (state) => strip.dataset.conn = state,
    });
    setInterval(() => this.#draw(), FRAME_MS);
    onLanguageChange(() => {
      for (const { info, card } of this.#cards.values()) {
        const sub = card.querySelector(".channel-card-sub");
        if (sub) sub.textContent = subtitle(info);
        card.dataset.state = ""; // Redraws the state word and title.
      }
      this.#dirty = true;
    });
    setInterval(() => {
      refreshChannels().then((fresh) => {
        for (const info of fresh) {
          const entry = this.#cards.get(info.name);
          if (entry) entry.info = info;
        }
        this.#dirty = true;
      }, (error) => console.warn(`Cannot refresh the channel list: ${error}`));
    }, REFRESH_MS);
  }

  /**
   * Sends channel `name`'s samples to `sink` (null: to nowhere).
   * @param {string | null} name
   * @param {SampleSink} sink
   */
  compare(name, sink) {
    this.#compare = name === null ? null : { name, sink };
  }

  /**
   * Marks the card of the channel shown.
   * @param {string | null} name
   */
  markPicked(name) {
    for (const [cardName, { card }] of this.#cards) {
      card.setAttribute("aria-pressed", String(cardName === name));
    }
  }

  /**
   * @param {ChannelInfo} info
   * @returns {HTMLButtonElement}
   */
  #card(info) {
    const card = document.createElement("button");
    card.type = "button";
    card.className = "channel-card";
    card.dataset.channel = info.name;
    card.dataset.kind = info.kind;
    card.dataset.state = "waiting";
    card.dataset.samples = "0";
    card.setAttribute("aria-pressed", "false");
    card.title = t("overview.show", { channel: channelTitle(info) });
    const head = document.createElement("span");
    head.className = "channel-card-head";
    head.append(
      Object.assign(document.createElement("span"), {
        className: "channel-card-label",
        textContent: info.label || info.name,
      }),
      Object.assign(document.createElement("span"), {
        className: "channel-card-state chip",
        textContent: t("overview.state.waiting"),
      }),
    );
    const figures = document.createElement("span");
    figures.className = "channel-card-figures";
    const fields = info.derived === "efficiency"
      ? /** @type {const} */ (["eff", "loss", "w"])
      : info.kind === "derived"
      ? /** @type {const} */ (["w"])
      : /** @type {const} */ (["v", "a", "w"]);
    for (const field of fields) {
      const figure = document.createElement("span");
      figure.className = "channel-card-figure";
      figure.dataset.field = field;
      figure.append(
        Object.assign(document.createElement("span"), { className: "num", textContent: "—" }),
        Object.assign(document.createElement("span"), {
          className: "unit",
          textContent: field === "eff"
            ? "%"
            : field === "loss"
            ? `W ${t("readout.loss")}`
            : field.toUpperCase(),
        }),
      );
      figures.append(figure);
    }
    const sub = Object.assign(document.createElement("span"), {
      className: "channel-card-sub small muted",
      textContent: subtitle(info),
    });
    card.append(head, figures, sub);
    card.addEventListener("click", () => pickChannel(info.name));
    return card;
  }

  /** @param {unknown} raw */
  #onMessage(raw) {
    const message =
      /** @type {{ type?: string, data?: (MeasurementsData | MeasurementData) } | null} */ (
        raw
      );
    if (message?.type !== "measurements" && message?.type !== "measurement") return;
    const data = message.data;
    const name = data?.channel;
    if (!data || name === undefined) return;
    const entry = this.#cards.get(name);
    if (!entry) return;
    if (message.type === "measurements") {
      const batch = /** @type {MeasurementsData} */ (data);
      const n = batch.ts_ms.length;
      if (n === 0) return;
      const i = n - 1;
      entry.latest = {
        v: batch.v[i],
        a: batch.a[i],
        w: batch.w[i],
        ok: batch.status[i] !== "error",
        error: batch.errors?.[String(i)],
        efficiency: batch.efficiency?.[i],
        lossW: batch.loss_w?.[i],
        atMs: performance.now(),
      };
      entry.samples += n;
      const compare = this.#compare;
      if (compare?.name === name) {
        for (let j = 0; j < n; j++) {
          compare.sink(
            batch.ts_ms[j],
            batch.v[j],
            batch.a[j],
            batch.w[j],
            batch.status[j] !== "error",
          );
        }
      }
    } else {
      const one = /** @type {MeasurementData} */ (data);
      entry.latest = {
        v: one.v,
        a: one.a,
        w: one.w,
        ok: one.status !== "error",
        error: one.error,
        efficiency: one.efficiency,
        lossW: one.loss_w,
        atMs: performance.now(),
      };
      entry.samples += 1;
      if (this.#compare?.name === name) {
        this.#compare.sink(one.ts_ms, one.v, one.a, one.w, one.status !== "error");
      }
    }
    this.#dirty = true;
  }

  /**
   * A card's state: stopped (the server says so), error (the last read failed), stale
   * (nothing for a while), waiting (nothing yet) or ok.
   * @param {ChannelInfo} info
   * @param {Latest | null} latest
   * @param {number} now
   * @returns {CardState}
   */
  #state(info, latest, now) {
    if (info.state === "stopped") return "stopped";
    if (!latest) return info.state === "error" ? "error" : "waiting";
    const staleMs = Math.max(STALE_MIN_MS, STALE_INTERVALS * (info.interval_ms || 1000));
    if (now - latest.atMs > staleMs) return "stale";
    return latest.ok ? "ok" : "error";
  }

  /** Redraws the cards if anything changed (or may have gone stale). */
  #draw() {
    const now = performance.now();
    for (const { info, card, latest, samples } of this.#cards.values()) {
      const state = this.#state(info, latest, now);
      if (!this.#dirty && card.dataset.state === state) continue;
      card.dataset.state = state;
      card.dataset.samples = String(samples);
      const chip = card.querySelector(".channel-card-state");
      if (chip instanceof HTMLElement) {
        chip.textContent = t(`overview.state.${state}`);
        chip.dataset.tone = state === "ok"
          ? "ok"
          : state === "error"
          ? "danger"
          : state === "waiting"
          ? "muted"
          : "warning";
      }
      card.title = latest?.error
        ? `${channelTitle(info)}: ${latest.error}`
        : t("overview.show", { channel: channelTitle(info) });
      if (!latest) continue;
      for (const figure of card.querySelectorAll(".channel-card-figure")) {
        if (!(figure instanceof HTMLElement)) continue;
        const field = figure.dataset.field;
        const value = field === "eff"
          ? (latest.efficiency == null ? null : latest.efficiency * 100)
          : field === "loss"
          ? latest.lossW ?? null
          : field === "v" || field === "a" || field === "w"
          ? latest[field]
          : null;
        figure.dataset.value = value === null ? "" : String(value);
        const num = figure.firstElementChild;
        const unit = figure.lastElementChild;
        if (!num || !unit) continue;
        if (!latest.ok || value === null) {
          num.textContent = latest.ok ? "—" : t("readout.fail");
        } else if (field === "eff") {
          num.textContent = formatNumber(value, 1);
        } else {
          const metric =
            /** @type {import("./types.js").Metric} */ (field === "loss" ? "w" : field);
          const parts = metricParts(metric, value, info.resolution);
          num.textContent = parts.text;
          unit.textContent = field === "loss" ? `${parts.unit} ${t("readout.loss")}` : parts.unit;
        }
      }
    }
    this.#dirty = false;
  }
}

/**
 * The line under a card's figures: the sensor and name, or what a derived channel is made of.
 * @param {ChannelInfo} info
 * @returns {string}
 */
function subtitle(info) {
  return info.kind === "derived"
    ? t("overview.derived", {
      kind: info.derived ?? "?",
      inputs: (info.inputs ?? []).join(t("common.list_comma")),
    })
    : `${info.sensor ?? t("controls.sensor")} · ${info.name}`;
}
