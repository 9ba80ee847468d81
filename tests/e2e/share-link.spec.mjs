// Learner story: I break something, copy the link, and open it in a new
// page: the same lab, at the same moment, in the same state.

import { test } from "node:test";
import assert from "node:assert/strict";
import { openLab, openPage, press, clusterStates, reveal, simulationSeconds, withSiteAndBrowser } from "./support.mjs";

let server, browser;
withSiteAndBrowser((s, b) => ([server, browser] = [s, b]));

test("a copied link reopens the same lab in the same state", async () => {
  const page = await openLab(browser, server, "scenario=kill-apiserver&seed=4&t=30s&paused=1");
  await press(page, "Kill master-3");
  for (let i = 0; i < 7; i++) await press(page, "Step 1 s");
  await press(page, "Step 100 ms");
  await press(page, "Copy link");
  const link = await page.getByRole("textbox", { name: "Link to this lab" }).inputValue();
  assert.match(link, /scenario=kill-apiserver/);
  assert.match(link, /seed=4/);
  assert.match(link, /a=30s,kill-node,master-3/);

  await reveal(page, "Event log");
  const before = {
    time: await simulationSeconds(page),
    states: await clusterStates(page),
    log: await page.getByRole("log", { name: "Event log" }).textContent(),
  };
  assert.equal(before.time, 37.1);

  const other = await openPage(browser, { viewport: { width: 1280, height: 900 } });
  await other.goto(link);
  await other.getByRole("group", { name: "Cluster", exact: true }).waitFor();
  assert.equal(await simulationSeconds(other), before.time);
  await reveal(other, "Event log");
  assert.deepEqual(await clusterStates(other), before.states);
  assert.equal(await other.getByRole("log", { name: "Event log" }).textContent(), before.log);
  assert.equal(await other.getByRole("button", { name: "Play", exact: true }).count(), 1, "it opens paused, as it was");
  assert.deepEqual(page.errors, []);
  assert.deepEqual(other.errors, []);
});
