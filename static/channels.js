// @ts-check
/// <reference lib="dom" />
/**
 * @module The channels (issue 13): the list from `GET /api/channels`, the channel the page
 * shows (the picker in the top bar, kept in the URL's `?channel=` and in local storage)
 * and the `channel` parameter every REST call and the stream carry. With one channel the
 * picker stays hidden and no request carries `channel`: the page is as before channels.
 */

import { getJson } from "./api.js";
import { byId } from "./dom.js";
import { onLanguageChange, t } from "./i18n.js";

/** @typedef {import("./types.js").ChannelInfo} ChannelInfo */

const STORAGE_KEY = "ina219-monitor.channel";

/** The channels as last listed; empty until loaded (or on a server without channels). */
let list = /** @type {ChannelInfo[]} */ ([]);
/** The channel shown; null: the server's default (the first). */
let picked = /** @type {string | null} */ (null);
/** @type {Set<(name: string) => void>} */
const listeners = new Set();

/** The channels as last listed (configuration order; the first is the v1 channel). */
export function channels() {
  return list;
}

/** Whether the server has more than one channel (then the picker, overview and compare show). */
export function several() {
  return list.length > 1;
}

/** The name of the channel shown, or null for the server's default. */
export function pickedChannel() {
  return picked;
}

/**
 * The sensor's step per metric of the channel shown (`resolution` in /api/channels), or
 * null when unknown: values are then shown to four significant digits.
 * @returns {{ v: number, a: number, w: number } | null}
 */
export function pickedResolution() {
  const name = picked ?? list[0]?.name;
  return (name === undefined ? undefined : channelInfo(name))?.resolution ?? null;
}

/**
 * The listed channel `name`, or undefined.
 * @param {string | null | undefined} name
 * @returns {ChannelInfo | undefined}
 */
export function channelInfo(name) {
  return list.find((c) => c.name === name);
}

/**
 * A channel's label for people: its label, with the name when they differ.
 * @param {ChannelInfo} info
 * @returns {string}
 */
export function channelTitle(info) {
  return info.label && info.label !== info.name ? `${info.label} (${info.name})` : info.name;
}

/**
 * `params` with `channel` added when the server has several channels (a single-channel
 * server gets exactly the requests it got before channels).
 * @param {Record<string, string>} [params]
 * @returns {Record<string, string>}
 */
export function withChannel(params = {}) {
  return several() && picked !== null ? { ...params, channel: picked } : params;
}

/**
 * `path` with `?channel=` when the server has several channels (for POSTs).
 * @param {string} path
 * @returns {string}
 */
export function channelPath(path) {
  const params = withChannel();
  return params.channel ? `${path}?${new URLSearchParams(params)}` : path;
}

/**
 * Calls `fn(name)` whenever another channel is picked.
 * @param {(name: string) => void} fn
 */
export function onChannelPicked(fn) {
  listeners.add(fn);
}

/** @returns {string | null} */
function storedChannel() {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // Storage can be disabled (privacy mode): the URL still keeps the choice.
  }
}

/**
 * The channel the page opens on: `?channel=` (or `#channel=`), else the one last picked
 * in this browser, else the first; each only if the server has it.
 * @param {readonly ChannelInfo[]} all
 * @returns {string}
 */
function initialChannel(all) {
  const names = all.map((c) => c.name);
  const fromHash = new URLSearchParams(location.hash.slice(1)).get("channel");
  const candidates = [
    new URLSearchParams(location.search).get("channel"),
    fromHash,
    storedChannel(),
  ];
  return candidates.find((n) => n !== null && names.includes(n)) ?? names[0];
}

/**
 * Reads `GET /api/channels` and settles the channel shown. A server without the route
 * (before channels) is one channel: the page stays as it was.
 * @returns {Promise<ChannelInfo[]>}
 */
export async function loadChannels() {
  try {
    /** @type {{ channels: ChannelInfo[] }} */
    const body = await getJson("/api/channels");
    list = Array.isArray(body.channels) ? body.channels : [];
  } catch (error) {
    console.warn(`No channel list (one channel assumed): ${error}`);
    list = [];
  }
  picked = list.length > 0 ? initialChannel(list) : null;
  renderPicker();
  return list;
}

/**
 * Re-reads the list (states and rates change); the channel shown stays.
 * @returns {Promise<ChannelInfo[]>}
 */
export async function refreshChannels() {
  /** @type {{ channels: ChannelInfo[] }} */
  const body = await getJson("/api/channels");
  if (Array.isArray(body.channels)) list = body.channels;
  return list;
}

/**
 * Shows channel `name`: remembers it (URL and local storage) and tells the panels.
 * @param {string} name
 */
export function pickChannel(name) {
  if (name === picked || !channelInfo(name)) return;
  picked = name;
  const url = new URL(location.href);
  url.searchParams.set("channel", name);
  history.replaceState(null, "", url);
  try {
    localStorage.setItem(STORAGE_KEY, name);
  } catch {
    // See storedChannel(): the URL keeps the choice.
  }
  byId("channel-picker", HTMLSelectElement).value = name;
  document.body.dataset.channel = name;
  for (const fn of listeners) fn(name);
}

onLanguageChange(() => renderPicker());

/** Fills the picker from the list; hidden with one channel. */
function renderPicker() {
  const box = byId("channel-picker-box");
  const select = byId("channel-picker", HTMLSelectElement);
  box.hidden = !several();
  document.body.dataset.channels = String(list.length);
  if (!several()) return;
  select.replaceChildren(...list.map((c) => {
    const text = c.kind === "derived"
      ? t("channel.derived_option", { title: channelTitle(c), kind: c.derived ?? "?" })
      : channelTitle(c);
    const option = new Option(text, c.name);
    option.dataset.kind = c.kind;
    return option;
  }));
  select.value = picked ?? list[0].name;
  document.body.dataset.channel = select.value;
  select.onchange = () => pickChannel(select.value);
}
