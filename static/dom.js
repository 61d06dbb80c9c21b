// @ts-check
/// <reference lib="dom" />
/**
 * @module Small DOM helpers: typed look-ups of the elements index.html must have, checked
 * for their kind so a page and script that disagree fail at once with the id in the message,
 * and the text of a caught error.
 */

/**
 * The element with `id`, checked to be a `type` (HTMLElement when omitted).
 * @template {Element} [T=HTMLElement]
 * @param {string} id
 * @param {{ new (...args: never[]): T, name: string }} [type]
 * @returns {T}
 */
export function byId(id, type) {
  const el = document.getElementById(id);
  const expected = type ?? HTMLElement;
  if (!(el instanceof expected)) {
    throw new TypeError(`Element #${id} is missing or not a ${expected.name}`);
  }
  return /** @type {T} */ (/** @type {unknown} */ (el));
}

/**
 * The message of a caught value: `catch (error)` holds `unknown`, not always an Error.
 * @param {unknown} error
 * @returns {string}
 */
export function errorText(error) {
  return error instanceof Error ? error.message : String(error);
}
