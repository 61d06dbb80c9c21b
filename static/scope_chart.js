// @ts-check
/// <reference lib="dom" />
/**
 * @module One oscilloscope-style chart on uPlot: per pixel column a min–max band with
 * the mean as a line, V, A and W overlaid on their own axes or stacked in rows sharing
 * the time axis, an optional log scale for current, failed reads as marked bands, alert
 * transitions as markers, a tooltip per column, navigation (wheel zoom, drag-pan on the
 * time axis, back, zoom out, double-click to reset) and two cursors. It draws only when
 * told to ({@link ScopeChart.render}); its owner decides when (animation frames).
 */

import { axisValues, BASE_UNITS, COLORS, metricName, METRICS, UPlot } from "./chart_common.js";
import { formatTime, language, onLanguageChange, t } from "./i18n.js";
import { setTickLanguage, tickLabel, timeTicks } from "./time_ticks.js";
import { formatUnit } from "./units.js";
import { formatNumber } from "./i18n.js";

/** @typedef {import("./types.js").Metric} Metric */
/** @typedef {import("./live_buffer.js").Columns} Columns */
/** @typedef {import("uplot")} UPlotChart */
/** @typedef {typeof import("uplot")} UPlotClass */
/** @typedef {import("uplot").Options} UPlotOptions */
/** @typedef {{ min: number, max: number }} Range */
/** @typedef {{ tsMs: number, severity: string, state: string, metric: string }} Marker */
/** @typedef {"overlay" | "stacked"} Layout */
/**
 * What the chart tells its owner.
 * @typedef {{
 *   onNavigate?: (view: Range) => void,
 *   onReset?: () => void,
 *   onCursors?: (a: number | null, b: number | null) => void,
 * }} Handlers
 */

const X_AXIS_PX = 34;
const Y_AXIS_PX = 56;
const MIN_SPAN_MS = 0.02;
const CURSOR_GRAB_PX = 6;
const MARKER_COLORS = /** @type {Record<string, string>} */ ({
  warning: "#f59e0b",
  danger: "#ef4444",
  cleared: "#22c55e",
});
const FAILED_FILL = "rgba(239, 68, 68, 0.22)";
const CURSOR_COLOR = "#e2e8f0";

setTickLanguage(language());
onLanguageChange((lang) => setTickLanguage(lang));

/** A chart of columns over a time range; one uPlot (overlay) or three (stacked). */
export class ScopeChart {
  /** Redraws done (the benchmark reads it as redraws per second). */
  redraws = 0;
  /** Width of the plot area in CSS pixels, kept on resize (reading it per frame forces layout). */
  plotWidth = 600;
  /** @type {Range} The time range shown. */
  view = { min: 0, max: 1 };
  /** @type {Layout} */
  layout;
  logCurrent = false;
  /** @type {Record<Metric, boolean>} */
  visible = { v: true, a: true, w: true };
  /** @type {Marker[]} */
  markers = [];
  /** Cursor times (ms), or null; the figures between them come from the server. */
  cursorA = /** @type {number | null} */ (null);
  cursorB = /** @type {number | null} */ (null);
  /** Whether clicks and drags in the plot place cursors. */
  cursorsEnabled = true;
  /** @type {Columns | null} */
  columns = null;
  /** @type {{ x: number[], v: (number | null)[], a: (number | null)[], w: (number | null)[] } | null} */
  compare = null;
  compareLabel = "";
  mainLabel = "";
  /** @type {Range[]} Views before each navigation, for "back". */
  history = [];
  /** @type {UPlotChart[]} */
  #plots = [];
  /** @type {Metric[][]} The metrics of each plot. */
  #groups = [];
  #root;
  #tooltip;
  #handlers;
  #key;
  #pending = false;
  #published = -Infinity;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  #publishTimer = undefined;

