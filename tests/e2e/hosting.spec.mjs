// A course hosts HA Lab under a sub-path of its own static server, with a
// strict Content-Security-Policy: the lab runs with no console error and no
// CSP violation, and every file is served with its MIME type.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { DIST, launchBrowser, openPage, serveStatic, screenshot } from "./support.mjs";

test("the lab runs under /courses/ha-lab/ with a strict CSP", async () => {
  const policy = (await readFile(join(DIST, "csp.txt"), "utf8")).trim();
  assert.match(policy, /script-src 'self' 'wasm-unsafe-eval' 'sha256-/);
  assert.doesNotMatch(policy, /unsafe-inline|'unsafe-eval'/);
  const server = await serveStatic(DIST, {
    prefix: "/courses/ha-lab/",
    headers: { "content-security-policy": policy },
  });
  const browser = await launchBrowser();
  try {
    const page = await openPage(browser, { viewport: { width: 1280, height: 900 } });
    const violations = [];
    page.on("console", (msg) => {
      if (/Content Security Policy|Refused to/i.test(msg.text())) violations.push(msg.text());
    });
    await page.addInitScript(() => {
      window.__csp = [];
      document.addEventListener("securitypolicyviolation", (e) =>
        window.__csp.push(`${e.violatedDirective}: ${e.blockedURI}`),
      );
    });
    const responses = [];
    page.on("response", (r) => responses.push([new URL(r.url()).pathname, r.headers()["content-type"]]));
    await page.goto(server.url + "?lesson=leader-election-timings");
    await page.getByRole("group", { name: "Cluster", exact: true }).waitFor();
    await page.getByRole("heading", { name: "One leader, two standbys" }).waitFor();
    for (const name of ["master-1", "master-2", "master-3"]) {
      assert.equal(await page.getByRole("group", { name, exact: true }).count(), 1, name);
    }
    const wasm = responses.find(([p]) => p.endsWith(".wasm"));
    assert.ok(wasm, "the wasm was loaded from the sub-path");
    assert.ok(wasm[0].startsWith("/courses/ha-lab/"), wasm[0]);
    assert.equal(wasm[1], "application/wasm");
    await screenshot(page, "hosting-subpath-csp");
    assert.deepEqual(await page.evaluate(() => window.__csp), []);
    assert.deepEqual(violations, []);
    assert.deepEqual(page.errors, []);
  } finally {
    await browser.close();
    await server.close();
  }
});
