// Trunk post-build hook, release builds only: minifies the JS glue that
// wasm-bindgen writes (Trunk's own JS minifier cannot read its
// `export default`), and updates the file's Subresource Integrity hash in
// index.html to match. About 1.4 KB less to load, gzipped.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { minify } from "terser";

if (process.env.TRUNK_PROFILE !== "release") process.exit(0);
const dir = process.env.TRUNK_STAGING_DIR ?? "dist";
const indexPath = join(dir, "index.html");
let html = readFileSync(indexPath, "utf8");
for (const name of readdirSync(dir).filter((n) => n.endsWith(".js"))) {
  const path = join(dir, name);
  const { code } = await minify(readFileSync(path, "utf8"), { module: true, compress: true, mangle: true });
  writeFileSync(path, code);
  const integrity = `sha384-${createHash("sha384").update(code, "utf8").digest("base64")}`;
  // The <link> that preloads the file carries its hash: <link … href=./NAME integrity=sha384-… …>.
  const link = new RegExp(`(<link\\b[^>]*href=["']?\\./${name.replace(/[.]/g, "\\.")}["']?[^>]*\\bintegrity=["']?)sha384-[A-Za-z0-9+/=]+`);
  if (!link.test(html)) {
    console.error(`minify-js.mjs: index.html has no integrity hash for ${name}: has Trunk's output changed?`);
    process.exit(1);
  }
  html = html.replace(link, `$1${integrity}`);
}
writeFileSync(indexPath, html);
