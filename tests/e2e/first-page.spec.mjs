// Learner story: I open HA Lab and see the cluster I am about to break,
// every node named, with nothing broken in the page itself.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serveStatic, launchBrowser, openPage, screenshot } from "./support.mjs";

let server, browser;
before(async () => {
  server = await serveStatic();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test("the first page shows the default cluster's nodes by name, with no console error", async () => {
  const page = await openPage(browser, { viewport: { width: 1280, height: 800 } });
  await page.goto(server.url);

  await page.getByRole("heading", { name: "HA Lab", level: 1 }).waitFor();
  const cluster = page.getByRole("group", { name: "Cluster", exact: true });
  await cluster.waitFor();
  for (const name of ["loadbalancer", "master-1", "master-2", "master-3", "worker-1", "worker-2"]) {
    const node = cluster.getByRole("group", { name, exact: true });
    assert.equal(await node.count(), 1, `one node named ${name}`);
    assert.ok(await node.isVisible(), `${name} is visible`);
  }
  assert.equal(await cluster.getByRole("group", { name: "master-4", exact: true }).count(), 0);

  const path = await screenshot(page, "first-page");
  assert.deepEqual(page.errors, [], `no console errors (screenshot: ${path})`);
});
