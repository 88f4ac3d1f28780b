// Writes file.gz (gzip -9) and file.br (brotli, quality 11) next to each text and wasm file of a built app,
// so the server sends the smallest encoding the browser accepts without compressing on every request.
// Usage: node scripts/precompress.mjs dist
import { readdirSync, readFileSync, writeFileSync, statSync } from "node:fs";
import { join, extname } from "node:path";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";

const dir = process.argv[2] ?? "dist";
const kinds = new Set([".html", ".js", ".css", ".wasm", ".svg", ".json"]);
let count = 0;
for (const name of readdirSync(dir)) {
  const path = join(dir, name);
  if (!statSync(path).isFile() || !kinds.has(extname(name))) continue;
  const bytes = readFileSync(path);
  writeFileSync(`${path}.gz`, gzipSync(bytes, { level: 9 }));
  writeFileSync(
    `${path}.br`,
    brotliCompressSync(bytes, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 11,
        [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
      },
    }),
  );
  count += 1;
}
console.error(`precompressed ${count} files in ${dir} (.gz and .br)`);
