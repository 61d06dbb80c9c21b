// @ts-check
/**
 * @module Korean catalogue of the dashboard and the WebSocket test page (한국어): the same
 * keys as `en.js`; a browser test checks none is missing.
 */
export default {
  "language.name": "한국어",
  "language.switch": "언어",
};
