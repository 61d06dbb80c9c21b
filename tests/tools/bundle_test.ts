import assert from "node:assert/strict";
import { lazyNodeRequire } from "../../tools/bundle.ts";

const EAGER =
  'var a=1;import{createRequire as __deno_internal_createRequire} from "node:module";var R=__deno_internal_createRequire(import.meta.url);var b=R("node:events");';

Deno.test("lazyNodeRequire drops the node:module import and keeps every later column", () => {
  const lazy = lazyNodeRequire(EAGER);
  assert.doesNotMatch(lazy, /from\s*"node:module"/);
  assert.equal(lazy.length, EAGER.length);
  assert.equal(lazy.indexOf('var b=R("node:events")'), EAGER.indexOf('var b=R("node:events")'));
  assert.match(lazy, /R=e=>\(R__m\?\?=process\.getBuiltinModule\("node:module"\)/);
});

Deno.test("lazyNodeRequire's require loads a Node built-in on its first call", () => {
  const lazy = lazyNodeRequire(EAGER).replaceAll(
    "import.meta.url",
    JSON.stringify(import.meta.url),
  );
  const body = lazy.replace("var a=1;", "") + "return b.EventEmitter;";
  const EventEmitter = new Function(body)();
  assert.equal(typeof EventEmitter, "function");
});

Deno.test("lazyNodeRequire leaves a bundle without it alone, and refuses an unknown form", () => {
  assert.equal(lazyNodeRequire("var a=1;"), "var a=1;");
  assert.throws(
    () => lazyNodeRequire('import{createRequire as c}from"node:module";'),
    /unknown form/,
  );
});
