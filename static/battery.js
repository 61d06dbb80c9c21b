// @ts-check
/// <reference lib="dom" />
/**
 * @module Battery life beside a span's figures (the selection panel, a recording's
 * detail): a capacity (mAh) and an optional nominal voltage the user types, and the
 * runtime the span API computes from them (`battery` of `/api/span` or a recording's
 * span) with the server's own statement of what it assumes next to it. The two inputs
 * are remembered in this browser and shared by every box.
 */

import { batteryParams, runtimeText } from "./battery_text.js";
import { errorText } from "./dom.js";
import { formatNumber, onLanguageChange, t } from "./i18n.js";

/** @typedef {import("../src/protocol/battery.ts").BatteryLife} BatteryLife */
/** @typedef {import("../src/protocol/span.ts").SpanResponse} SpanResponse */

const STORAGE_KEY = "ina219.battery";
/** @type {Set<BatteryBox>} */
const boxes = new Set();

/** @returns {{ capacity: string, nominal: string }} */
function remembered() {
  try {
    const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "null");
    if (saved && typeof saved.capacity === "string" && typeof saved.nominal === "string") {
      return saved;
    }
  } catch { /* storage blocked or not JSON: start empty */ }
  return { capacity: "", nominal: "" };
}

/** The capacity inputs and runtime figures of one span. */
export class BatteryBox {
  #root;
  #load;
  /** @type {BatteryLife | null} */
  #last = null;
  /** Whether there is no span to compute for (then nothing is said). */
  #noSpan = false;
  /** @type {HTMLInputElement} */
  #capacity;
  /** @type {HTMLInputElement} */
  #nominal;
  #out;
  #assumption;
  #seq = 0;

  /**
   * @param {HTMLElement} root the box to fill
   * @param {(params: Record<string, string>) => Promise<SpanResponse | null>} load the
   *   span's figures with these battery parameters (null: no span now)
   */
  constructor(root, load) {
    this.#root = root;
    this.#load = load;
    root.classList.add("battery");
    const saved = remembered();
    const field = (/** @type {string} */ key, /** @type {string} */ value, step = "any") => {
      const label = document.createElement("label");
      const text = document.createElement("span");
      text.dataset.i18n = key;
      text.textContent = t(key);
      const input = document.createElement("input");
      input.type = "number";
      input.min = "0";
      input.step = step;
      input.inputMode = "decimal";
      input.value = value;
      input.addEventListener("change", () => this.#changed());
      label.append(text, input);
      return { label, input };
    };
    const cap = field("rec.battery.capacity", saved.capacity);
    const nom = field("rec.battery.nominal", saved.nominal);
    this.#capacity = cap.input;
    this.#nominal = nom.input;
    this.#out = document.createElement("p");
    this.#out.className = "battery-figures";
    this.#out.setAttribute("role", "status");
    this.#assumption = document.createElement("p");
    this.#assumption.className = "battery-assumption small muted";
    const inputs = document.createElement("div");
    inputs.className = "battery-inputs";
    inputs.append(cap.label, nom.label);
    root.replaceChildren(inputs, this.#out, this.#assumption);
    boxes.add(this);
    onLanguageChange(() => this.#render());
    this.#render();
  }

  /** Re-reads the figures (the span changed). */
  async refresh() {
    const params = batteryParams(this.#capacity.value, this.#nominal.value);
    const seq = ++this.#seq;
    if (params === null) {
      this.#last = null;
      this.#noSpan = false;
      this.#render();
      return;
    }
    try {
      const span = await this.#load(params);
      if (seq !== this.#seq) return; // A newer request is on its way.
      this.#noSpan = span === null;
      this.#last = span?.battery ?? null;
      this.#render();
    } catch (error) {
      if (seq !== this.#seq) return;
      this.#last = null;
      this.#out.textContent = errorText(error);
    }
  }

  /** Follows another box's inputs (they are shared). */
  #follow(/** @type {string} */ capacity, /** @type {string} */ nominal) {
    if (this.#capacity.value === capacity && this.#nominal.value === nominal) return;
    this.#capacity.value = capacity;
    this.#nominal.value = nominal;
    if (this.#root.isConnected) this.refresh();
  }

  #changed() {
    const capacity = this.#capacity.value;
    const nominal = this.#nominal.value;
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify({ capacity, nominal }));
    } catch { /* storage blocked: the values last this page */ }
    for (const box of boxes) if (box !== this) box.#follow(capacity, nominal);
    this.refresh();
  }

  #render() {
    const b = this.#last;
    if (b === null) {
      this.#out.textContent = this.#noSpan ? "" : t("rec.battery.enter");
      this.#assumption.textContent = "";
      return;
    }
    const parts = [
      t("rec.battery.from_current", { runtime: runtimeText(b.runtime_h_from_current) }),
    ];
    if (b.nominal_v !== null) {
      parts.push(t("rec.battery.from_energy", {
        runtime: runtimeText(b.runtime_h_from_energy),
        v: formatNumber(b.nominal_v, 2),
      }));
    }
    this.#out.textContent = parts.join(" · ");
    this.#assumption.textContent = t("rec.battery.assumes", { text: b.assumption });
  }
}
