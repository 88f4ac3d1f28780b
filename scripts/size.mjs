// The page's weight: every file a first visit loads (index.html, the CSS, the JS glue, the wasm), raw, gzip -9
// and brotli 11, and the total. Fails when the wasm's gzip size is over the budget in size-budget.json, the one
// place the budget is written. A size is deterministic, unlike a timing, so CI holds the line on it.
//
//   node scripts/size.mjs [dist]
//
// Raise the budget only on purpose, and say why in the commit that does.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, extname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dir = resolve(process.argv[2] ?? join(root, "dist"));
const budget = JSON.parse(readFileSync(join(root, "size-budget.json"), "utf8"));

const kinds = new Set([".html", ".css", ".js", ".wasm"]);
const rows = [];
for (const name of readdirSync(dir).sort()) {
  const path = join(dir, name);
  if (!statSync(path).isFile() || !kinds.has(extname(name))) continue;
  const bytes = readFileSync(path);
  rows.push({
    name,
    kind: extname(name),
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
    }).length,
  });
}
if (!rows.some((row) => row.kind === ".wasm")) {
  console.error(`size: no .wasm in ${dir}; build the page first (scripts/build.sh)`);
  process.exit(1);
}

const kib = (n) => (n / 1024).toFixed(1).padStart(7);
const line = (name, r) => `${name.padEnd(40)} ${kib(r.raw)} ${kib(r.gzip)} ${kib(r.brotli)}`;
const total = rows.reduce((t, r) => ({ raw: t.raw + r.raw, gzip: t.gzip + r.gzip, brotli: t.brotli + r.brotli }), {
  raw: 0, gzip: 0, brotli: 0,
});
console.log(`${"file (KiB)".padEnd(40)} ${"raw".padStart(7)} ${"gzip".padStart(7)} ${"brotli".padStart(7)}`);
for (const row of rows) console.log(line(row.name, row));
console.log(line("whole page", total));

const wasm = rows.filter((row) => row.kind === ".wasm").reduce((sum, row) => sum + row.gzip, 0);
const limit = budget.wasm_gzip_bytes;
console.log(`wasm gzip: ${wasm} bytes; budget ${limit} bytes (size-budget.json)`);
console.log(`whole page gzip: ${total.gzip} bytes; target ${budget.page_gzip_target_bytes} bytes`);
if (wasm > limit) {
  console.error(
    `size: the wasm is ${wasm - limit} bytes over its budget. Find what grew (twiggy top on a build without ` +
      `wasm-opt), or raise size-budget.json on purpose and say why in the commit.`,
  );
  process.exit(1);
}
