// @ts-check
/**
 * @module English catalogue of the dashboard and the WebSocket test page: key → text,
 * `{name}` placeholders filled by `t()`. The reference catalogue: every key lives here.
 */
export default {
  "language.name": "English",
  "language.switch": "Language",
};
