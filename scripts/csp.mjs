// Trunk post-build hook: writes the site's Content-Security-Policy next to
// index.html, as csp.txt (the policy alone) and _headers (the form Netlify
// and Cloudflare Pages read). Trunk's loader is an inline module script whose
// text changes with every build (it names the hashed files), so the policy
// allows exactly that script by its SHA-256 and no other inline script; the
// wasm needs 'wasm-unsafe-eval' and nothing needs 'unsafe-eval'.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.env.TRUNK_STAGING_DIR ?? "dist";
const html = readFileSync(join(dir, "index.html"), "utf8");
const scripts = [...html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
if (scripts.length === 0) {
  console.error("csp.mjs: index.html has no inline script: has Trunk's loader changed?");
  process.exit(1);
}
const hashes = scripts.map((s) => `'sha256-${createHash("sha256").update(s, "utf8").digest("base64")}'`);
const policy = [
  "default-src 'self'",
  `script-src 'self' 'wasm-unsafe-eval' ${hashes.join(" ")}`,
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join("; ");
writeFileSync(join(dir, "csp.txt"), policy + "\n");
writeFileSync(join(dir, "_headers"), `/*\n  Content-Security-Policy: ${policy}\n`);
