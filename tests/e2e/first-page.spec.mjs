// Learner story: I open HA Lab and see the cluster I am about to break,
// every node named, with nothing broken in the page itself.

import { test } from "node:test";
import assert from "node:assert/strict";
import { openPage, screenshot, withSiteAndBrowser } from "./support.mjs";

let server, browser;
withSiteAndBrowser((s, b) => ([server, browser] = [s, b]));

test("the first page shows the default cluster's nodes by name, with no console error", async () => {
  const page = await openPage(browser, { viewport: { width: 1280, height: 800 } });
  await page.goto(server.url);

  await page.getByRole("heading", { name: "HA Lab", level: 1 }).waitFor();
  const cluster = page.getByRole("group", { name: "Cluster", exact: true });
  await cluster.waitFor();
  for (const name of ["laptop", "loadbalancer", "master-1", "master-2", "master-3", "worker-1", "worker-2"]) {
    const node = cluster.getByRole("group", { name, exact: true });
    assert.equal(await node.count(), 1, `one node named ${name}`);
    assert.ok(await node.isVisible(), `${name} is visible`);
  }
  assert.equal(await cluster.getByRole("group", { name: "master-4", exact: true }).count(), 0);
  // The lab starts playing at 20 s of simulated time: the clock moves.
  const clock = page.getByRole("timer", { name: "Simulation time" });
  const first = await clock.textContent();
  await page.waitForTimeout(400);
  assert.notEqual(await clock.textContent(), first, "the clock moves while playing");

  const path = await screenshot(page, "first-page");
  assert.deepEqual(page.errors, [], `no console errors (screenshot: ${path})`);
});

test("a bad link shows what is wrong and the default lab, not a blank page", async () => {
  const page = await openPage(browser, { viewport: { width: 1280, height: 800 } });
  await page.goto(`${server.url}?scenario=nope&speed=900&masters=abc`);
  const alert = page.getByRole("alert").first();
  await alert.waitFor();
  const text = await alert.textContent();
  for (const expected of [
    "the default lab opened instead",
    "scenario=nope: there is no such scenario",
    "speed=900: must be from 0.1 to 50",
    "masters=abc: must be 1 to 7",
  ]) {
    assert.ok(text.includes(expected), `${JSON.stringify(expected)} in ${JSON.stringify(text)}`);
  }
  await page.getByRole("group", { name: "master-3", exact: true }).waitFor();
  await page.getByRole("button", { name: "Dismiss this message" }).click();
  assert.equal(await page.getByRole("alert").count(), 0);
  assert.deepEqual(page.errors, []);
});

// The release build's panics abort at once (ARCHITECTURE.md, "Size"): the
// page sees a WebAssembly trap, thrown from an event handler or a promise.
for (const [how, raise] of [
  ["an event handler", () => dispatchEvent(new ErrorEvent("error", { error: new WebAssembly.RuntimeError("unreachable") }))],
  ["a promise", () => void Promise.reject(new WebAssembly.RuntimeError("unreachable"))],
]) {
  test(`a WebAssembly trap in ${how} shows a message, not a dead page`, async () => {
    const page = await openPage(browser, { viewport: { width: 1280, height: 800 } });
    await page.goto(server.url);
    await page.getByRole("group", { name: "Cluster", exact: true }).waitFor();
    await page.evaluate(raise);
    const alert = page.getByRole("alert").filter({ hasText: "HA Lab stopped because of a bug" });
    await alert.waitFor();
    assert.match(await alert.textContent(), /Reload the page to start again.*Details: RuntimeError: unreachable/);
    assert.ok(page.errors.includes("console.error: RuntimeError: unreachable"), page.errors.join("\n"));
  });
}

test("an error that is not a WebAssembly trap leaves the lab running", async () => {
  const page = await openPage(browser, { viewport: { width: 1280, height: 800 } });
  await page.goto(server.url);
  await page.getByRole("group", { name: "Cluster", exact: true }).waitFor();
  await page.evaluate(() => dispatchEvent(new ErrorEvent("error", { error: new TypeError("from an extension") })));
  const clock = page.getByRole("timer", { name: "Simulation time" });
  const first = await clock.textContent();
  await page.waitForTimeout(400);
  assert.notEqual(await clock.textContent(), first, "the clock still moves");
  assert.equal(await page.getByRole("alert").count(), 0);
});