  /**
   * @param {HTMLElement} root the element the chart fills (its height from CSS)
   * @param {{ key: string, layout?: Layout, handlers?: Handlers }} options
   */
  constructor(root, { key, layout, handlers = {} }) {
    this.#root = root;
    this.#key = key;
    this.#handlers = handlers;
    this.layout = layout ?? (root.clientWidth < 700 ? "stacked" : "overlay");
    this.#tooltip = Object.assign(document.createElement("div"), {
      className: "chart-tooltip",
      hidden: true,
    });
    this.#tooltip.setAttribute("role", "status");
    root.append(this.#tooltip);
    this.#build();
    new ResizeObserver(() => this.#resize()).observe(root);
    this.#wireNavigation();
  }

  /** @returns {boolean} whether uPlot loaded */
  get ready() {
    return this.#plots.length > 0;
  }

  /** Builds the plots for the current layout, log choice and visible metrics. */
  #build() {
    for (const p of this.#plots) p.destroy();
    this.#plots = [];
    if (!UPlot) return;
    const shown = METRICS.filter((m) => this.visible[m]);
    /** @type {Metric[]} */
    const drawn = shown.length ? shown : ["v"];
    this.#groups = this.layout === "stacked" ? drawn.map((m) => [m]) : [drawn];
    const { width, heights } = this.#sizes();
    this.#groups.forEach((metrics, i) => {
      const last = i === this.#groups.length - 1;
      const opts = this.#options(metrics, last, width, heights[i]);
      const plot = new /** @type {UPlotClass} */ (UPlot)(opts, this.#data(metrics), this.#root);
      this.#plots.push(plot);
    });
    this.#root.dataset.layout = this.layout;
    if (this.#plots.length) this.plotWidth = this.#plots[0].bbox.width / devicePixelRatio;
    this.#root.append(this.#tooltip);
  }

  /** @returns {{ width: number, heights: number[] }} */
  #sizes() {
    const width = Math.max(200, this.#root.clientWidth);
    const total = Math.max(160, this.#root.clientHeight);
    const n = this.#groups.length;
    const each = Math.floor((total - X_AXIS_PX) / n);
    return { width, heights: this.#groups.map((_, i) => each + (i === n - 1 ? X_AXIS_PX : 0)) };
  }

  #resize() {
    if (!this.#plots.length) return;
    const { width, heights } = this.#sizes();
    this.#plots.forEach((p, i) => {
      if (p.width !== width || p.height !== heights[i]) p.setSize({ width, height: heights[i] });
    });
    this.plotWidth = this.#plots[0].bbox.width / devicePixelRatio;
  }

  /**
   * uPlot options of one plot.
   * @param {Metric[]} metrics
   * @param {boolean} withTimeAxis
   * @param {number} width
   * @param {number} height
   * @returns {UPlotOptions}
   */
  #options(metrics, withTimeAxis, width, height) {
    /** @type {import("uplot").Series[]} */
    const series = [{}];
    /** @type {Record<string, import("uplot").Scale>} */
    const scales = {
      x: { time: false, auto: false, range: () => [this.view.min, this.view.max] },
    };
    /** @type {import("uplot").Axis[]} */
    const axes = [{
      scale: "x",
      size: withTimeAxis ? X_AXIS_PX + 10 : 0,
      stroke: "#94a3b8",
      grid: { stroke: "rgba(148, 163, 184, 0.12)", width: 1 },
      ticks: { show: withTimeAxis, stroke: "rgba(148, 163, 184, 0.3)" },
      space: 90,
      splits: (u, _i, min, max) =>
        timeTicks(min, max, Math.max(2, u.bbox.width / devicePixelRatio / 90)).values,
      values: (u, splits) => {
        if (!withTimeAxis) return splits.map(() => "");
        const { stepMs } = timeTicks(
          u.scales.x.min ?? 0,
          u.scales.x.max ?? 1,
          Math.max(2, u.bbox.width / devicePixelRatio / 90),
        );
        return splits.map((v, i) => tickLabel(v, stepMs, i > 0 ? splits[i - 1] : undefined));
      },
    }];
    /** @type {Map<number, string>} The band colour of each max series. */
    const bandFills = new Map();
    metrics.forEach((m, k) => {
      bandFills.set(series.length, `${COLORS[m]}48`);
      const log = m === "a" && this.logCurrent;
      scales[m] = log
        ? { distr: 3, log: 10, auto: true }
        : { auto: true, range: (_u, min, max) => padRange(min, max) };
      series.push(
        // The band: one rectangle per column from min to max (drawn by the max series;
        // the min series only widens the axis). Axis-aligned rectangles rasterise far
        // faster in a software canvas than a zig-zag polygon with a gap clip.
        {
          scale: m,
          label: `${metricName(m)} max`,
          stroke: COLORS[m],
          fill: `${COLORS[m]}48`,
          width: 0,
          points: { show: false },
          paths: () => null,
        },
        {
          scale: m,
          label: `${metricName(m)} min`,
          stroke: COLORS[m],
          width: 0,
          points: { show: false },
          paths: () => null,
        },
        { scale: m, label: metricName(m), stroke: COLORS[m], width: 1, points: { show: false } },
      );
      if (this.compare) {
        series.push({
          scale: m,
          label: `${metricName(m)} · ${this.compareLabel}`,
          stroke: `${COLORS[m]}99`,
          width: 1,
          dash: [3, 3],
          points: { show: false },
        });
      }
      axes.push({
        scale: m,
        side: k === 0 ? 3 : 1,
        size: Y_AXIS_PX,
        stroke: COLORS[m],
        grid: { show: k === 0, stroke: "rgba(148, 163, 184, 0.12)", width: 1 },
        ticks: { stroke: "rgba(148, 163, 184, 0.3)" },
        values: (_u, splits) => axisValues(m, splits).labels,
        label: (u) => {
          const s = u.scales[m];
          return axisValues(m, [s.min ?? 0, s.max ?? 0]).unit;
        },
        labelSize: 14,
        labelGap: 0,
      });
    });
    return {
      width,
      height,
      legend: { show: false },
      pxAlign: 0,
      scales,
      series,
      axes,
      select: { show: true, left: 0, top: 0, width: 0, height: 0 },
      cursor: {
        x: true,
        y: false,
        points: { show: false },
        drag: { x: this.cursorsEnabled, y: false, setScale: false, dist: 4 },
        sync: { key: this.#key },
      },
      hooks: {
        draw: [(u) => this.#drawOverlays(u)],
        drawSeries: [(u, sidx) => {
          // The band is filled when its max series' turn comes: under the mean line.
          const fill = bandFills.get(sidx);
          if (fill) fillBand(u, sidx, fill);
        }],
        setCursor: [(u) => this.#showTooltip(u)],
        setSelect: [(u) => this.#onSelect(u)],
      },
    };
  }

  /**
   * The data array of a plot: x, then per metric max, min, mean (and compared mean).
   * @param {Metric[]} metrics
   * @returns {import("uplot").AlignedData}
   */
  #data(metrics) {
    const cols = this.columns;
    /** @type {((number | null)[] | number[])[]} */
    const data = [cols ? cols.x : []];
    for (const m of metrics) {
      const log = m === "a" && this.logCurrent;
      const fix = (/** @type {(number | null)[]} */ arr) => (log ? arr.map(positive) : arr);
      data.push(
        cols ? fix(cols[m].max) : [],
        cols ? fix(cols[m].min) : [],
        cols ? fix(cols[m].mean) : [],
      );
      if (this.compare) data.push(cols ? fix(this.compare[m]) : []);
    }
    return /** @type {import("uplot").AlignedData} */ (data);
  }

  /**
   * New columns and (optionally) a new view; drawn at the next {@link render}.
   * @param {Columns} columns
   * @param {Range} [view]
   */
  setColumns(columns, view) {
    this.columns = columns;
    if (view) this.view = view;
    this.#pending = true;
  }

  /** Whether something changed since the last draw. */
  get pending() {
    return this.#pending;
  }

  /** Marks the chart for redrawing (markers, cursors changed). */
  invalidate() {
    this.#pending = true;
  }

  /** Draws now (the owner calls it from an animation frame). */
  render() {
    this.#pending = false;
    if (!this.#plots.length) return;
    this.#plots.forEach((p, i) => p.setData(this.#data(this.#groups[i])));
    this.redraws++;
    // Attributes for tests and tools, a few times a second: each write costs a style pass.
    const now = performance.now();
    if (now - this.#published < 200) {
      // The last state is always published, a little later.
      this.#publishTimer ??= setTimeout(() => {
        this.#publishTimer = undefined;
        this.#published = performance.now();
        this.publish();
      }, 200);
      return;
    }
    this.#published = now;
    this.publish();
  }

  /** Writes what is drawn into the root's `data-*` attributes (tests and tools read them). */
  publish() {
    const cols = this.columns;
    const data = this.#root.dataset;
    data.points = String(cols ? cols.length : 0);
    data.viewMin = String(this.view.min);
    data.viewMax = String(this.view.max);
    data.redraws = String(this.redraws);
    const traces = this.traces().join("|");
    if (data.traces !== traces) data.traces = traces;
  }

  /**
   * Switches between overlaid axes and stacked rows.
   * @param {Layout} layout
   */
  setLayout(layout) {
    this.layout = layout;
    this.#build();
    this.render();
  }

  /**
   * Current on a log scale (non-positive values are not drawn) or a linear one.
   * @param {boolean} log
   */
  setLog(log) {
    this.logCurrent = log;
    this.#build();
    this.render();
  }

  /**
   * Shows or hides a metric.
   * @param {Metric} metric
   * @param {boolean} visible
   */
  setVisible(metric, visible) {
    this.visible[metric] = visible;
    this.#build();
    this.render();
  }

  /**
   * Draws a second channel's means (null: none); its arrays are index for index with
   * the columns'.
   * @param {{ x: number[], v: (number | null)[], a: (number | null)[], w: (number | null)[] } | null} compare
   * @param {string} label
   */
  setCompare(compare, label) {
    const rebuild = (compare === null) !== (this.compare === null) || label !== this.compareLabel;
    this.compare = compare;
    this.compareLabel = label;
    if (rebuild) this.#build();
    this.#pending = true;
  }

  /**
   * The labels of the traces drawn (for tests and tools).
   * @returns {string[]}
   */
  traces() {
    const out = [];
    const shown = METRICS.filter((m) => this.visible[m]);
    const main = this.compare && this.mainLabel ? ` · ${this.mainLabel}` : "";
    for (const m of shown) {
      out.push(`${metricName(m)}${main}`);
      if (this.compare) out.push(`${metricName(m)} · ${this.compareLabel}`);
    }
    return out;
  }

  /**
   * Sets both cursors (null clears them) and redraws.
   * @param {number | null} a
   * @param {number | null} b
   * @param {boolean} [tell] call `onCursors`
   */
  setCursors(a, b, tell = false) {
    this.cursorA = a;
    this.cursorB = b;
    this.#pending = true;
    if (tell) this.#handlers.onCursors?.(a, b);
  }

  // ------------------------------------------------------------------ drawing

  /**
   * Failed reads, alert markers and the cursors, over the plot area.
   * @param {UPlotChart} u
   */
  #drawOverlays(u) {
    const ctx = u.ctx;
    const { left, top, width, height } = u.bbox;
    const px = (/** @type {number} */ ms) => u.valToPos(ms, "x", true);
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top, width, height);
    ctx.clip();
    const cols = this.columns;
    if (cols) {
      // A column with failed reads: a red band as wide as the column.
      const half = cols.length > 1 ? (this.view.max - this.view.min) / Math.max(1, width) : 0;
      ctx.fillStyle = FAILED_FILL;
      for (let i = 0; i < cols.length; i++) {
        if (cols.errors[i] === 0) continue;
        const x0 = px(cols.x[i] - half);
        const x1 = px(cols.x[i] + half);
        ctx.fillRect(x0, top, Math.max(2, x1 - x0), height);
      }
    }
    for (const mark of this.markers) {
      if (mark.tsMs < this.view.min || mark.tsMs > this.view.max) continue;
      const x = px(mark.tsMs);
      ctx.strokeStyle = MARKER_COLORS[mark.state === "cleared" ? "cleared" : mark.severity] ??
        "#94a3b8";
      ctx.lineWidth = 1;
      ctx.setLineDash([4, 3]);
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + height);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = ctx.strokeStyle;
      ctx.beginPath();
      ctx.moveTo(x - 5, top);
      ctx.lineTo(x + 5, top);
      ctx.lineTo(x, top + 8);
      ctx.fill();
    }
    const a = this.cursorA;
    const b = this.cursorB;
    if (a !== null && b !== null) {
      ctx.fillStyle = "rgba(226, 232, 240, 0.08)";
      const xa = px(Math.min(a, b));
      ctx.fillRect(xa, top, px(Math.max(a, b)) - xa, height);
    }
    ctx.font = `${12 * devicePixelRatio}px sans-serif`;
    for (const [label, ms] of /** @type {const} */ ([["A", a], ["B", b]])) {
      if (ms === null) continue;
      const x = px(ms);
      ctx.strokeStyle = CURSOR_COLOR;
      ctx.lineWidth = devicePixelRatio;
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + height);
      ctx.stroke();
      ctx.fillStyle = CURSOR_COLOR;
      ctx.fillText(label, x + 3 * devicePixelRatio, top + 12 * devicePixelRatio);
    }
    ctx.restore();
  }

  /** @param {UPlotChart} u */
  #showTooltip(u) {
    const tip = this.#tooltip;
    const i = u.cursor.idx;
    const cols = this.columns;
    if (
      i === null || i === undefined || !cols || i >= cols.length || u.cursor.left === undefined ||
      u.cursor.left < 0
    ) {
      tip.hidden = true;
      return;
    }
    const n = cols.count[i];
    const lines = [];
    const single = n === 1;
    lines.push(
      single
        ? `${formatTime(cols.x[i], { ms: true })}`
        : `${formatTime(cols.x[i], { ms: true })} · ${t("chart.tooltip.samples", { n })}`,
    );
    for (const m of METRICS) {
      if (!this.visible[m]) continue;
      const c = cols[m];
      const mean = c.mean[i];
      if (mean === null) continue;
      const unit = BASE_UNITS[m];
      const fmt = (/** @type {number | null} */ x) => formatUnit(x, unit, { format: formatNumber });
      const min = /** @type {number} */ (c.min[i]);
      const max = /** @type {number} */ (c.max[i]);
      lines.push(
        single ? `${metricName(m)}: ${fmt(mean)}` : t("chart.tooltip.column", {
          metric: metricName(m),
          mean: fmt(mean),
          min: fmt(min),
          max: fmt(max),
          p2p: fmt(max - min),
        }),
      );
    }
    if (cols.errors[i] > 0) lines.push(t("chart.tooltip.failed", { n: cols.errors[i] }));
    tip.textContent = lines.join("\n");
    tip.hidden = false;
    const plotLeft = u.over.offsetLeft + u.root.offsetLeft;
    const x = plotLeft + u.cursor.left;
    const rootWidth = this.#root.clientWidth;
    tip.style.left = `${Math.min(x + 12, Math.max(0, rootWidth - tip.offsetWidth - 4))}px`;
    tip.style.top = `${u.root.offsetTop + 8}px`;
  }

  // --------------------------------------------------------------- navigation

  /**
   * The time under a client x position (plot area of the first plot).
   * @param {number} clientX
   * @returns {number}
   */
  timeAt(clientX) {
    const over = this.#plots[0].over.getBoundingClientRect();
    return this.view.min + (clientX - over.left) / over.width * (this.view.max - this.view.min);
  }

  /**
   * Shows `view`, remembering the one before for "back", and tells the owner.
   * @param {Range} view
   */
  navigate(view) {
    let { min, max } = view;
    if (max - min < MIN_SPAN_MS) {
      const mid = (min + max) / 2;
      min = mid - MIN_SPAN_MS / 2;
      max = mid + MIN_SPAN_MS / 2;
    }
    const last = this.history.at(-1);
    if (!last || last.min !== this.view.min || last.max !== this.view.max) {
      this.history.push(this.view);
      if (this.history.length > 50) this.history.shift();
    }
    this.view = { min, max };
    this.#pending = true;
    this.#handlers.onNavigate?.(this.view);
  }

  /**
   * Zooms by `factor` (< 1 in) around time `atMs`.
   * @param {number} factor
   * @param {number} [atMs] defaults to the middle
   */
  zoom(factor, atMs = (this.view.min + this.view.max) / 2) {
    const { min, max } = this.view;
    this.navigate({ min: atMs - (atMs - min) * factor, max: atMs + (max - atMs) * factor });
  }

  /**
   * Moves the view by `deltaMs`.
   * @param {number} deltaMs
   */
  pan(deltaMs) {
    this.navigate({ min: this.view.min + deltaMs, max: this.view.max + deltaMs });
  }

  /** Back to the view before the last navigation; false when there is none. */
  back() {
    const view = this.history.pop();
    if (!view) return false;
    this.view = view;
    this.#pending = true;
    this.#handlers.onNavigate?.(view);
    // onNavigate must not record the view it came back from.
    return true;
  }

  #wireNavigation() {
    const root = this.#root;
    root.addEventListener("wheel", (event) => {
      if (!this.ready) return;
      event.preventDefault();
      const factor = Math.pow(1.0015, event.deltaY || event.deltaX);
      this.zoom(factor, this.timeAt(event.clientX));
    }, { passive: false });
    root.addEventListener("click", (event) => {
      // A click in a plot (not the end of a drag: uPlot swallows those) places a cursor.
      const target = /** @type {Node | null} */ (event.target);
      if (!this.cursorsEnabled || !this.#plots.some((p) => p.over.contains(target))) return;
      this.clickAt(event.clientX);
    });
    root.addEventListener("dblclick", (event) => {
      event.preventDefault();
      this.#handlers.onReset?.();
    });
    /** @type {{ x: number, view: Range, pointerId: number, mode: "pan" | "A" | "B" } | null} */
    let drag = null;
    root.addEventListener("pointerdown", (event) => {
      if (!this.ready || event.button !== 0) return;
      const plot = this.#plots[this.#plots.length - 1];
      const over = plot.over.getBoundingClientRect();
      const first = this.#plots[0].over.getBoundingClientRect();
      const onAxis = event.clientY > over.bottom && event.clientX >= over.left &&
        event.clientX <= over.right;
      /** @type {"pan" | "A" | "B" | null} */
      let mode = onAxis || event.shiftKey ? "pan" : null;
      if (!mode && this.cursorsEnabled) {
        const near = (/** @type {number | null} */ ms) =>
          ms !== null &&
          Math.abs(
              first.left + (ms - this.view.min) / (this.view.max - this.view.min) *
                  first.width -
                event.clientX,
            ) <= CURSOR_GRAB_PX;
        if (near(this.cursorA)) mode = "A";
        else if (near(this.cursorB)) mode = "B";
      }
      if (!mode) return;
      event.preventDefault();
      event.stopPropagation();
      drag = { x: event.clientX, view: this.view, pointerId: event.pointerId, mode };
      root.setPointerCapture(event.pointerId);
    }, { capture: true });
    root.addEventListener("pointermove", (event) => {
      if (!drag || event.pointerId !== drag.pointerId) return;
      event.stopPropagation();
      const width = this.#plots[0].over.getBoundingClientRect().width;
      if (drag.mode === "pan") {
        const dms = (event.clientX - drag.x) / width * (drag.view.max - drag.view.min);
        this.view = { min: drag.view.min - dms, max: drag.view.max - dms };
        this.#pending = true;
      } else {
        const ms = this.timeAt(event.clientX);
        if (drag.mode === "A") this.cursorA = ms;
        else this.cursorB = ms;
        this.#pending = true;
      }
    }, { capture: true });
    const end = (/** @type {PointerEvent} */ event) => {
      if (!drag || event.pointerId !== drag.pointerId) return;
      const done = drag;
      drag = null;
      event.stopPropagation();
      if (done.mode === "pan") {
        const view = this.view;
        this.view = done.view;
        if (view.min !== done.view.min) this.navigate(view);
      } else this.#handlers.onCursors?.(this.cursorA, this.cursorB);
    };
    root.addEventListener("pointerup", end, { capture: true });
    root.addEventListener("pointercancel", end, { capture: true });
    root.addEventListener("keydown", (event) => {
      const span = this.view.max - this.view.min;
      const keys = /** @type {Record<string, () => void>} */ ({
        "+": () => this.zoom(0.5),
        "=": () => this.zoom(0.5),
        "-": () => this.zoom(2),
        ArrowLeft: () => this.pan(-span / 4),
        ArrowRight: () => this.pan(span / 4),
        Backspace: () => this.back(),
        Escape: () => this.setCursors(null, null, true),
        "0": () => this.#handlers.onReset?.(),
      });
      const action = keys[event.key];
      if (!action) return;
      event.preventDefault();
      action();
    });
  }

  /**
   * A drag in the plot (uPlot's selection): the two cursors at its edges; a click
   * (no drag) moves the nearer cursor there, or places A, then B.
   * @param {UPlotChart} u
   */
  #onSelect(u) {
    if (!this.cursorsEnabled) return;
    const { left, width } = u.select;
    if (width <= 0) return;
    const a = u.posToVal(left, "x");
    const b = u.posToVal(left + width, "x");
    u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
    this.setCursors(Math.round(a), Math.round(b), true);
  }

  /**
   * A click at client x: places cursor A, then B, then moves the nearer one.
   * @param {number} clientX
   */
  clickAt(clientX) {
    if (!this.cursorsEnabled) return;
    const ms = Math.round(this.timeAt(clientX));
    if (this.cursorA === null) this.setCursors(ms, null, true);
    else if (this.cursorB === null) this.setCursors(this.cursorA, ms, true);
    else if (Math.abs(ms - this.cursorA) < Math.abs(ms - this.cursorB)) {
      this.setCursors(ms, this.cursorB, true);
    } else this.setCursors(this.cursorA, ms, true);
  }

  /** The plot area's element of the first plot (pointer tests, the selection band). */
  get over() {
    return this.#plots[0]?.over ?? null;
  }
}

