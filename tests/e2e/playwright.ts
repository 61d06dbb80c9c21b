/**
 * The one place the browser tests get playwright-core from. It is pinned here, not in
 * deno.json "imports", and locked in tests/e2e/deno.lock, so that `deno task start`
 * (which installs what deno.lock lists) never downloads it: only the tests use it.
 * @module
 */
export { type Browser, type BrowserContext, chromium, type Page } from "npm:playwright-core@1.65.1";
