// Trunk post-build hook, for the site's release build (`./lab build`): moves
// the parts of the page that the first screen does not show into wasm files
// of their own, loaded when first wanted (src/components/lazy.rs).
//
// `./lab build` compiles with `--cfg ha_lab_split` and `--emit-relocs`
// (scripts/setup.sh, release_std), so Cargo's wasm has split points and the
// relocations that wasm-split-cli needs. Splitting must come before
// wasm-bindgen, and Trunk has no stage between its two steps, so this hook
// redoes Trunk's last steps from Cargo's wasm:
//   1. wasm-split-cli: the main module, one module per part, and the JS that
//      loads them;
//   2. wasm-bindgen on the main module, as Trunk runs it;
//   3. wasm-opt on every module, with index.html's data-wasm-opt-params;
//   4. the files into the staging folder: the glue and main module under
//      Trunk's names (the integrity hash of the main module updated), the
//      loader JS beside them, preloaded like the glue, and the parts, each
//      named by its content's hash, in parts/.
// Any other build (a plain `trunk build`, `trunk serve`) has no split points
// and is left as Trunk made it.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

if (process.env.TRUNK_PROFILE !== "release") process.exit(0);
const cargoWasm = join(process.env.CARGO_TARGET_DIR ?? "target", "wasm32-unknown-unknown", "release", "ha-lab.wasm");
if (!readFileSync(cargoWasm).includes("__wasm_split_unstable")) process.exit(0);

const fail = (message) => {
  console.error(`split-wasm.mjs: ${message}`);
  process.exit(1);
};
const run = (tool, args) => {
  try {
    execFileSync(tool, args, { stdio: ["ignore", "ignore", "inherit"] });
  } catch (e) {
    fail(`${tool} ${args.join(" ")} failed (${e.message}); ./lab setup installs it`);
  }
};
const sha = (algorithm, bytes, encoding) => createHash(algorithm).update(bytes).digest(encoding);

const dir = process.env.TRUNK_STAGING_DIR ?? "dist";
const indexPath = join(dir, "index.html");
let html = readFileSync(indexPath, "utf8");
const glueName = readdirSync(dir).find((n) => /^ha-lab-[0-9a-f]+\.js$/.test(n));
if (!glueName) fail(`no ha-lab-<hash>.js in ${dir}: has Trunk's output changed?`);
const stem = glueName.slice(0, -".js".length);
// wasm-opt as Trunk runs it, from the source page's rust link.
const source = readFileSync(process.env.TRUNK_HTML_FILE ?? "index.html", "utf8");
const optParams = source.match(/data-wasm-opt-params="([^"]*)"/)?.[1].split(/\s+/) ?? [];
const optLevel = source.match(/data-wasm-opt="([0-9sz])"/)?.[1] ?? "z";

const work = mkdtempSync(join(tmpdir(), "ha-lab-split-"));
try {
  // 1. Split. The main module keeps Trunk's name; the loader imports the
  // glue as "./<stem>.js".
  run("wasm-split-cli", [cargoWasm, work, "--out-name", stem]);
  const parts = readdirSync(work).filter((n) => n.endsWith(".wasm") && n !== `${stem}.wasm`);
  if (parts.length === 0) fail("wasm-split-cli found split points but wrote no part");

  // 2. Bind, as Trunk does.
  const bound = join(work, "bound");
  run("wasm-bindgen", ["--target=web", "--keep-lld-exports", `--out-dir=${bound}`, `--out-name=${stem}`, "--no-typescript", join(work, `${stem}.wasm`)]);

  // 3. Optimise every module.
  const optimise = (from, to) => run("wasm-opt", [`-O${optLevel}`, ...optParams, from, "-o", to]);
  optimise(join(bound, `${stem}_bg.wasm`), join(dir, `${stem}_bg.wasm`));
  let loader = readFileSync(join(work, "__wasm_split.js"), "utf8");
  mkdirSync(join(dir, "parts"), { recursive: true });
  for (const part of parts) {
    const optimised = join(work, `opt-${part}`);
    optimise(join(work, part), optimised);
    const bytes = readFileSync(optimised);
    const name = `${part.slice(0, -".wasm".length)}-${sha("sha256", bytes, "hex").slice(0, 16)}.wasm`;
    writeFileSync(join(dir, "parts", name), bytes);
    if (!loader.includes(`"./${part}"`)) fail(`the loader does not name ${part}: has wasm-split-cli changed?`);
    loader = loader.replaceAll(`"./${part}"`, `"./parts/${name}"`);
  }

  // 4. The loader sits beside the glue, which imports it.
  const loaderName = `${stem}-parts.js`;
  writeFileSync(join(dir, loaderName), loader);
  const glue = readFileSync(join(bound, `${stem}.js`), "utf8");
  // Only the import's path: the module's imports keep the name the wasm asks for.
  const imported = `from "./__wasm_split.js"`;
  if (!glue.includes(imported)) fail("the glue does not import the loader: has wasm-bindgen changed?");
  writeFileSync(join(dir, glueName), glue.replaceAll(imported, `from "./${loaderName}"`));

  // The main module's preload carries its integrity hash; the loader gets a
  // preload of its own (scripts/minify-js.mjs fills in its hash).
  const wasmLink = new RegExp(`(<link\\b[^>]*href=["']?\\./${stem}_bg\\.wasm["']?[^>]*\\bintegrity=["']?)sha384-[A-Za-z0-9+/=]+`);
  if (!wasmLink.test(html)) fail(`index.html has no integrity hash for ${stem}_bg.wasm: has Trunk's output changed?`);
  html = html.replace(wasmLink, `$1sha384-${sha("sha384", readFileSync(join(dir, `${stem}_bg.wasm`)), "base64")}`);
  const glueLink = html.match(new RegExp(`<link\\b[^>]*href=["']?\\./${stem}\\.js["']?[^>]*>`))?.[0];
  if (!glueLink) fail(`index.html does not preload ${glueName}: has Trunk's output changed?`);
  html = html.replace(glueLink, `${glueLink}${glueLink.replace(`./${stem}.js`, `./${loaderName}`)}`);
  writeFileSync(indexPath, html);
  console.log(`split-wasm.mjs: ${parts.length} part(s) in ${dir}/parts: ${readdirSync(join(dir, "parts")).join(", ")}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