/**
 * Fills a min–max band: per column a rectangle from the min (series `sidx + 1`) to the
 * max (series `sidx`), as wide as the step to the next column (1 to 3 pixels), on whole
 * pixels. `fillRect` on whole pixels is the cheapest thing a software canvas draws; a
 * zig-zag polygon with gap clipping cost several times more per frame.
 * @param {UPlotChart} u
 * @param {number} sidx
 * @param {string} fill
 */
function fillBand(u, sidx, fill) {
  const xs = /** @type {number[]} */ (u.data[0]);
  const hi = u.data[sidx];
  const lo = u.data[sidx + 1];
  const series = u.series[sidx];
  const scale = /** @type {string} */ (series.scale);
  const ctx = u.ctx;
  const { left, top, width, height } = u.bbox;
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, width, height);
  ctx.clip();
  ctx.fillStyle = fill;
  const i0 = series.idxs?.[0] ?? 0;
  const i1 = series.idxs?.[1] ?? xs.length - 1;
  let nextX = NaN;
  for (let i = i1; i >= i0; i--) {
    const x = Math.round(u.valToPos(xs[i], "x", true));
    const h = hi[i];
    const l = lo[i];
    if (h !== null && h !== undefined && l !== null && l !== undefined) {
      const w = Number.isNaN(nextX) ? 1 : Math.min(Math.max(1, nextX - x), 3);
      const y0 = Math.round(u.valToPos(h, scale, true));
      const y1 = Math.round(u.valToPos(l, scale, true));
      ctx.fillRect(x, y0, w, Math.max(1, y1 - y0));
    }
    nextX = x;
  }
  ctx.restore();
}

/**
 * A value for a log axis: positive, else null (not drawn).
 * @param {number | null} x
 * @returns {number | null}
 */
function positive(x) {
  return x !== null && x > 0 ? x : null;
}

/**
 * A y range around [min, max] with 8 % room, and some height for a flat line.
 * @param {number | null} min
 * @param {number | null} max
 * @returns {[number, number]}
 */
export function padRange(min, max) {
  if (min === null || max === null || !Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  const span = max - min;
  const pad = span > 0 ? span * 0.08 : Math.max(Math.abs(max) * 0.05, 1e-6);
  return [min - pad, max + pad];
}
