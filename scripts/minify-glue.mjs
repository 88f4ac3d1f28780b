// Minifies the wasm-bindgen JS glue of a release build with esbuild (npm), and puts the new SHA-384 in
// index.html's integrity attributes, so the browser still accepts it. Trunk's own minifier fails on this glue
// (it leaves it as is with a warning).
//
//   node scripts/minify-glue.mjs dist
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const esbuild = createRequire(join(root, "tools", "package.json"))("esbuild");
const dir = resolve(process.argv[2] ?? join(root, "dist"));
const sri = (bytes) => `sha384-${createHash("sha384").update(bytes).digest("base64")}`;

const indexPath = join(dir, "index.html");
let index = readFileSync(indexPath, "utf8");
for (const name of readdirSync(dir).filter((name) => name.endsWith(".js"))) {
  const path = join(dir, name);
  const before = readFileSync(path);
  // ESM in, ESM out: exports keep their names (index.html imports them); only locals are renamed.
  const { code } = esbuild.transformSync(before.toString("utf8"), { minify: true, format: "esm", target: "es2020" });
  if (index.includes(sri(before))) {
    index = index.replaceAll(sri(before), sri(Buffer.from(code)));
  } else if (index.includes(name)) {
    throw new Error(`${name}: index.html loads it without the integrity hash of its content`);
  }
  writeFileSync(path, code);
  console.error(`minified ${name}: ${before.length} -> ${Buffer.byteLength(code)} bytes`);
}
writeFileSync(indexPath, index);
