/** Tests of static/auth.js: when the dashboard asks for the token again (Deno, no browser). */
import assert from "node:assert/strict";
import { isAuthFailure, TOKEN_PATTERN } from "../../static/auth.js";

Deno.test("isAuthFailure() asks again on a missing, malformed or wrong token, not a bad Origin", () => {
  assert.equal(isAuthFailure(401, 'Bearer realm=""'), true);
  assert.equal(isAuthFailure(401, null), true);
  assert.equal(isAuthFailure(400, 'Bearer error="invalid_request"'), true, "malformed header");
  assert.equal(isAuthFailure(403, 'Bearer error="insufficient_scope"'), true);
  assert.equal(isAuthFailure(403, null), false, "a refused Origin is not about the token");
  assert.equal(isAuthFailure(400, null), false, "a bad body is not about the token");
  assert.equal(isAuthFailure(200, null), false);
});

Deno.test("TOKEN_PATTERN matches what the server accepts as API_TOKEN", () => {
  for (const ok of ["0123456789", "a-b.c_d~e+f/g==", "Zm9vYmFy"]) assert.ok(TOKEN_PATTERN.test(ok));
  for (const bad of ["my secret!pass", "pässwort", "a=b"]) assert.ok(!TOKEN_PATTERN.test(bad));
});
