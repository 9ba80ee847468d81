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
//      then the main module's imports from the glue get short names, in
//      the module and in the glue: wasm-bindgen names each after its JS
//      function and a 16-digit hash ("__wbg_mark_cbe602acd7c75ad6"), which
//      gzip cannot shrink (5 KB gzip in all, in the module and the glue);
//   4. the files into the staging folder: the glue and main module under
//      Trunk's names (the integrity hash of the main module updated), the
//      loader JS beside them, preloaded like the glue, and the parts, each
//      named by its content's hash, in parts/, with their stylesheets.
// Any other build (a plain `trunk build`, `trunk serve`) has no split points
// and is left as Trunk made it.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
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

  // 3. Optimise every module; shorten the main module's import names.
  const optimise = (from, to) => run("wasm-opt", [`-O${optLevel}`, ...optParams, from, "-o", to]);
  const mainWasm = join(dir, `${stem}_bg.wasm`);
  optimise(join(bound, `${stem}_bg.wasm`), mainWasm);
  const { bytes: shortened, renamed } = shortenImports(readFileSync(mainWasm), `./${stem}_bg.js`);
  writeFileSync(mainWasm, shortened);
  let glue = readFileSync(join(bound, `${stem}.js`), "utf8");
  for (const [long, short] of renamed) {
    // Each import is one key of the glue's imports object: `        NAME: function(…`.
    const key = new RegExp(`^(\\s+)${long}:`, "m");
    if (glue.split(key).length !== 3) fail(`the glue does not define the import ${long} once: has wasm-bindgen changed?`);
    glue = glue.replace(key, `$1${short}:`);
  }
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
    // A part's own stylesheet (static/<part>.css) moves to parts/ too, and
    // its <link> waits, disabled, for the part to enable it (lazy.rs,
    // `stylesheet`): browsers do not fetch a disabled stylesheet.
    const module = part.match(/^split_(.+)\.wasm$/)?.[1];
    const css = module && readdirSync(dir).find((n) => new RegExp(`^${module}-[0-9a-f]+\\.css$`).test(n));
    if (css) {
      renameSync(join(dir, css), join(dir, "parts", css));
      const link = new RegExp(`<link\\b([^>]*href=["']?)\\./${css.replace(".", "\\.")}`);
      if (!link.test(html)) fail(`index.html does not link ${css}: has Trunk's output changed?`);
      html = html.replace(link, `<link disabled data-part=${module}$1./parts/${css}`);
    }
  }

  // 4. The loader sits beside the glue, which imports it.
  const loaderName = `${stem}-parts.js`;
  writeFileSync(join(dir, loaderName), loader);
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

// The wasm module `bytes` with the imports from `module` renamed "a", "b",
// …, "aa", …; returns it and the [long, short] names. Only the import
// section changes: its entries are (module, name, kind, type), the names
// as LEB128 lengths and UTF-8 bytes (WebAssembly core spec, 5.5.5).
function shortenImports(bytes, module) {
  let at = 8; // After the magic number and the version.
  const leb = () => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[at++];
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
  };
  const encodeLeb = (value) => {
    const out = [];
    do {
      let byte = value & 0x7f;
      value = Math.floor(value / 128);
      if (value > 0) byte |= 0x80;
      out.push(byte);
    } while (value > 0);
    return Buffer.from(out);
  };
  const name = () => {
    const length = leb();
    at += length;
    return bytes.subarray(at - length, at).toString("utf8");
  };
  const encodeName = (text) => Buffer.concat([encodeLeb(Buffer.byteLength(text)), Buffer.from(text, "utf8")]);
  const limits = () => {
    const flags = bytes[at++];
    leb();
    if (flags & 1) leb();
  };
  const shortName = (n) => {
    let text = "";
    do {
      text = String.fromCharCode(97 + (n % 26)) + text;
      n = Math.floor(n / 26) - 1;
    } while (n >= 0);
    return text;
  };
  while (at < bytes.length) {
    const start = at;
    const id = bytes[at++];
    const size = leb();
    const body = at;
    if (id !== 2) {
      at = body + size;
      continue;
    }
    const entries = [];
    const renamed = [];
    for (let count = leb(); count > 0; count--) {
      const from = name();
      const field = name();
      const typeStart = at;
      const kind = bytes[at++];
      if (kind === 0x00) leb(); // a function: its type's index
      else if (kind === 0x01) (at++, limits()); // a table: its element type, limits
      else if (kind === 0x02) limits(); // a memory
      else if (kind === 0x03) at += 2; // a global: its value type, mutability
      else if (kind === 0x04) (at++, leb()); // a tag
      else fail(`import ${field} has a kind (${kind}) this script does not know`);
      let short = field;
      if (from === module) {
        short = shortName(renamed.length);
        renamed.push([field, short]);
      }
      entries.push(Buffer.concat([encodeName(from), encodeName(short), bytes.subarray(typeStart, at)]));
    }
    if (at !== body + size) fail("the import section does not end where its size says");
    const section = Buffer.concat([encodeLeb(entries.length), ...entries]);
    return {
      bytes: Buffer.concat([bytes.subarray(0, start), Buffer.from([2]), encodeLeb(section.length), section, bytes.subarray(at)]),
      renamed,
    };
  }
  return { bytes, renamed: [] };
}
