/**
 * Tests of static/i18n.js and its catalogues (Deno, no browser): the language choice,
 * `t()`, both catalogues with the same keys and placeholders, and the WebSocket test
 * page's English fallback equal to the catalogue's.
 */
import assert from "node:assert/strict";
import {
  CATALOGUES,
  formatNumber,
  formatTime,
  language,
  pickLanguage,
  setLanguage,
  t,
} from "../../static/i18n.js";
import { formatDuration } from "../../static/format.js";

Deno.test("pickLanguage() prefers the remembered choice, then the browser's languages", () => {
  assert.equal(pickLanguage(["ko-KR", "en"], null), "ko");
  assert.equal(pickLanguage(["fr-FR", "en-GB"], null), "en");
  assert.equal(pickLanguage(["fr-FR", "ko"], null), "ko");
  assert.equal(pickLanguage(["de"], null), "en", "none spoken: English");
  assert.equal(pickLanguage([], null), "en");
  assert.equal(pickLanguage(["ko-KR"], "en"), "en", "the switch wins over the browser");
  assert.equal(pickLanguage(["en-US"], "ko"), "ko");
  assert.equal(pickLanguage(["ko"], "fr"), "ko", "a stale stored value is ignored");
});

/** The `{name}` placeholders of a text, sorted. */
function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
}

Deno.test("the catalogues have the same keys and the same placeholders in each text", () => {
  const en = CATALOGUES.en as Record<string, string>;
  const ko = CATALOGUES.ko as Record<string, string>;
  assert.deepEqual(Object.keys(ko).filter((k) => !(k in en)), [], "keys only in ko");
  assert.deepEqual(Object.keys(en).filter((k) => !(k in ko)), [], "keys only in en");
  for (const key of Object.keys(en)) {
    assert.deepEqual(placeholders(ko[key]), placeholders(en[key]), key);
    assert.ok(ko[key].trim() !== "" && en[key].trim() !== "", `${key} is empty`);
  }
  // Korean is Korean: most texts carry Hangul (codes, units and symbols may not).
  const hangul = Object.values(ko).filter((text) => /[\uac00-\ud7a3]/.test(text)).length;
  assert.ok(hangul / Object.keys(ko).length > 0.8, `${hangul} of ${Object.keys(ko).length}`);
});

Deno.test("t() fills placeholders, falls back to English, then to the key", () => {
  try {
    setLanguage("en");
    assert.equal(language(), "en");
    assert.equal(t("conn.reconnecting_in", { s: "3.2" }), "Reconnecting in 3.2 s");
    assert.equal(t("alerts.badge_many", {}), "{n} active alerts", "a missing value stays");
    assert.equal(t("no.such.key"), "no.such.key");
    setLanguage("ko");
    assert.equal(t("conn.reconnecting_in", { s: "3.2" }), "3.2초 후 다시 연결");
    assert.equal(formatDuration(185_000), "3분 05초");
    assert.equal(formatDuration(850), "850ms");
    assert.equal(formatNumber(12345.5, 1), "12,345.5");
    assert.equal(formatNumber(1234.5, 1), "1234.5", "no grouping below 10 000");
    assert.match(formatTime(Date.UTC(2026, 10, 30, 21, 5, 3)), /^\d{2}:\d{2}:\d{2}$/);
    assert.throws(() => setLanguage("fr" as "en"), /unknown language fr/);
  } finally {
    setLanguage("en"); // Deno keeps localStorage between runs: leave English remembered.
  }
});

Deno.test("formatTime() is on a 24-hour clock in both languages", () => {
  try {
    for (const lang of ["en", "ko"] as const) {
      setLanguage(lang);
      const text = formatTime(new Date(2026, 10, 30, 21, 5, 3, 250).getTime(), { ms: true });
      assert.match(text, /21:05:03[.,]250/, lang);
      assert.doesNotMatch(text, /PM|오후/, lang);
    }
  } finally {
    setLanguage("en");
  }
});

Deno.test("the WebSocket test page's English fallback equals the English catalogue", async () => {
  const source = await Deno.readTextFile(
    new URL("../../static/test_websocket.js", import.meta.url),
  );
  const start = source.indexOf("const FALLBACK = {");
  const end = source.indexOf("\n};", start);
  assert.ok(start >= 0 && end > start, "FALLBACK is in test_websocket.js");
  const literal = source.slice(start + "const FALLBACK = ".length, end + 2);
  const fallback = new Function(`return ${literal}`)() as Record<string, string>;
  assert.ok(Object.keys(fallback).length > 5);
  for (const [key, text] of Object.entries(fallback)) {
    assert.equal(text, (CATALOGUES.en as Record<string, string>)[key], key);
  }
});
