/* global URL, console */
// After `vite build`: gzip and brotli copies of each hashed asset (dist/assets/name -> name.gz, name.br), at
// the highest levels since this runs once per build. parity-operational sends the one the browser accepts
// (operational/h_static.c); a copy that would not be smaller is not written, so the original is sent.
import { readdirSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const dir = fileURLToPath(new URL("../dist/assets", import.meta.url));
const COMPRESSIBLE = /\.(js|css|svg|json|html|txt|map)$/;

let written = 0;
for (const name of readdirSync(dir)) {
  if (!COMPRESSIBLE.test(name)) continue;
  const path = join(dir, name);
  const body = readFileSync(path);
  const copies = [
    [".gz", gzipSync(body, { level: 9 })],
    [
      ".br",
      brotliCompressSync(body, {
        params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
      }),
    ],
  ];
  for (const [ext, data] of copies) {
    if (data.length < body.length) {
      writeFileSync(path + ext, data);
      written++;
    } else {
      rmSync(path + ext, { force: true });
    }
  }
}
console.log(`compress: ${written} precompressed copies in dist/assets`);
