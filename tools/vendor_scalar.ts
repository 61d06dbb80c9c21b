/**
 * @module
 * Refreshes the vendored Scalar API-reference bundle (`deno task vendor:scalar`):
 * downloads `@scalar/api-reference` from the npm registry, checks the tarball
 * against the registry's sha512 integrity, and copies its one browser file to
 * static/vendor/scalar/ with the licence and a README naming the exact version,
 * plus `standalone.js.br` and `.gz`, compressed at the highest levels once here
 * (12 s of brotli) so the server sends them as they are.
 *
 * The npm package pulls in a tree of 250+ packages (Vue, an AI SDK...) that the
 * server never runs; the docs page needs only this one self-contained file.
 *
 * ```sh
 * deno task vendor:scalar [--version 1.72.1]
 * ```
 */

import { parseArgs } from "node:util";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

/** The version vendored today; change it here (or pass --version) to upgrade. */
export const SCALAR_VERSION = "1.72.1";

const PACKAGE = "@scalar/api-reference";
const FILE_IN_PACKAGE = "package/dist/browser/standalone.js";
const OUT_DIR = new URL("../static/vendor/scalar/", import.meta.url);

// The package ships no LICENSE file; its package.json says "MIT", and this is the
// MIT licence of the scalar/scalar repository the package is built from.
const LICENSE = `MIT License

Copyright (c) 2023-present Scalar

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
`;

function readme(version: string, license: string, sha256: string, bytes: number): string {
  return `# Scalar API reference (vendored)

\`standalone.js\` is \`dist/browser/standalone.js\` from the npm package
[\`${PACKAGE}@${version}\`](https://www.npmjs.com/package/${PACKAGE}/v/${version})
(licence: ${license}, see \`LICENSE\`), unchanged. The server serves it at
\`/vendor/scalar/standalone.js\` for the \`/docs\` page, so the docs work offline without
installing the package's dependency tree. \`standalone.js.br\` and \`standalone.js.gz\` are the
same file compressed (brotli quality 11, gzip level 9), sent to browsers that accept them.

- version: ${version}
- size: ${bytes} bytes
- sha256: \`${sha256}\`

Refresh or upgrade with \`deno task vendor:scalar [--version X.Y.Z]\` (tools/vendor_scalar.ts),
which checks the tarball against the npm registry's integrity hash.
`;
}

async function hex(algorithm: "SHA-256", data: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest(algorithm, data));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Extracts one file from a .tgz with the system `tar`. */
async function extract(tarball: Uint8Array, path: string): Promise<Uint8Array> {
  const child = new Deno.Command("tar", {
    args: ["-xzO", path],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  const [output] = await Promise.all([
    child.output(),
    writer.write(tarball).then(() => writer.close()),
  ]);
  if (!output.success) {
    const detail = new TextDecoder().decode(output.stderr).trim();
    throw new Error(`Cannot extract ${path} from the tarball: ${detail}`);
  }
  return output.stdout;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: { version: { type: "string", default: SCALAR_VERSION } },
  });
  const version = values.version;
  if (!/^\d+\.\d+\.\d+$/.test(version)) {
    throw new RangeError(`Invalid --version: "${version}" is not an exact X.Y.Z version`);
  }
  const metaUrl = `https://registry.npmjs.org/${PACKAGE}/${version}`;
  const metaResponse = await fetch(metaUrl);
  if (!metaResponse.ok) {
    await metaResponse.body?.cancel();
    throw new Error(`Cannot read ${metaUrl}: HTTP ${metaResponse.status}`);
  }
  const meta = await metaResponse.json();
  const { tarball: tarballUrl, integrity } = meta.dist as { tarball: string; integrity: string };
  const tarResponse = await fetch(tarballUrl);
  if (!tarResponse.ok) {
    await tarResponse.body?.cancel();
    throw new Error(`Cannot download ${tarballUrl}: HTTP ${tarResponse.status}`);
  }
  const tarball = new Uint8Array(await tarResponse.arrayBuffer());
  const sha512 = new Uint8Array(await crypto.subtle.digest("SHA-512", tarball));
  const actual = `sha512-${btoa(String.fromCharCode(...sha512))}`;
  if (actual !== integrity) {
    throw new Error(`Tarball of ${PACKAGE}@${version} fails its integrity check: ${actual}`);
  }
  const bundle = new Uint8Array(await extract(tarball, FILE_IN_PACKAGE));
  await Deno.mkdir(OUT_DIR, { recursive: true });
  await Deno.writeFile(new URL("standalone.js", OUT_DIR), bundle);
  const br = brotliCompressSync(bundle, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_SIZE_HINT]: bundle.length,
    },
  });
  await Deno.writeFile(new URL("standalone.js.br", OUT_DIR), br);
  await Deno.writeFile(new URL("standalone.js.gz", OUT_DIR), gzipSync(bundle, { level: 9 }));
  await Deno.writeTextFile(new URL("LICENSE", OUT_DIR), LICENSE);
  await Deno.writeTextFile(
    new URL("README.md", OUT_DIR),
    readme(version, String(meta.license), await hex("SHA-256", bundle), bundle.length),
  );
  console.log(`Vendored ${PACKAGE}@${version}: ${bundle.length} bytes in ${OUT_DIR.pathname}`);
}

if (import.meta.main) await main();
